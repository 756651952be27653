"""Claim checks in a browser: sources fetched from a local web server, their snapshots
checked by the task a new snapshot queues, and the reader's page showing what each source
says under its reference and each marker's state, at desktop and phone widths."""

import pytest

from claims.models import ClaimCheck
from sources.snapshots import snapshot_take
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import SourceFactory, VenueFactory
from wiki.services import wiki_page_create

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
REPORT = """<!doctype html><html><head><title>Reporting Survey 2031</title></head><body>
<article><h1>Reporting Survey 2031</h1>
<p>The Halden Institute surveyed the largest laboratories and found that most lacked any
incident reporting process for their deployed systems.</p>
<p>Separately, the authors counted 58% of labs with a written evaluation policy, up from
a third two years earlier, and recommended that regulators publish the thresholds.</p>
</article></body></html>"""
WEATHER = """<!doctype html><html><head><title>Coastal weather</title></head><body>
<article><h1>Coastal weather</h1><p>Rain is expected along the northern coast tomorrow
morning, with winds easing by the afternoon and clear skies over the weekend.</p></article>
</body></html>"""


@pytest.fixture
def checked_page(transactional_db, web):
    venue = VenueFactory()
    report = SourceFactory(title="Reporting Survey", url=web.html("/report", REPORT), venue=venue)
    weather = SourceFactory(title="Coastal weather", url=web.html("/weather", WEATHER))
    unfetched = SourceFactory(title="Not fetched yet", url=web.url("/later"))
    page = wiki_page_create(
        slug="incident-reporting",
        title="Incident reporting",
        status="published",
        body=(
            "## Findings\n\n"
            "The Halden Institute found that most of the largest laboratories lacked an "
            f"incident reporting process.[[cite:{report.id}]] Labs also disclosed every "
            f"incident to the public within a day.[[cite:{weather.id}]]\n\n"
            f"Regulators were asked to publish thresholds.[[cite:{unfetched.id}]]"
        ),
    )
    # Each fetch stores a snapshot; on commit it queues the citing pages' checks, which
    # the test settings' immediate backend runs at once.
    for source in (report, weather):
        snapshot_take(source=source)
    assert ClaimCheck.objects.filter(page=page).count() == 3
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reader_sees_the_passage_and_each_markers_state(
    checked_page, live_server, browser, width, screenshot
):
    tab = browser.new_context(viewport=WIDTHS[width]).new_page()
    tab.goto(live_server.url + checked_page.get_absolute_url())

    references = tab.get_by_role("region", name="References")
    passage = references.locator(".claim-passage").first
    passage.scroll_into_view_if_needed()
    assert passage.is_visible()
    assert "most lacked any incident reporting process" in passage.inner_text()
    assert "The source says:" in references.inner_text()
    assert "Not found in the snapshot" in references.inner_text()
    assert "No snapshot to check yet." in references.inner_text()

    not_found = tab.locator("sup.cite-not-found .cite-state")
    unchecked = tab.locator("sup.cite-unchecked .cite-state")
    for marker, shape, words in ((not_found, "✗", "not found"), (unchecked, "○", "no snapshot")):
        marker.scroll_into_view_if_needed()
        assert marker.is_visible()
        assert shape in marker.inner_text()
        assert words in marker.get_attribute("title")
    assert tab.locator("sup.cite:not([class*='cite-']) .cite-state").count() == 0
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    screenshot(tab, f"claim-checks-{width}")

    # The snapshot link opens the source's text at the passage, marked.
    references.get_by_role("link", name="snapshot of").first.click()
    mark = tab.locator("mark#passage")
    mark.wait_for()
    assert mark.is_visible()
    assert "most lacked any incident reporting process" in mark.inner_text()
