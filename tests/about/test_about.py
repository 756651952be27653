"""About this knowledge base: each chart's figures, and the list behind each figure."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from about.charts import (
    citations_per_page,
    dead_links_over_time,
    knowledge_base_charts,
    pages_by_type_and_band,
    sources_by_credibility_and_type,
    venue_review_freshness,
    venues_by_type_and_rating,
)
from sources.filters import SourceFilter, VenueFilter
from sources.models import FetchOutcome, Snapshot, SourceType, VenueType
from sources.selectors import source_list_annotated, venue_list_annotated
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from wiki.filters import WikiPageFilter
from wiki.models import PageType
from wiki.selectors import wiki_page_list_annotated

pytestmark = pytest.mark.django_db

LISTS = {
    reverse("wiki:page_list"): (WikiPageFilter, wiki_page_list_annotated),
    reverse("sources:source_list"): (SourceFilter, source_list_annotated),
    reverse("sources:venue_list"): (VenueFilter, venue_list_annotated),
}


def listed(url: str) -> int:
    """How many records the public list at this address shows (its own FilterSet)."""
    parts = urlsplit(url)
    filterset_class, queryset = LISTS[parts.path]
    filterset = filterset_class(QueryDict(parts.query), queryset=queryset())
    assert filterset.is_valid(), (url, filterset.errors)
    return filterset.qs.count()


def table(chart) -> dict:
    return {row.label: [cell.count for cell in row.cells] for row in chart.rows}


@pytest.fixture
def knowledge_base():
    think_tank = VenueFactory(type=VenueType.THINK_TANK, credibility=4)
    journal = VenueFactory(type=VenueType.ACADEMIC_JOURNAL, credibility=5)
    VenueFactory(type=VenueType.THINK_TANK, credibility=None)
    sources = [
        SourceFactory(venue=journal, type=SourceType.PAPER),
        SourceFactory(venue=journal, type=SourceType.PAPER),
        SourceFactory(venue=think_tank, type=SourceType.REPORT),
        SourceFactory(venue=think_tank, type=SourceType.PAPER, credibility_override=2),
        SourceFactory(type=SourceType.BLOG),
    ]
    policy_good = WikiPageFactory(type=PageType.POLICY, quality=65)
    WikiPageFactory(type=PageType.POLICY, quality=10)
    WikiPageFactory(type=PageType.RISK, quality=None)
    risk_top = WikiPageFactory(type=PageType.RISK, quality=90)
    for source in sources:
        CitationFactory(page=policy_good, source=source)
    CitationFactory(page=risk_top, source=sources[0])
    return sources


def test_pages_by_type_and_band(knowledge_base):
    chart = pages_by_type_and_band()

    assert [key for key, _label in chart.series] == ["comprehensive", "good", "stub", "none"]
    assert table(chart) == {"Policy": [0, 1, 1, 0], "Risk": [1, 0, 0, 1]}


def test_sources_by_credibility_and_type(knowledge_base):
    chart = sources_by_credibility_and_type()

    assert [row.label for row in chart.rows][0].startswith("5")
    assert [row.label for row in chart.rows][-1] == "Unrated"
    by_level = {row.label.split(" ")[0]: row.total.count for row in chart.rows}
    assert by_level == {"5": 2, "4": 1, "3": 0, "2": 1, "1": 0, "Unrated": 1}
    papers = [key for key, _label in chart.series].index(SourceType.PAPER)
    assert chart.rows[0].cells[papers].count == 2


def test_venues_by_type_and_rating(knowledge_base):
    chart = venues_by_type_and_rating()

    assert table(chart) == {
        "Academic journal": [1, 0, 0],  # series shown: 5, 4, unrated (no venue is 3, 2 or 1)
        "Think tank": [0, 1, 1],
    }


def test_citations_per_page(knowledge_base):
    assert table(citations_per_page()) == {
        "None": [2],
        "1 to 5": [2],
        "6 to 20": [0],
        "21 to 50": [0],
        "More than 50": [0],
    }


def test_how_fresh_venue_reviews_are(settings):
    settings.CREDENCE_REVIEW_AFTER_MONTHS = 12
    today = timezone.localdate()
    VenueFactory(credibility=3, credibility_reviewed_on=today - timedelta(days=30))
    VenueFactory(credibility=3, credibility_reviewed_on=today - timedelta(days=250))
    VenueFactory(credibility=3, credibility_reviewed_on=today - timedelta(days=500))
    VenueFactory(credibility=3, credibility_reviewed_on=None)
    VenueFactory(credibility=None, credibility_reviewed_on=None)  # unrated: not counted

    counts = [row.total.count for row in venue_review_freshness().rows]
    assert counts == [1, 1, 1, 1]


def test_dead_links_by_the_month_they_were_found():
    now = timezone.now()
    dead_now, dead_before, alive = SourceFactory(), SourceFactory(), SourceFactory()
    for source, when, outcome in [
        (dead_now, now, FetchOutcome.DEAD),
        (dead_before, now - timedelta(days=62), FetchOutcome.DEAD),
        (alive, now, FetchOutcome.OK),
        (dead_before, now - timedelta(days=800), FetchOutcome.DEAD),  # before the chart
    ]:
        Snapshot.objects.create(
            source=source, requested_url=source.url, outcome=outcome, fetched_at=when
        )

    chart = dead_links_over_time()
    assert len(chart.rows) == 12
    assert chart.rows[-1].label == f"{timezone.localtime(now):%b %Y}"
    assert chart.rows[-1].total.count == 1
    assert sum(row.total.count for row in chart.rows) == 2


def test_every_figure_opens_the_list_of_exactly_the_records_it_counts(knowledge_base):
    now = timezone.now()
    Snapshot.objects.create(
        source=knowledge_base[0],
        requested_url=knowledge_base[0].url,
        outcome=FetchOutcome.DEAD,
        fetched_at=now,
    )
    checked = 0
    for chart in knowledge_base_charts():
        for row in chart.rows:
            for cell in [*row.cells, row.total]:
                assert listed(cell.url) == cell.count, (chart.slug, row.label, cell.url)
                checked += 1
    assert checked > 60


def test_the_page_shows_each_chart_with_its_table_and_data(knowledge_base, client):
    response = client.get(reverse("about:index"))
    html = response.content.decode()

    assert response.status_code == 200
    charts = knowledge_base_charts()
    for chart in charts[:-1]:
        assert f'id="chart-data-{chart.slug}" type="application/json"' in html
        assert f'<caption id="{chart.slug}-caption">' in html
    # No link found dead: the chart says so instead of drawing nothing.
    assert "No link was found dead in the last 12 months." in html
    assert 'id="chart-data-dead-links"' not in html
    assert "<script>" not in html, "no inline script under the CSP"
    journal_papers = reverse("sources:source_list") + "?credibility=5&amp;type=paper"
    assert f'<a href="{journal_papers}">2</a>' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_page_follows_new_records_through_the_page_cache(knowledge_base, client):
    first = client.get(reverse("about:index")).content.decode()
    SourceFactory(type=SourceType.BLOG)
    again = client.get(reverse("about:index")).content.decode()
    assert first != again
    assert '?credibility=none&amp;type=blog">2</a>' in again


@pytest.mark.parametrize("size", [1, 20])
def test_the_page_costs_the_same_queries_however_many_records(size, client):
    for n in range(size):
        venue = VenueFactory(type=VenueType.values[n % 5], credibility=n % 5 + 1)
        page = WikiPageFactory(quality=n * 5)
        source = SourceFactory(venue=venue, type=SourceType.values[n % 4])
        CitationFactory(page=page, source=source)
        Snapshot.objects.create(source=source, requested_url=source.url, outcome=FetchOutcome.DEAD)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("about:index")).status_code == 200
    assert len(queries) == 6


def test_the_filters_the_charts_link_to(client):
    rated, unrated = SourceFactory(credibility_override=3), SourceFactory()
    sources = reverse("sources:source_list")
    assert listed(sources + "?credibility=none") == 1
    assert listed(sources + "?credibility=3") == 1
    page = client.get(sources + "?credibility=none").content.decode()
    assert unrated.get_absolute_url() in page and rated.get_absolute_url() not in page

    month = timezone.now() - timedelta(days=40)
    Snapshot.objects.create(
        source=rated, requested_url=rated.url, outcome=FetchOutcome.DEAD, fetched_at=month
    )
    assert listed(sources + f"?dead_in={timezone.localtime(month):%Y-%m}") == 1
    assert listed(sources + f"?dead_in={timezone.localdate():%Y-%m}") == 0

    bad = client.get(sources + "?dead_in=2026-13").content.decode()
    assert "Some filters were not understood and were ignored: dead_in" in bad


def test_a_sitemap_and_the_footer_name_the_page(client):
    assert reverse("about:index") in client.get(reverse("wiki:home")).content.decode()
    sitemap = client.get("/sitemap-lists.xml").content.decode()
    assert reverse("about:index") in sitemap
