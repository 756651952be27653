"""The constructs of real pages, each on a small hand-made body: footnotes of every kind,
diagrams, math, callouts and panels, definition lists, heading anchors and the contents,
link texts, tables. Each is checked for what a reader sees and for what must never pass."""

import re

import pytest

from interchange.longterm_wiki.mdx import mdx_to_markdown
from tests.interchange.leftovers import leftovers, visible_text
from tests.test_security import assert_safe
from wiki.markup import (
    RenderContext,
    body_footnote_replace,
    body_formula_errors,
    body_missing_references,
    body_render,
    body_render_page,
)
from wiki.markup_blocks import footnote_kind, math_to_mathml

CONTEXT = RenderContext(
    citations={"4f75d2d6d47e8531": (1, "How China views AI risks")},
    pages={"govai": ("/wiki/govai/", "GovAI")},
)


def render(body: str) -> str:
    return body_render(body, RenderContext(citations=CONTEXT.citations, pages=CONTEXT.pages))


# Footnotes ---------------------------------------------------------------------------------


def test_a_markdown_footnote_is_a_numbered_note_with_a_link_back():
    html = render("A claim.[^1] Again.[^1]\n\n[^1]: The **note** itself.\n")

    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    assert '<li id="fn1" class="footnote-item"><p>The <strong>note</strong> itself.' in html
    assert html.count('class="footnote-backref"') == 2
    assert '<h2 id="notes">Notes</h2>' in html
    assert leftovers(html) == []


@pytest.mark.parametrize("label", ["rc-473f", "cr-9a1b", "kb-00ff12", "smith-2020", "6"])
def test_a_reference_whose_data_is_missing_is_a_numbered_note_that_says_so(label):
    html = render(f"Revenue grew.[^{label}] Costs too.[^{label}]: by a lot\n")

    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    note = re.search(r'<li id="fn1" class="footnote-item footnote-missing">(.*?)</li>', html, re.S)
    assert note is not None
    assert (
        f"Citation {label}: the details of this reference are not in the knowledge base."
        in (note[1])
    )
    assert 'href="#fnref1"' in note[1] and 'href="#fnref1:1"' in note[1]
    assert f"[^{label}]" not in visible_text(html)


def test_missing_references_are_listed_once_each_and_kinded_by_prefix():
    body = "A[^rc-1] b[^kb-2] c[^rc-1] d[^x-3] e[^4]\n\n[^4]: defined\n\n`[^rc-9]` in code\n"

    assert body_missing_references(body) == ["rc-1", "kb-2", "x-3"]
    kinds = [footnote_kind(label) for label in ("rc-1", "cr-2", "kb-3", "x-3", "rc", "7")]
    assert kinds == ["rc", "cr", "kb", "other", "other", "other"]


def test_a_missing_reference_is_replaced_outside_code_only():
    body = "A[^rc-1] and `[^rc-1]`.\n\n```\n[^rc-1]\n```\n\nB[^rc-1]\n"

    replaced, count = body_footnote_replace(body, "rc-1", "[[cite:4f75d2d6d47e8531]]")

    assert count == 2
    assert replaced == (
        "A[[cite:4f75d2d6d47e8531]] and `[^rc-1]`.\n\n```\n[^rc-1]\n```\n\n"
        "B[[cite:4f75d2d6d47e8531]]\n"
    )


# Diagrams ----------------------------------------------------------------------------------


def test_a_mermaid_block_is_a_labelled_figure_holding_its_escaped_source():
    rendered = body_render_page(
        '```mermaid\nflowchart TD\n  A["<b>Labs</b>"] --> B\n```\n', RenderContext()
    )

    assert rendered.has_diagrams
    assert (
        '<figure class="diagram diagram-mermaid"><figcaption class="diagram-caption">'
        "Diagram (Mermaid source)</figcaption>"
    ) in rendered.html
    assert 'A["&lt;b&gt;Labs&lt;/b&gt;"] --&gt; B' in rendered.html
    assert leftovers(rendered.html) == []


def test_a_broken_diagram_keeps_its_source_for_the_browser_to_report():
    body = "```mermaid\nflowchart TD\n  A[unclosed --> \n```\n"

    rendered = body_render_page(body, RenderContext())

    assert rendered.has_diagrams
    assert "A[unclosed --&gt;" in rendered.html


def test_other_code_blocks_stay_code_and_a_page_without_diagrams_says_so():
    rendered = body_render_page("```python\nprint(1)\n```\n", RenderContext())

    assert not rendered.has_diagrams
    assert '<pre><code class="language-python">print(1)' in rendered.html


# Math --------------------------------------------------------------------------------------


