"""axe-core (from npm, locked) on every public page kind and every admin page kind we
customise, as a reader, an editor and a moderator, at desktop and phone widths: a critical
or serious finding fails the test and names the rule, the element and the page.

The checker is run through Playwright's evaluate, which the page's Content-Security-Policy
does not govern: the policy stays on for the page itself.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ratings.services import rating_proposal_create, rating_report_create
from sources.models import Source, Venue
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_moderation import sign_in
from tests.conftest import _staff_user, require
from wiki.models import WikiPage
from wiki.services import wiki_page_update

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN_AXE = """async (standards) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: standards}});
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`));
}"""
WIDTHS = {"desktop": DESKTOP, "phone": {**PHONE, "width": 390}}


def public_pages() -> list[str]:
    source = Source.objects.filter(citations__isnull=False).order_by("pk").first()
    venue = Venue.objects.order_by("slug").first()
    page = WikiPage.objects.filter(citations__isnull=False).order_by("slug").first()
    tag = page.tags.first() or source.tags.first()
    return [
        reverse("wiki:home"),
        reverse("sources:source_list") + "?min_credibility=3",
        source.get_absolute_url(),
        reverse("sources:snapshot_list", args=[source.pk]),
        reverse("sources:venue_list"),
        venue.get_absolute_url(),
        reverse("wiki:page_list"),
        page.get_absolute_url(),
        reverse("wiki:tag_list"),
        reverse("wiki:tag_detail", args=[tag.slug]),
        reverse("search:search") + "?q=risk",
        reverse("search:search") + "?q=risk&kind=sources",
        reverse("ratings:rating_report", args=["venue", venue.slug]),
    ]


def admin_pages(proposal) -> list[str]:
    source = Source.objects.filter(authors__isnull=False).order_by("pk").first()
    venue = Venue.objects.order_by("slug").first()
    page = WikiPage.objects.filter(citations__isnull=False).order_by("slug").first()
    wiki_page_update(page=page, summary=page.summary + " Revised.")  # a second version
    first, latest = page.history.earliest("history_date"), page.history.latest("history_date")
    compare = reverse("admin:wiki_wikipage_history_compare", args=[page.pk])
    return [
        reverse("admin:index"),
        reverse("admin:sources_source_changelist"),
        reverse("admin:sources_source_change", args=[source.pk]),
        reverse("admin:sources_venue_changelist"),
        reverse("admin:sources_venue_change", args=[venue.pk]),
        reverse("admin:wiki_wikipage_changelist"),
        reverse("admin:wiki_wikipage_change", args=[page.pk]),
        reverse("admin:wiki_wikipage_history", args=[page.pk]),
        f"{compare}?old={first.history_id}&new={latest.history_id}",
        reverse("admin:ratings_ratingproposal_propose", args=["venue", venue.pk]),
        reverse("admin:ratings_ratingproposal_changelist") + "?status=pending",
        reverse("admin:ratings_ratingdecision_changelist"),
        reverse("recent_changes") + "?who=all",
    ]


MODERATOR_PAGES = ["admin:ratings_ratingproposal_decide", "admin:ratings_ratingreport_changelist"]


@pytest.fixture
def checker():
    require(AXE.exists(), f"accessibility tests need {AXE} (make install with npm on PATH)")
    return AXE.read_text()


def findings(tab, axe: str, url: str) -> list[str]:
    response = tab.goto(url)
    assert response.ok, f"{url}: {response.status}"
    tab.wait_for_load_state("networkidle")
    tab.evaluate(axe + ";0")
    return [f"{url}: {finding}" for finding in tab.evaluate(RUN_AXE, STANDARDS)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_have_no_serious_finding(
    demo, live_server, browser, checker, width, scheme, screenshot
):
    tab = browser.new_context(viewport=WIDTHS[width], color_scheme=scheme).new_page()

    found = [f for url in public_pages() for f in findings(tab, checker, live_server.url + url)]

    if scheme == "dark" and width == "desktop":
        tab.goto(live_server.url + "/wiki/pause-advocacy/")
        screenshot(tab, "dark-wiki-page")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_admin_pages_have_no_serious_finding(
    demo, live_server, browser, django_user_model, checker, role, width
):
    editor = _staff_user(django_user_model, "edna", "Editors")
    _staff_user(django_user_model, "mo", "Rating moderators")
    venue = Venue.objects.filter(credibility__isnull=False).order_by("slug").first()
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 1}, rationale="Two retractions.", user=editor
    )
    rating_report_create(target=venue, what="Too high", why="Retractions.")
    pages = admin_pages(proposal)
    if role == "moderator":
        pages += [
            reverse(MODERATOR_PAGES[0], args=[proposal.pk]),
            reverse(MODERATOR_PAGES[1]),
        ]
    tab = sign_in(browser, live_server, "edna" if role == "editor" else "mo", WIDTHS[width])

    found = [f for url in pages for f in findings(tab, checker, live_server.url + url)]

    assert found == [], "\n".join(found)
