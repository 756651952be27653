"""Converting Longterm Wiki MDX bodies to our Markdown, and our Markdown back to MDX."""

import pytest

from interchange.longterm_wiki.mdx import MdxNote, markdown_to_mdx, mdx_line_of, mdx_to_markdown
from wiki.markup import RenderContext, body_render


def markdown(body, **kwargs):
    return mdx_to_markdown(body, **kwargs).markdown


def messages(body, **kwargs):
    return [note.message for note in mdx_to_markdown(body, **kwargs).notes]


def round_trip(md):
    return mdx_to_markdown(markdown_to_mdx(md)).markdown


# ESM ---------------------------------------------------------------------------------------


def test_import_and_export_lines_are_dropped():
    body = (
        "import {R, EntityLink} from '@components/wiki';\n"
        'import Chart from "@components/Chart"\n'
        "export const meta = {draft: true};\n\n"
        "Body text.\n"
    )

    assert markdown(body) == "Body text.\n"


def test_a_prose_line_starting_with_import_is_kept():
    assert markdown("import duties rose in 2024.\n") == "import duties rose in 2024.\n"


# Citations ---------------------------------------------------------------------------------


def test_a_citation_with_text_becomes_a_cite_marker_with_that_text():
    body = 'Labs agreed <R id="abc123">to pause</R>.'

    assert markdown(body) == "Labs agreed [[cite:abc123|to pause]].\n"


@pytest.mark.parametrize(
    "tag", ['<R id="abc123" />', '<R id="abc123"></R>', '<R id="abc123">  </R>']
)
def test_a_citation_without_text_becomes_a_bare_marker(tag):
    assert markdown(f"A claim.{tag}") == "A claim.[[cite:abc123]]\n"


def test_extra_citation_attributes_are_ignored():
    assert markdown('See <R id="abc123" n={9}>the report</R>.') == (
        "See [[cite:abc123|the report]].\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a [draft] report", "a [draft] report[[cite:abc123]]"),
        ("cost | benefit", "cost | benefit[[cite:abc123]]"),
        ("two\nlines", "two\nlines[[cite:abc123]]"),
    ],
)
def test_citation_text_that_cannot_sit_in_a_marker_is_written_before_it(text, expected):
    conversion = mdx_to_markdown(f'<R id="abc123">{text}</R>')

    assert conversion.markdown == expected + "\n"
    assert conversion.citations == [("abc123", 1)]
    assert conversion.notes == [
        MdxNote(1, "citation text cannot go inside [[cite:...]]; written before it")
    ]


def test_a_component_inside_citation_text_is_converted_first():
    body = '<R id="abc123"><EntityLink id="E7" name="acme-lab">Acme Lab</EntityLink> (2024)</R>'

    assert markdown(body) == "[[acme-lab|Acme Lab]] (2024)[[cite:abc123]]\n"


def test_markdown_inside_citation_text_is_kept():
    assert markdown('<R id="abc123">a **bold** claim</R>') == ("[[cite:abc123|a **bold** claim]]\n")


def test_citations_are_listed_as_written_with_their_lines_in_order():
    body = 'One <R id="first">a</R>.\n\nTwo <R id="sid_second" /> and <R id="third">b</R>.'

    assert mdx_to_markdown(body).citations == [("first", 1), ("sid_second", 3), ("third", 3)]


# Page links --------------------------------------------------------------------------------


def test_an_entity_link_becomes_a_page_link_with_its_text():
    body = 'Run by <EntityLink id="E7" name="acme-lab">Acme</EntityLink>.'

    assert markdown(body) == "Run by [[acme-lab|Acme]].\n"


def test_a_self_closing_entity_link_becomes_a_bare_page_link():
    assert markdown('See <EntityLink id="E7" name="acme-lab" />.') == "See [[acme-lab]].\n"


def test_a_label_becomes_the_text_of_a_self_closing_entity_link():
    body = 'See <EntityLink id="E7" name="acme-lab" label="the lab" />.'

    assert markdown(body) == "See [[acme-lab|the lab]].\n"


def test_the_first_of_repeated_names_wins_with_a_note():
    conversion = mdx_to_markdown('<EntityLink id="E7" name="first" name="second">X</EntityLink>')

    assert conversion.markdown == "[[first|X]]\n"
    assert conversion.notes == [MdxNote(1, "<EntityLink> repeats name=; kept the first (first)")]


def test_an_entity_link_without_a_name_is_looked_up_by_id():
    conversion = mdx_to_markdown(
        '<EntityLink id="E7">Acme</EntityLink>', entity_slugs={"E7": "acme-lab"}
    )

    assert conversion.markdown == "[[acme-lab|Acme]]\n"
    assert conversion.notes == []


def test_an_unknown_entity_keeps_its_text_with_a_note():
    conversion = mdx_to_markdown('Run by <EntityLink id="E404">Acme</EntityLink>.')

    assert conversion.markdown == "Run by Acme.\n"
    assert conversion.links == []
    assert conversion.notes == [
        MdxNote(1, "<EntityLink id='E404'> names no known page; kept its text")
    ]


def test_an_unknown_entity_without_text_keeps_its_id():
    assert markdown('See <EntityLink id="E404" />.') == "See E404.\n"


def test_tags_may_hold_whitespace_and_newlines():
    body = 'Run by <EntityLink\n  id="E7"\n  name="acme-lab" >Acme</EntityLink>.'

    assert markdown(body) == "Run by [[acme-lab|Acme]].\n"


