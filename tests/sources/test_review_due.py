"""Venues whose rating was last reviewed too long ago are due for review."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sources.selectors import months_before, venues_due_for_review
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
    assert set(venues_due_for_review()) == {venues["old"], venues["never"]}


def test_the_period_is_configurable(venues, settings):
    settings.CREDENCE_REVIEW_AFTER_MONTHS = 1

    assert set(venues_due_for_review()) == {venues["fresh"], venues["old"], venues["never"]}


def test_readers_see_the_due_mark_on_the_venue_page_and_list(client, venues):
    old = client.get(venues["old"].get_absolute_url()).content.decode()
    fresh = client.get(venues["fresh"].get_absolute_url()).content.decode()
    listing = client.get(reverse("sources:venue_list")).content.decode()

    assert "Due for review" in old and "Due for review" not in fresh
    assert listing.count('<span class="badge due">Due for review</span>') == 2


def test_the_moderators_see_due_venues_from_the_admin_index(moderator_client, venues):
    index = moderator_client.get(reverse("admin:index")).content.decode()
    queue = moderator_client.get(reverse("admin:sources_venue_changelist") + "?review=due")

    assert "2 venues due for review" in index
    assert set(queue.context["cl"].result_list) == {venues["old"], venues["never"]}


def test_editors_do_not_see_the_moderation_summary(editor_client, venues):
    index = editor_client.get(reverse("admin:index")).content.decode()

    assert "venues due for review" not in index
