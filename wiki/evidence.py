"""What a page stands on: the credibility mix of the sources it cites, and how sound they are.

The figures a page shows are computed from the citations it already loaded, so they cost
no query whatever their number; the lists filter and sort by the same share of sources
rated 4-5 as a database expression (`WikiPageQuerySet.with_strong_share`), from the same
threshold.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sources.models import Credibility, FetchOutcome, NoticeStatus, Source

# "Rated 4-5": the levels counted as strong evidence (High and Gold standard).
STRONG_FROM = Credibility.HIGH
# What the page list offers: "at least N% of its sources rated 4-5".
STRONG_SHARE_CHOICES = [
    (90, _("At least 90% rated 4–5")),
    (70, _("At least 70% rated 4–5")),
    (50, _("At least 50% rated 4–5")),
]


@dataclass(frozen=True)
class LevelCount:
    level: Credibility | None
    count: int
    percent: float

    @property
    def label(self) -> str:
        return f"{self.level.value} · {self.level.label}" if self.level else str(_("Not rated"))

    @property
    def css(self) -> str:
        return f"cred-{self.level.value}" if self.level else "cred-none"


@dataclass(frozen=True)
class EvidenceProfile:
    """The sources a page cites, counted: by credibility level (5 down to unrated), from
    peer-reviewed venues, with a current snapshot, with a dead or paywalled link, and the
    median age of those with a publication date."""

    total: int
    levels: tuple[LevelCount, ...] = field(default_factory=tuple)
    peer_reviewed: int = 0
    with_snapshot: int = 0
    dead: int = 0
    paywalled: int = 0
    dated: int = 0
    median_age_days: int | None = None

    @property
    def strong(self) -> int:
        return sum(row.count for row in self.levels if row.level and row.level >= STRONG_FROM)

    @property
    def strong_percent(self) -> float | None:
        return percent(self.strong, self.total)

    @property
    def peer_reviewed_percent(self) -> float | None:
        return percent(self.peer_reviewed, self.total)

    @property
    def median_age_years(self) -> float | None:
        return None if self.median_age_days is None else self.median_age_days / 365.25

    @property
    def shown_levels(self) -> tuple[LevelCount, ...]:
        """The levels some cited source has (the chart's segments)."""
        return tuple(row for row in self.levels if row.count)


def percent(part: int, whole: int) -> float | None:
    """Return part as a percentage of whole, or None of nothing."""
    return None if not whole else 100 * part / whole


def evidence_profile(sources: Iterable[Source], *, today: date) -> EvidenceProfile:
    """Count what these cited sources are (each with its venue loaded, as a page's
    citations are): no query."""
    sources = list(sources)
    total = len(sources)
    by_level: dict[int | None, int] = {}
    for source in sources:
        by_level[source.effective_credibility] = by_level.get(source.effective_credibility, 0) + 1
    levels = []
    for level in (*sorted(Credibility, reverse=True), None):
        count = by_level.get(level.value if level else None, 0)
        levels.append(LevelCount(level, count, percent(count, total) or 0))
    ages = [(today - s.published_on).days for s in sources if s.published_on is not None]
    return EvidenceProfile(
        total=total,
        levels=tuple(levels),
        peer_reviewed=sum(1 for s in sources if s.venue is not None and s.venue.peer_reviewed),
        with_snapshot=sum(1 for s in sources if s.fetch_outcome == FetchOutcome.OK),
        dead=sum(1 for s in sources if s.fetch_outcome == FetchOutcome.DEAD),
        paywalled=sum(1 for s in sources if s.fetch_outcome == FetchOutcome.PAYWALLED),
        dated=len(ages),
        median_age_days=round(statistics.median(ages)) if ages else None,
    )


# -- warnings when citing weak evidence -------------------------------------------------------

WARN_RATED = _("rated %(level)s of 5 (%(label)s)")
WARN_UNRATED = _("not rated")
WARN_DEAD = _("its link is dead (at the last fetch)")
WARN_PAYWALLED = _("it is paywalled (at the last fetch)")
WARN_RETRACTED = _("its publisher retracted it")
WARN_CONCERN = _("its publisher issued an expression of concern")


@dataclass(frozen=True)
class CitationWarning:
    """A cited source an editor should think twice about, and why."""

    source: Source
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        name = self.source.title or self.source.url
        return f"“{name}” ({self.source.pk}): {'; '.join(self.reasons)}"


def citation_warning_reasons(source: Source) -> tuple[str, ...]:
    """Why citing `source` deserves a second look, by the thresholds in settings
    (`CREDENCE_CITATION_WARN_*`); empty when it does not."""
    reasons = []
    level = source.effective_credibility
    if level is None:
        if settings.CREDENCE_CITATION_WARN_UNRATED:
            reasons.append(str(WARN_UNRATED))
    elif level <= settings.CREDENCE_CITATION_WARN_AT_MOST:
        reasons.append(str(WARN_RATED % {"level": level, "label": Credibility(level).label}))
    if source.fetch_outcome == FetchOutcome.DEAD and settings.CREDENCE_CITATION_WARN_DEAD:
        reasons.append(str(WARN_DEAD))
    if source.fetch_outcome == FetchOutcome.PAYWALLED and settings.CREDENCE_CITATION_WARN_PAYWALLED:
        reasons.append(str(WARN_PAYWALLED))
    if settings.CREDENCE_CITATION_WARN_RETRACTED:
        if source.notice_status == NoticeStatus.RETRACTED:
            reasons.append(str(WARN_RETRACTED))
        elif source.notice_status == NoticeStatus.CONCERN:
            reasons.append(str(WARN_CONCERN))
    return tuple(reasons)


def citation_warnings(sources: Iterable[Source]) -> list[CitationWarning]:
    """The warnings for these cited sources, in their order (no query)."""
    found = ((source, citation_warning_reasons(source)) for source in sources)
    return [CitationWarning(source, reasons) for source, reasons in found if reasons]