def test_link_text_that_cannot_sit_in_a_marker_becomes_a_markdown_link():
    conversion = mdx_to_markdown('<EntityLink id="E7" name="acme-lab">Acme | Labs</EntityLink>')

    assert conversion.markdown == "[Acme | Labs](/wiki/acme-lab/)\n"
    assert conversion.links == [("acme-lab", 1)]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        (
            '<EntityLink name="govai">[GovAI](https://governance.test/)</EntityLink>',
            # The outside link follows the page link, so a citation by URL is not lost.
            "[[govai|GovAI]] ([governance.test](https://governance.test/))",
        ),
        ('<R id="abc123">the [report](https://r.test/a "Title")</R>', "[[cite:abc123|the report]]"),
    ],
)
def test_a_markdown_link_in_reference_text_is_reduced_to_its_text(tag, expected):
    conversion = mdx_to_markdown(f"| {tag} |")

    assert conversion.markdown == f"| {expected} |\n"
    assert len(conversion.notes) == 1
    assert conversion.notes[0].message.startswith("link to https://")


def test_a_page_link_inside_the_text_of_a_markdown_link_keeps_its_text():
    conversion = mdx_to_markdown(
        '[<EntityLink name="acme-lab">Acme</EntityLink> launch](https://a.test/) and '
        '[aside] <EntityLink name="acme-lab">Acme</EntityLink>.'
    )

    assert conversion.markdown == "[Acme launch](https://a.test/) and [aside] [[acme-lab|Acme]].\n"
    assert conversion.links == [("acme-lab", 1)]
    assert conversion.notes == [
        MdxNote(1, "page link inside a Markdown link's text kept as its text")
    ]


def test_links_are_listed_with_their_lines_in_order():
    body = '<EntityLink name="one">1</EntityLink>\n\n<EntityLink name="two" />'

    assert mdx_to_markdown(body).links == [("one", 1), ("two", 3)]


def test_references_in_a_table_row_escape_their_pipe_so_the_row_keeps_its_cells():
    body = (
        "| Lab | Source |\n|---|---|\n"
        '| <EntityLink name="acme-lab">Acme</EntityLink> | <R id="abc123">report</R> |\n'
    )
    context = RenderContext(
        citations={"abc123": (1, "Report")}, pages={"acme-lab": ("/wiki/acme-lab/", "Acme")}
    )

    md = markdown(body)
    html = body_render(md, context)

    assert "| [[acme-lab\\|Acme]] | [[cite:abc123\\|report]] |" in md
    assert '<td><a href="/wiki/acme-lab/">Acme</a></td>' in html
    assert '<a class="cite-text" href="#ref-1">report</a>' in html


# Diagrams and estimates --------------------------------------------------------------------


def test_a_mermaid_chart_becomes_a_fenced_block_on_lines_of_its_own():
    body = "Before.\n<Mermaid chart={`\n    flowchart TD\n        A --> B{ok?}\n`} />\nAfter."

    assert markdown(body) == (
        "Before.\n\n```mermaid\nflowchart TD\n    A --> B{ok?}\n```\n\nAfter.\n"
    )


def test_a_squiggle_estimate_becomes_a_section_with_its_code_and_its_range():
    conversion = mdx_to_markdown(
        '<SquiggleEstimate title="Revenue" code={`\n  x = 1 to 3 // \\$B\n`} />'
    )

    assert conversion.markdown == (
        ":::section[Revenue]\n```squiggle\nx = 1 to 3 // $B\n```\n\nRange: 1 to 3\n:::\n"
    )
    assert conversion.notes == [
        MdxNote(1, "component <SquiggleEstimate> became a section with its code")
    ]


def test_an_estimate_ending_in_a_record_lists_the_ranges_its_code_states():
    code = (
        "low = 0.1 to 0.2 // a literal\n"
        "point = 5\n"
        "total = low * point\n"
        "continued = 1\n"
        "  + 2\n"
        '{\n  "Low ($B)": low,\n  "Point": point,\n  "Total": total,\n  "Continued": continued\n}'
    )

    md = markdown(f"<SquiggleEstimate code={{`{code}`}} />")

    assert md.startswith(":::section[Estimate]\n```squiggle\n")
    assert md.endswith("```\n\n- Low (\\$B): 0.1 to 0.2\n- Point: 5\n:::\n")


def test_an_estimate_whose_result_is_computed_shows_only_its_code():
    md = markdown('<SquiggleEstimate title="T" code={`a = 1 to 2\nb = a * 3`} />')

    assert md == ":::section[T]\n```squiggle\na = 1 to 2\nb = a * 3\n```\n:::\n"


# Comments ----------------------------------------------------------------------------------


def test_a_jsx_comment_becomes_an_html_comment():
    assert markdown("Budget grew. {/* NEEDS CITATION */}") == (
        "Budget grew. <!-- NEEDS CITATION -->\n"
    )


def test_a_comment_cannot_close_early():
    md = markdown("Text {/* see --> here */} more.")

    assert md == "Text <!-- see - -> here --> more.\n"
    assert "more." in body_render(md, RenderContext())


def test_text_after_a_comment_opening_a_line_stays_visible():
    md = markdown("{/* check this */} Budget grew.")

    assert md == "<!-- check this -->\nBudget grew.\n"
    assert "<p>Budget grew.</p>" in body_render(md, RenderContext())


# Components with children ------------------------------------------------------------------


def test_a_paired_component_keeps_its_children_with_a_note():
    conversion = mdx_to_markdown('Revenue of <FBF entity="x1" property="revenue">\\$4B</FBF>.')

    assert conversion.markdown == "Revenue of \\$4B.\n"
    assert conversion.notes == [MdxNote(1, "component <FBF> reduced to its content")]


