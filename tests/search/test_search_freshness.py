"""Cached searches follow the words they look for, not every write of the kinds searched: an
edit refreshes the searches whose answer it can change (a word added or removed, an
unfinished word it starts, a title like the query, a record's place in the ranking) and
leaves the others cached. On SQLite and PostgreSQL alike, with each database's stemming."""

import pytest

from core.changes import records_changed
from search import freshness
from sources.models import Source, SourceKeyPoint
from tests.core.test_page_cache_tags import get, outcome, warm
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    """The results' titles (rendered: a page that missed the cache)."""
    return [str(result["object"]) for result in response.context["results"]]


@pytest.fixture
def sources():
    venue = VenueFactory(name="Institute")
    aligned = SourceFactory(
        title="Alignment report", summary="On interpretability of networks.", venue=venue
    )
    other = SourceFactory(title="Compute governance", summary="Export controls.", venue=venue)
    return aligned, other


def test_an_edit_without_the_searched_words_leaves_the_search_cached(client, sources):
    aligned, other = sources
    searches = ["/search/?q=alignment", "/search/?q=alignment+", "/search/?q=interpretability+"]
    warm(client, *searches)

    other.summary = "Chips, hardware and export controls."
    other.save()

    assert {url: outcome(client, url) for url in searches} == dict.fromkeys(searches, "hit")


def test_a_word_added_refreshes_the_searches_for_it_and_its_forms(client, sources):
    _aligned, other = sources
    searches = [
        "/search/?q=hardware+",
        "/search/?q=hardwares+",
        "/search/?q=hardw",
        "/search/?q=hardwa",
        "/search/?q=ha",
    ]
    warm(client, *searches)

    other.summary = "Chips and hardware."
    other.save()

    for url in searches:
        response = get(client, url)
        assert response["X-Cache"] == "miss", url
        assert "Compute governance" in titles(response), url


def test_a_word_removed_refreshes_the_search_for_it(client, sources):
    aligned, _other = sources
    url = "/search/?q=interpretability+"
    warm(client, url)

    # Not through the record's own save: the page shows the record, whose tag would refresh
    # it anyway. A write in bulk that says which rows it wrote takes the same path.
    Source.objects.filter(pk=aligned.pk).update(summary="On networks.")
    records_changed(Source, [aligned.pk])

    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert "Alignment report" not in titles(response)


def test_a_key_point_with_the_word_refreshes_the_search(client, sources):
    _aligned, other = sources
    url = "/search/?q=semiconductor+"
    warm(client, url)

    SourceKeyPoint.objects.create(source=other, text="Semiconductor supply is concentrated.")

    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert "Compute governance" in titles(response)


def test_a_record_moving_up_the_ranking_refreshes_the_searches_that_find_it(client):
    venue = VenueFactory(name="Unrated", credibility=None)
    for n in range(30):  # rated 1: above the unrated one, in the same tier (title words)
        SourceFactory(title=f"Study of evaluation {n}", venue=venue, credibility_override=1)
    # Its own venue: the shown sources' venue, whose tag their page carries, stays as it is.
    last = SourceFactory(title="Last of evaluation", venue=VenueFactory(credibility=None))
    url = "/search/?q=evaluation+&per_page=25"
    assert "Last of evaluation" not in titles(get(client, url))  # on the next page
    assert outcome(client, url) == "hit"

    last.credibility_override = 5  # the best rated: first within its tier
    last.save()

    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert "Last of evaluation" in titles(response)


def test_a_new_title_like_a_misspelt_query_refreshes_its_suggestion(client, sources):
    url = "/search/?q=quantom+"
    warm(client, url)

    # No word in common with the query: only its spelling is alike.
    SourceFactory(title="Quantum", summary="Qubits.", venue=VenueFactory())

    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert "Quantum" in titles(response)


def test_a_title_starting_with_the_query_refreshes_it(client):
    venue = VenueFactory()
    for n in range(10):  # enough matches that no title spelled alike is offered
        SourceFactory(title=f"Paper {n}", summary="About gov.", venue=venue)
    url = "/search/?q=gov+"
    warm(client, url)

    # "gov" is not among its words ("governort"), but its title starts with the query.
    WikiPageFactory(title="Governort", body="Nothing else alike.")

    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert "Governort" in titles(response)


