"""Rating moderation's writes: proposals, decisions and reports, for every rated kind.

Ratings change only through a decision: an approved proposal, a moderator's direct change
or an import. Each decision records old and new values, why, and who decided, in the same
transaction as the change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.changes import records_changed

from .kinds import TARGET_FIELDS, is_moderator, rated_kind_of, user_can_change_ratings
from .models import (
    DecisionOrigin,
    ProposalStatus,
    RatingDecision,
    RatingProposal,
    RatingReport,
    RatingTarget,
)
from .selectors import rating_fields, rating_values

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


def _needs_second_approval(proposal: RatingProposal) -> bool:
    """Whether a proposed value is one its kind wants two moderators for (a venue to 1)."""
    rule = type(proposal.target).RATING_SECOND_APPROVAL
    return any(proposal.proposed.get(name) in values for name, values in rule.items())


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
    if _needs_second_approval(proposal):
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
    target.rating_decision_applied(rationale=rationale)
    target.save()
    return rating_decision_record(
        target=target, old_values=old, rationale=rationale, user=user, origin=origin
    )


def rating_decision_record(
    *, target: Model, old_values: Mapping[str, Any], rationale: str, user, origin: str
) -> RatingDecision | None:
    """Record a change already made to a record's ratings (by a moderator's form or an
    import), and let the record's kind carry it to what follows from it (a venue's rating to
    its sources); return None when the ratings did not change."""
    built = _decision_build(RatingChange(target, old_values, rationale), user, origin)
    if built is None:
        return None
    decision, changed = built
    decision.full_clean()
    # The decision and what follows from it commit together (inside the caller's
    # transaction when there is one, without a savepoint per record of an import).
    with transaction.atomic(savepoint=False):
        decision.save()
        _rating_change_carry(target, changed)
    return decision


@dataclass(frozen=True)
class RatingChange:
    """A change already made to a record's ratings, for `rating_decisions_record`."""

    target: Model
    old_values: Mapping[str, Any]
    rationale: str


# Decisions per INSERT of `rating_decisions_record`.
DECISIONS_BATCH = 500


@transaction.atomic
def rating_decisions_record(
    changes: Sequence[RatingChange], *, user, origin: str
) -> list[RatingDecision]:
    """Record many changes as `rating_decision_record` records one (an import's), in one
    INSERT per 500 decisions instead of a dozen queries each; return the decisions.

    The decisions are built by this code from stored records, so the per-row checks that
    ask the database (a constraint, a target's existence) are left to the database itself.
    """
    built = [
        (change.target, *decision)
        for change in changes
        if (decision := _decision_build(change, user, origin)) is not None
    ]
    decisions = [decision for _target, decision, _changed in built]
    for decision in decisions:
        decision.full_clean(
            exclude=[*TARGET_FIELDS, "proposal", "decided_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    stored = RatingDecision.objects.bulk_create(decisions, batch_size=DECISIONS_BATCH)
    records_changed(RatingDecision, [decision.pk for decision in stored])
    for target, _decision, changed in built:
        _rating_change_carry(target, changed)
    return stored


def _decision_build(
    change: RatingChange, user, origin: str
) -> tuple[RatingDecision, set[str]] | None:
    """Return the decision recording a change, unsaved, and the names it changes; None
    when the ratings did not change."""
    target = change.target
    new = rating_values(target)
    changed = target.rating_changes(change.old_values, new)
    if not changed:
        return None
    old_readable = target.rating_values_readable(change.old_values, changed)
    new_readable = target.rating_values_readable(new, changed)
    decision = RatingDecision(
        **RatingTarget.target_kwargs(target),
        old_values={name: old_readable.get(name) for name in sorted(changed)},
        new_values={name: new_readable.get(name) for name in sorted(changed)},
        rationale=change.rationale,
        origin=origin,
        decided_by=user,
    )
    return decision, changed


def _rating_change_carry(target: Model, changed: set[str]) -> None:
    """Let the record's kind carry a recorded change to what follows from it."""
    kind = rated_kind_of(type(target))
    if kind.rating_changed is not None:
        kind.rating_changed(target=target, changed=changed)


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


@transaction.atomic
def rating_report_close(*, report: RatingReport, user, status: str) -> RatingReport:
    """Mark a report resolved or dismissed."""
    if not is_moderator(user):
        raise PermissionDenied(NOT_A_MODERATOR)
    report.status = status
    report.handled_by = user
    report.full_clean()
    report.save(update_fields=["status", "handled_by"])
    return report


RATINGS_RESTORED_RATIONALE = _("Restoring earlier ratings.")


def ratings_hold_back(*, target: Model, stored: Model | None) -> dict[str, Any]:
    """Keep an editor's save from changing ratings: put the stored rating values back on the
    unsaved `target` and return the values it carried. Editors cannot change ratings in a
    form, so those come from a revert to an earlier version, or from a change the kind
    counts as a rating change (a source moved to a venue rated otherwise)."""
    model = type(target)
    held = {}
    for name in model.RATING_FIELDS:
        kept = (
            getattr(stored, name)
            if stored is not None
            else model._meta.get_field(name).get_default()
        )
        if getattr(target, name) != kept:
            held[name] = getattr(target, name)
            setattr(target, name, kept)
    held.update(target.rating_hold_back(stored))
    return held


def rating_proposal_from_held(
    *, target: Model, held: Mapping[str, Any], rationale: str, user
) -> RatingProposal | None:
    """Propose the rating values an editor's save held back (`ratings_hold_back`), once the
    record is saved; None when it held back nothing a proposal can change."""
    proposed = {name: value for name, value in held.items() if name in rating_fields(target)}
    if not proposed:
        return None
    return rating_proposal_create(
        target=target, values=proposed, rationale=rationale or RATINGS_RESTORED_RATIONALE, user=user
    )