def test_an_aside_becomes_a_callout_of_its_type_under_its_title():
    conversion = mdx_to_markdown(
        '<Aside type="tip" title="Bottom line">\nCosts **fell**.\n\nAgain.\n</Aside>'
    )

    assert conversion.markdown == ":::tip[Bottom line]\nCosts **fell**.\n\nAgain.\n:::\n"
    assert conversion.notes == [MdxNote(1, "component <Aside> became a tip callout")]


@pytest.mark.parametrize(
    ("attrs", "opener"),
    [
        ('type="caution"', ":::caution"),
        ('type="Warning" title="Mind"', ":::caution[Mind]"),
        ('type="danger"', ":::danger"),
        ("", ":::note"),
        ('type="odd"', ":::note"),
    ],
)
def test_an_aside_type_chooses_one_of_the_four_callouts(attrs, opener):
    assert markdown(f"<Aside {attrs}>\nCareful.\n</Aside>") == f"{opener}\nCareful.\n:::\n"


def test_a_section_becomes_a_titled_section_around_its_children():
    conversion = mdx_to_markdown('<Section title="People">\nThe team is small.\n</Section>')

    assert conversion.markdown == ":::section[People]\nThe team is small.\n:::\n"
    assert conversion.notes == [MdxNote(1, "component <Section> became a section")]


def test_a_container_inside_a_section_makes_the_section_use_more_colons():
    body = (
        '<Section title="Outer">\n:::note\nInside.\n:::\n\n'
        '<KeyQuestions questions={["Why?"]} />\n</Section>'
    )

    assert markdown(body) == (
        "::::section[Outer]\n:::note\nInside.\n:::\n\n"
        ":::section[Key questions]\n- Why?\n:::\n::::\n"
    )


def test_an_info_box_with_children_becomes_an_aside_around_them():
    body = (
        '<InfoBox title="Definition" type="info">\nA **risk** that ends it all.\n</InfoBox>\n\n'
        "<DataInfoBox>\n| Field | Value |\n|---|---|\n| Author | Ada |\n</DataInfoBox>"
    )

    assert markdown(body) == (
        ":::aside[Definition]\nA **risk** that ends it all.\n:::\n\n"
        ":::aside\n| Field | Value |\n|---|---|\n| Author | Ada |\n:::\n"
    )


def test_a_titled_component_of_another_name_standing_alone_gets_a_bold_line():
    body = '<Panel title="People">\nThe team is small.\n</Panel>'

    assert markdown(body) == "**People**\n\nThe team is small.\n"


def test_indented_children_lose_their_indentation():
    body = "<KeyTakeaways>\n    A point that MDX reads as prose.\n</KeyTakeaways>"

    md = markdown(body)

    assert md == ":::section[Key takeaways]\nA point that MDX reads as prose.\n:::\n"
    assert "<code>" not in body_render(md, RenderContext())


def test_a_title_that_needs_markdown_heads_the_content_in_bold():
    body = '<Section title="The *real* risk">\nText.\n</Section>'

    assert markdown(body) == ":::section\n**The *real* risk**\n\nText.\n:::\n"


def test_a_title_is_plain_text_with_its_escapes_and_references_undone():
    body = (
        "<Section title='Cost (\\$B) of <EntityLink name=\"acme-lab\">Acme</EntityLink>'>\n"
        "Text.\n</Section>"
    )

    assert markdown(body) == ":::section[Cost ($B) of Acme]\nText.\n:::\n"


# Components whose props are their content ---------------------------------------------------


def test_key_questions_become_a_section_listing_questions_and_positions():
    body = (
        "<KeyQuestions questions={[\n"
        '  { question: "Will it scale?", positions: [\n'
        '    { position: "Yes", confidence: "high", reasoning: "Laws hold",'
        ' implications: "Short timelines" },\n'
        '    { position: "No", reasoning: "Data runs out." },\n'
        "  ]},\n"
        '  "Is \\$1M enough?",\n'
        "]} />"
    )
    conversion = mdx_to_markdown(body)

    assert conversion.markdown == (
        ":::section[Key questions]\n"
        "- **Will it scale?**\n"
        "  - **Yes** (high confidence): Laws hold. *Implications:* Short timelines\n"
        "  - **No**: Data runs out.\n"
        "- Is \\$1M enough?\n"
        ":::\n"
    )
    assert conversion.notes == [MdxNote(1, "component <KeyQuestions> became a section with a list")]


def test_a_crux_becomes_a_section_with_its_fields_positions_and_research():
    body = (
        '<Crux id="c1" question="Is it hard?" domain="Foundations" description="Whether."\n'
        '  importance="high" currentState="Open"\n'
        '  positions={[{ view: "Yes", probability: "30%", holders: ["Ada", "Alan"],'
        ' implications: "Slow | careful" }]}\n'
        '  wouldUpdateOn={["A proof"]} relatedCruxes={["mesa-optimization"]}\n'
        '  relevantResearch={[{ title: "A paper", url: "https://a.test/p" }]} />'
    )
    conversion = mdx_to_markdown(body)

    assert conversion.markdown == (
        ":::section[Is it hard?]\n"
        "Whether.\n\n"
        "Domain\n: Foundations\n\nImportance\n: high\n\nCurrent state\n: Open\n\n"
        "| View | Probability | Held by | Implications |\n|---|---|---|---|\n"
        "| Yes | 30% | Ada, Alan | Slow \\| careful |\n\n"
        "**Would update on**\n\n- A proof\n\n"
        "**Related cruxes:** mesa-optimization\n\n"
        "**Relevant research**\n\n- [A paper](https://a.test/p)\n"
        ":::\n"
    )
    assert conversion.notes == [MdxNote(1, "component <Crux> became a section")]


