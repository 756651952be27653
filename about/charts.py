"""The figures of "About this knowledge base": what the pages, sources and venues are,
counted in the database (one grouped query per chart, whatever the number of rows), each
count with the address of the public list that shows those very records.

Sources are the lowest app and the wiki sits above them; this page counts both, so it
lives above both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sources.filters import UNRATED, ReviewState, review_state_condition
from sources.models import Credibility, FetchOutcome, Snapshot, Source, SourceType, Venue, VenueType
from wiki.filters import CITATION_RANGES, NO_SCORE, citation_range_condition
from wiki.models import PageType, WikiPage
from wiki.quality import QualityBand, quality_band

DEAD_LINK_MONTHS = 12
LEVELS = [(str(level.value), f"{level.value} · {level.label}") for level in reversed(Credibility)]
LEVELS_AND_UNRATED = [*LEVELS, (UNRATED, str(_("Unrated")))]


@dataclass
class Cell:
    count: int
    url: str


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: Cell


@dataclass
class Chart:
    """Counts by category (the bars) and series (a bar's stacked parts; one for plain
    bars), with the list behind each count."""

    slug: str
    title: str
    about: str
    axis: str  # what the categories are
    categories: list[tuple[str, str]]  # (key, label)
    series: list[tuple[str, str]]
    counts: Counter
    link: Callable[[str, str | None], str]  # (category, series or None for the total)
    keep_empty: bool = True  # categories with no records stay (an ordered scale)
    empty: str = _("Nothing to count yet.")
    rows: list[Row] = field(init=False)

    def __post_init__(self):
        if not self.keep_empty:
            self.categories = [
                (key, label)
                for key, label in self.categories
                if any(self.counts[key, s] for s, _l in self.series)
            ]
            self.series = [
                (key, label)
                for key, label in self.series
                if any(self.counts[c, key] for c, _l in self.categories)
            ]
        self.rows = [
            Row(
                label=str(label),
                cells=[Cell(self.counts[key, s], self.link(key, s)) for s, _l in self.series],
                total=Cell(sum(self.counts[key, s] for s, _l in self.series), self.link(key, None)),
            )
            for key, label in self.categories
        ]

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1

    @property
    def total(self) -> int:
        return sum(row.total.count for row in self.rows)

    def data(self) -> dict:
        """What the browser's chart draws (static/js/charts.js): the same numbers as the
        table, and each bar's address."""
        return {
            "axis": str(self.axis),
            "labels": [row.label for row in self.rows],
            "datasets": [
                {
                    "label": str(label),
                    "data": [row.cells[i].count for row in self.rows],
                    "urls": [row.cells[i].url for row in self.rows],
                }
                for i, (_key, label) in enumerate(self.series)
            ],
        }


def _url(name: str, **params: str | None) -> str:
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return reverse(name) + (f"?{query}" if query else "")


def pages_by_type_and_band() -> Chart:
    counts = Counter()
    for row in WikiPage.objects.values("type", "quality").annotate(n=Count("pk")).order_by():
        band = quality_band(row["quality"])
        counts[row["type"], band.value if band else NO_SCORE] += row["n"]
    return Chart(
        slug="pages",
        title=_("Pages by type and quality band"),
        about=_("Every wiki page, by its type, split by the band its quality score falls in."),
        axis=_("Page type"),
        categories=list(PageType.choices),
        series=[*QualityBand.choices, (NO_SCORE, _("No score"))],
        counts=counts,
        link=lambda kind, band: _url("wiki:page_list", type=kind, band=band),
        keep_empty=False,
    )


def sources_by_credibility_and_type() -> Chart:
    counts = Counter()
    rows = Source.objects.values("effective_credibility", "type").annotate(n=Count("pk"))
    for row in rows.order_by():
        level = row["effective_credibility"]
        counts[UNRATED if level is None else str(level), row["type"]] += row["n"]
    return Chart(
        slug="sources",
        title=_("Sources by credibility and type"),
        about=_(
            "Every source, by its credibility (its own rating, else its venue's), split by "
            "its type."
        ),
        axis=_("Credibility"),
        categories=LEVELS_AND_UNRATED,
        series=list(SourceType.choices),
        counts=counts,
        link=lambda level, kind: _url("sources:source_list", credibility=level, type=kind),
    )


