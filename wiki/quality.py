"""The page quality formula and its bands, defined once.

derived = round(weighted_mean(subscores) * 8 + min(8, words / 600) + min(7, citations * 0.35)),
where a missing subscore counts as 5; capped at 35 for stubs and at 40 for bodies under 100
words. `round` is half-up (57.5 -> 58), not Python's half-even, so that editors can check a
score by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

QUALITY_MIN = 0
QUALITY_MAX = 100
SUBSCORE_MIN = 0
SUBSCORE_MAX = 10
IMPORTANCE_MIN = 0
IMPORTANCE_MAX = 100

SUBSCORES = (
    "focus",
    "novelty",
    "rigor",
    "completeness",
    "objectivity",
    "concreteness",
    "actionability",
)
MISSING_SUBSCORE = Decimal(5)
SUBSCORE_SCALE = Decimal(8)
WORDS_PER_POINT = Decimal(600)
WORDS_POINTS_MAX = Decimal(8)
POINTS_PER_CITATION = Decimal("0.35")
CITATION_POINTS_MAX = Decimal(7)
STUB_CAP = 35
SHORT_BODY_WORDS = 100
SHORT_BODY_CAP = 40

# The page type whose subscores are weighted differently (PageType.ANALYSIS uses this value).
ANALYSIS_PAGE_TYPE = "analysis"

ANALYSIS_WEIGHTS = {
    "focus": Decimal("1.5"),
    "novelty": Decimal("1.5"),
    "rigor": Decimal("1.0"),
    "completeness": Decimal("0.8"),
    "objectivity": Decimal("1.2"),
    "concreteness": Decimal("1.5"),
    "actionability": Decimal("1.2"),
}
DEFAULT_WEIGHTS = {
    "focus": Decimal("1.0"),
    "novelty": Decimal("0.8"),
    "rigor": Decimal("1.5"),
    "completeness": Decimal("1.5"),
    "objectivity": Decimal("1.0"),
    "concreteness": Decimal("0.5"),
    "actionability": Decimal("1.0"),
}


class QualityBand(models.TextChoices):
    """Quality bands, from the best down; `floor` is the lowest score in the band."""

    COMPREHENSIVE = "comprehensive", _("Comprehensive")
    GOOD = "good", _("Good")
    ADEQUATE = "adequate", _("Adequate")
    DRAFT = "draft", _("Draft")
    STUB = "stub", _("Stub")

    @property
    def floor(self) -> int:
        return _BAND_FLOORS[self.value]

    @property
    def ceiling(self) -> int:
        """Return the highest score in the band."""
        bands = list(QualityBand)
        index = bands.index(self)
        return QUALITY_MAX if index == 0 else bands[index - 1].floor - 1


_BAND_FLOORS = {"comprehensive": 80, "good": 60, "adequate": 40, "draft": 20, "stub": 0}


def quality_band(score: int | float | Decimal | None) -> QualityBand | None:
    """Return the band a quality score falls in, or None for no score."""
    if score is None:
        return None
    return next(band for band in QualityBand if score >= band.floor)


def weights_for(page_type: str) -> Mapping[str, Decimal]:
    """Return the subscore weights: analysis pages weigh novelty and concreteness higher."""
    return ANALYSIS_WEIGHTS if page_type == ANALYSIS_PAGE_TYPE else DEFAULT_WEIGHTS


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def quality_derive(
    *,
    subscores: Mapping[str, Decimal | float | int | None],
    page_type: str,
    is_stub: bool,
    words: int,
    citations: int,
) -> int:
    """Return the quality score the formula derives from subscores, length and citations."""
    weights = weights_for(page_type)
    total = Decimal(0)
    for name in SUBSCORES:
        value = subscores.get(name)
        total += weights[name] * (MISSING_SUBSCORE if value is None else Decimal(str(value)))
    mean = total / sum(weights.values())
    score = round_half_up(
        mean * SUBSCORE_SCALE
        + min(WORDS_POINTS_MAX, Decimal(words) / WORDS_PER_POINT)
        + min(CITATION_POINTS_MAX, citations * POINTS_PER_CITATION)
    )
    if is_stub:
        score = min(score, STUB_CAP)
    if words < SHORT_BODY_WORDS:
        score = min(score, SHORT_BODY_CAP)
    return score
