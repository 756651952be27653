"""Rendering page bodies: our two extensions, footnotes, and the sanitizer."""

from html.parser import HTMLParser

import pytest

from wiki.markup import RenderContext, body_references, body_render

CONTEXT = RenderContext(
    citations={
        "4f75d2d6d47e8531": (1, "How China views AI risks"),
        "sid_Xsa5pDhYPF": (1, "How China views AI risks"),
        "Xsa5pDhYPF": (1, "How China views AI risks"),
        "0123456789abcdef": (2, "Another source"),
    },
    pages={"pause-advocacy": ("/wiki/pause-advocacy/", "Pause Advocacy")},
)


def render(body):
    return body_render(body, RenderContext(citations=CONTEXT.citations, pages=CONTEXT.pages))


def test_a_citation_renders_as_a_numbered_marker_linking_to_its_reference():
    html = render("A claim.[[cite:4f75d2d6d47e8531]]")

    assert '<sup class="cite" id="cite-1-1"><a href="#ref-1"' in html
    assert ">[1]</a></sup>" in html


def test_a_citation_by_stable_id_bare_or_prefixed_gets_the_same_number():
    html = render(
        "One [[cite:sid_Xsa5pDhYPF]] two [[cite:Xsa5pDhYPF]] three [[cite:0123456789abcdef]]"
    )

    assert 'id="cite-1-1"' in html and 'id="cite-1-2"' in html
    assert 'id="cite-2-1"' in html


def test_a_citation_with_link_text_links_the_text_too():
    html = render("See [[cite:4f75d2d6d47e8531|the Carnegie analysis]].")

    assert '<a class="cite-text" href="#ref-1">the Carnegie analysis</a>' in html


def test_a_citation_of_an_unknown_source_is_a_visible_broken_marker():
    html = render("Claim [[cite:ffffffffffffffff]].")

    assert 'class="broken-ref"' in html
    assert "No source with id ffffffffffffffff" in html


def test_a_page_link_uses_the_page_title_or_the_given_text():
    html = render("[[pause-advocacy]] and [[pause-advocacy|pausing]]")

    assert '<a href="/wiki/pause-advocacy/">Pause Advocacy</a>' in html
    assert '<a href="/wiki/pause-advocacy/">pausing</a>' in html


def test_a_link_to_a_missing_page_is_a_visible_broken_link():
    html = render("See [[no-such-page|that page]].")

    assert '<span class="broken-link" title="No page named no-such-page">that page</span>' in html


def test_references_inside_code_are_left_alone():
    body = "`[[cite:4f75d2d6d47e8531]]`\n\n```\n[[pause-advocacy]]\n```\n"

    assert body_references(body) == []
    assert "[[cite:4f75d2d6d47e8531]]" in render(body)


def test_references_are_listed_in_order_of_appearance():
    refs = body_references("[[cite:b]] then [[page-a|A]] then [[cite:a|x]]")

    assert [(r.is_citation, r.ref, r.text) for r in refs] == [
        (True, "b", None),
        (False, "page-a", "A"),
        (True, "a", "x"),
    ]


def test_external_links_are_nofollow_noopener_and_internal_ones_are_not():
    html = render("[out](https://example.org/x) and [in](/sources/)")

    assert '<a href="https://example.org/x" rel="nofollow noopener">out</a>' in html
    assert '<a href="/sources/">in</a>' in html


def test_tables_and_footnotes_render():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\nClaim.[^n]\n\n[^n]: The note.\n")

    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="footnote-ref"' in html and "The note." in html


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<div onclick="alert(1)" style="background:url(javascript:alert(1))">x</div>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "[[pause-advocacy|<script>alert(1)</script>]]",
    '[[cite:4f75d2d6d47e8531|"><img src=x onerror=alert(1)>]]',
    '<form action="https://evil.example"><input name=x></form>',
    "<style>body{display:none}</style>",
]


FORBIDDEN_TAGS = {"script", "iframe", "svg", "form", "input", "style", "img", "object", "embed"}


