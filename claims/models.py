"""What the claim checks found: per citation marker on a page, the claim, the passage of the
source's snapshot that best supports it, and a person's verdict when someone checked it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sources.models import Snapshot, Source
from wiki.models import WikiPage

from .matching import Outcome


class Verdict(models.TextChoices):
    """A person's check of a claim: it stands above the machine's outcome."""

    CONFIRMED = "confirmed", _("Passage confirmed by a person")
    SUPPORTED = "supported", _("Checked by a person: supported")
    NOT_SUPPORTED = "not_supported", _("Checked by a person: not supported")


class ClaimCheck(models.Model):
    """One marker's claim checked against its source's latest good snapshot.

    A page's n-th marker citing a source is `occurrence` n (the reader's `cite-N-n`). A
    person's verdict stays until the claim's words or the snapshot checked change; an edit
    elsewhere in the body leaves it.
    """

    page = models.ForeignKey(
        WikiPage, on_delete=models.CASCADE, related_name="claim_checks", verbose_name=_("page")
    )
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="claim_checks", verbose_name=_("source")
    )
    occurrence = models.PositiveSmallIntegerField(
        _("marker"), help_text=_("The n-th marker citing this source on the page.")
    )
    claim = models.TextField(_("claim"))
    claim_kind = models.CharField(_("held by"), max_length=16)
    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("snapshot checked"),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    score = models.FloatField(_("score"), default=0)
    passage = models.TextField(_("passage"), blank=True)
    passage_start = models.PositiveIntegerField(_("passage starts at"), null=True, blank=True)
    passage_end = models.PositiveIntegerField(_("passage ends at"), null=True, blank=True)
    numbers_missing = models.JSONField(_("numbers not in the source"), default=list, blank=True)
    quotes_missing = models.JSONField(_("quotations not in the source"), default=list, blank=True)
    checked_at = models.DateTimeField(_("checked at"))
    verdict = models.CharField(
        _("person's verdict"), max_length=16, blank=True, choices=Verdict.choices
    )
    verdict_note = models.CharField(_("note"), max_length=500, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    verdict_at = models.DateTimeField(_("verdict given at"), null=True, blank=True)

    class Meta:
        ordering = ["page", "source", "occurrence"]
        verbose_name = _("claim check")
        verbose_name_plural = _("claim checks")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "source", "occurrence"], name="claimcheck_unique_marker"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="claimcheck_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict__in=Verdict.values),
                name="claimcheck_verdict_valid",
            ),
            models.CheckConstraint(condition=Q(occurrence__gte=1), name="claimcheck_occurrence_1"),
            models.CheckConstraint(
                condition=Q(passage_start__isnull=True, passage_end__isnull=True)
                | Q(passage_end__gte=F("passage_start")),
                name="claimcheck_passage_span",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="claimcheck_score_0_100"
            ),
        ]
        indexes = [models.Index(fields=["outcome"], name="claimcheck_outcome")]

    def __str__(self) -> str:
        return f"{self.page} → {self.source} ({self.occurrence})"

    @property
    def state(self) -> str:
        """What a reader is told: a person's verdict when given, else the machine's outcome."""
        if self.verdict == Verdict.NOT_SUPPORTED:
            return "not_supported"
        if self.verdict:
            return "person_supported"
        return self.outcome

    @property
    def flagged(self) -> bool:
        return bool(self.numbers_missing or self.quotes_missing)
