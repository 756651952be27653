"""Rating moderation: proposals, decisions and the rating history of venues, sources and pages.

Ratings change only through a decision: an approved proposal, a moderator's direct change
or an import. Each decision records old and new values, why, and who decided, in the same
transaction as the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sources.models import Credibility, Source, Venue, credibility_resolve
from sources.selectors import user_can_change_ratings

from .models import (
    DecisionOrigin,
    ProposalStatus,
    RatingDecision,
    RatingProposal,
    RatingReport,
    RatingTarget,
    ReportStatus,
    WikiPage,
)
from .quality import SUBSCORES

# The values a proposal can change, per kind of target. A venue's rationale and review
# date follow from the decision itself (its rationale, its date). A source's venue is
# here because the source inherits its venue's rating: moving a source to a venue rated
# otherwise changes what readers see as its credibility (a move between venues rated
# alike is an ordinary edit, see `venue_move_changes_rating`).
PROPOSABLE = {
    Venue: ("credibility",),
    Source: ("credibility_override", "venue"),
    WikiPage: ("quality", *SUBSCORES, "reader_importance", "research_importance"),
}

RATIONALE_REQUIRED = _("Say why: a rating change needs a rationale.")
NOTHING_PROPOSED = _("The proposed values are the current ones: there is nothing to decide.")
UNKNOWN_FIELD = _("%(field)s is not a rating of this record.")
ALREADY_DECIDED = _("This proposal was already decided (%(status)s) by %(by)s.")
SELF_APPROVAL = _("You made this proposal: another moderator has to approve it.")
SECOND_APPROVAL = _(
    "Lowering a venue to credibility 1 needs a second moderator: you gave the first approval."
)
STALE = _(
    "The record's ratings changed since this proposal was made: check the current values "
    "and confirm to approve it anyway."
)
NOT_A_MODERATOR = _("Only rating moderators can decide rating proposals.")


def rating_fields(target: Model) -> tuple[str, ...]:
    return PROPOSABLE[type(target)]


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


def _values_apply(target: Model, values: Mapping[str, Any]) -> None:
    """Set rating values on a record, converted to each field's type, validated."""
    for name, value in values.items():
        if name not in rating_fields(target):
            raise ValidationError(UNKNOWN_FIELD, code="unknown_field", params={"field": name})
        field = target._meta.get_field(name)
        if isinstance(value, Model):
            value = value.pk
        setattr(target, field.attname, field.to_python(None if value in ("", None) else value))
    target.full_clean(validate_constraints=False)


def _effective_credibility(values: Mapping[str, Any]) -> int | None:
    """A source's credibility as readers see it, from its rating values: the override,
    else its venue's rating."""
    venue_credibility = None
    if values.get("credibility_override") is None and values.get("venue") is not None:
        venue = Venue.objects.filter(pk=values["venue"]).values_list("credibility", flat=True)
        venue_credibility = venue.first()
    level = credibility_resolve(values.get("credibility_override"), venue_credibility).level
    return None if level is None else int(level)


def venue_move_changes_rating(*, source: Source, venue_id: int | None) -> bool:
    """Tell whether moving a stored source to another venue changes its credibility, which
    makes the move a rating change (moderated) rather than an ordinary edit."""
    if venue_id == source.venue_id or source.credibility_override is not None:
        return False
    old = _effective_credibility({"venue": source.venue_id})
    return old != _effective_credibility({"venue": venue_id})


def _readable(target: Model, values: Mapping[str, Any]) -> dict[str, Any]:
    """Rating values as readers see them in a decision: a venue by its name, and for a
    source whose venue changed, the credibility that follows."""
    readable = dict(values)
    if isinstance(target, Source) and "venue" in values:
        venue = Venue.objects.filter(pk=values["venue"]).values_list("name", flat=True).first()
        readable["venue"] = venue
        readable["credibility"] = _effective_credibility(values)
    return readable


def _locked(target: Model) -> Model:
    return type(target).objects.select_for_update().get(pk=target.pk)


@transaction.atomic
def rating_proposal_create(
    *, target: Model, values: Mapping[str, Any], rationale: str, user
) -> RatingProposal:
    """Record an editor's proposed rating values, checked as the change itself would be."""
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError({"rationale": RATIONALE_REQUIRED}, code="rationale_required")
    current = rating_values(target)
    trial = type(target).objects.get(pk=target.pk)
    _values_apply(trial, values)
    proposed = {name: rating_values(trial)[name] for name in values}
    if all(current[name] == proposed[name] for name in proposed):
        raise ValidationError(NOTHING_PROPOSED, code="no_change")
    proposal = RatingProposal(
        **RatingTarget.target_kwargs(target),
        proposed=proposed,
        baseline=current,
        rationale=rationale,
        proposed_by=user,
    )
    proposal.full_clean()
    proposal.save()
    return proposal


def _lowers_venue_to_one(proposal: RatingProposal) -> bool:
    return proposal.venue_id is not None and proposal.proposed.get("credibility") == Credibility.LOW


