"""About this knowledge base, and a page's evidence profile, in a browser: the charts draw
from our own static files under the CSP at desktop and phone widths, each chart's table is
reached by keyboard, and a bar opens the list it counts."""

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import RUN_AXE, STANDARDS, checker  # noqa: F401 (fixture)
from tests.browser.test_diagrams import WATCH_CSP
from wiki.models import WikiPage

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
DRAWN = """() => Array.from(document.querySelectorAll('section.chart canvas')).map((canvas) => {
  const chart = window.Chart.getChart(canvas);
  const box = canvas.getBoundingClientRect();
  return {id: canvas.id, drawn: !!chart, width: box.width, height: box.height};
})"""
# Where a bar of the sources chart stands on screen, and the address it names.
FIRST_BAR = """() => {
  const canvas = document.getElementById('chart-sources');
  const chart = window.Chart.getChart(canvas);
  const data = JSON.parse(document.getElementById('chart-data-sources').textContent);
  for (let set = 0; set < data.datasets.length; set++) {
    for (let i = 0; i < data.labels.length; i++) {
      if (data.datasets[set].data[i] > 0) {
        const bar = chart.getDatasetMeta(set).data[i];
        const box = canvas.getBoundingClientRect();
        const middle = (bar.y + bar.base) / 2;
        return {x: box.left + bar.x, y: box.top + middle, url: data.datasets[set].urls[i]};
      }
    }
  }
  return null;
}"""


def _tab(browser, live_server, width):
    context = browser.new_context(viewport=WIDTHS[width])
    context.add_init_script(WATCH_CSP)
    tab = context.new_page()
    tab.errors, tab.outside = [], []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else tab.outside.append(request.url)
        ),
    )
    return context, tab


@pytest.mark.parametrize("width", WIDTHS)
def test_the_charts_draw_under_the_csp_with_their_tables(  # noqa: PLR0913
    demo,
    live_server,
    browser,
    checker,  # noqa: F811 (the fixture imported above)
    width,
    screenshot,
):
    context, tab = _tab(browser, live_server, width)
    response = tab.goto(live_server.url + reverse("about:index"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    tab.locator(".chart-canvas:not([hidden]) canvas").first.wait_for(timeout=20_000)

    drawn = tab.evaluate(DRAWN)
    assert len(drawn) >= 5, drawn
    for canvas in drawn:
        assert canvas["drawn"] and canvas["width"] > 200 and canvas["height"] > 100, canvas
    assert tab.evaluate("window.__cspViolations") == []
    assert tab.errors == [] and tab.outside == []
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    tab.evaluate(checker + ";0")
    assert tab.evaluate(RUN_AXE, STANDARDS) == []
    screenshot(tab, f"about-charts-{width}")
    context.close()


def test_each_chart_s_table_is_reached_by_keyboard(demo, live_server, page):
    page.goto(live_server.url + reverse("about:index"))
    page.locator(".chart-canvas:not([hidden]) canvas").first.wait_for(timeout=20_000)
    page.locator("section.chart h2").first.click()  # start reading at the first chart

    reached = []
    for _press in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const el = document.activeElement;"
            " const region = el.closest('.table-scroll');"
            " return region ? [el.tagName, region.closest('section').id] : null; }"
        )
        if focused:
            reached.append(tuple(focused))
        if len({section for _tag, section in reached}) >= 2:
            break
    assert ("DIV", "pages") in reached, reached  # the table's scroll region itself
    assert ("A", "pages") in reached, reached  # then its first figure's link
    assert any(section == "sources" for _tag, section in reached), reached


def test_a_bar_opens_the_list_of_the_records_it_counts(demo, live_server, page):
    page.goto(live_server.url + reverse("about:index"))
    page.locator("#chart-sources").wait_for(timeout=20_000)
    page.locator("#chart-sources").scroll_into_view_if_needed()
    page.wait_for_timeout(400)  # the bars' short entrance
    bar = page.evaluate(FIRST_BAR)
    assert bar is not None

    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_url(live_server.url + bar["url"], timeout=10_000)
    assert page.locator("h1").inner_text().startswith("Sources")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_evidence_profile_at_each_width(demo, live_server, browser, width, screenshot):
    page = (
        WikiPage.objects.filter(citations__isnull=False)
        .order_by("-quality", "slug")
        .distinct()
        .first()
    )
    context, tab = _tab(browser, live_server, width)
    tab.goto(live_server.url + page.get_absolute_url())
    profile = tab.locator("section.evidence")
    profile.wait_for()
    assert profile.locator("table").is_visible()
    assert "rated 4–5" in profile.inner_text()
    assert tab.evaluate("window.__cspViolations") == []
    assert tab.errors == [] and tab.outside == []
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    screenshot(tab, f"evidence-profile-{width}")
    context.close()


def test_the_charts_print_with_their_tables(demo, live_server, page):
    page.goto(live_server.url + reverse("about:index"))
    page.locator(".chart-canvas:not([hidden]) canvas").first.wait_for(timeout=20_000)
    page.emulate_media(media="print")

    assert not page.locator(".chart-index").is_visible()  # links to anchors: no use on paper
    assert page.locator("table.chart-table").first.is_visible()
    sizes = page.evaluate(DRAWN)
    assert all(canvas["width"] > 0 and canvas["height"] > 0 for canvas in sizes), sizes
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
