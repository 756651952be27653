"""Sources created in bulk (`sources_create_bulk`, the importer's path) are stored as
`source_create` stores them one at a time, in a number of queries that does not grow with
how many there are."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from core.history import history_context
from search.index import search_index_deferred
from sources.models import Source
from sources.selectors import venue_matcher_build
from sources.services import source_build, source_create, sources_create_bulk
from tests.factories import VenueDomainFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def venues():
    rated = VenueFactory(slug="rated", credibility=2)
    VenueDomainFactory(venue=rated, domain="rated.example.org")
    Tag.objects.create(name="Governance")  # an existing tag, named in another case below
    return {"rated": rated, "other": VenueFactory(slug="other", credibility=5)}


def values(n: int, venues) -> dict:
    """One source's input, varied by n across what the services derive or normalise."""
    return {
        "url": f"https://rated.example.org/paper/{n}" if n % 2 else f"https://x.example/{n}",
        "title": f"Paper\n   number {n}",  # stored as plain text on one line
        "type": "paper",
        "summary": f"What paper {n} finds.",
        "published": "2024-03" if n % 3 else None,
        "venue": venues["other"] if n % 4 == 0 else None,  # else inferred from the URL
        "credibility_override": 1 if n % 5 == 0 else None,
        "authors": [f"Author {n}", "", "Second  Author"],
        "key_points": ["", f"Point {n}", "Another point"],
        "tags": ["governance", "New Tag", "new tag", " "],
    }


def stored(source_id: str) -> dict:
    """What a source is once stored: its row, rows of its own, tags and history."""
    source = Source.objects.get(pk=source_id)
    history = list(source.history.all())
    return {
        "row": {
            name: getattr(source, name)
            for name in (
                "url",
                "url_key",
                "title",
                "type",
                "summary",
                "published_on",
                "published_precision",
                "venue_id",
                "credibility_override",
                "effective_credibility",
            )
        },
        "authors": list(source.authors.values_list("name", "position")),
        "key_points": list(source.key_points.values_list("text", "position")),
        "tags": sorted(source.tags.values_list("name", flat=True)),
        "history": [(row.history_type, row.history_change_reason) for row in history],
        "stable_id_given": source.stable_id.startswith("given"),
    }


def comparable(facts: dict) -> dict:
    # The URLs differ between the two sets by design: compare the rest.
    row = {k: v for k, v in facts["row"].items() if k not in ("url", "url_key")}
    return {**facts, "row": row}


def test_sources_created_in_bulk_are_stored_as_one_at_a_time(venues):
    matcher = venue_matcher_build()
    one_by_one = []
    for n in range(1, 11):
        with history_context(reason=f"File {n}"):
            source = source_create(
                **values(n, venues),
                source_id=f"single{n}",
                stable_id=f"given{n:07d}",
                venue_matcher=matcher,
            )
        one_by_one.append(source.pk)
    new_sources = []
    for n in range(1, 11):
        given = values(n, venues)
        given["url"] += "?bulk"
        new = source_build(
            **given, source_id=f"bulk{n}", stable_id=f"given{n:07d}b", venue_matcher=matcher
        )
        new.reason = f"File {n}"
        new_sources.append(new)

    created = sources_create_bulk(new_sources)

    assert [source.pk for source in created] == [f"bulk{n}" for n in range(1, 11)]
    for single, bulk in zip(one_by_one, created, strict=True):
        assert comparable(stored(bulk.pk)) == comparable(stored(single))
    sample = stored("bulk1")
    assert sample["row"]["title"] == "Paper number 1"
    assert sample["row"]["venue_id"] == venues["rated"].pk
    assert sample["row"]["effective_credibility"] == 2
    assert stored("bulk4")["row"]["effective_credibility"] == 5
    assert stored("bulk5")["row"]["effective_credibility"] == 1
    assert sample["authors"] == [("Author 1", 0), ("Second Author", 1)]
    assert sample["key_points"] == [("Point 1", 0), ("Another point", 1)]
    assert sample["tags"] == ["Governance", "New Tag"]
    assert sample["history"] == [("+", "File 1")]
    # One tag per name, whatever its case, however many sources carry it.
    assert Tag.objects.filter(name__iexact="new tag").count() == 1


def test_the_history_takes_the_context_s_reason_where_a_source_names_none(venues):
    new = source_build(url="https://x.example/unnamed")

    with history_context(reason="Loaded by a command"):
        sources_create_bulk([new])

    assert stored(new.source.pk)["history"] == [("+", "Loaded by a command")]


def test_created_sources_can_be_updated_and_their_ids_stay_fixed(venues):
    (source,) = sources_create_bulk([source_build(url="https://x.example/later")])

    source.title = "Renamed"
    source.save()
    source.stable_id = "other0000001"

    with pytest.raises(ValidationError, match="stable id"):
        source.save()


def queries_to_create(count: int, venues, start: int) -> tuple[int, int]:
    """Return the queries that creating `count` sources takes: the INSERTs (Django splits
    each table's to keep within the database's limit on parameters), and the rest."""
    new_sources = [
        source_build(**values(n, venues), venue_matcher=venue_matcher_build())
        for n in range(start, start + count)
    ]
    for new in new_sources:
        new.source.url += f"?q{start}"
    with CaptureQueriesContext(connection) as queries, search_index_deferred():
        sources_create_bulk(new_sources)
    inserts = [q for q in queries if q["sql"].startswith("INSERT INTO")]
    return len(inserts), len(queries) - len(inserts)


def test_the_queries_do_not_grow_with_the_number_of_sources(venues):
    queries_to_create(1, venues, start=1)  # creates the tags they all carry

    many_inserts, many_others = queries_to_create(60, venues, start=100)
    few_inserts, few_others = queries_to_create(3, venues, start=200)

    assert many_others == few_others
    # One statement per table for 3 sources; for 60, 20 rows or more per statement.
    assert many_inserts <= few_inserts * 60 // 20


def test_sources_created_in_bulk_are_searchable_and_shown_on_cached_pages(client, venues):
    search = {"q": "zeppelin"}
    for url, params in (("/sources/", {}), ("/search/", search)):
        client.get(url, params)
        assert client.get(url, params)["X-Cache"] == "hit"

    (source,) = sources_create_bulk(
        [source_build(url="https://x.example/airship", title="Zeppelin operations manual")]
    )

    link = f'href="{source.get_absolute_url()}"'
    assert link in client.get("/sources/").content.decode()
    assert link in client.get("/search/", search).content.decode()