class _Elements(HTMLParser):
    """Collect every element and attribute that a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes, self.starts = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)
        self.starts.append((tag, attrs))


def elements(html):
    parser = _Elements()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_script_handler_or_dangerous_url_survives(payload):
    found = elements(render(f"Before\n\n{payload}\n\nafter"))

    assert not FORBIDDEN_TAGS & set(found.tags), found.tags
    for name, value in found.attributes:
        assert not name.startswith("on"), name
        assert name != "style" or "url(" not in (value or "")
        if name in {"href", "src", "action"}:
            assert not (value or "").strip().lower().startswith(("javascript:", "data:")), value


# Links written as raw HTML ------------------------------------------------------------------


def anchors(html):
    """Return the attributes of each link in rendered HTML, in order."""
    return [dict(attrs) for tag, attrs in elements(html).starts if tag == "a"]


@pytest.mark.parametrize(
    "raw",
    [
        '<a href="https://evil.example/">x</a>',
        '<a href="https://evil.example/" rel="me">x</a>',
        '<a href="https://evil.example/" rel="noopener" target="_blank">x</a>',
        '<A HREF="https://evil.example/" REL="author">x</A>',
    ],
)
def test_a_raw_html_external_link_gets_exactly_the_rel_of_a_markdown_one(raw):
    markdown = anchors(render("[x](https://evil.example/)"))
    written = anchors(render(raw))

    assert written == markdown == [{"href": "https://evil.example/", "rel": "nofollow noopener"}]


@pytest.mark.parametrize("url", ["/sources/", "#ref-1", "page-a", "mailto:a@example.org"])
def test_a_raw_html_internal_link_is_rendered_as_a_markdown_one(url):
    markdown = anchors(render(f"[x]({url})"))
    written = anchors(render(f'<a href="{url}" rel="nofollow" target="_blank">x</a>'))

    assert written == markdown == [{"href": url}]


@pytest.mark.parametrize(
    "url",
    ["//evil.example/", "/\\evil.example/", " https://evil.example/", "HTTPS://evil.example/"],
)
def test_a_raw_link_that_a_browser_takes_off_the_site_is_external(url):
    (link,) = anchors(render(f'<a href="{url}">x</a>'))

    assert link["rel"] == "nofollow noopener"


# Markers only our rules write ---------------------------------------------------------------

FORGERIES = [
    # A citation marker, and its variants in spelling.
    '<sup class="cite" id="cite-1-1"><a href="https://evil.example/">[1]</a></sup>',
    "<SUP CLASS=cite ID=cite-1-2><a href=https://evil.example/>[1]</a></SUP>",
    '<sup class="&#99;ite" id="&#99;ite-1-1"><a href="https://evil.example/">[1]</a></sup>',
    '<sup class="x" class="cite"/id="cite-1-1"><a href="https://evil.example/">[1]</a></sup>',
    # A citation's linked text, a broken marker, a page link.
    '<a class="cite-text" href="https://evil.example/">the analysis</a>',
    '<span class="broken-ref" title="No source">[?]</span>',
    # A reference list entry and its back-link, as the page around the body writes them.
    '<ol><li id="ref-1"><a class="backref" href="#cite-1-1">↑</a>'
    '<a href="https://evil.example/">A fake source</a></li></ol>',
    # Footnote markers, notes and back-links.
    '<sup class="footnote-ref"><a href="https://evil.example/" id="fnref1">[1]</a></sup>',
    '<section class="footnotes"><h2 id="notes">Notes</h2><ol class="footnotes-list">'
    '<li id="fn1" class="footnote-item">x <a href="#fnref1" class="footnote-backref">↩</a>'
    "</li></ol></section>",
    # Heading anchors and ids the page uses.
    '<h2 id="ref-2">x <a class="heading-anchor" href="#ref-2">#</a></h2>',
    '<div id="main"><p id="references-heading" class="callout callout-danger">x</p></div>',
    # Raw HTML left open, to take in the attributes of the markers that follow.
    '<div title="',
    "<div title='",
]


def classes_and_ids(html):
    """Return each element of rendered HTML that has a class or an id: (tag, class, id)."""
    found = ((tag, dict(attrs)) for tag, attrs in elements(html).starts)
    return sorted(
        (tag, attrs.get("class", ""), attrs.get("id", ""))
        for tag, attrs in found
        if "class" in attrs or "id" in attrs
    )


@pytest.mark.parametrize("forged", FORGERIES)
def test_raw_html_cannot_forge_a_marker_a_note_or_an_anchor(forged):
    real = "A claim.[[cite:4f75d2d6d47e8531]] A note.[^n]\n\n## Section\n\n[^n]: The note.\n"

    html = render(f"{forged}\n\n{real}")

    assert classes_and_ids(html) == classes_and_ids(render(real))
    for link in anchors(html):
        assert link["href"].startswith("https://") == (link.get("rel") == "nofollow noopener")


def test_raw_html_inside_a_reference_text_cannot_forge_a_marker_either():
    html = render('[[cite:4f75d2d6d47e8531|<sup class="cite" id="cite-1-9">see</sup>]]')

    assert classes_and_ids(html) == [("a", "cite-text", ""), ("sup", "cite", "cite-1-1")]
