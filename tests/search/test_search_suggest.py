"""The header box's suggestions endpoint: titles of every kind as JSON, best first, at most
8, escaped, cached until anything changes, in a fixed number of queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db

URL = reverse("search:suggest")


def suggest(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response


def titles(response):
    return [s["title"] for s in response.json()["suggestions"]]


@pytest.fixture
def no_page_cache(settings):
    """Turn the whole-page cache off, so that what a test sees is the endpoint's own cache."""
    settings.CREDENCE_PAGE_CACHE_SECONDS = 0


def test_the_answer_names_each_title_its_kind_and_its_url(client):
    page = WikiPageFactory(title="Corrigibility", slug="corrigibility")

    data = suggest(client, "corrig").json()

    assert data == {
        "query": "corrig",
        "suggestions": [
            {
                "title": "Corrigibility",
                "kind": "pages",
                "kind_label": "Wiki page",
                "url": page.get_absolute_url(),
            }
        ],
    }


def test_kinds_are_mixed_with_the_exact_title_first(client):
    source = SourceFactory(title="Interpretability in practice")
    venue = VenueFactory(name="Interpretability Forum", slug="interp-forum")
    page = WikiPageFactory(title="Interpretability", slug="interpretability")

    data = suggest(client, "interpretability").json()

    assert [(s["kind"], s["kind_label"], s["url"]) for s in data["suggestions"]] == [
        ("pages", "Wiki page", page.get_absolute_url()),
        ("venues", "Venue", venue.get_absolute_url()),
        ("sources", "Source", source.get_absolute_url()),
    ]


def test_at_most_eight_titles(client):
    for n in range(12):
        SourceFactory(title=f"Scalable oversight {n}")

    assert len(titles(suggest(client, "scalable"))) == 8


@pytest.mark.parametrize(
    ("limit", "count"),
    [("3", 3), ("1", 1), ("8", 8), ("50", 8), ("0", 8), ("-2", 8), ("many", 8), ("", 8)],
)
def test_a_limit_lowers_the_count_but_never_raises_it(client, limit, count):
    for n in range(12):
        SourceFactory(title=f"Scalable oversight {n}")
    best = titles(suggest(client, "scalable"))

    assert titles(suggest(client, "scalable", limit=limit)) == best[:count]


def test_titles_are_escaped(client):
    hostile = """Hostile </script><b>&"' title"""
    VenueFactory(name=hostile, slug="hostile")

    response = suggest(client, "hostile")
    body = response.content.decode()

    assert titles(response) == [hostile]
    assert not set("<>&") & set(body)  # nothing in the body reads as markup
    assert json.loads(body)["suggestions"][0]["title"] == hostile


def test_the_query_comes_back_as_it_was_typed(client):
    WikiPageFactory(title="Deceptive alignment")

    data = suggest(client, "  Deceptive  ALIGN").json()

    assert data["query"] == "  Deceptive  ALIGN"
    assert [s["title"] for s in data["suggestions"]] == ["Deceptive alignment"]


@pytest.mark.parametrize("q", ["", "   ", "a", " b "])
def test_a_blank_or_one_letter_query_suggests_nothing_without_a_query(client, q):
    WikiPageFactory(title="a")

    with CaptureQueriesContext(connection) as queries:
        data = suggest(client, q).json()

    assert data == {"query": q, "suggestions": []}
    assert len(queries) == 0


def test_no_query_at_all_suggests_nothing(client):
    assert client.get(URL).json() == {"query": "", "suggestions": []}


def test_browsers_and_proxies_may_keep_the_answer_a_minute(client):
    response = suggest(client, "anything")

    assert response["Cache-Control"] == "public, max-age=60"


def test_only_get_and_head_are_answered(client):
    assert client.post(URL, {"q": "oversight"}).status_code == 405
    assert client.head(URL, {"q": "oversight"}).status_code == 200