def test_a_deletion_refreshes_the_counts_of_searches(client):
    # Each its own venue: a source's venue, whose tag its page carries, stays as it is.
    made = [SourceFactory(title=f"Oversight {n:02}", venue=VenueFactory()) for n in range(30)]
    url = "/search/?q=oversight+&per_page=25"
    first = get(client, url)
    assert "30 results" in first.content.decode()
    assert outcome(client, url) == "hit"
    not_shown = next(source for source in made if source.title not in titles(first))

    not_shown.delete()

    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert "29 results" in response.content.decode()


def test_a_phrase_follows_every_write_of_the_kinds_searched(client, sources):
    aligned, other = sources
    url = '/search/?q="export+hardware"'
    warm(client, url)

    # The same words, in another order: only their places change.
    other.summary = "Controls on export, hardware first."
    other.save()

    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert "Compute governance" in titles(response)


def test_a_kind_tab_follows_every_write_of_the_kinds_searched(client, sources):
    _aligned, other = sources
    url = "/search/?q=alignment+&kind=sources"
    warm(client, url)

    other.summary = "Chips."
    other.save()

    assert outcome(client, url) == "miss"


def test_a_refresh_of_many_rows_refreshes_every_search(client, sources):
    url = "/search/?q=alignment+"
    rows = [SourceFactory(title=f"Bulk {n}") for n in range(freshness.ROWS_COMPARED_MAX + 1)]
    warm(client, url)

    records_changed(Source, [row.pk for row in rows])

    assert outcome(client, url) == "miss"


def test_the_tags_of_words_in_any_script_can_travel_in_a_header(client):
    SourceFactory(title="Café éthique 人工智能", venue=VenueFactory())

    response = get(client, "/search/?q=café+人工智能+")

    keys = response["Surrogate-Key"].split()
    assert any(key.startswith("search.word=") for key in keys)
    assert all(key.isascii() for key in keys)


def test_search_tags_are_what_the_index_stems(db):
    # The query side and the write side meet on the database's own terms.
    terms = freshness.query_terms(["models", "running", "evaluation"])

    assert terms["models"] == ["model"]
    assert terms["running"] == ["run"]
    assert terms["evaluation"] == ["evalu"]


def test_the_write_side_names_changed_terms_and_their_starts_only():
    same = {"model": (True, False)}
    tags = freshness._row_tags(
        "sources",
        {**same, "risk": (False, True)},
        {**same, "risk": (False, False), "hardwar": (False, True)},
        ("T", "t", 0, None),
        ("T", "t", 0, None),
    )

    assert freshness.word_tag("model") not in tags
    assert freshness.prefix_tag("mod") not in tags
    assert {freshness.word_tag("risk"), freshness.word_tag("hardwar")} <= tags
    assert {freshness.prefix_tag("ris"), freshness.prefix_tag("har")} <= tags
    assert freshness.prefix_tag("hardwa") in tags
    assert freshness.prefix_tag("hardwar") not in tags  # starts at 3 and 6 letters only
    assert freshness.SHORT_PREFIX_TAG in tags
    assert freshness.titles_tag("sources") not in tags


@pytest.mark.parametrize(
    ("prefix", "tag"),
    [
        ("ai", freshness.SHORT_PREFIX_TAG),
        ("gov", freshness.prefix_tag("gov")),
        ("gover", freshness.prefix_tag("gov")),
        ("govern", freshness.prefix_tag("govern")),
        ("governanc", freshness.prefix_tag("govern")),
    ],
)
def test_an_unfinished_word_depends_on_its_longest_tagged_start(prefix, tag):
    # Every term starting with the prefix bumps that tag: it starts with the same letters.
    assert freshness._query_prefix_tag(prefix) == tag
    term = prefix + "xyz"
    bumped = freshness._row_tags("sources", {}, {term: (False, True)}, None, None)
    assert tag in bumped


def test_a_word_removed_by_saving_an_instance_made_here_refreshes_the_counts(client):
    # The instances hold the search columns as made (empty): a save writes them back before
    # the index is refreshed, so what the index held must be read before the save.
    made = [
        SourceFactory(title=f"Report {n:02}", summary="On oversight.", venue=VenueFactory())
        for n in range(30)
    ]
    url = "/search/?q=oversight+&per_page=25"
    first = get(client, url)
    assert "30 results" in first.content.decode()
    assert outcome(client, url) == "hit"
    not_shown = next(source for source in made if source.title not in titles(first))

    not_shown.summary = "On something else."
    not_shown.save()

    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert "29 results" in response.content.decode()