def test_inline_and_display_math_render_as_mathml():
    html = render("Growth is $\\frac{dP}{dt}$ here.\n\n$$\nR_{\\text{total}} = \\sum_i N_i\n$$\n")

    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert "<mfrac>" in html
    assert '<div class="math-display"><math xmlns="http://www.w3.org/1998/Math/MathML" ' in html
    assert "<mtext>total</mtext>" in html and "<munder>" in html or "<msub>" in html
    assert leftovers(html) == []


def test_a_formula_at_the_start_of_a_line_is_math_too():
    html = render("- $M$ and $C$ oscillate around 0.4\n")

    assert html.count("<math ") == 2


@pytest.mark.parametrize(
    "text",
    ["It costs $5 and $10.", "From $5-$10 a month.", "Pay \\$700B+ now.", "A $ sign alone."],
)
def test_dollar_amounts_are_money_not_math(text):
    html = render(text)

    assert "<math" not in html
    assert "$" in visible_text(html) and "\\$" not in visible_text(html)


@pytest.mark.parametrize("tex", ["\\frac{a", "\\foo{x}", "\\begin{matrix} a"])
def test_a_formula_that_cannot_convert_shows_as_code_and_is_listed(tex):
    body = f"See ${tex}$ here.\n"

    html = render(body)

    assert '<code class="math-error" title="This formula could not be shown: ' in html
    assert "<math" not in html
    assert [(formula, bool(why)) for _, formula, why in body_formula_errors(body)] == [(tex, True)]


def test_math_to_mathml_refuses_unbalanced_braces_and_unknown_commands():
    assert "<mi>x</mi>" in math_to_mathml("x", display=False)
    for tex in ("{x", "x}", "\\nosuchcommand x"):
        with pytest.raises(ValueError):
            math_to_mathml(tex, display=False)


# Callouts, panels, definition lists --------------------------------------------------------


@pytest.mark.parametrize("kind", ["note", "tip", "caution", "danger"])
def test_each_callout_becomes_an_aside_with_its_title(kind):
    html = render(f":::{kind}[Related Pages]\nSee [[govai]].\n:::\n")

    assert f'<aside class="callout callout-{kind}">' in html
    assert '<p class="callout-title">Related Pages</p>' in html
    assert '<a href="/wiki/govai/">GovAI</a>' in html
    assert leftovers(html) == []


def test_a_callout_without_a_title_is_titled_by_its_kind_and_aliases_map_to_kinds():
    html = render(":::caution\nCareful.\n:::\n\n:::warning\nAlso.\n:::\n\n:::aside-ish\nX\n:::\n")

    assert '<aside class="callout callout-caution">\n<p class="callout-title">Caution</p>' in html
    assert html.count('class="callout callout-caution"') == 2
    assert '<aside class="callout callout-note">\n<p class="callout-title">Aside ish</p>' in html
    assert ":::" not in visible_text(html)


def test_panels_hold_titled_sections_and_nest():
    html = render("::::section[Key questions]\n- One?\n\n:::note\nInner.\n:::\n::::\n")

    assert html.startswith('<section class="panel">\n<p class="panel-title">Key questions</p>')
    assert '<aside class="callout callout-note">' in html
    assert html.rstrip().endswith("</section>")
    assert '<aside class="panel">' in render(":::aside[Definition]\nText.\n:::\n")


def test_a_definition_list_renders_as_one():
    html = render("Founded\n: 2018\n\nStaff\n: 42\n")

    assert "<dl>\n<dt>Founded</dt>\n<dd>2018</dd>" in html and "<dt>Staff</dt>" in html


# Headings and the contents -----------------------------------------------------------------


def test_headings_get_stable_unique_anchors_and_the_contents_lists_them():
    rendered = body_render_page(
        "## Overview\n\n### Scale of $x^2$ growth\n\n## Overview\n\n#### Deep\n\n## Ref-1\n"
        "\nText.[^a]\n\n[^a]: A note.\n",
        RenderContext(),
    )

    assert '<h2 id="overview">Overview <a class="heading-anchor" href="#overview"' in rendered.html
    assert '<h2 id="overview-2">' in rendered.html
    assert '<h4 id="deep">' in rendered.html
    assert '<h2 id="ref-1-section">' in rendered.html  # never an id the page itself uses
    assert [(e.level, e.anchor) for e in rendered.toc] == [
        (2, "overview"),
        (3, "scale-of-x2-growth"),
        (2, "overview-2"),
        (2, "ref-1-section"),
        (2, "notes"),
    ]
    assert "<math " in rendered.toc[1].html and "x^2" not in rendered.toc[1].html


def test_the_same_heading_text_always_gets_the_same_anchor():
    first = body_render_page("## What is at stake?\n", RenderContext())
    again = body_render_page("Intro.\n\n## What is at stake?\n", RenderContext())

    assert first.toc[0].anchor == again.toc[0].anchor == "what-is-at-stake"


