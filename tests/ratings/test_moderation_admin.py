"""Rating moderation through the admin, over HTTP, as editors and moderators use it."""

import pytest
from django.urls import reverse

from ratings.models import DecisionOrigin, ProposalStatus, RatingProposal
from ratings.services import rating_change_apply, rating_proposal_create
from tests.factories import CitationFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db


def propose_url(kind, pk):
    return reverse("admin:ratings_ratingproposal_propose", args=[kind, pk])


def decide_url(proposal):
    return reverse("admin:ratings_ratingproposal_decide", args=[proposal.pk])


def test_the_record_page_offers_to_propose_a_rating_change(editor_client):
    venue = VenueFactory()

    content = editor_client.get(reverse("admin:sources_venue_change", args=[venue.pk])).content

    assert b"Propose a rating change" in content
    assert propose_url("venue", venue.pk).encode() in content


def test_an_editor_proposes_from_the_form_showing_current_values(editor_client, editor):
    venue = VenueFactory(credibility=4)
    url = propose_url("venue", venue.pk)

    form = editor_client.get(url).content.decode()
    response = editor_client.post(url, {"credibility": "3", "rationale": "Review lapsed."})

    assert "Now: 4" in form
    assert response.status_code == 302
    proposal = RatingProposal.objects.get()
    assert (proposal.proposed, proposal.proposed_by) == ({"credibility": 3}, editor)
    venue.refresh_from_db()
    assert venue.credibility == 4


