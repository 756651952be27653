"""Moving a source to a venue rated otherwise changes its credibility: a rating change.

Editors' moves become proposals, moderators' moves need a rationale and are recorded as
decisions, and readers see the move in the source's rating history by venue name.
"""

import pytest
from django.urls import reverse

from ratings.models import ProposalStatus, RatingDecision, RatingProposal
from ratings.services import rating_proposal_approve, rating_proposal_create
from sources.models import Source
from tests.factories import SourceFactory, VenueFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def venues():
    return {
        "low": VenueFactory(name="Low Venue", slug="low", credibility=2),
        "low_too": VenueFactory(name="Also Low", slug="low-too", credibility=2),
        "high": VenueFactory(name="High Venue", slug="high", credibility=5),
    }


def _move(client, source, venue, **changes):
    url = reverse("admin:sources_source_change", args=[source.pk])
    data = form_data(client.get(url).content, "source_form")
    data.update(venue=str(venue.pk), **changes)
    return client.post(url, data, follow=True)


def test_an_editor_moving_a_source_to_a_higher_rated_venue_proposes_it(editor_client, venues):
    source = SourceFactory(venue=venues["low"], title="Before")

    response = _move(editor_client, source, venues["high"], title="After")

    source.refresh_from_db()
    assert (source.venue, source.title) == (venues["low"], "After")
    assert source.credibility.level == 2
    proposal = RatingProposal.objects.get(source=source)
    assert proposal.proposed == {"venue": venues["high"].pk}
    assert proposal.status == ProposalStatus.PENDING
    assert "proposed to the rating moderators" in response.content.decode()
    assert not RatingDecision.objects.filter(source=source).exists()


def test_a_move_between_venues_rated_alike_is_an_ordinary_edit(editor_client, venues):
    source = SourceFactory(venue=venues["low"])

    _move(editor_client, source, venues["low_too"])

    source.refresh_from_db()
    assert source.venue == venues["low_too"]
    assert not RatingProposal.objects.exists()
    assert not RatingDecision.objects.exists()


def test_a_source_with_its_own_rating_moves_freely(editor_client, venues):
    source = SourceFactory(venue=venues["low"], credibility_override=3)

    _move(editor_client, source, venues["high"])

    source.refresh_from_db()
    assert source.venue == venues["high"]
    assert not RatingProposal.objects.exists()


def test_a_moderator_moving_a_source_says_why_and_the_decision_records_it(
    moderator_client, moderator, venues
):
    source = SourceFactory(venue=venues["low"])

    refused = _move(moderator_client, source, venues["high"])
    source.refresh_from_db()
    assert source.venue == venues["low"]
    assert "Say why the rating changes" in refused.content.decode()

    _move(moderator_client, source, venues["high"], rating_rationale="Published in High.")
    source.refresh_from_db()
    assert source.venue == venues["high"]
    decision = RatingDecision.objects.get(source=source)
    assert decision.old_values == {"venue": "Low Venue", "credibility": 2}
    assert decision.new_values == {"venue": "High Venue", "credibility": 5}
    assert decision.decided_by == moderator


def test_an_approved_move_shows_readers_the_venues_by_name(client, editor, moderator, venues):
    source = SourceFactory(venue=venues["low"])
    proposal = rating_proposal_create(
        target=source, values={"venue": venues["high"].pk}, rationale="Moved.", user=editor
    )

    rating_proposal_approve(proposal=proposal, user=moderator)

    source = Source.objects.get(pk=source.pk)
    assert source.venue == venues["high"]
    page = client.get(source.get_absolute_url()).content.decode()
    assert "venue: Low Venue → High Venue" in page
    assert "credibility: 2 → 5" in page


def test_the_queue_and_the_decide_page_name_the_venues(moderator_client, editor, venues):
    source = SourceFactory(venue=venues["low"])
    proposal = rating_proposal_create(
        target=source, values={"venue": venues["high"].pk}, rationale="Moved.", user=editor
    )

    queue = moderator_client.get(
        reverse("admin:ratings_ratingproposal_changelist") + "?status=pending"
    )
    decide = moderator_client.get(
        reverse("admin:ratings_ratingproposal_decide", args=[proposal.pk])
    )

    assert "venue Low Venue → High Venue" in queue.content.decode()
    assert "High Venue" in decide.content.decode()


def test_approving_a_stale_proposal_whose_values_are_already_current_is_an_answer(
    moderator_client, editor, venues
):
    source = SourceFactory(venue=venues["low"])
    proposal = rating_proposal_create(
        target=source, values={"credibility_override": 4}, rationale="r", user=editor
    )
    Source.objects.filter(pk=source.pk).update(credibility_override=4)

    response = moderator_client.post(
        reverse("admin:ratings_ratingproposal_decide", args=[proposal.pk]),
        {"action": "approve", "confirm_stale": "on", "comment": ""},
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
