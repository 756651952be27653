"""Who may do what, over HTTP: anonymous readers, signed-in readers, editors, rating
moderators and superusers, against every site and admin action of rating moderation and
history. Each cell checks the outcome in the database, not only the status code."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from ratings.models import (
    DecisionOrigin,
    ProposalStatus,
    RatingDecision,
    RatingProposal,
    RatingReport,
    ReportStatus,
)
from ratings.services import rating_proposal_create
from sources.models import Venue
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory
from tests.html_forms import form_data

from .conftest import _staff_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "editor", "moderator", "superuser"]


@pytest.fixture
def world(django_user_model):
    cache.clear()  # the report form's rate limit
    proposer = _staff_user(django_user_model, "proposer", "Editors")
    venue = VenueFactory(slug="v", name="Venue", credibility=4, description="Before")
    source = SourceFactory(venue=venue)
    page = WikiPageFactory(slug="p", quality=50)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Lapsed.", user=proposer
    )
    report = RatingReport.objects.create(venue=venue, what="Too high", why="Because.")
    return {"venue": venue, "source": source, "page": page, "proposal": proposal, "report": report}


@pytest.fixture
def as_role(client, django_user_model):
    def login(role):
        if role == "reader":
            client.force_login(django_user_model.objects.create_user("reader"))
        elif role == "superuser":
            client.force_login(
                django_user_model.objects.create_superuser("root", "root@example.org", "pw")
            )
        elif role in {"editor", "moderator"}:
            group = {"editor": "Editors", "moderator": "Rating moderators"}[role]
            client.force_login(_staff_user(django_user_model, role, group))
        return client

    return login


def _admin(view, *args):
    return reverse(f"admin:{view}", args=args)


def _refused(response) -> bool:
    """Refused: 403, 404, or sent to the admin login page."""
    if response.status_code in {403, 404}:
        return True
    return response.status_code == 302 and "/admin/login/" in response["Location"]


# Each action returns True when it took effect (or, for reads, was served).


def read_public_pages(client, w):
    urls = [
        w["venue"].get_absolute_url(),
        w["source"].get_absolute_url(),
        w["page"].get_absolute_url(),
    ]
    return all(client.get(url).status_code == 200 for url in urls)


def report_a_rating(client, w):
    url = reverse("ratings:rating_report", args=["page", w["page"].slug])
    client.post(url, {"what": "Quality too high", "why": "Thin sources."})
    return RatingReport.objects.filter(page=w["page"]).exists()


def open_admin(client, w):
    return client.get(_admin("index")).status_code == 200


def edit_a_venue(client, w):
    url = _admin("sources_venue_change", w["venue"].pk)
    response = client.get(url)
    if _refused(response):
        return False
    client.post(url, {**form_data(response.content), "description": "After"})
    return Venue.objects.get(pk=w["venue"].pk).description == "After"


def change_a_rating_directly(client, w):
    url = _admin("sources_venue_change", w["venue"].pk)
    response = client.get(url)
    if _refused(response):
        return False
    data = {
        **form_data(response.content),
        "credibility": "2",
        "credibility_rationale": "Direct",
        "rating_rationale": "Direct change.",
    }
    client.post(url, data)
    return Venue.objects.get(pk=w["venue"].pk).credibility == 2


def propose_a_rating(client, w):
    url = _admin("ratings_ratingproposal_propose", "page", w["page"].pk)
    client.post(url, {"quality": "70", "rationale": "Better sourced now."})
    return RatingProposal.objects.filter(page=w["page"]).exists()


def decide_a_proposal(client, w):
    url = _admin("ratings_ratingproposal_decide", w["proposal"].pk)
    client.post(url, {"action": "approve", "comment": "Checked."})
    return RatingProposal.objects.get(pk=w["proposal"].pk).status == ProposalStatus.APPROVED


def decide_own_proposal(client, w):
    """Propose, then try to approve the same proposal oneself."""
    if not propose_a_rating(client, w):
        return False
    own = RatingProposal.objects.get(page=w["page"])
    client.post(_admin("ratings_ratingproposal_decide", own.pk), {"action": "approve"})
    return RatingProposal.objects.get(pk=own.pk).status == ProposalStatus.APPROVED


def see_the_moderation_queue(client, w):
    response = client.get(_admin("ratings_ratingproposal_changelist") + "?status=pending")
    if response.status_code != 200:
        return False
    return w["proposal"] in response.context["cl"].result_list


def close_a_report(client, w):
    client.post(
        _admin("ratings_ratingreport_changelist"),
        {"action": "mark_resolved", "_selected_action": [w["report"].pk]},
    )
    return RatingReport.objects.get(pk=w["report"].pk).status == ReportStatus.RESOLVED


def see_the_rating_trail(client, w):
    return client.get(_admin("ratings_ratingdecision_changelist")).status_code == 200


def edit_a_decision(client, w):
    decision = RatingDecision.objects.create(
        venue=w["venue"],
        old_values={},
        new_values={"credibility": 4},
        rationale="Seed",
        origin=DecisionOrigin.DIRECT,
    )
    url = _admin("ratings_ratingdecision_change", decision.pk)
    client.post(url, {"rationale": "Rewritten"})
    return RatingDecision.objects.get(pk=decision.pk).rationale == "Rewritten"


def delete_a_venue(client, w):
    venue = VenueFactory(slug="doomed")
    client.post(_admin("sources_venue_delete", venue.pk), {"post": "yes"})
    return not Venue.objects.filter(pk=venue.pk).exists()


def see_a_history_and_compare(client, w):
    history = client.get(_admin("sources_venue_history", w["venue"].pk))
    compare = client.get(_admin("sources_venue_history_compare", w["venue"].pk))
    return history.status_code == 200 and compare.status_code == 200


def revert_a_change(client, w):
    venue = w["venue"]
    first = venue.history.earliest("history_date")
    venue.description = "Vandalised"
    venue.save()
    url = _admin("sources_venue_simple_history", venue.pk, first.history_id)
    response = client.get(url)
    if _refused(response):
        return False
    client.post(url, {**form_data(response.content), "revert_reason": "Undo."})
    return Venue.objects.get(pk=venue.pk).description == "Before"


def see_recent_changes(client, w):
    return client.get(reverse("recent_changes")).status_code == 200


def manage_users(client, w):
    return client.get(_admin("auth_user_changelist")).status_code == 200


ALL, STAFF = set(ROLES), {"editor", "moderator", "superuser"}
MODERATORS = {"moderator", "superuser"}
MATRIX = {
    read_public_pages: ALL,
    report_a_rating: ALL,
    open_admin: STAFF,
    edit_a_venue: STAFF,
    change_a_rating_directly: MODERATORS,
    propose_a_rating: STAFF,
    decide_a_proposal: MODERATORS,
    decide_own_proposal: set(),  # self-approval is off by default, for everyone
    see_the_moderation_queue: MODERATORS,
    close_a_report: MODERATORS,
    see_the_rating_trail: STAFF,
    edit_a_decision: set(),  # the trail is never edited, not even by a superuser
    delete_a_venue: {"superuser"},
    see_a_history_and_compare: STAFF,
    revert_a_change: STAFF,
    see_recent_changes: STAFF,
    manage_users: {"superuser"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", MATRIX, ids=lambda action: action.__name__)
def test_permission_matrix(as_role, world, role, action):
    client = as_role(role)

    assert action(client, world) == (role in MATRIX[action])


def test_a_refused_rating_change_leaves_no_trace(as_role, world):
    """An editor's direct rating change saves the rest, but neither rating nor decision."""
    client = as_role("editor")

    change_a_rating_directly(client, world)

    venue = Venue.objects.get(pk=world["venue"].pk)
    assert venue.credibility == 4 and venue.credibility_rationale == ""
    assert not RatingDecision.objects.exists()
