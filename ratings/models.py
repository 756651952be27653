"""Rating moderation's records: proposals, decisions and readers' reports, about any rated
record (a venue, a source or a page), and the abstract base rated models share.

The rated models live in other apps; these refer to them by "app.Model" strings and learn
what each one rates from its `RATING_FIELDS` (see `ratings.kinds`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from accounts.services import public_name
from core.history import TrackedHistory

from .kinds import TARGET_FIELDS, rated_kind_of


class RatedModel(models.Model):
    """Abstract base of a model whose ratings change only through moderation.

    `RATING_FIELDS` are what only a rating decision changes (read-only to editors);
    `RATING_PROPOSABLE`, what a proposal may change (by default the rating fields);
    `RATING_SECOND_APPROVAL`, proposed values that need a second moderator. The methods
    are the hooks where a kind's own rules about its ratings live.
    """

    RATING_FIELDS: tuple[str, ...] = ()
    RATING_PROPOSABLE: tuple[str, ...] = ()
    RATING_SECOND_APPROVAL: Mapping[str, tuple] = {}

    class Meta:
        abstract = True

    @classmethod
    def rating_proposable(cls) -> tuple[str, ...]:
        """Return the fields a rating proposal may change."""
        return cls.RATING_PROPOSABLE or cls.RATING_FIELDS

    def rating_decision_applied(self, *, rationale: str) -> None:
        """Note on the record, before it is saved, that a decision changed its ratings."""

    def rating_changes(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
        """Return the rating values a change from `old` to `new` changes (JSON-ready values)."""
        return {name for name in new if new[name] != old.get(name)}

    def rating_values_readable(
        self, values: Mapping[str, Any], changed: Collection[str]
    ) -> dict[str, Any]:
        """Return rating values as readers see them in a decision (`changed`: the names a
        decision records, where reading the others would cost a query)."""
        return dict(values)

    def rating_hold_back(self, stored: models.Model | None) -> dict[str, Any]:
        """Undo, on this unsaved record, an editor's change beyond `RATING_FIELDS` that
        changes a rating; return the values undone, to be proposed."""
        return {}

    def rating_derived(self, values: Mapping[str, Any] | None) -> dict | None:
        """Return what the proposal form shows beside the proposed values (a page's quality
        as its formula derives it), or None."""
        return None


class RatingTarget(models.Model):
    """The record a rating proposal or decision is about: one venue, source or page."""

    venue = models.ForeignKey(
        "sources.Venue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("venue"),
    )
    source = models.ForeignKey(
        "sources.Source",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("source"),
    )
    page = models.ForeignKey(
        "wiki.WikiPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("page"),
    )

    class Meta:
        abstract = True

    @property
    def target(self):
        return self.venue or self.source or self.page

    @classmethod
    def target_kwargs(cls, target) -> dict:
        """Return the field assignment naming a rated record as the target."""
        return {rated_kind_of(type(target)).name: target}


def _one_target(prefix: str) -> models.CheckConstraint:
    # Exactly one of the three target keys is set.
    venue, source, page = (Q(**{f"{f}__isnull": False}) for f in TARGET_FIELDS)
    return models.CheckConstraint(
        condition=(venue & ~source & ~page) | (~venue & source & ~page) | (~venue & ~source & page),
        name=f"{prefix}_exactly_one_target",
    )


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    AWAITING_SECOND = "second", _("Waiting for a second moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RatingProposal(RatingTarget):
    """An editor's proposed change to a rating, with why; a moderator decides it."""

    proposed = models.JSONField(_("proposed values"))
    baseline = models.JSONField(
        _("values when proposed"),
        help_text=_("The target's rating values when the proposal was made, to tell if it moved."),
    )
    rationale = models.TextField(_("rationale"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rating_proposals",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first approval by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_comment = models.TextField(_("moderator's comment"), blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = TrackedHistory(table_name="wiki_historicalratingproposal")

    class Meta:
        db_table = "wiki_ratingproposal"  # moved from the wiki app with its rows
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating proposal")
        verbose_name_plural = _("rating proposals")
        constraints = [
            _one_target("ratingproposal"),
            models.CheckConstraint(condition=~Q(rationale=""), name="ratingproposal_rationale"),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="ratingproposal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.get_status_display()}"


class DecisionOrigin(models.TextChoices):
    PROPOSAL = "proposal", _("Approved proposal")
    DIRECT = "direct", _("Changed by a moderator")
    IMPORT = "import", _("Imported")


class RatingDecision(RatingTarget):
    """A rating change that took effect: old and new values, why, and who decided."""

    old_values = models.JSONField(_("old values"))
    new_values = models.JSONField(_("new values"))
    rationale = models.TextField(_("rationale"))
    origin = models.CharField(_("origin"), max_length=16, choices=DecisionOrigin.choices)
    proposal = models.OneToOneField(
        RatingProposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name=_("proposal"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating_decisions",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        db_table = "wiki_ratingdecision"  # moved from the wiki app with its rows
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating decision")
        verbose_name_plural = _("rating decisions")
        constraints = [
            _one_target("ratingdecision"),
            models.CheckConstraint(condition=~Q(rationale=""), name="ratingdecision_rationale"),
            models.CheckConstraint(
                condition=Q(origin__in=DecisionOrigin.values), name="ratingdecision_origin_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.old_values} → {self.new_values}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """Return (what, old value, new value) for each rating the decision changed."""
        return [
            (name.replace("_", " "), self.old_values.get(name), self.new_values.get(name))
            for name in self.new_values
        ]

    @property
    def decided_by_display(self) -> str:
        """Return who decided, as readers see it: a display name, "a moderator", or the
        import; never a login name."""
        if self.decided_by is None:
            return str(_("Import"))
        return public_name(self.decided_by)


REPORT_WHAT_MAX = 200
REPORT_WHY_MAX = 2000


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class RatingReport(RatingTarget):
    """A reader's report that a rating looks wrong; moderators handle it."""

    what = models.CharField(_("what is wrong"), max_length=REPORT_WHAT_MAX)
    why = models.TextField(_("why"), max_length=REPORT_WHY_MAX)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        db_table = "wiki_ratingreport"  # moved from the wiki app with its rows
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating report")
        verbose_name_plural = _("rating reports")
        constraints = [
            _one_target("ratingreport"),
            models.CheckConstraint(condition=~Q(what=""), name="ratingreport_what"),
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("why"), REPORT_WHY_MAX)),
                name="ratingreport_why_length",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="ratingreport_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.what}"
