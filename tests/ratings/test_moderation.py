"""Rating proposals and decisions: the life cycle and its rules."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import Profile
from ratings.models import DecisionOrigin, ProposalStatus, RatingDecision, RatingProposal
from ratings.selectors import proposals_waiting, rating_history
from ratings.services import (
    rating_change_apply,
    rating_proposal_approve,
    rating_proposal_create,
    rating_proposal_reject,
)
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_moderator(django_user_model, moderator):
    other = django_user_model.objects.create_user(username="mo2", is_staff=True)
    other.groups.set(moderator.groups.all())
    return other


def test_an_editor_proposes_and_a_moderator_approves(editor, moderator):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Editorial review lapsed.", user=editor
    )
    assert proposal.status == ProposalStatus.PENDING
    assert list(proposals_waiting()) == [proposal]

    rating_proposal_approve(proposal=proposal, user=moderator, comment="Agreed.")

    venue.refresh_from_db()
    proposal.refresh_from_db()
    assert venue.credibility == 3
    assert venue.credibility_rationale.startswith("Editorial review lapsed.")
    assert venue.credibility_reviewed_on is not None
    assert proposal.status == ProposalStatus.APPROVED and proposal.decided_by == moderator
    decision = proposal.decision
    assert (decision.old_values, decision.new_values) == ({"credibility": 4}, {"credibility": 3})
    assert decision.origin == DecisionOrigin.PROPOSAL and decision.decided_by == moderator
    assert list(proposals_waiting()) == []


def test_a_rejected_proposal_changes_nothing(editor, moderator):
    source = SourceFactory(credibility_override=None)
    proposal = rating_proposal_create(
        target=source, values={"credibility_override": 2}, rationale="Sponsored.", user=editor
    )

    rating_proposal_reject(proposal=proposal, user=moderator, comment="Not sponsored.")

    source.refresh_from_db()
    proposal.refresh_from_db()
    assert source.credibility_override is None
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.decision_comment == "Not sponsored."
    assert not RatingDecision.objects.exists()


def test_a_page_proposal_may_change_quality_subscores_and_importance(editor, moderator):
    page = WikiPageFactory(quality=50, focus=5)
    proposal = rating_proposal_create(
        target=page,
        values={"quality": 61, "focus": "7.5", "reader_importance": 80},
        rationale="Rewritten with sources.",
        user=editor,
    )

    rating_proposal_approve(proposal=proposal, user=moderator)

    page.refresh_from_db()
    assert (page.quality, page.focus, page.reader_importance) == (61, Decimal("7.5"), 80)


@pytest.mark.parametrize(
    ("values", "rationale", "message"),
    [
        ({"credibility": 4}, "Same as now.", "nothing to decide"),
        ({"credibility": 6}, "Too high.", "not a valid choice"),
        ({"credibility": 3}, "   ", "needs a rationale"),
        ({"name": "Renamed"}, "Not a rating.", "not a rating"),
    ],
)
def test_a_bad_proposal_is_refused_with_a_message(editor, values, rationale, message):
    venue = VenueFactory(credibility=4)

    with pytest.raises(ValidationError) as excinfo:
        rating_proposal_create(target=venue, values=values, rationale=rationale, user=editor)

    assert message in " ".join(excinfo.value.messages)
    assert not RatingProposal.objects.exists()


def test_a_moderator_cannot_approve_their_own_proposal(moderator, settings):
    settings.CREDENCE_ALLOW_SELF_APPROVAL = False
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 5}, rationale="Peer reviewed now.", user=moderator
    )

    with pytest.raises(ValidationError, match="another moderator"):
        rating_proposal_approve(proposal=proposal, user=moderator)

    venue.refresh_from_db()
    assert venue.credibility == 4


def test_self_approval_can_be_allowed_for_one_person_installs(moderator, settings):
    settings.CREDENCE_ALLOW_SELF_APPROVAL = True
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 5}, rationale="Peer reviewed now.", user=moderator
    )

    rating_proposal_approve(proposal=proposal, user=moderator)

    venue.refresh_from_db()
    assert venue.credibility == 5


def test_an_editor_cannot_decide_a_proposal(editor, moderator):
    proposal = rating_proposal_create(
        target=VenueFactory(credibility=4),
        values={"credibility": 3},
        rationale="Why.",
        user=moderator,
    )

    with pytest.raises(PermissionDenied):
        rating_proposal_approve(proposal=proposal, user=editor)
    with pytest.raises(PermissionDenied):
        rating_proposal_reject(proposal=proposal, user=editor)


def test_a_stale_proposal_needs_confirming(editor, moderator):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Lapsed review.", user=editor
    )
    rating_change_apply(
        target=venue,
        values={"credibility": 5},
        rationale="New evidence.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    with pytest.raises(ValidationError, match="changed since this proposal"):
        rating_proposal_approve(proposal=proposal, user=moderator)
    venue.refresh_from_db()
    assert venue.credibility == 5

    rating_proposal_approve(proposal=proposal, user=moderator, confirm_stale=True)
    venue.refresh_from_db()
    assert venue.credibility == 3


def test_lowering_a_venue_to_one_needs_a_second_moderator(editor, moderator, second_moderator):
    venue = VenueFactory(credibility=3)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 1}, rationale="Fabricated quotes.", user=editor
    )

    rating_proposal_approve(proposal=proposal, user=moderator)
    venue.refresh_from_db()
    proposal.refresh_from_db()
    assert venue.credibility == 3
    assert proposal.status == ProposalStatus.AWAITING_SECOND
    with pytest.raises(ValidationError, match="second moderator"):
        rating_proposal_approve(proposal=proposal, user=moderator)

    rating_proposal_approve(proposal=proposal, user=second_moderator)
    venue.refresh_from_db()
    assert venue.credibility == 1


def test_a_decided_proposal_cannot_be_decided_again(editor, moderator, second_moderator):
    proposal = rating_proposal_create(
        target=VenueFactory(credibility=4),
        values={"credibility": 3},
        rationale="Why.",
        user=editor,
    )
    rating_proposal_approve(proposal=proposal, user=moderator)

    with pytest.raises(ValidationError, match="already decided"):
        rating_proposal_reject(proposal=proposal, user=second_moderator)


def test_rating_history_lists_decisions_newest_first(moderator):
    venue = VenueFactory(credibility=4)
    for level, why in ((3, "First."), (2, "Second.")):
        rating_change_apply(
            target=venue,
            values={"credibility": level},
            rationale=why,
            user=moderator,
            origin=DecisionOrigin.DIRECT,
        )

    history = list(rating_history(venue))

    assert [d.rationale for d in history] == ["Second.", "First."]
    assert history[0].old_values == {"credibility": 3}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_exactly_one_wins(editor, moderator, second_moderator):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Lapsed.", user=editor
    )
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, action):
        barrier.wait()
        try:
            action(proposal=RatingProposal.objects.get(pk=proposal.pk), user=user)
            outcomes[action.__name__] = "won"
        except ValidationError as exc:
            outcomes[action.__name__] = " ".join(exc.messages)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [
        threading.Thread(target=decide, args=(moderator, rating_proposal_approve)),
        threading.Thread(target=decide, args=(second_moderator, rating_proposal_reject)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if outcome != "won"]
    assert len(winners) == 1 and len(losers) == 1
    assert "already decided" in losers[0]
    proposal.refresh_from_db()
    venue.refresh_from_db()
    if winners == ["rating_proposal_approve"]:
        assert proposal.status == ProposalStatus.APPROVED and venue.credibility == 3
        assert RatingDecision.objects.count() == 1
    else:
        assert proposal.status == ProposalStatus.REJECTED and venue.credibility == 4
        assert not RatingDecision.objects.exists()


def _direct(target, values, why, user):
    return rating_change_apply(
        target=target, values=values, rationale=why, user=user, origin=DecisionOrigin.DIRECT
    )


@pytest.mark.parametrize("kind", ["venue", "source", "page"])
def test_public_pages_show_the_rating_history_newest_first(client, moderator, kind):
    Profile.objects.create(user=moderator, display_name="Morgan Reyes")
    target, values = {
        "venue": (VenueFactory(credibility=4), [{"credibility": 3}, {"credibility": 2}]),
        "source": (SourceFactory(), [{"credibility_override": 3}, {"credibility_override": 2}]),
        "page": (WikiPageFactory(quality=40), [{"quality": 50}, {"quality": 60}]),
    }[kind]
    _direct(target, values[0], "First reason.", moderator)
    _direct(target, values[1], "Second reason.", moderator)

    content = client.get(target.get_absolute_url()).content.decode()

    history = content[content.index("Rating history") :]
    assert history.index("Second reason.") < history.index("First reason.")
    assert "Morgan Reyes" in history
    field, new = next(iter(values[1].items()))
    old = values[0][field]
    assert f"{field.replace('_', ' ')}: {old} → {new}" in history


def test_public_pages_never_show_a_login_name(client, moderator):
    moderator.first_name, moderator.last_name = "Morgan", "Reyes"  # not chosen for readers
    moderator.save()
    venue = VenueFactory(credibility=4)
    _direct(venue, {"credibility": 3}, "Lapsed.", moderator)

    content = client.get(venue.get_absolute_url()).content.decode()

    history = content[content.index("Rating history") :]
    assert "a moderator" in history
    assert moderator.get_username() not in history and "Reyes" not in history


def test_a_record_without_decisions_shows_no_history(client):
    content = client.get(VenueFactory().get_absolute_url()).content.decode()

    assert "Rating history" not in content


def test_the_history_costs_one_query_however_long(client, moderator, django_assert_max_num_queries):
    venue = VenueFactory(credibility=4)
    _direct(venue, {"credibility": 3}, "Once.", moderator)
    with django_assert_max_num_queries(7) as one:
        client.get(venue.get_absolute_url())
    for n in range(25):
        _direct(venue, {"credibility": 2 + n % 2}, f"Again {n}.", moderator)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(venue.get_absolute_url())
    content = response.content.decode()
    assert content[content.index("Rating history") :].count("Again ") == 25
