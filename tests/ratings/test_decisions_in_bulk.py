"""Rating changes recorded in bulk (`rating_decisions_record`, an import's path) become the
decisions `rating_decision_record` makes one at a time, in queries that do not grow with
how many there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings.models import DecisionOrigin, RatingDecision
from ratings.selectors import rating_values
from ratings.services import RatingChange, rating_decision_record, rating_decisions_record
from sources.models import Source
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def venues():
    return {
        "low": VenueFactory(name="Low Venue", credibility=2),
        "high": VenueFactory(name="High Venue", credibility=5),
    }


def changes_made(venues, tag: str) -> list[RatingChange]:
    """Make one change of each shape to new records; return them, as an import notes them."""
    moved = SourceFactory(venue=venues["low"], title=f"Moved {tag}")
    moved_old = rating_values(moved)
    moved.venue = venues["high"]
    moved.save()
    overridden = SourceFactory(venue=venues["low"], title=f"Overridden {tag}")
    overridden_old = rating_values(overridden)
    overridden.credibility_override = 4
    overridden.save()
    page = WikiPageFactory(quality=40, slug=f"page-{tag}")
    page_old = rating_values(page)
    page.quality = 70
    page.save()
    unchanged = SourceFactory(venue=venues["low"], title=f"Unchanged {tag}")
    return [
        RatingChange(moved, moved_old, "Imported from a.yaml"),
        RatingChange(overridden, overridden_old, "Imported from a.yaml"),
        RatingChange(page, page_old, "Imported from p.mdx"),
        RatingChange(unchanged, rating_values(unchanged), "Imported from a.yaml"),
    ]


def recorded(decision: RatingDecision) -> tuple:
    return (
        decision.old_values,
        decision.new_values,
        decision.rationale,
        decision.origin,
        decision.decided_by,
    )


def test_decisions_recorded_in_bulk_are_those_recorded_one_at_a_time(venues):
    one_at_a_time = []
    for change in changes_made(venues, "single"):
        decision = rating_decision_record(
            target=change.target,
            old_values=change.old_values,
            rationale=change.rationale,
            user=None,
            origin=DecisionOrigin.IMPORT,
        )
        one_at_a_time.append(decision)

    in_bulk = rating_decisions_record(
        changes_made(venues, "bulk"), user=None, origin=DecisionOrigin.IMPORT
    )

    assert one_at_a_time[-1] is None  # no change, no decision
    assert [recorded(d) for d in in_bulk] == [recorded(d) for d in one_at_a_time[:-1]]
    moved = in_bulk[0]
    assert moved.old_values["venue"] == "Low Venue" and moved.new_values["venue"] == "High Venue"
    assert moved.source.title == "Moved bulk" and in_bulk[2].page.slug == "page-bulk"
    assert RatingDecision.objects.filter(source__title__endswith="bulk").count() == 2


def test_a_venue_s_decision_in_bulk_carries_its_rating_to_its_sources(venues):
    inherits = SourceFactory(venue=venues["low"])
    old = rating_values(venues["low"])
    venues["low"].credibility = 3
    venues["low"].save()
    assert Source.objects.get(pk=inherits.pk).effective_credibility == 2  # not yet carried

    rating_decisions_record(
        [RatingChange(venues["low"], old, "Imported from publications.yaml")],
        user=None,
        origin=DecisionOrigin.IMPORT,
    )

    inherits.refresh_from_db()
    assert inherits.effective_credibility == 3
    assert RatingDecision.objects.get(venue=venues["low"]).new_values == {"credibility": 3}


def queries_to_record(changes) -> int:
    with CaptureQueriesContext(connection) as queries:
        rating_decisions_record(changes, user=None, origin=DecisionOrigin.IMPORT)
    return len(queries)


def test_the_queries_do_not_grow_with_the_number_of_decisions(venues):
    # The shapes a first import records: overrides and page scores. (A move between venues
    # still reads each venue's name and rating: two queries per move.)
    def without_moves(tag: str):
        return [c for c in changes_made(venues, tag) if not c.target.title.startswith("Moved")]

    few = [change for n in range(2) for change in without_moves(f"few{n}")]
    many = [change for n in range(20) for change in without_moves(f"many{n}")]

    assert queries_to_record(many) == queries_to_record(few)
