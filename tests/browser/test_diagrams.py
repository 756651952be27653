"""Mermaid diagrams in wiki pages, drawn in the browser from our own static files, under the CSP.

The library is copied into static/vendor/mermaid/ by `make install` when npm is present; without
it these tests are skipped (or fail under CREDENCE_REQUIRE_ALL=1).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.static_files import static_file_available
from tests.browser.conftest import DESKTOP
from tests.conftest import require
from wiki.services import wiki_page_create
from wiki.templatetags.diagrams import MERMAID_SCRIPT

pytestmark = pytest.mark.browser

MERMAID_FILE = Path(settings.BASE_DIR) / "static" / MERMAID_SCRIPT

FLOWCHART = """flowchart TD
    A["Find a claim"] --> B{"Is the source rated?"}
    B -->|yes| C["Cite it"]
    B -->|no| D["Look for a better source"]"""

BROKEN = """flowchart TD
    A["Start" --> B[[<b>oops
    C -->"""

HOSTILE = """flowchart TD
    A["<img src=x onerror=alert(1)>"] --> B["<script>alert(2)</script>"]
    C["<img src=x onerror=window.__pwned=1>"] --> D["<a href=javascript:window.__pwned=2>go</a>"]
    click A call alert()
    click C call alert(3)
    click D href "javascript:window.__pwned=3"
"""

# Collects Content-Security-Policy violations from the first moment of each document.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

# Elements Mermaid draws in a temporary place (the end of the body): none may stay behind.
LEFTOVERS = """() => Array.from(document.querySelectorAll('[id^="credence-diagram-"], '
  + '[id^="dcredence-diagram-"], [id^="icredence-diagram-"], body > div > svg, #d, .error-icon'))
  .filter((element) => !element.closest("figure.diagram-mermaid")).length"""


def mermaid_body(source: str) -> str:
    return f"A page with a diagram.\n\n```mermaid\n{source}\n```\n\nText after the diagram.\n"


@pytest.fixture
def mermaid_library():
    require(
        MERMAID_FILE.exists(),
        f"diagram tests need {MERMAID_FILE.relative_to(settings.BASE_DIR)}: "
        "run make install with npm on PATH",
    )
    static_file_available.cache_clear()


@pytest.fixture
def watched(page):
    """The page fixture, recording CSP violations, console errors and uncaught exceptions."""
    page.context.add_init_script(WATCH_CSP)
    page.console_errors = []
    page.csp_messages = []
    page.page_errors = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            page.csp_messages.append(message.text)
        # The site has no favicon yet: Chromium's request for one is not the page's error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            page.console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    return page


def open_page(tab, live_server, slug):
    tab.goto(live_server.url + reverse("wiki:page_detail", args=[slug]))


def wait_until_settled(tab):
    """Wait for diagrams.js to have drawn, or given up on, every figure."""
    tab.wait_for_function(
        """() => Array.from(document.querySelectorAll("figure.diagram-mermaid")).every(
            (figure) => figure.matches(".diagram-drawn, .diagram-failed"))""",
        timeout=20_000,
    )


def assert_clean(tab, blocked_handlers=False):
    violations = tab.evaluate("window.__cspViolations")
    if blocked_handlers:
        # Mermaid's sanitiser (DOMPurify) parses a label's markup in an inert document before
        # stripping it; Chromium reports the inline handlers it meets there as blocked. They
        # never run; any other violation (a script, eval, a style or image) is still a failure.
        violations = [v for v in violations if not v.startswith("script-src-attr inline")]
    else:
        assert tab.csp_messages == []
    assert violations == []
    assert tab.page_errors == []
    assert tab.evaluate(LEFTOVERS) == 0


def test_a_flowchart_is_drawn_as_svg_under_the_csp(
    live_server, transactional_db, mermaid_library, watched, screenshot
):
    wiki_page_create(slug="with-diagram", title="With a diagram", body=mermaid_body(FLOWCHART))

    open_page(watched, live_server, "with-diagram")
    wait_until_settled(watched)

    figure = watched.locator("figure.diagram-mermaid")
    svg = figure.locator(".diagram-svg svg")
    assert svg.count() == 1 and svg.is_visible()
    assert "Cite it" in svg.text_content()
    assert figure.locator("figcaption").inner_text() == "Diagram"
    assert figure.locator(".diagram-error").count() == 0
    # The source stays in the page, folded away under a summary.
    source = figure.locator("details pre.diagram-source")
    assert not source.is_visible()
    figure.locator("details summary").click()
    assert source.is_visible() and 'A["Find a claim"]' in source.inner_text()
    # The figure is no wider than the page's column.
    width = watched.evaluate("document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"]

    assert_clean(watched)
    assert watched.console_errors == []
    screenshot(watched, "wiki-diagram")


def test_without_javascript_the_diagram_shows_as_its_source(
    live_server, transactional_db, mermaid_library, browser
):
    wiki_page_create(slug="with-diagram", title="With a diagram", body=mermaid_body(FLOWCHART))
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        tab = context.new_page()
        open_page(tab, live_server, "with-diagram")

        figure = tab.locator("figure.diagram-mermaid")
        source = figure.locator("pre.diagram-source")
        assert source.is_visible()
        assert source.inner_text().rstrip("\n") == FLOWCHART
        assert figure.locator("figcaption").inner_text() == "Diagram (Mermaid source)"
        assert tab.locator("svg").count() == 0
    finally:
        context.close()


def test_a_broken_diagram_shows_its_source_and_why(
    live_server, transactional_db, mermaid_library, watched
):
    wiki_page_create(slug="broken-diagram", title="Broken", body=mermaid_body(BROKEN))

    open_page(watched, live_server, "broken-diagram")
    wait_until_settled(watched)

    figure = watched.locator("figure.diagram-mermaid")
    error = figure.locator("p.diagram-error")
    assert error.is_visible()
    text = error.inner_text()
    assert "could not be drawn" in text
    detail = error.locator(".diagram-error-detail").inner_text()
    assert detail.strip() and detail != "unknown error"
    assert error.locator("b").count() == 0  # the parser's message is text, never HTML
    source = figure.locator("pre.diagram-source")
    assert source.is_visible() and source.inner_text().rstrip("\n") == BROKEN
    assert figure.locator("svg").count() == 0
    assert figure.bounding_box()["height"] > 50
    assert "Text after the diagram." in watched.locator(".body").inner_text()
    assert_clean(watched)


def test_a_hostile_diagram_runs_nothing(live_server, transactional_db, mermaid_library, watched):
    wiki_page_create(slug="hostile-diagram", title="Hostile", body=mermaid_body(HOSTILE))

    open_page(watched, live_server, "hostile-diagram")
    wait_until_settled(watched)
    figure = watched.locator("figure.diagram-mermaid")
    for node in figure.locator(".diagram-svg g.node").all():
        node.click()
    for link in figure.locator(".diagram-svg a").all():
        link.click()
    watched.wait_for_timeout(300)

    assert watched.dialogs == []
    assert watched.evaluate("window.__pwned") is None
    assert figure.locator("script, [onerror], [onclick], iframe").count() == 0
    assert figure.locator('[href^="javascript"], [*|href^="javascript"]').count() == 0
    assert_clean(watched, blocked_handlers=True)


def test_pages_without_diagrams_load_no_diagram_script(
    live_server, transactional_db, mermaid_library, watched
):
    body = "No diagram here.\n\n```python\nx = 1\n```\n"
    wiki_page_create(slug="plain", title="Plain", body=body)

    open_page(watched, live_server, "plain")

    scripts = watched.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert not [src for src in scripts if "mermaid" in src or "diagrams.js" in src]
    assert watched.evaluate("typeof window.mermaid") == "undefined"


def test_without_the_library_the_page_names_no_missing_file(client, db, settings, tmp_path):
    # Static files from an empty folder: the Mermaid build is not there.
    settings.STATICFILES_DIRS = [tmp_path]
    static_file_available.cache_clear()
    try:
        wiki_page_create(slug="with-diagram", title="Diagram", body=mermaid_body(FLOWCHART))

        response = client.get(reverse("wiki:page_detail", args=["with-diagram"]))

        assert response.status_code == 200
        html = response.content.decode()
        assert '<pre class="diagram-source">' in html
        assert "mermaid.min.js" not in html and "diagrams.js" not in html
    finally:
        static_file_available.cache_clear()