def test_a_crux_list_becomes_a_section_with_a_table():
    body = (
        '<CruxList domain="Epistemics" cruxes={[{ id: "c1", question: "Can detection keep up?",'
        ' importance: "critical", timeframe: "2-3 years", summary: "Decides verification." }]} />'
    )

    assert markdown(body) == (
        ":::section[Cruxes: Epistemics]\n"
        "| Question | Importance | Timeframe | Summary |\n|---|---|---|---|\n"
        "| Can detection keep up? | critical | 2-3 years | Decides verification. |\n"
        ":::\n"
    )


def test_a_disagreement_map_becomes_a_section_with_a_table_of_positions():
    body = (
        '<DisagreementMap topic="Risk this century" description="Expert estimates"\n'
        '  spectrum={{ low: "Negligible", high: "Very high" }}\n'
        "  positions={[\n"
        '    { actor: "Ada", position: "High", estimate: "10%", confidence: "high" },\n'
        '    { name: "Alan", stance: "short-timelines", reasoning: "Trends.",'
        ' evidence: ["Essay", "Talk"], quote: "Soon." },\n'
        "  ]} />"
    )
    conversion = mdx_to_markdown(body)

    assert conversion.markdown == (
        ":::section[Risk this century]\n"
        "Expert estimates\n\n"
        "Spectrum: from Negligible to Very high.\n\n"
        "| Position | View | Held by | Estimate | Evidence | Quote | Confidence |\n"
        "|---|---|---|---|---|---|---|\n"
        "| High |  | Ada | 10% |  |  | high |\n"
        "| short timelines | Trends. | Alan |  | Essay, Talk | “Soon.” |  |\n"
        ":::\n"
    )
    assert conversion.notes == [
        MdxNote(1, "component <DisagreementMap> became a section with a table")
    ]


def test_a_disagreement_map_of_named_positions_lists_their_proponents_and_strength():
    body = (
        '<DisagreementMap title="Views" positions={[{ name: "Sufficient", description: "Tests'
        ' work.", proponents: ["Evaluators", "Labs"], strength: 4 }]} />'
    )

    assert markdown(body) == (
        ":::section[Views]\n"
        "| Position | View | Held by | Strength |\n|---|---|---|---|\n"
        "| Sufficient | Tests work. | Evaluators, Labs | 4 |\n"
        ":::\n"
    )


def test_key_people_become_a_definition_list_of_names_and_roles():
    body = (
        "<KeyPeople people={[\n"
        '  { name: "Ada Lovelace", role: "Chair", background: "Mathematician" },\n'
        "  { name: 'Alan Turing', role: 'Adviser', links: [{ url: 'https://a.test/at' }] },\n"
        '  { name: "# Hash", role: "1. First" },\n'
        "]} />"
    )
    conversion = mdx_to_markdown(body)

    assert conversion.markdown == (
        "Ada Lovelace\n: Chair\n: Mathematician\n\n"
        "[Alan Turing](https://a.test/at)\n: Adviser\n\n"
        "\\# Hash\n: 1\\. First\n"
    )
    assert conversion.notes == [MdxNote(1, "component <KeyPeople> became a definition list")]


def test_a_component_inside_a_prop_string_is_converted():
    conversion = mdx_to_markdown(
        '<KeyPeople people={[{ name: "Ada", role: "Chair, <R id="abc123">per the filing</R>" }]} />'
    )

    assert conversion.markdown == "Ada\n: Chair, [[cite:abc123|per the filing]]\n"
    assert conversion.citations == [("abc123", 1)]


def test_an_info_box_becomes_an_aside_with_its_fields_as_a_definition_list():
    conversion = mdx_to_markdown(
        '<InfoBox type="crux" title="Pause debate" customFields={[\n'
        '  { label: "Question", value: "Should labs pause?" },\n'
        '  { label: "Stakes", value: "\\$1T" },\n'
        "]} />"
    )

    assert conversion.markdown == (
        ":::aside[Pause debate]\nQuestion\n: Should labs pause?\n\nStakes\n: \\$1T\n:::\n"
    )
    assert conversion.notes == [MdxNote(1, "component <InfoBox> became an aside")]


def test_a_data_info_box_labels_its_data_by_their_keys():
    body = '<DataInfoBox data={{ "Near term": "Evals", longTerm: { value: "Theory" } }} />'

    assert markdown(body) == ":::aside\nNear term\n: Evals\n\nLong term\n: Theory\n:::\n"


def test_a_data_info_box_reads_its_ratings_from_the_front_matter():
    conversion = mdx_to_markdown(
        "<DataInfoBox ratings={frontmatter.ratings} />",
        front_matter={"ratings": {"focus": 7, "novelty": 6.5}},
    )

    assert conversion.markdown == ":::aside[Ratings]\nFocus\n: 7/10\n\nNovelty\n: 6.5/10\n:::\n"
    assert conversion.notes == [MdxNote(1, "component <DataInfoBox> became an aside")]


def test_a_data_info_box_without_its_front_matter_ratings_is_dropped_with_a_note():
    conversion = mdx_to_markdown("Text.\n\n<DataInfoBox ratings={frontmatter.ratings} />\n")

    assert conversion.markdown == "Text.\n"
    assert conversion.notes == [
        MdxNote(3, "component <DataInfoBox> dropped: no ratings in the front matter")
    ]


