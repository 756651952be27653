"""An editor writes in the page editor: types a paragraph, cites a source with the picker,
sees the numbered reference in the live preview, adds a source from a URL no source has
(served by a local test server) and sees its title arrive, views the changes, saves; the
public page then shows the text and references, dated today, first under "Recently
edited". Screenshots of the editor, the picker, the preview and the dashboard."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sources.models import Source
from sources.services import source_create, venue_create
from tests.browser.test_diagrams import WATCH_CSP
from tests.browser.test_moderation import sign_in
from tests.conftest import _staff_user
from tests.local_web import ARTICLE
from wiki.models import WikiPage
from wiki.services import wiki_page_create

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(transactional_db, django_user_model):
    _staff_user(django_user_model, "edna", "Editors")
    venue = venue_create(slug="policy-lab", name="Policy Lab", type="think_tank", credibility=4)
    cited = source_create(
        url="https://policy-lab.example.org/governance", title="Chip governance", venue=venue
    )
    page = wiki_page_create(
        slug="pause", title="Pause", body="Old text.", last_edited=date(2026, 1, 30)
    )
    wiki_page_create(slug="other", title="Other", last_edited=date(2026, 6, 1))
    return {"page": page, "cited": cited}


def test_an_editor_writes_cites_adds_a_source_and_saves(
    desk, web, live_server, browser, screenshot
):
    new_url = web.html("/new-report", ARTICLE)
    tab = sign_in(browser, live_server, "edna")
    tab.context.add_init_script(WATCH_CSP)
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_viewport_size({"width": 1440, "height": 1000})
    tab.goto(live_server.url + reverse("admin:wiki_wikipage_change", args=[desk["page"].pk]))

    # The body is a Markdown editor with its preview beside it.
    expect(tab.locator(".EasyMDEContainer .CodeMirror")).to_be_visible()
    expect(tab.locator(".page-editor-rendered")).to_contain_text("Old text.")
    tab.locator(".CodeMirror").click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type("\n\nA pause would need verifiable compute limits. ")
    screenshot(tab, "editor")

    # Cite a source found with the picker: the preview numbers it, with its rating.
    tab.locator("button.cite").click()
    picker = tab.locator("dialog.page-editor-picker")
    expect(picker).to_be_visible()
    picker.get_by_label("Title, URL, id or venue").fill("chip governance")
    expect(picker.locator(".page-editor-result")).to_have_count(1)
    screenshot(tab, "picker")
    picker.locator(".page-editor-result").click()
    preview = tab.locator(".page-editor-rendered")
    expect(preview.locator("#ref-1")).to_contain_text("Chip governance")
    expect(preview.locator("#ref-1")).to_contain_text("4/5")
    screenshot(tab, "preview")

    # A URL no source has: "Add this source"; its snapshot brings the title.
    tab.locator("button.cite").click()
    picker.get_by_label("Title, URL, id or venue").fill(new_url)
    expect(picker.get_by_role("status")).to_have_text("No source has this URL yet.")
    picker.get_by_role("button", name="Add this source").click()
    expect(preview.locator("#ref-2")).to_contain_text("Compute Governance Explained")
    added = Source.objects.get(url=new_url)
    # The new source has no rating yet: the preview says so, naming it.
    warnings = tab.locator(".preview-warnings")
    expect(warnings).to_contain_text("Compute Governance Explained")
    expect(warnings).to_contain_text("not rated")

    # Show changes: the new paragraph against the saved body.
    tab.locator("button.changes").click()
    changes = tab.locator(".page-editor-changes")
    expect(changes.locator("tr.diff-added", has_text="A pause would need")).to_have_count(1)
    tab.get_by_role("button", name="Close").click()

    # The editor runs under the site's Content-Security-Policy, without a script error.
    assert tab.evaluate("window.__cspViolations") == [] and errors == []
    tab.locator("input[name=_save]").click()
    # Saving a newly cited unrated source asks why it belongs; with a reason, it saves.
    expect(tab.locator(".errorlist")).to_contain_text("newly cites sources with warnings")
    tab.get_by_label("Reason to keep these citations").fill("The report the claim comes from.")
    tab.locator("input[name=_save]").click()
    expect(tab.locator("ul.messagelist")).to_contain_text("was changed successfully")

    page = WikiPage.objects.get(slug="pause")
    assert f"[[cite:{desk['cited'].id}]]" in page.body and f"[[cite:{added.id}]]" in page.body
    assert "The report the claim comes from." in page.history.first().history_change_reason
    assert page.last_edited == timezone.localdate()
    reader = browser.new_context().new_page()
    reader.goto(live_server.url + page.get_absolute_url())
    expect(reader.locator(".body")).to_contain_text("A pause would need verifiable compute limits.")
    expect(reader.locator(".references")).to_contain_text("Chip governance")
    expect(reader.locator(".references")).to_contain_text("Compute Governance Explained")
    expect(reader.locator("dl.metadata")).to_contain_text(
        "Last edited" + timezone.localdate().strftime("%-d %B %Y")
    )
    reader.goto(live_server.url + "/")
    recent = reader.locator("section[aria-labelledby=recent-pages-heading] li")
    expect(recent.first).to_contain_text("Pause")

    tab.goto(live_server.url + reverse("admin:index"))
    expect(tab.locator("#editor-dashboard")).to_contain_text("My open rating proposals")
    screenshot(tab, "dashboard")


def test_without_javascript_the_body_is_a_plain_textarea(desk, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + reverse("admin:login"))
    tab.get_by_label("Username").fill("edna")
    tab.get_by_label("Password").fill("pw-edna")
    tab.get_by_role("button", name="Log in").click()
    tab.goto(live_server.url + reverse("admin:wiki_wikipage_change", args=[desk["page"].pk]))

    expect(tab.locator("textarea#id_body")).to_have_value("Old text.")
    context.close()


def test_an_editor_filters_the_source_list_by_typing_a_venue(
    desk, live_server, browser, screenshot
):
    venue = venue_create(slug="far-lab", name="Faraway Lab", type="think_tank")
    source_create(url="https://far.example.org/a", title="Far report", venue=venue)
    tab = sign_in(browser, live_server, "edna")
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(live_server.url + reverse("admin:sources_source_changelist"))

    tab.locator("#changelist-filter .select2-selection").first.click()
    tab.locator(".select2-search__field").fill("faraway")
    tab.locator(".select2-results__option", has_text="Faraway Lab").click()

    tab.wait_for_url(f"**venue__id__exact={venue.pk}**")
    expect(tab.locator("#result_list tbody tr")).to_have_count(1)
    expect(tab.locator("#result_list")).to_contain_text("Far report")
    screenshot(tab, "source-list-filtered")


def test_citing_a_source_rated_1_shows_a_warning_in_the_preview(desk, live_server, browser):
    weak = source_create(
        url="https://rumours.example.org/claim", title="A rumour mill", credibility_override=1
    )
    tab = sign_in(browser, live_server, "edna")
    tab.set_viewport_size({"width": 1440, "height": 1000})
    tab.goto(live_server.url + reverse("admin:wiki_wikipage_change", args=[desk["page"].pk]))
    tab.locator(".CodeMirror").click()
    tab.keyboard.press("Control+End")

    tab.keyboard.type(f"\n\nIt is said [[cite:{weak.id}]].")

    warnings = tab.locator(".page-editor-rendered .preview-warnings")
    expect(warnings).to_contain_text(f"“A rumour mill” ({weak.id}): rated 1 of 5 (Low)")
    expect(tab.locator(".page-editor-rendered #ref-1")).to_contain_text("A rumour mill")