def test_a_proposal_without_a_rationale_is_refused(editor_client):
    venue = VenueFactory(credibility=4)

    response = editor_client.post(propose_url("venue", venue.pk), {"credibility": "3"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not RatingProposal.objects.exists()


def test_a_page_proposal_shows_the_derived_quality_beside_the_recorded_one(editor_client):
    page = WikiPageFactory(quality=57, body="word " * 1200, focus=8, rigor=7)
    CitationFactory(page=page)

    content = editor_client.get(propose_url("page", page.pk)).content.decode()

    derived = page.derived_quality(1)
    assert f"Recorded quality: 57. The subscores shown derive: {derived}." in content


def test_editors_see_their_own_proposals_and_their_outcome(editor_client, editor, moderator):
    mine = rating_proposal_create(
        target=VenueFactory(credibility=4),
        values={"credibility": 3},
        rationale="Mine.",
        user=editor,
    )
    rating_proposal_create(
        target=VenueFactory(credibility=4),
        values={"credibility": 5},
        rationale="Theirs.",
        user=moderator,
    )

    response = editor_client.get(reverse("admin:ratings_ratingproposal_changelist"))
    detail = editor_client.get(reverse("admin:ratings_ratingproposal_change", args=[mine.pk]))

    assert list(response.context["cl"].result_list) == [mine]
    assert "Waiting for a moderator" in detail.content.decode()


def test_an_editor_cannot_open_or_post_a_decision(editor_client, moderator):
    proposal = rating_proposal_create(
        target=VenueFactory(credibility=4),
        values={"credibility": 3},
        rationale="Why.",
        user=moderator,
    )

    assert editor_client.get(decide_url(proposal)).status_code == 403
    assert editor_client.post(decide_url(proposal), {"action": "approve"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_the_admin_index_tells_moderators_how_many_wait(moderator_client, editor):
    for level in (3, 5):
        rating_proposal_create(
            target=VenueFactory(credibility=4),
            values={"credibility": level},
            rationale="Why.",
            user=editor,
        )

    content = moderator_client.get(reverse("admin:index")).content.decode()

    assert "2 rating proposals waiting" in content


def test_moderators_land_on_the_queue(moderator_client):
    response = moderator_client.get(reverse("admin:ratings_ratingproposal_changelist"))

    assert response.status_code == 302 and response["Location"].endswith("?status=pending")


def test_a_moderator_approves_with_current_and_proposed_side_by_side(moderator_client, editor):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Review lapsed.", user=editor
    )

    page = moderator_client.get(decide_url(proposal)).content.decode()
    response = moderator_client.post(
        decide_url(proposal), {"action": "approve", "comment": "Checked."}
    )

    assert "<td>credibility</td><td>4</td><td>4</td><td><strong>3</strong></td>" in page
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.credibility == 3
    assert proposal.decision.origin == DecisionOrigin.PROPOSAL


def test_a_moderator_rejects_with_a_comment(moderator_client, editor):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Why.", user=editor
    )

    moderator_client.post(decide_url(proposal), {"action": "reject", "comment": "No evidence."})

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.decision_comment == "No evidence."


def test_a_stale_proposal_is_flagged_and_needs_confirming(moderator_client, moderator, editor):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Why.", user=editor
    )
    rating_change_apply(
        target=venue,
        values={"credibility": 2},
        rationale="Meanwhile.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    page = moderator_client.get(decide_url(proposal)).content.decode()
    refused = moderator_client.post(decide_url(proposal), {"action": "approve"})
    confirmed = moderator_client.post(
        decide_url(proposal), {"action": "approve", "confirm_stale": "on"}
    )

    assert "Stale:" in page
    assert "changed since this proposal" in refused.content.decode()
    assert confirmed.status_code == 302
    venue.refresh_from_db()
    assert venue.credibility == 3


def test_a_moderator_sees_why_they_cannot_approve_their_own(moderator_client, moderator):
    proposal = rating_proposal_create(
        target=VenueFactory(credibility=4),
        values={"credibility": 3},
        rationale="Why.",
        user=moderator,
    )

    response = moderator_client.post(decide_url(proposal), {"action": "approve"})

    assert "another moderator has to approve it" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_the_moderation_admin_old_addresses_lead_to_the_same_pages(moderator_client):
    response = moderator_client.get("/admin/wiki/ratingproposal/?status=pending")

    assert response.status_code == 301
    assert response["Location"] == "/admin/ratings/ratingproposal/?status=pending"
    assert moderator_client.get("/admin/wiki/ratingreport/").url == "/admin/ratings/ratingreport/"
    assert moderator_client.get("/admin/wiki/wikipage/").status_code == 200


def test_the_decide_page_names_the_record_once_with_its_kind_and_styles_its_buttons(
    moderator_client, editor
):
    venue = VenueFactory(name="Carnegie Endowment", credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Lapsed.", user=editor
    )

    html = moderator_client.get(decide_url(proposal)).content.decode()

    assert "Carnegie Endowment <small>(Publication venue)</small>" in html
    assert "Carnegie Endowment (Carnegie Endowment)" not in html
    assert 'value="approve" class="button default"' in html
    assert 'value="reject" class="button"' in html


def test_the_stale_checkbox_shows_only_when_the_ratings_changed(
    moderator_client, moderator, editor
):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Lapsed.", user=editor
    )

    fresh = moderator_client.get(decide_url(proposal)).content.decode()
    rating_change_apply(
        target=venue,
        values={"credibility": 5},
        rationale="Reviewed.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )
    stale = moderator_client.get(decide_url(proposal)).content.decode()

    assert 'name="confirm_stale"' not in fresh
    assert 'name="confirm_stale"' in stale


def test_ratings_changed_after_the_page_was_shown_ask_for_confirmation(
    moderator_client, moderator, editor
):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Lapsed.", user=editor
    )
    rating_change_apply(
        target=venue,
        values={"credibility": 5},
        rationale="Reviewed.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    # Posted from a page shown before the change: no confirmation in the form.
    response = moderator_client.post(decide_url(proposal), {"action": "approve", "comment": ""})

    assert response.status_code == 200
    assert 'name="confirm_stale"' in response.content.decode()
    assert RatingProposal.objects.get(pk=proposal.pk).status == ProposalStatus.PENDING