def test_a_cause_effect_graph_becomes_a_mermaid_flowchart_and_its_nodes_descriptions():
    body = (
        "<CauseEffectGraph height={900} initialNodes={[\n"
        "  { id: 'compute', position: { x: 0, y: 0 }, data: { label: 'Compute \"FLOP\" #1',"
        " description: 'Chips.', details: 'Doubling yearly.', confidence: 26 } },\n"
        "  { id: 'risk', data: { label: 'Risk <b>' } },\n"
        "]} initialEdges={[\n"
        "  { id: 'e1', source: 'compute', target: 'risk', data: { impact: 0.3 } },\n"
        "  { id: 'e2', source: 'risk', target: 'compute', style: { strokeDasharray: '5,5' },"
        " label: 'LOOP' },\n"
        "  { id: 'e3', source: 'risk', target: 'elsewhere' },\n"
        "]} />"
    )
    conversion = mdx_to_markdown(body)

    assert conversion.markdown == (
        "```mermaid\n"
        "flowchart TD\n"
        '    n1["Compute #quot;FLOP#quot; #35;1"]\n'
        '    n2["Risk #lt;b#gt;"]\n'
        '    n3["elsewhere"]\n'
        "    n1 --> n2\n"
        '    n2 -.->|"LOOP"| n1\n'
        "    n2 --> n3\n"
        "```\n\n"
        'Compute "FLOP" #1\n: Chips. Doubling yearly.\n'
    )
    assert conversion.notes == [
        MdxNote(1, "component <CauseEffectGraph> became a Mermaid flowchart")
    ]


def test_a_comparison_table_becomes_a_section_with_a_table_of_its_rows():
    items = (
        '<ComparisonTable title="Models" items={[\n'
        '  { name: "Open", attributes: { "Weights": "Yes", "Cost": "Free" } },\n'
        '  { name: "Closed", attributes: { "Weights": "No", "Control": "Full" } },\n'
        "]} />"
    )
    rows = (
        '<ComparisonTable title="Agendas" columns={["Testable?"]} rows={[\n'
        '  { name: "Control", values: { "Testable?": { value: "Yes", badge: "high" },'
        ' "Other": "x" } },\n'
        "]} />"
    )

    assert markdown(items) == (
        ":::section[Models]\n|  | Weights | Cost | Control |\n|---|---|---|---|\n"
        "| Open | Yes | Free |  |\n| Closed | No |  | Full |\n:::\n"
    )
    assert markdown(rows) == (
        ":::section[Agendas]\n|  | Testable? |\n|---|---|\n| Control | Yes |\n:::\n"
    )


def test_a_timeline_becomes_a_section_with_a_table_of_its_events():
    body = (
        '<TimelineViz title="Predictions" events={[{ year: 2028, label: "Short", description:'
        ' "AGI by 2030", probability: 0.25, sources: ["Labs", "Forecasters"] }]} />'
    )

    assert markdown(body) == (
        ":::section[Predictions]\n"
        "| When | Event | Description | Probability | Sources |\n|---|---|---|---|---|\n"
        "| 2028 | Short | AGI by 2030 | 25% | Labs, Forecasters |\n"
        ":::\n"
    )


def test_tags_become_a_line_of_tags():
    conversion = mdx_to_markdown("<Tags tags={['worldview', 'high-risk']} />")

    assert conversion.markdown == "**Tags:** worldview, high-risk\n"
    assert conversion.notes == [MdxNote(1, "component <Tags> became a line of tags")]


def test_a_dollar_from_a_prop_string_is_escaped_so_it_is_no_math():
    body = "<KeyQuestions questions={['Is $1M enough?', 'Already \\\\$2M?', 'In code: `$x`?']} />"

    assert markdown(body) == (
        ":::section[Key questions]\n- Is \\$1M enough?\n- Already \\$2M?\n- In code: `$x`?\n:::\n"
    )


def test_a_link_in_a_mermaid_chart_keeps_its_text():
    body = '<Mermaid chart={`graph TD\n  A[<EntityLink id="E1" name="a">Alpha</EntityLink>]`} />'
    conversion = mdx_to_markdown(body)

    assert conversion.markdown == "```mermaid\ngraph TD\n  A[Alpha]\n```\n"
    assert conversion.notes == [MdxNote(1, "links in a <Mermaid> chart kept as their text")]


def test_converted_components_render_as_the_structures_they_stand_for():
    body = (
        '<Aside type="warning" title="Careful">\nCosts fell.\n</Aside>\n\n'
        '<InfoBox title="Pause debate" customFields={[{ label: "Question", value: "$1M?" }]} />\n\n'
        '<Section title="Cost ($B)">\n<DisagreementMap title="Views" positions={[{ name: "Yes",'
        ' proponents: ["<EntityLink name=\\"acme-lab\\">Acme</EntityLink>"], strength: 4 }]} />\n'
        "</Section>\n\n"
        "<CauseEffectGraph initialNodes={[{ id: 'a', data: { label: 'A' } }]}"
        " initialEdges={[{ source: 'a', target: 'b' }]} />"
    )
    context = RenderContext(pages={"acme-lab": ("/wiki/acme-lab/", "Acme")})

    html = body_render(markdown(body), context)

    assert '<aside class="callout callout-caution">\n<p class="callout-title">Careful</p>' in html
    assert '<p class="panel-title">Pause debate</p>\n<dl>\n<dt>Question</dt>' in html
    assert "<dd>$1M?</dd>" in html  # an escaped dollar, not math
    assert '<section class="panel">\n<p class="panel-title">Cost ($B)</p>\n<section' in html
    assert '<td><a href="/wiki/acme-lab/">Acme</a></td>\n<td>4</td>' in html
    assert 'class="diagram diagram-mermaid"' in html


