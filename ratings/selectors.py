"""Rating moderation's reads: current rating values, the trail, and what awaits moderators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from .kinds import rated_kind
from .models import (
    ProposalStatus,
    RatingDecision,
    RatingProposal,
    RatingReport,
    RatingTarget,
    ReportStatus,
)


def rating_fields(target: Model) -> tuple[str, ...]:
    """Return the rating values a proposal about this record may change."""
    return type(target).rating_proposable()


def _json_value(field, value: Any) -> Any:
    # Through the field first, so that 5, 5.0 and Decimal("5.0") all read as "5".
    value = field.to_python(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def rating_values(target: Model) -> dict[str, Any]:
    """Return a record's current rating values, JSON-ready (a venue as its id)."""
    values = {}
    for name in rating_fields(target):
        field = target._meta.get_field(name)
        values[name] = _json_value(field, getattr(target, field.attname))
    return values


def _venues() -> QuerySet:
    # A source's proposed venue is held by its id; venues are a rated kind, named by the map.
    return rated_kind("venue").model._default_manager


def venue_names(pks) -> dict[int, str]:
    """Venue names by id, in one query (proposals hold a proposed venue by its id)."""
    return dict(_venues().filter(pk__in=[pk for pk in pks if pk]).values_list("pk", "name"))


def proposals_with_venue_names(queryset: QuerySet[RatingProposal]) -> QuerySet[RatingProposal]:
    """Annotate each proposal with the names of its baseline and proposed venues, so a list
    of proposals shows venue moves by name without a query per row."""
    for which in ("baseline", "proposed"):
        key = f"{which}_venue_key"
        queryset = queryset.annotate(**{key: Cast(KT(f"{which}__venue"), IntegerField())}).annotate(
            **{
                f"{which}_venue_name": Subquery(
                    _venues().filter(pk=OuterRef(key)).values("name")[:1]
                )
            }
        )
    return queryset


def proposal_changes(proposal: RatingProposal) -> list[tuple[str, Any, Any]]:
    """(what, value when proposed, proposed value) for each value a proposal changes, a
    venue by its name."""
    names = {}
    if "venue" in proposal.proposed:
        if hasattr(proposal, "proposed_venue_name"):
            names = {
                proposal.baseline.get("venue"): proposal.baseline_venue_name,
                proposal.proposed["venue"]: proposal.proposed_venue_name,
            }
        else:
            names = venue_names([proposal.baseline.get("venue"), proposal.proposed["venue"]])
    rows = []
    for name, value in proposal.proposed.items():
        old = proposal.baseline.get(name)
        if name == "venue":
            old, value = names.get(old, old), names.get(value, value)
        rows.append((name.replace("_", " "), old, value))
    return rows


def rating_history(target: Model) -> QuerySet[RatingDecision]:
    """Return a record's rating decisions, newest first, with who decided."""
    return RatingDecision.objects.filter(**RatingTarget.target_kwargs(target)).select_related(
        "decided_by__profile"
    )


def proposals_waiting() -> QuerySet[RatingProposal]:
    """Return the proposals moderators still have to decide, oldest first."""
    return (
        RatingProposal.objects.filter(
            status__in=[ProposalStatus.PENDING, ProposalStatus.AWAITING_SECOND]
        )
        .select_related("venue", "source", "page", "proposed_by")
        .order_by("created_at", "id")
    )


def proposals_open_of(user) -> QuerySet[RatingProposal]:
    """Return a user's own proposals still waiting for a decision."""
    return RatingProposal.objects.filter(
        proposed_by=user, status__in=[ProposalStatus.PENDING, ProposalStatus.AWAITING_SECOND]
    )


def proposals_awaiting(user) -> QuerySet[RatingProposal]:
    """Return the waiting proposals this moderator may decide: not their own (unless
    self-approval is allowed), and not those they gave the first of two approvals."""
    waiting = proposals_waiting().exclude(first_approved_by=user)
    if not settings.CREDENCE_ALLOW_SELF_APPROVAL:
        waiting = waiting.exclude(proposed_by=user)
    return waiting


def reports_open() -> QuerySet[RatingReport]:
    """Return the readers' reports moderators have not handled, oldest first."""
    return (
        RatingReport.objects.filter(status=ReportStatus.OPEN)
        .select_related("venue", "source", "page")
        .order_by("created_at", "id")
    )