def test_a_hostile_heading_stays_harmless_in_the_contents():
    rendered = body_render_page("## <img src=x onerror=alert(1)> Risks\n", RenderContext())

    for entry in rendered.toc:
        assert_safe(entry.html)
    assert_safe(rendered.html)


# Link texts and tables ---------------------------------------------------------------------


def test_a_reference_text_is_markdown_without_links_of_its_own():
    html = render(
        "See [[cite:4f75d2d6d47e8531|**Epoch AI** \\$700B+ &amp; more]] and "
        "[[govai|*the* <https://governance.ai> team]]."
    )

    assert '<a class="cite-text" href="#ref-1"><strong>Epoch AI</strong> $700B+ &amp; more</a>' in (
        html
    )
    assert '<a href="/wiki/govai/"><em>the</em> https://governance.ai team</a>' in html
    assert leftovers(html) == []


def test_a_table_sits_in_its_own_scrolling_box_that_a_keyboard_can_scroll():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n")

    assert html.startswith(
        '<div class="table-wrap" tabindex="0" role="region" '
        'aria-label="Table, scrolls sideways"><table>'
    )
    assert html.rstrip().endswith("</table>\n</div>")


def test_a_code_block_sits_in_a_scrolling_box_that_a_keyboard_can_scroll():
    html = render("```python\nprint('a very long line')\n```\n")

    assert html.startswith(
        '<div class="code-wrap" tabindex="0" role="region" aria-label="Code, scrolls sideways">'
        "<pre>"
    )
    assert html.rstrip().endswith("</pre>\n</div>")


# The corpus test's detector ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        ("<p>Costs rose[^rc-473f].</p>", "footnote reference as text"),
        ("<p>[^6]: the note</p>", "footnote reference as text"),
        ("<p>$$ \\frac{dP}{dt} $$</p>", "TeX as text"),
        ("<p>where $x_i^2$ grows</p>", "TeX as text"),
        ("<p>:::note[Related Pages]</p>", "callout fence as text"),
        ("<p>See **Epoch AI** now</p>", "literal emphasis"),
        ("<p>[GovAI](/wiki/govai/)</p>", "Markdown link as text"),
        ("<p>\\$700B+</p>", "backslash escape"),
        ("<p>didn&amp;#x27;t</p>", "HTML entity as text"),
        ("<p>&lt;KeyQuestions questions={...} /&gt;</p>", "component as text"),
        (
            '<pre><code class="language-mermaid">flowchart TD</code></pre>',
            "Mermaid diagram as code",
        ),
    ],
)
def test_the_leftover_detector_finds_each_kind(html, kind):
    assert kind in {found for found, _ in leftovers(html)}


def test_the_leftover_detector_ignores_code_math_and_prose():
    html = (
        "<p>It costs $5 to $10, f**k, a $$ price tier and snake__case__ names.</p>"
        "<pre><code>[^1] **x** \\$ :::note</code></pre><p><code>$x$</code></p>"
        '<math><mi>x</mi></math><p>R&amp;D &amp; more</p><figure class="diagram diagram-mermaid">'
        '<pre class="diagram-source"><code>A --&gt; B</code></pre></figure>'
    )

    assert leftovers(html) == []


HOSTILE_COMPONENTS = [
    '<InfoBox title="<script>alert(1)</script>" type="<img src=x onerror=alert(1)>">'
    "Body.</InfoBox>",
    '<DataInfoBox title="<img src=x onerror=alert(1)>" founded="<script>alert(2)</script>" />',
    "<KeyQuestions questions={['<img src=x onerror=alert(1)>', '<script>alert(2)</script>']} />",
    '<DisagreementMap topic="<script>alert(1)</script>" positions={[{ name: '
    "'<img src=x onerror=alert(1)>', description: '<a href=\"javascript:alert(2)\">x</a>' }]} />",
    "<CauseEffectGraph initialNodes={[{ id: 'a', data: { label: '<img src=x onerror=alert(1)>' }"
    " }, { id: 'b', data: { label: '\"]\\nclick a call alert(2)\\n[\"' } }]} "
    "initialEdges={[{ id: 'e', source: 'a', target: 'b' }]} />",
    '<Aside title="<script>alert(1)</script>" type="caution">Careful.</Aside>',
    '<SquiggleEstimate title="<img src=x onerror=alert(1)>" code={`x = 1 to 2`} />',
    '<Section title="<img src=x onerror=alert(1)>">Inside.</Section>',
]


@pytest.mark.parametrize("component", HOSTILE_COMPONENTS)
def test_script_through_a_component_attribute_does_not_survive(component):
    markdown = mdx_to_markdown(component + "\n").markdown

    html = render(markdown)

    assert_safe(html)
    assert "<script" not in html and "<img" not in html
