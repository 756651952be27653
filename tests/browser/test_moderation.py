"""A rating change in a real browser: an editor proposes, a moderator approves, and a
reader sees the new rating and its history on the public page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Profile
from tests.conftest import _staff_user
from tests.factories import VenueFactory

pytestmark = pytest.mark.browser


def sign_in(browser, live_server, username, viewport=None):
    context = browser.new_context(viewport=viewport) if viewport else browser.new_context()
    tab = context.new_page()
    tab.goto(live_server.url + reverse("admin:login"))
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill("pw-" + username)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(live_server.url + reverse("admin:index"))
    return tab


def test_a_proposal_goes_from_editor_to_moderator_to_the_public_page(
    transactional_db, live_server, browser, django_user_model, screenshot
):
    editor = _staff_user(django_user_model, "edna", "Editors")
    editor.first_name, editor.last_name = "Edna", "Editor"
    editor.save()
    moderator = _staff_user(django_user_model, "mo", "Rating moderators")
    Profile.objects.create(user=moderator, display_name="Mo Moderator")  # shown to readers
    venue = VenueFactory(slug="policy-lab", name="Policy Lab", credibility=4)

    # The editor proposes from the venue's admin page.
    tab = sign_in(browser, live_server, "edna")
    tab.goto(live_server.url + reverse("admin:sources_venue_change", args=[venue.pk]))
    tab.get_by_role("link", name="Propose a rating change").click()
    expect(tab.locator("#content-main")).to_contain_text("Now: 4")
    tab.get_by_label("Credibility").select_option("2")
    tab.get_by_label("Why").fill("Two retracted reports this year.")
    tab.get_by_role("button", name="Propose").click()
    expect(tab.locator("ul.messagelist")).to_contain_text(
        "Your proposal is waiting for a moderator."
    )
    screenshot(tab, "moderation-proposed")
    tab.context.close()

    # The moderator sees it waiting on the admin index and approves it.
    tab = sign_in(browser, live_server, "mo")
    tab.get_by_role("link", name="1 rating proposal waiting").click()
    tab.get_by_role("link", name="publication venue: Policy Lab").click()
    expect(tab.locator("#content-main")).to_contain_text("Two retracted reports this year.")
    tab.get_by_label("Comment").fill("Confirmed both retractions.")
    tab.get_by_role("button", name="Approve").click()
    expect(tab.locator("ul.messagelist")).to_contain_text("Decided: Approved.")
    screenshot(tab, "moderation-approved")
    tab.context.close()

    # A reader sees the new rating and the decision in the rating history.
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(live_server.url + reverse("sources:venue_detail", args=["policy-lab"]))
    assert "2/5" in tab.locator(".credibility-block").inner_text()
    row = tab.locator("table.rating-history tbody tr").first
    text = row.inner_text()
    assert "4 → 2" in text
    assert "Two retracted reports this year." in text
    assert "Mo Moderator" in text
    screenshot(tab, "moderation-public")
    context.close()