def test_a_repeated_query_is_answered_from_the_cache(client, no_page_cache):
    WikiPageFactory(title="Reward hacking")
    first = suggest(client, "reward")

    # Written differently, the same query: the page cache could not answer it.
    with CaptureQueriesContext(connection) as queries:
        second = suggest(client, "  REWARD")

    assert len(queries) == 0
    assert second.json()["suggestions"] == first.json()["suggestions"]
    assert titles(second) == ["Reward hacking"]


def test_an_unfinished_word_and_a_finished_one_are_different_queries(client, no_page_cache):
    WikiPageFactory(title="Hacking the reward")

    assert titles(suggest(client, "rewar")) == ["Hacking the reward"]
    assert titles(suggest(client, "rewar ")) == []


def test_an_edit_refreshes_the_suggestions_at_once(client, no_page_cache):
    page = WikiPageFactory(title="Goal misgeneralization")
    assert titles(suggest(client, "goal")) == ["Goal misgeneralization"]

    page.title = "Goal misgeneralisation"
    page.save()

    assert titles(suggest(client, "goal")) == ["Goal misgeneralisation"]


def test_the_page_cache_keeps_the_answer_whole(client):
    WikiPageFactory(title="Reward hacking")
    first = suggest(client, "reward")

    with CaptureQueriesContext(connection) as queries:
        second = suggest(client, "reward")

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert len(queries) == 0
    assert second.content == first.content
    assert second["Cache-Control"] == "public, max-age=60"


def test_the_page_cache_follows_edits_too(client):
    page = WikiPageFactory(title="Goal misgeneralization")
    suggest(client, "goal")

    page.title = "Goal misgeneralisation"
    page.save()

    assert titles(suggest(client, "goal")) == ["Goal misgeneralisation"]


def quokkas(numbers):
    """A record of each kind per number whose title starts with "Quokka"; number 0 is
    titled exactly "Quokka", so that the best 8 always hold every kind."""
    for n in numbers:
        suffix = f" {n}" if n else ""
        VenueFactory(name=f"Quokka{suffix}")
        WikiPageFactory(title=f"Quokka{suffix}")
        SourceFactory(title=f"Quokka{suffix}")


def suggest_counting_queries(client):
    with CaptureQueriesContext(connection) as queries:
        suggestions = suggest(client, "quokka").json()["suggestions"]
    return len(queries), sorted({s["kind"] for s in suggestions}), len(suggestions)


def test_no_query_per_suggestion(client, no_page_cache):
    quokkas([0])
    one, kinds_one, shown_one = suggest_counting_queries(client)
    quokkas(range(1, 8))
    eight, kinds_eight, shown_eight = suggest_counting_queries(client)

    assert (kinds_one, shown_one) == (["pages", "sources", "venues"], 3)
    assert (kinds_eight, shown_eight) == (["pages", "sources", "venues"], 8)
    # Per kind: three tiers (exact, prefix, words in the title), and a count and a search
    # for similar titles that titles-only suggestions do not use (see search_ranking's
    # KindSearch.top); then one fetch per kind found.
    assert one == eight <= 18


def test_an_edit_elsewhere_leaves_the_suggestions_cached(client, no_page_cache):
    WikiPageFactory(title="Goal misgeneralization")
    other = WikiPageFactory(title="Reward hacking", summary="Specification gaming.")
    suggest(client, "goal")

    other.summary = "Gaming the specification."
    other.save()
    with CaptureQueriesContext(connection) as queries:
        again = suggest(client, "goal")

    assert len(queries) == 0
    assert titles(again) == ["Goal misgeneralization"]


def test_a_new_title_with_the_word_refreshes_the_suggestions(client, no_page_cache):
    WikiPageFactory(title="Goal misgeneralization")
    assert titles(suggest(client, "goal")) == ["Goal misgeneralization"]

    WikiPageFactory(title="Goals of oversight")

    assert set(titles(suggest(client, "goal"))) == {"Goal misgeneralization", "Goals of oversight"}