def venues_by_type_and_rating() -> Chart:
    counts = Counter()
    for row in Venue.objects.values("type", "credibility").annotate(n=Count("pk")).order_by():
        level = row["credibility"]
        counts[row["type"], UNRATED if level is None else str(level)] += row["n"]
    return Chart(
        slug="venues",
        title=_("Venues by type and rating"),
        about=_("Every publication venue, by its type, split by its credibility rating."),
        axis=_("Venue type"),
        categories=list(VenueType.choices),
        series=LEVELS_AND_UNRATED,
        counts=counts,
        link=lambda kind, level: _url("sources:venue_list", type=kind, credibility=level),
        keep_empty=False,
    )


ONE_SERIES = "all"


def citations_per_page() -> Chart:
    ranges = {
        key: Count("pk", filter=citation_range_condition(key)) for key, *_r in CITATION_RANGES
    }
    figures = WikiPage.objects.with_citation_count().aggregate(**ranges)
    return Chart(
        slug="citations",
        title=_("Citations per page"),
        about=_("How many sources each wiki page cites."),
        axis=_("Sources cited"),
        categories=[(key, label) for key, label, _bounds in CITATION_RANGES],
        series=[(ONE_SERIES, _("Pages"))],
        counts=Counter({(key, ONE_SERIES): n for key, n in figures.items()}),
        link=lambda key, _series: _url("wiki:page_list", citations=key),
    )


def venue_review_freshness() -> Chart:
    states = {
        state: Count("pk", filter=review_state_condition(state))
        for state, _l in ReviewState.CHOICES
    }
    figures = Venue.objects.aggregate(**states)
    return Chart(
        slug="reviews",
        title=_("How fresh venue reviews are"),
        about=_(
            "Rated venues by when their rating was last reviewed, against the review period "
            "(CREDENCE_REVIEW_AFTER_MONTHS)."
        ),
        axis=_("Last review"),
        categories=list(ReviewState.CHOICES),
        series=[(ONE_SERIES, _("Venues"))],
        counts=Counter({(state, ONE_SERIES): n for state, n in figures.items()}),
        link=lambda state, _series: _url("sources:venue_list", review=state),
    )


def _months(count: int) -> list[datetime]:
    """The first moments of the last `count` months, the current one last."""
    today = timezone.localdate()
    year, month = today.year, today.month
    months = []
    for _n in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    zone = timezone.get_current_timezone()
    return [
        datetime.combine(datetime(y, m, 1).date(), time.min, tzinfo=zone)
        for y, m in reversed(months)
    ]


def dead_links_over_time() -> Chart:
    months = _months(DEAD_LINK_MONTHS)
    found = (
        Snapshot.objects.filter(outcome=FetchOutcome.DEAD, fetched_at__gte=months[0])
        .annotate(month=TruncMonth("fetched_at"))
        .values("month")
        .annotate(n=Count("source", distinct=True))
        .order_by()
    )
    counts = Counter()
    for row in found:
        counts[f"{row['month']:%Y-%m}", ONE_SERIES] += row["n"]
    return Chart(
        slug="dead-links",
        title=_("Dead links over time"),
        about=_(
            "Sources whose link a fetch found dead, by the month it was found (the last "
            "%(months)s months)."
        )
        % {"months": DEAD_LINK_MONTHS},
        axis=_("Month"),
        categories=[(f"{month:%Y-%m}", f"{month:%b %Y}") for month in months],
        series=[(ONE_SERIES, _("Sources found dead"))],
        counts=counts,
        empty=_("No link was found dead in the last %(months)s months.")
        % {"months": DEAD_LINK_MONTHS},
        link=lambda month, _series: _url("sources:source_list", dead_in=month),
    )


def knowledge_base_charts() -> list[Chart]:
    return [
        pages_by_type_and_band(),
        sources_by_credibility_and_type(),
        venues_by_type_and_rating(),
        citations_per_page(),
        venue_review_freshness(),
        dead_links_over_time(),
    ]