# Components whose data is not in the files --------------------------------------------------


def test_a_value_from_the_database_in_running_text_says_it_is_not_available():
    conversion = mdx_to_markdown(
        'Valued at <FBF entity="e1" property="valuation" />, '
        '<Calc expr="{e1.valuation} / {e1.revenue}" precision={0} suffix="x" /> sales.'
    )

    assert conversion.markdown == (
        "Valued at (value not available), (value not available) sales.\n"
    )
    assert conversion.notes == [
        MdxNote(1, "component <FBF>: its value is not in the files"),
        MdxNote(1, "component <Calc>: its value is not in the files"),
    ]


@pytest.mark.parametrize(
    ("tag", "line"),
    [
        (
            '<FBRecordTable entity="e1" collection="rounds" title="Funding Rounds"'
            ' columns={["date"]} />',
            "Funding Rounds: this table's data",
        ),
        ('<FBFactTable entity="e1" property="revenue" />', "Facts: this table's data"),
        ("<SafetyApproachesTableView />", "Safety approaches: this table's data"),
        ("<AnthropicStakeholdersTable />", "Anthropic stakeholders: this table's data"),
        ('<ModelsList entityId="e1" />', "Models: this list's data"),
        ("<Backlinks />", "Backlinks: this list's data"),
        ('<DataCrux dataId="c1" />', "Crux: this crux's data"),
        ('<DataInfoBox expertId="ada" />', "Info box: this box's data"),
        ('<ComparisonTable title="Labs" />', "Labs: this table's data"),
    ],
)
def test_a_component_with_its_data_in_the_database_says_so_in_one_line(tag, line):
    conversion = mdx_to_markdown(f"Text.\n\n{tag}\n")
    name = tag[1:].split()[0]

    assert conversion.markdown == (
        f"Text.\n\n*{line} is kept in the Longterm Wiki's database and is not available here.*\n"
    )
    assert conversion.notes == [MdxNote(3, f"component <{name}>: its data is not in the files")]


# Front matter ------------------------------------------------------------------------------


def test_a_front_matter_expression_becomes_its_value():
    conversion = mdx_to_markdown(
        "## Summary\n\n{frontmatter.description}\n\nIn {frontmatter.meta.year}.",
        front_matter={
            "description": "Costs \\$5M, or $6M <R id='a1'>per</R>.",
            "meta": {"year": 2024},
        },
    )

    assert conversion.markdown == (
        "## Summary\n\nCosts \\$5M, or \\$6M [[cite:a1|per]].\n\nIn 2024.\n"
    )
    assert conversion.citations == [("a1", 3)]
    assert [note.message for note in conversion.notes] == [
        "{frontmatter.description} became its front matter value",
        "{frontmatter.meta.year} became its front matter value",
    ]


@pytest.mark.parametrize("front_matter", [None, {"other": "x"}, {"description": {"a": 1}}])
def test_a_front_matter_expression_without_a_text_value_writes_nothing_with_a_note(front_matter):
    conversion = mdx_to_markdown("A{frontmatter.description}B", front_matter=front_matter)

    assert conversion.markdown == "AB\n"
    assert conversion.notes == [
        MdxNote(1, "{frontmatter.description} dropped: no such text in the front matter")
    ]


def test_a_front_matter_expression_in_a_prop_string_is_literal_text():
    body = "<KeyQuestions questions={['See {frontmatter.title}']} />"

    assert markdown(body, front_matter={"title": "T"}) == (
        ":::section[Key questions]\n- See \\{frontmatter.title}\n:::\n"
    )


# Components reduced to their props' prose --------------------------------------------------


def test_objects_with_two_strings_become_first_colon_second():
    body = (
        "<Roster people={[\n"
        '  { name: "Ada Lovelace", role: "Chair" },\n'
        "  { name: 'Alan Turing', role: 'Adviser' },\n"
        "]} />"
    )

    assert markdown(body) == "- Ada Lovelace: Chair\n- Alan Turing: Adviser\n"


def test_a_title_prop_becomes_a_bold_line_before_the_list():
    body = (
        '<Summary type="crux" title="Pause debate" '
        'customFields={[{ label: "Question", value: "Should labs pause?" }]} />'
    )

    assert markdown(body) == "**Pause debate**\n\n- Question: Should labs pause?\n"


def test_quoted_keys_label_their_values():
    body = '<Facts data={{ "Near term": "Evals", "Long term": { value: "Theory" } }} />'

    assert markdown(body) == "- Near term: Evals\n- Long term: Theory\n"


def test_non_prose_props_are_skipped():
    body = '<Question id="c1" question="Is it hard?" importance="high" description="Maybe." />'

    assert markdown(body) == "**Is it hard?**\n\n- Maybe.\n"


def test_a_url_prop_links_its_title():
    body = (
        '<Question question="Q?" relevantResearch={[{ title: "A paper", url: "https://a.test/p" }]}'
        " />"
    )

    assert markdown(body) == "**Q?**\n\n- [A paper](https://a.test/p)\n"


