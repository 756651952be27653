"""Big lists count their rows no further than CREDENCE_LIST_COUNT_CAP: past it they say "more
than", still page, and their queries neither count every match nor grow with the rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.changes import records_changed
from core.pagination import CappedPaginator
from sources.models import Source
from tests.factories import VenueFactory

pytestmark = pytest.mark.django_db

LIST = reverse("sources:source_list")
ADMIN_LIST = reverse("admin:sources_source_changelist")
# The paginator's count (the list's own rows count their citations inside their SELECT).
COUNT = re.compile(r"^SELECT COUNT\(", re.I)


def many_sources(n: int, venue=None) -> list[Source]:
    """Store n titled sources at once (titles sort as they were made)."""
    rows = Source.objects.bulk_create(
        Source(
            id=f"many{i:05d}",
            stable_id=f"sid_many{i:06d}",
            url=f"https://many.example.org/{i}",
            title=f"Source {i:05d}",
            venue=venue,
        )
        for i in range(n)
    )
    records_changed(Source, [row.pk for row in rows])
    return rows


def counts(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if COUNT.search(q["sql"])]


def titles(response) -> list[str]:
    return [source.title for source in response.context["page_obj"].object_list]


# -- the public source list ----------------------------------------------------------------


def test_the_source_list_counts_no_further_than_the_cap(client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 5
    many_sources(8)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)

    [count] = counts(queries)
    assert re.search(r"\bLIMIT 6\b", count), count
    assert response.context["page_obj"].paginator.count == 6
    assert len(titles(response)) == 8


def test_the_source_list_says_more_than_the_cap(client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 1000
    many_sources(1001)

    content = client.get(LIST).content.decode()

    assert "more than 1,000 sources" in content
    assert "1001" not in content


def test_a_list_within_the_cap_shows_its_count_and_page_total(client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 100
    many_sources(30)

    content = client.get(LIST).content.decode()

    assert "30 sources" in content and "more than" not in content
    assert "Page 1 of 2" in content


def test_pages_continue_past_the_cap_while_rows_remain(client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 30
    many_sources(60)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})
    beyond = client.get(LIST, {"page": 3})

    assert first.context["page_obj"].paginator.num_pages == 2  # numbered up to the cap
    assert titles(second)[0] == "Source 00025" and second.context["page_obj"].has_next()
    assert titles(beyond) == [f"Source {i:05d}" for i in range(50, 60)]
    assert not beyond.context["page_obj"].has_next()
    content = beyond.content.decode()
    assert "Page 3" in content and "Next" not in content and "← Previous" in content
    assert 'rel="next"' in second.content.decode()


def test_a_page_past_the_last_row_gives_the_last_numbered_page(client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 30
    many_sources(40)

    response = client.get(LIST, {"page": 9})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2


def test_the_source_list_query_count_stays_fixed_past_the_cap(
    client, settings, django_assert_num_queries
):
    settings.CREDENCE_LIST_COUNT_CAP = 30
    venue = VenueFactory(credibility=4)
    many_sources(3, venue=venue)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"min_credibility": 3})
    Source.objects.all().delete()
    many_sources(70, venue=venue)

    for page in (1, 2, 3):
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(LIST, {"min_credibility": 3, "page": page})


# -- a venue's sources ---------------------------------------------------------------------


def test_a_venue_page_counts_its_sources_no_further_than_the_cap(client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 30
    venue = VenueFactory(name="Big Venue")
    many_sources(40, venue=venue)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(venue.get_absolute_url())

    content = response.content.decode()
    assert "more than 30 sources" in content
    assert all(re.search(r"\bLIMIT \d+\b", sql) for sql in counts(queries)), counts(queries)
    beyond = client.get(venue.get_absolute_url(), {"page": 2})
    assert [s.title for s in beyond.context["page_obj"]][-1] == "Source 00039"


def test_a_venue_page_query_count_stays_fixed(client, settings, django_assert_num_queries):
    settings.CREDENCE_LIST_COUNT_CAP = 30
    venue = VenueFactory()
    many_sources(2, venue=venue)
    with CaptureQueriesContext(connection) as few:
        client.get(venue.get_absolute_url())
    Source.objects.all().delete()
    many_sources(70, venue=venue)

    with django_assert_num_queries(len(few.captured_queries)):
        client.get(venue.get_absolute_url(), {"page": 3})


# -- the admin's source list ---------------------------------------------------------------


def test_the_admin_source_list_counts_up_to_the_cap_and_never_in_full(editor_client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 150
    many_sources(160)

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(ADMIN_LIST)

    content = response.content.decode()
    assert "more than 150 sources" in content
    assert counts(queries) and all(re.search(r"\bLIMIT 151\b", sql) for sql in counts(queries))
    assert 'href="?p=2" rel="next"' in content  # Next, beside the page numbers


def test_the_admin_source_list_pages_past_the_cap(editor_client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 150
    many_sources(260)  # 100 a page: pages 1 and 2 are numbered, page 3 lies past the cap

    last_numbered = editor_client.get(ADMIN_LIST, {"p": 2}).content.decode()
    beyond = editor_client.get(ADMIN_LIST, {"p": 3, "o": "1"})  # by title

    assert 'href="?p=3" rel="next"' in last_numbered
    assert beyond.status_code == 200
    rows = beyond.context["cl"].result_list
    assert [source.title for source in rows] == [f"Source {i:05d}" for i in range(200, 260)]
    assert 'rel="next"' not in beyond.content.decode()


def test_the_admin_search_says_more_than_the_cap(editor_client, settings):
    settings.CREDENCE_LIST_COUNT_CAP = 150
    many_sources(160)

    content = editor_client.get(ADMIN_LIST, {"q": "Source"}).content.decode()

    assert "more than 150 results" in content


def test_the_admin_list_offers_show_all_only_when_filtered(editor_client):
    """Without a full count, the stock search bar says "N results (Show all)" even on the
    whole table, where there is nothing more to show."""
    many_sources(3)

    unfiltered = editor_client.get(ADMIN_LIST).content.decode()
    searched = editor_client.get(ADMIN_LIST, {"q": "Source 00001"}).content.decode()

    assert "Show all" not in unfiltered
    assert "1 result" in searched and "Show all" in searched


# -- the paginator itself ------------------------------------------------------------------


def test_sequences_that_are_not_queries_are_counted_as_they_are():
    paginator = CappedPaginator(list(range(12)), 5, cap=3)

    assert paginator.count == 12 and not paginator.count_capped
    assert paginator.num_pages == 3 and paginator.count_label == "12"
