"""Long pages in a real browser: math as MathML, contents that jump to their headings, a
layout that uses a desktop screen and never scrolls sideways on a phone."""

import pytest
from django.urls import reverse

from sources.services import source_create
from wiki.services import wiki_page_create

pytestmark = pytest.mark.browser

SECTION = """## {title}

{title} matters because of $\\frac{{dP}}{{dt}} = k P$ and its consequences.[^rc-{n:04x}]
The longest titles wrap: https://example.org/{long}

| Year | A very long column heading | Another long heading | And one more | Last one |
|---|---|---|---|---|
| 2024 | {long} | {long} | {long} | {long} |

### Details of {title}

:::note[About {title}]
A callout with **bold** text.
:::

Term
: Its definition.
"""


def long_body(sections: int = 8) -> str:
    titles = [f"Section number {n} on compute" for n in range(1, sections + 1)]
    long = "verylongwordwithoutanybreak" * 4
    body = "Intro paragraph.\n\n$$\nR_{\\text{total}} = \\sum_{i=1}^{5} N_i\n$$\n\n"
    return body + "\n".join(
        SECTION.format(title=title, n=n, long=long) for n, title in enumerate(titles)
    )


@pytest.fixture
def long_page(transactional_db):
    page = wiki_page_create(
        slug="long-read",
        title="A long read on compute spending, with a title that goes on and on",
        type="model",
        description="A long page for the browser tests.",
        body=long_body(),
    )
    return reverse("wiki:page_detail", args=[page.slug])


def test_math_shows_as_mathml(live_server, long_page, page):
    page.goto(live_server.url + long_page)

    formulas = page.locator(".body math")
    assert formulas.count() >= 9
    box = page.locator(".math-display math").first.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 10
    assert "\\frac" not in page.locator(".body").inner_text()


def test_the_contents_links_jump_to_their_headings(live_server, long_page, page, screenshot):
    page.goto(live_server.url + long_page)
    toc = page.locator("nav.toc")
    assert toc.is_visible()
    assert toc.locator("a").count() >= 17  # 8 sections, 8 subsections, notes

    toc.get_by_role("link", name="Section number 6 on compute", exact=True).click()

    assert page.url.endswith("#section-number-6-on-compute")
    heading = page.locator("h2#section-number-6-on-compute")
    top = heading.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < 100
    # Beside the text on a desktop: the contents stay in view while the text scrolls.
    assert toc.is_visible() and toc.bounding_box()["x"] < heading.bounding_box()["x"]
    screenshot(page, "long-page-desktop")


def test_a_long_page_uses_a_desktop_screen(live_server, long_page, page):
    page.goto(live_server.url + long_page)

    body = page.locator(".wiki-page .body").bounding_box()
    toc = page.locator("nav.toc").bounding_box()
    assert body["width"] >= 700
    assert toc["x"] + toc["width"] <= body["x"]


def test_a_long_page_on_a_phone_does_not_scroll_sideways(live_server, long_page, phone, screenshot):
    phone.goto(live_server.url + long_page)

    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # The contents come first, above the text; tables scroll inside their own box.
    toc = phone.locator("nav.toc").bounding_box()
    assert toc["y"] < phone.locator(".wiki-page .body").bounding_box()["y"]
    wrap = phone.locator(".table-wrap").first
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    screenshot(phone, "long-page-phone")


def test_a_source_titled_by_a_long_url_wraps_on_a_phone(live_server, transactional_db, phone):
    url = "https://www.example.org/publication/374772389_" + "Rules_of_the_road_for_AI_" * 6
    source = source_create(url=url, title=url)

    phone.goto(live_server.url + source.get_absolute_url())

    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