def test_a_reduced_component_is_placed_as_a_block_with_a_note():
    conversion = mdx_to_markdown('Intro.\n<Topics title="Topics" tags={["a"]} />\nOutro.')

    assert conversion.markdown == "Intro.\n\n**Topics**\n\nOutro.\n"
    assert conversion.notes == [MdxNote(2, "component <Topics> reduced to its text")]


@pytest.mark.parametrize(
    ("tag", "name"), [('<Widget id="w1" />', "Widget"), ("<Spacer />", "Spacer")]
)
def test_a_component_without_prose_is_dropped_with_a_note(tag, name):
    conversion = mdx_to_markdown(f"Text.\n\n{tag}\n")

    assert conversion.markdown == "Text.\n"
    assert conversion.notes == [MdxNote(3, f"component <{name}> dropped: no prose in its props")]


# What is kept as written -------------------------------------------------------------------


def test_code_blocks_and_code_spans_are_left_untouched():
    body = (
        'Use `<R id="a">x</R>` here.\n\n'
        '```\n<R id="b">y</R> {/* z */}\n```\n\n'
        '~~~mdx\n<EntityLink name="c" />\n~~~\n'
    )

    assert markdown(body) == body


def test_entities_escapes_footnotes_and_lower_case_tags_are_kept():
    body = "R&amp;D costs \\$5M.[^fn1]<br/>x<sup>2</sup>\n\n[^fn1]: A note.\n"

    assert markdown(body) == body


def test_a_literal_double_bracket_is_escaped_so_it_stays_text():
    md = markdown("Wiki syntax looks like [[slug]] here.")

    assert md == "Wiki syntax looks like \\[[slug]] here.\n"
    assert "[[slug]]" in body_render(md, RenderContext())


def test_an_unclosed_component_is_kept_as_escaped_text_with_a_note():
    conversion = mdx_to_markdown('Claim <R id="abc123">never closed.\n\n<Widget big> grew.')

    assert conversion.markdown == 'Claim \\<R id="abc123">never closed.\n\n\\<Widget big> grew.\n'
    assert conversion.citations == []
    assert [note.message for note in conversion.notes] == [
        "unclosed <R> kept as text",
        "unclosed <Widget> kept as text",
    ]


def test_an_unclosed_tag_of_capitalised_words_is_prose_and_keeps_its_words():
    conversion = mdx_to_markdown("<Paul Christiano>, founder of ARC, said so.")

    assert conversion.markdown == "Paul Christiano, founder of ARC, said so.\n"
    assert conversion.notes == [
        MdxNote(1, "<Paul Christiano> is prose, not a component; kept its words")
    ]


@pytest.mark.parametrize("body", ["<Paul />", "<Paul>", 'List<String id="x">', "<Ada lovelace>"])
def test_only_unclosed_names_are_taken_for_prose(body):
    assert "is prose" not in " ".join(messages(body))


def test_a_stray_closing_tag_is_kept_with_a_note():
    conversion = mdx_to_markdown("Text</EntityLink> more.")

    assert conversion.markdown == "Text</EntityLink> more.\n"
    assert conversion.notes == [MdxNote(1, "stray closing tag </EntityLink> kept as written")]


@pytest.mark.parametrize(
    "body",
    [
        "<R",
        '<R id="x"',
        '<R id="x>text</R>',
        "<Crux question={`unclosed template} />",
        "<KeyQuestions questions={[{ question: 'It's broken' }]} />",
        "{/* never closed",
        "<!-- never closed",
        "<A><B></A></B>",
        '``` unclosed fence\n<R id="x">y</R>',
        "<Foo {...props} />",
        "<" * 50 + "A" * 50,
        "<S>" * 100 + "text",
        "<Crux question={" + "[" * 100 + '"deep"' + "]" * 100 + "} />",
    ],
)
def test_bad_input_never_raises_and_round_trips(body):
    md = markdown(body)

    assert round_trip(md) == md


# Notes -------------------------------------------------------------------------------------


def test_note_lines_count_from_first_line():
    body = "Intro.\n\n<Backlinks />\n"

    assert mdx_to_markdown(body, first_line=12).notes == [
        MdxNote(14, "component <Backlinks>: its data is not in the files")
    ]


def test_citation_and_link_lines_count_from_first_line():
    conversion = mdx_to_markdown('\n<R id="a" /> <EntityLink name="b" />', first_line=5)

    assert (conversion.citations, conversion.links) == ([("a", 6)], [("b", 6)])


def test_mdx_line_of_counts_from_first_line():
    assert mdx_line_of("a\nb\nc", 4, first_line=10) == 12


# Back to MDX -------------------------------------------------------------------------------


def test_markdown_to_mdx_writes_citations_and_links_as_components():
    md = "A [[cite:abc123|claim]] and [[cite:def456]] by [[acme-lab|Acme]] and [[other-lab]]."

    assert markdown_to_mdx(md) == (
        'A <R id="abc123">claim</R> and <R id="def456" /> by '
        '<EntityLink name="acme-lab">Acme</EntityLink> and <EntityLink name="other-lab" />.'
    )


def test_markdown_to_mdx_reads_the_escaped_pipe_of_a_table_row():
    assert markdown_to_mdx("| [[acme-lab\\|Acme]] |") == (
        '| <EntityLink name="acme-lab">Acme</EntityLink> |'
    )


def test_markdown_to_mdx_writes_html_comments_as_jsx_comments():
    assert markdown_to_mdx("Text <!-- NEEDS CITATION -->.") == "Text {/* NEEDS CITATION */}."