@transaction.atomic
def rating_proposal_approve(
    *, proposal: RatingProposal, user, comment: str = "", confirm_stale: bool = False
) -> RatingProposal:
    """Approve a proposal: apply its values and record the decision, or wait for a second
    moderator when it lowers a venue to 1. Exactly one of two racing moderators wins."""
    proposal = _proposal_for_decision(proposal, user)
    if proposal.proposed_by_id == user.pk and not settings.CREDENCE_ALLOW_SELF_APPROVAL:
        raise ValidationError(SELF_APPROVAL, code="self_approval")
    target = _locked(proposal.target)
    current = rating_values(target)
    if current != proposal.baseline and not confirm_stale:
        raise ValidationError(STALE, code="stale")
    if _lowers_venue_to_one(proposal):
        if proposal.status == ProposalStatus.PENDING:
            proposal.status = ProposalStatus.AWAITING_SECOND
            proposal.first_approved_by = user
            proposal.save(update_fields=["status", "first_approved_by"])
            return proposal
        if proposal.first_approved_by_id == user.pk:
            raise ValidationError(SECOND_APPROVAL, code="second_approval")
    rationale = proposal.rationale + (f"\n\n{comment.strip()}" if comment.strip() else "")
    decision = rating_change_apply(
        target=target,
        values=proposal.proposed,
        rationale=rationale,
        user=user,
        origin=DecisionOrigin.PROPOSAL,
    )
    if decision is not None:  # None: the record already holds these values (stale)
        decision.proposal = proposal
        decision.save(update_fields=["proposal"])
    _close(proposal, ProposalStatus.APPROVED, user, comment)
    return proposal


@transaction.atomic
def rating_proposal_reject(*, proposal: RatingProposal, user, comment: str = "") -> RatingProposal:
    """Reject a proposal with a comment; nothing about the target changes."""
    proposal = _proposal_for_decision(proposal, user)
    _close(proposal, ProposalStatus.REJECTED, user, comment)
    return proposal


def _proposal_for_decision(proposal: RatingProposal, user) -> RatingProposal:
    # Lock the row: a second moderator acting at the same moment waits here, then sees
    # the first one's decision.
    locked = RatingProposal.objects.select_for_update().get(pk=proposal.pk)
    target_model = type(locked.target)
    if not user_can_change_ratings(user, target_model):
        raise PermissionDenied(NOT_A_MODERATOR)
    if locked.status in (ProposalStatus.APPROVED, ProposalStatus.REJECTED):
        by = locked.decided_by.get_full_name() or locked.decided_by.get_username()
        raise ValidationError(
            ALREADY_DECIDED,
            code="already_decided",
            params={"status": locked.get_status_display().lower(), "by": by},
        )
    return locked


def _close(proposal: RatingProposal, status: str, user, comment: str) -> None:
    proposal.status = status
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.decision_comment = comment.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])


@transaction.atomic
def rating_change_apply(
    *, target: Model, values: Mapping[str, Any], rationale: str, user, origin: str
) -> RatingDecision:
    """Change a record's ratings and record the decision, in one transaction."""
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError({"rationale": RATIONALE_REQUIRED}, code="rationale_required")
    old = rating_values(target)
    _values_apply(target, values)
    if isinstance(target, Venue):
        target.credibility_rationale = rationale
        target.credibility_reviewed_on = timezone.localdate()
    target.save()
    return rating_decision_record(
        target=target, old_values=old, rationale=rationale, user=user, origin=origin
    )


def rating_decision_record(
    *, target: Model, old_values: Mapping[str, Any], rationale: str, user, origin: str
) -> RatingDecision | None:
    """Record a change already made to a record's ratings (by a moderator's form or an
    import); return None when the ratings did not change."""
    new = rating_values(target)
    changed = {name for name in new if new[name] != old_values.get(name)}
    if isinstance(target, Source) and "venue" in changed:
        # A new source inheriting its venue's rating, or a move between venues rated
        # alike, is not a rating change; a move that changes the credibility is.
        if not old_values or _effective_credibility(old_values) == _effective_credibility(new):
            changed.discard("venue")
        else:
            changed.add("credibility")
    if not changed:
        return None
    old_readable, new_readable = _readable(target, old_values), _readable(target, new)
    decision = RatingDecision(
        **RatingTarget.target_kwargs(target),
        old_values={name: old_readable.get(name) for name in sorted(changed)},
        new_values={name: new_readable.get(name) for name in sorted(changed)},
        rationale=rationale,
        origin=origin,
        decided_by=user,
    )
    decision.full_clean()
    decision.save()
    return decision


def venue_names(pks) -> dict[int, str]:
    """Venue names by id, in one query (proposals hold a proposed venue by its id)."""
    return dict(Venue.objects.filter(pk__in=[pk for pk in pks if pk]).values_list("pk", "name"))


def proposals_with_venue_names(queryset: QuerySet[RatingProposal]) -> QuerySet[RatingProposal]:
    """Annotate each proposal with the names of its baseline and proposed venues, so a list
    of proposals shows venue moves by name without a query per row."""
    for which in ("baseline", "proposed"):
        key = f"{which}_venue_key"
        queryset = queryset.annotate(**{key: Cast(KT(f"{which}__venue"), IntegerField())}).annotate(
            **{
                f"{which}_venue_name": Subquery(
                    Venue.objects.filter(pk=OuterRef(key)).values("name")[:1]
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


def rating_report_create(*, target: Model, what: str, why: str, email: str = "") -> RatingReport:
    """Record a reader's report that a rating looks wrong."""
    report = RatingReport(
        **RatingTarget.target_kwargs(target),
        what=what.strip(),
        why=why.strip(),
        email=email.strip(),
    )
    report.full_clean()
    report.save()
    return report


def reports_open() -> QuerySet[RatingReport]:
    """Return the readers' reports moderators have not handled, oldest first."""
    return (
        RatingReport.objects.filter(status=ReportStatus.OPEN)
        .select_related("venue", "source", "page")
        .order_by("created_at", "id")
    )


@transaction.atomic
def rating_report_close(*, report: RatingReport, user, status: str) -> RatingReport:
    """Mark a report resolved or dismissed."""
    if not any(user_can_change_ratings(user, model) for model in PROPOSABLE):
        raise PermissionDenied(NOT_A_MODERATOR)
    report.status = status
    report.handled_by = user
    report.full_clean()
    report.save(update_fields=["status", "handled_by"])
    return report
