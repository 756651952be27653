"""Venues whose rating was last reviewed too long ago are due for review; rated venues never
reviewed here (as after an import) are "not yet reviewed", a state of their own."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sources.selectors import months_before, venues_due_for_review, venues_not_yet_reviewed
from tests.factories import VenueFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 27), 18, date(2025, 5, 27)),
        (date(2026, 8, 31), 6, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


@pytest.fixture
def venues():
    today = timezone.localdate()
    return {
        "fresh": VenueFactory(credibility=4, credibility_reviewed_on=today - timedelta(days=45)),
        "old": VenueFactory(credibility=4, credibility_reviewed_on=months_before(today, 19)),
        "never": VenueFactory(credibility=3, credibility_reviewed_on=None),
        "unrated": VenueFactory(credibility=None, credibility_reviewed_on=None),
    }


def test_rated_venues_not_reviewed_within_the_period_are_due(venues):
    assert set(venues_due_for_review()) == {venues["old"]}


def test_rated_venues_never_reviewed_here_are_not_yet_reviewed_not_due(venues):
    assert set(venues_not_yet_reviewed()) == {venues["never"]}


def test_the_period_is_configurable(venues, settings):
    settings.CREDENCE_REVIEW_AFTER_MONTHS = 1

    assert set(venues_due_for_review()) == {venues["fresh"], venues["old"]}


def test_readers_see_the_due_mark_on_the_venue_page_and_list(client, venues):
    old = client.get(venues["old"].get_absolute_url()).content.decode()
    fresh = client.get(venues["fresh"].get_absolute_url()).content.decode()
    listing = client.get(reverse("sources:venue_list")).content.decode()

    assert "Due for review" in old and "Due for review" not in fresh
    assert listing.count('<span class="badge due">Due for review</span>') == 1


def test_readers_see_a_review_date_only_where_there_is_one(client, venues):
    never = client.get(venues["never"].get_absolute_url()).content.decode()
    unrated = client.get(venues["unrated"].get_absolute_url()).content.decode()

    assert "Last reviewed" not in never and "Due for review" not in never
    assert "Not yet reviewed by Credence" in never
    assert "Not yet reviewed" not in unrated


def test_the_moderators_see_due_venues_from_the_admin_index(moderator_client, venues):
    index = moderator_client.get(reverse("admin:index")).content.decode()
    queue = moderator_client.get(reverse("admin:sources_venue_changelist") + "?review=due")

    never = moderator_client.get(reverse("admin:sources_venue_changelist") + "?review=never")

    assert "1 venue due for review" in index
    assert "1 rated venue not yet reviewed here" in index
    assert set(queue.context["cl"].result_list) == {venues["old"]}
    assert set(never.context["cl"].result_list) == {venues["never"]}


def test_editors_do_not_see_the_moderation_summary(editor_client, venues):
    index = editor_client.get(reverse("admin:index")).content.decode()

    assert "venues due for review" not in index