def test_markdown_to_mdx_leaves_code_and_escapes_untouched():
    md = "`[[cite:a]]` and \\[[b]]\n\n```\n[[c]] <!-- d -->\n```\n"

    assert markdown_to_mdx(md) == md


ROUND_TRIP_BODIES = [
    'import {R} from "@components/wiki";\n\nLabs agreed <R id="abc123">to pause</R>.',
    '<R id="a">cost | benefit</R> and <R id="b"><EntityLink name="acme-lab">Acme</EntityLink></R>',
    '<EntityLink name="acme-lab">Acme [beta]</EntityLink> and <EntityLink id="E7" />',
    '| Lab | Note |\n|---|---|\n| <EntityLink name="acme-lab">Acme</EntityLink> | '
    '<R id="a">x</R> {/* check */} |\n',
    "Before.\n<Mermaid chart={`\n  graph LR\n    A --> B[<b>x</b>]\n`} />\nAfter.",
    '<SquiggleEstimate title="Cost" code={`c = 1 to 2`} />',
    "{/* at the start */} Text after.\n\nMid {/* -- note --> */} line.",
    '<Aside title="Note">\nSee <R id="a">this</R>.\n</Aside>',
    '<Section title="People">\n'
    '  <KeyPeople people={[{ name: "Ada", role: "Chair" }]} />\n</Section>',
    '<DataInfoBox data={{ "Key": "Value with <EntityLink name=\\"x\\">X</EntityLink>" }} />',
    'Now at <Calc expr="{a} / {b}" /> and <FBF entity="e" property="p">\\$4B</FBF>.',
    "Literal [[slug]], `code [[x]]`, &amp; \\$5, [^1] and <br/>.\n\n[^1]: Note.",
    "<Ada Lovelace> wrote</EntityLink> <Tags tags={['a']} /> then import x from 'y'",
    '<Section title="Outer">\n:::note[Inner]\nSee <R id="a">this</R>.\n:::\n</Section>',
    '<KeyQuestions questions={[{ question: "Q <EntityLink name=\\"x\\">X</EntityLink>?",'
    ' positions: [{ position: "Yes", reasoning: "$5 <R id=\\"a\\">per</R>" }] }]} />',
    '<Crux question="Q?" positions={[{ view: "V <EntityLink name=\\"x\\">X</EntityLink>",'
    ' holders: ["A | B"] }]} wouldUpdateOn={["1. proof"]} />',
    '<DisagreementMap title="T" positions={[{ name: "<R id=\\"a\\">Ada</R>", stance: "s" }]} />',
    '<KeyPeople people={[{ name: "- Ada",'
    ' role: "<EntityLink name=\\"x\\">Chair</EntityLink>" }]} />',
    '<InfoBox title="Box" customFields={[{ label: "L", value: "import x from \\"y\\"" }]} />',
    "<DataInfoBox ratings={{ focus: 7 }} />",
    "<CauseEffectGraph initialNodes={[{ id: 'a', data: { label: 'A \"q\"', description: 'D' } }]}"
    " initialEdges={[{ source: 'a', target: 'b' }]} />",
    '<ComparisonTable title="C"'
    ' items={[{ name: "<R id=\\"a\\">N</R>", attributes: { "K": "v|w" } }]} />',
    '<SquiggleEstimate title="E ($)" code={`x = 1 to 2`} />',
    '<FBRecordTable title="Rounds" /> and <FBF entity="e" property="p" /> and <Paul Christiano>.',
    '{frontmatter.description} and <EntityLink name="x">[X](https://x.test)</EntityLink>',
    '[<EntityLink name="x">X</EntityLink> launch](https://x.test/)',
]


@pytest.mark.parametrize("body", ROUND_TRIP_BODIES)
def test_markdown_written_by_the_import_survives_a_round_trip_through_mdx(body):
    md = markdown(body, entity_slugs={"E7": "acme-lab"}, front_matter={"description": "A $1 d."})

    assert round_trip(md) == md


def test_the_round_trip_keeps_citations_and_links():
    md = markdown(ROUND_TRIP_BODIES[1] + "\n\n" + ROUND_TRIP_BODIES[3])

    again = mdx_to_markdown(markdown_to_mdx(md))

    assert [ref for ref, _ in again.citations] == ["a", "b", "a"]
    assert [slug for slug, _ in again.links] == ["acme-lab", "acme-lab"]


def test_a_link_whose_url_parentheses_took_its_closing_one_is_closed():
    body = (
        "| Site | Link |\n|---|---|\n"
        "| Wikipedia | [en.wikipedia.org](https://en.wikipedia.org/wiki/Claude_(model) |\n\n"
        "```\n[x](https://x.org/a_(b)\n```\n"
    )

    conversion = mdx_to_markdown(body)

    assert "[en.wikipedia.org](https://en.wikipedia.org/wiki/Claude_(model)) |" in (
        conversion.markdown
    )
    assert "```\n[x](https://x.org/a_(b)\n```" in conversion.markdown  # code is left alone
    assert [n.message for n in conversion.notes] == ["unclosed link closed"]
    html = body_render(conversion.markdown, RenderContext())
    assert '<a href="https://en.wikipedia.org/wiki/Claude_(model)"' in html


def test_an_escaped_character_reference_becomes_the_character():
    conversion = mdx_to_markdown("Target \\&lt;5% and \\&amp; and \\* kept.\n")

    assert conversion.markdown == "Target &lt;5% and &amp; and \\* kept.\n"
    assert "Target &lt;5% and &amp; and * kept." in body_render(
        conversion.markdown, RenderContext()
    )
    assert len(conversion.notes) == 2
