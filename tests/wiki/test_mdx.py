"""Converting Longterm Wiki MDX bodies to our Markdown, and our Markdown back to MDX."""

import pytest

from wiki.markup import RenderContext, body_render
from wiki.mdx import MdxNote, markdown_to_mdx, mdx_line_of, mdx_to_markdown


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


def test_a_squiggle_estimate_becomes_a_bold_title_and_a_squiggle_block():
    conversion = mdx_to_markdown(
        '<SquiggleEstimate title="Revenue" code={`\n  x = 1 to 3 // \\$B\n`} />'
    )

    assert conversion.markdown == "**Revenue**\n\n```squiggle\nx = 1 to 3 // $B\n```\n"
    assert conversion.notes == [MdxNote(1, "component <SquiggleEstimate> shown as its code")]


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


def test_an_aside_becomes_a_blockquote_under_its_title():
    body = '<Aside type="tip" title="Bottom line">\nCosts **fell**.\n\nAgain.\n</Aside>'

    assert markdown(body) == "> **Bottom line**\n>\n> Costs **fell**.\n>\n> Again.\n"


def test_an_aside_without_a_title_is_headed_by_its_type():
    assert markdown('<Aside type="caution">\nCareful.\n</Aside>') == (
        "> **Caution**\n>\n> Careful.\n"
    )


def test_a_titled_component_on_lines_of_its_own_gets_its_title_as_a_bold_line():
    body = '<Section title="People">\nThe team is small.\n</Section>'

    assert markdown(body) == "**People**\n\nThe team is small.\n"


def test_indented_children_lose_their_indentation():
    body = "<KeyTakeaways>\n    A point that MDX reads as prose.\n</KeyTakeaways>"

    md = markdown(body)

    assert md == "A point that MDX reads as prose.\n"
    assert "<code>" not in body_render(md, RenderContext())


# Components reduced to their props' prose --------------------------------------------------


def test_key_questions_become_a_nested_bullet_list():
    body = (
        "<KeyQuestions questions={[\n"
        '  { question: "Will it scale?", positions: [\n'
        '    { position: "Yes", confidence: "high", reasoning: "Laws hold" },\n'
        "  ]},\n"
        "]} />"
    )

    assert markdown(body) == "- Will it scale?\n  - Yes: Laws hold\n"


def test_objects_with_two_strings_become_first_colon_second():
    body = (
        "<KeyPeople people={[\n"
        '  { name: "Ada Lovelace", role: "Chair" },\n'
        "  { name: 'Alan Turing', role: 'Adviser' },\n"
        "]} />"
    )

    assert markdown(body) == "- Ada Lovelace: Chair\n- Alan Turing: Adviser\n"


def test_a_title_prop_becomes_a_bold_line_before_the_list():
    body = (
        '<InfoBox type="crux" title="Pause debate" '
        'customFields={[{ label: "Question", value: "Should labs pause?" }]} />'
    )

    assert markdown(body) == "**Pause debate**\n\n- Question: Should labs pause?\n"


def test_quoted_keys_label_their_values():
    body = '<DataInfoBox data={{ "Near term": "Evals", "Long term": { value: "Theory" } }} />'

    assert markdown(body) == "- Near term: Evals\n- Long term: Theory\n"


def test_non_prose_props_are_skipped():
    body = '<Crux id="c1" question="Is it hard?" importance="high" description="Maybe." />'

    assert markdown(body) == "**Is it hard?**\n\n- Maybe.\n"


def test_a_url_prop_links_its_title():
    body = (
        '<Crux question="Q?" relevantResearch={[{ title: "A paper", url: "https://a.test/p" }]} />'
    )

    assert markdown(body) == "**Q?**\n\n- [A paper](https://a.test/p)\n"


def test_a_component_inside_a_prop_string_is_converted():
    conversion = mdx_to_markdown(
        '<KeyPeople people={[{ name: "Ada", role: "Chair, <R id="abc123">per the filing</R>" }]} />'
    )

    assert conversion.markdown == "- Ada: Chair, [[cite:abc123|per the filing]]\n"
    assert conversion.citations == [("abc123", 1)]


def test_a_reduced_component_is_placed_as_a_block_with_a_note():
    conversion = mdx_to_markdown('Intro.\n<Tags title="Topics" tags={["a"]} />\nOutro.')

    assert conversion.markdown == "Intro.\n\n**Topics**\n\nOutro.\n"
    assert conversion.notes == [MdxNote(2, "component <Tags> reduced to its text")]


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("<DataInfoBox ratings={frontmatter.ratings} />", "DataInfoBox"),
        ("<Backlinks />", "Backlinks"),
    ],
)
def test_a_component_without_prose_is_dropped_with_a_note(tag, name):
    conversion = mdx_to_markdown(f"Text.\n\n{tag}\n")

    assert conversion.markdown == "Text.\n"
    assert conversion.notes == [MdxNote(3, f"component <{name}> dropped: no prose in its props")]


def test_calc_becomes_its_expression_as_inline_code():
    body = 'It trades at <Calc expr="{a.value} / {a.revenue}" precision={0} suffix="x" /> sales.'

    assert markdown(body) == "It trades at `{a.value} / {a.revenue}` sales.\n"


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
    conversion = mdx_to_markdown('Claim <R id="abc123">never closed.\n\n<Ada Lovelace> wrote.')

    assert conversion.markdown == (
        'Claim \\<R id="abc123">never closed.\n\n\\<Ada Lovelace> wrote.\n'
    )
    assert conversion.citations == []
    assert [note.message for note in conversion.notes] == [
        "unclosed <R> kept as text",
        "unclosed <Ada> kept as text",
    ]


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
        MdxNote(14, "component <Backlinks> dropped: no prose in its props")
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
]


@pytest.mark.parametrize("body", ROUND_TRIP_BODIES)
def test_markdown_written_by_the_import_survives_a_round_trip_through_mdx(body):
    md = markdown(body, entity_slugs={"E7": "acme-lab"})

    assert round_trip(md) == md


def test_the_round_trip_keeps_citations_and_links():
    md = markdown(ROUND_TRIP_BODIES[1] + "\n\n" + ROUND_TRIP_BODIES[3])

    again = mdx_to_markdown(markdown_to_mdx(md))

    assert [ref for ref, _ in again.citations] == ["a", "b", "a"]
    assert [slug for slug, _ in again.links] == ["acme-lab", "acme-lab"]
