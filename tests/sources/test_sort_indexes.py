"""The source list sorted by publication date reads a page of rows through an index, not
the whole table (newest first and oldest first, undated sources last either way)."""

import datetime

import pytest
from django.db import connection

from core.changes import records_changed
from sources.filters import SourceFilter
from sources.models import Source
from tests.sources.test_stored_credibility import plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated_table():
    """Sources enough for real plans: one in ten undated, the rest over twenty years."""
    start = datetime.date(2005, 1, 1)
    rows = Source.objects.bulk_create(
        Source(
            id=f"date{n:04d}",
            stable_id=f"sid_date{n:06d}",
            url=f"https://dated.example.org/{n}",
            title=f"Dated {n:04d}",
            published_on=None if n % 10 == 0 else start + datetime.timedelta(days=(n * 37) % 7300),
            published_precision="" if n % 10 == 0 else "day",
        )
        for n in range(3000)
    )
    records_changed(Source, [row.pk for row in rows])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE sources_source")
        else:
            cursor.execute("ANALYZE")


def sorted_page(sort: str, rows: int | None = 25):
    return SourceFilter({"sort": sort}, queryset=Source.objects.all()).qs[:rows]


@pytest.mark.parametrize("sort", ["-published", "published"])
def test_the_sorted_list_puts_undated_sources_last(dated_table, sort):
    dates = list(sorted_page(sort, rows=None).values_list("published_on", flat=True))

    dated = [d for d in dates if d is not None]
    assert dates[: len(dated)] == dated and all(d is None for d in dates[len(dated) :])
    assert dated == sorted(dated, reverse=sort.startswith("-"))


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "sort, index",
    [("-published", "source_published_order"), ("published", "source_oldest_published_order")],
)
def test_an_index_serves_the_list_sorted_by_publication_date(dated_table, sort, index):
    explained = plan(str(sorted_page(sort).query))

    assert index in explained and "Sort" not in explained, explained
