"""Search: the same behaviour on SQLite (FTS5) and PostgreSQL (weighted tsvector), typo
tolerance included; ranking details checked on PostgreSQL only."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.changes import records_changed
from search import index as search_module
from search.index import query_parse
from search.ranking import by_relevance, search_filter
from sources.filters import SourceFilter
from sources.models import Source, SourceType, Venue
from sources.services import source_key_points_set
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory
from tests.html_forms import form_data
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db


def found(kind, text):
    model = {"sources": Source, "pages": WikiPage, "venues": Venue}[kind]
    return set(search_filter(model.objects.all(), kind, text).values_list("pk", flat=True))


@pytest.fixture
def corpus():
    return {
        "compute": SourceFactory(
            title="Compute governance and export controls",
            summary="How chips are tracked.",
        ),
        "evals": SourceFactory(
            title="Dangerous capability evaluations",
            summary="Testing frontier models before deployment.",
        ),
        "china": SourceFactory(
            title="China's AI governance framework",
            summary="Standards bodies and their view of risk.",
        ),
    }


def test_all_words_must_match(corpus):
    assert found("sources", "governance chips") == {corpus["compute"].pk}


def test_words_match_their_other_forms(corpus):
    assert found("sources", "govern ") == {corpus["compute"].pk, corpus["china"].pk}
    assert found("sources", "evaluation tested ") == {corpus["evals"].pk}


def test_a_quoted_phrase_matches_in_order(corpus):
    assert found("sources", '"export controls"') == {corpus["compute"].pk}
    # Out of order, the phrase matches nothing; the alternative shows the query ran.
    assert found("sources", '"controls export" or deployment') == {corpus["evals"].pk}


def test_or_between_alternatives(corpus):
    assert found("sources", "chips or deployment") == {corpus["compute"].pk, corpus["evals"].pk}


def test_a_minus_word_excludes(corpus):
    assert found("sources", "governance -china") == {corpus["compute"].pk}
    assert found("sources", "-china") == set()  # nothing left to match


def test_the_last_word_matches_as_a_prefix_while_typing(corpus):
    assert found("sources", "dangerous capab") == {corpus["evals"].pk}
    assert found("sources", "capab ") == set()  # a finished word is a whole word


def test_query_syntax_is_parsed_once_for_both_databases():
    parsed = query_parse('"risk model" or chips -china gover')

    assert [[(c.words, c.negated, c.prefix) for c in g] for g in parsed.groups] == [
        [(["risk", "model"], False, False)],
        [(["chips"], False, False), (["china"], True, False), (["gover"], False, True)],
    ]


def test_hostile_input_is_only_words(corpus):
    for text in ["'; DROP TABLE x; --", "a:* & !b | (c", 'NEAR("x" "y")', '"unclosed', "*"]:
        search_filter(Source.objects.all(), "sources", text).count()  # no error


def test_results_are_capped(client, corpus, monkeypatch):
    for module in ("search.index", "search.ranking", "search.selectors"):
        monkeypatch.setattr(f"{module}.SEARCH_CAP", 2)
    text = "governance or evaluations"  # three sources match

    results = search_module.capped(search_filter(Source.objects.all(), "sources", text))
    response = client.get(reverse("search:search"), {"q": text, "kind": "sources"})

    assert len(results) == 2
    assert response.context["page_obj"].paginator.count == 2
    assert len(response.context["results"]) == 2
    tabs = {tab["kind"]: (tab["count"], tab["capped"]) for tab in response.context["tabs"]}
    assert tabs["sources"] == (2, True) and tabs["all"] == (2, True)
    assert "(2+)" in response.content.decode()


def test_key_points_are_searched(corpus):
    source_key_points_set(source=corpus["evals"], points=["Red-teaming with biosecurity experts"])

    assert found("sources", "biosecurity") == {corpus["evals"].pk}


def test_pages_and_venues_are_searched():
    page = WikiPageFactory(title="Pause advocacy", body="Arguments for a moratorium on training.")
    venue = VenueFactory(name="Institute for Progress", description="Science policy think tank.")

    assert found("pages", "moratorium") == {page.pk}
    assert found("venues", "think tank") == {venue.pk}


def test_an_admin_edit_is_searchable_at_once(editor_client, corpus):
    source = corpus["evals"]
    url = reverse("admin:sources_source_change", args=[source.pk])
    data = {**form_data(editor_client.get(url).content), "title": "Sandbagging detection"}

    assert editor_client.post(url, data).status_code == 302
    assert found("sources", "sandbagging") == {source.pk}
    assert found("sources", "dangerous") == set()


def test_a_deleted_record_is_no_longer_found(corpus):
    pk = corpus["china"].pk
    corpus["china"].delete()

    assert pk not in found("sources", "governance")


def test_an_import_is_searchable(tmp_path):
    from interchange.longterm_wiki.importer import longterm_wiki_import
    from tests.interchange.kb_builder import write_kb

    longterm_wiki_import(write_kb(tmp_path))

    titles = set(
        WikiPage.objects.filter(pk__in=found("pages", "section")).values_list("title", flat=True)
    )
    assert titles == {"Section index 1", "Section index 2"}


def test_a_bulk_refresh_past_one_batch_keeps_one_index_row_per_record():
    # SQLite's index forgets a batch of rows in one statement (FTS5 cannot index the
    # reference column, so each statement reads the table): more rows than one batch holds.
    rows = Source.objects.bulk_create(
        Source(
            id=f"bulk{n:04d}",
            stable_id=f"sid_bulk{n:06d}",
            url=f"https://bulk.example.org/{n}",
            title=f"Bulk heliotrope {n:04d}",
        )
        for n in range(search_module.FTS5_DELETE_BATCH + 20)
    )
    pks = [row.pk for row in rows]
    records_changed(Source, pks)
    search_module.search_index_refresh("sources", pks)
    Source.objects.filter(pk__in=pks[::2]).update(title="Bulk marigold")
    records_changed(Source, pks[::2])
    search_module.search_index_refresh("sources", pks)

    assert found("sources", "heliotrope") == set(pks[1::2])
    assert found("sources", "marigold") == set(pks[::2])
    if connection.vendor == "sqlite":
        kind = search_module.KINDS["sources"]
        with connection.cursor() as cursor:
            for table in (kind.fts_table, kind.titles_table):
                cursor.execute(f"SELECT count(*), count(DISTINCT ref) FROM {table}")
                assert cursor.fetchone() == (len(pks), len(pks))

    search_module.search_index_remove("sources", pks)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in (kind.fts_table, kind.titles_table):
                cursor.execute(f"SELECT count(*) FROM {table}")
                assert cursor.fetchone() == (0,)


# -- the search page -------------------------------------------------------------------


def test_the_search_page_shows_kinds_with_counts_and_highlights(client, corpus):
    WikiPageFactory(title="Governance of compute", body="A page.")

    response = client.get(reverse("search:search"), {"q": "governance"})

    tabs = {tab["kind"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"all": 3, "sources": 2, "pages": 1, "venues": 0}
    assert [tab["kind"] for tab in response.context["tabs"]][0] == "all"
    assert response.context["kind"] == "all"
    content = response.content.decode()
    assert "<mark>governance</mark>" in content.lower()
    pages = client.get(reverse("search:search"), {"q": "governance", "kind": "pages"})
    assert [r["object"].title for r in pages.context["results"]] == ["Governance of compute"]


def test_search_results_take_the_lists_filters(client, corpus):
    Source.objects.filter(pk=corpus["china"].pk).update(type=SourceType.PAPER)

    response = client.get(
        reverse("search:search"), {"q": "governance", "kind": "sources", "type": SourceType.PAPER}
    )

    assert [r["object"].pk for r in response.context["results"]] == [corpus["china"].pk]


def test_snippets_escape_the_text(client):
    SourceFactory(title="Tags", summary="Beware <script>alert(1)</script> injection")

    content = client.get(reverse("search:search"), {"q": "injection"}).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content and "<mark>injection</mark>" in content


def test_the_source_list_box_uses_the_same_search(client, corpus):
    response = client.get(reverse("sources:source_list"), {"q": "govern"})

    assert {s.pk for s in response.context["page_obj"]} == {
        corpus["compute"].pk,
        corpus["china"].pk,
    }


@pytest.mark.parametrize("kind", ["all", "sources"])
def test_search_query_count_does_not_grow_with_results(client, kind, settings):
    settings.CREDENCE_PAGE_CACHE_SECONDS = 0

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("search:search"), {"q": "alignment", "kind": kind})
        return len(captured)

    # Past FEW_MATCHES, so that both counts leave out the sources' similar-titles query;
    # every result is a source, so each page reads the records of one kind.
    for n in range(12):
        SourceFactory(title=f"Alignment {n}", venue=VenueFactory())
    some = queries()
    for n in range(60):
        SourceFactory(title=f"Alignment more {n}", venue=VenueFactory(), summary="alignment")

    assert queries() == some


def test_a_page_of_every_kind_reads_each_kinds_records_once(client, settings):
    settings.CREDENCE_PAGE_CACHE_SECONDS = 0
    for n in range(15):
        SourceFactory(title=f"Alignment {n}", venue=VenueFactory())
        WikiPageFactory(title=f"Alignment page {n}", body="Alignment.")
        VenueFactory(name=f"Alignment venue {n}")

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("search:search"), {"q": "alignment", "per_page": 50})

    kinds = {result["kind"] for result in response.context["results"]}
    assert kinds == {"sources", "pages", "venues"}
    # Per kind: its count and its five tiers' heads (exact, prefix, title, described, body),
    # which PostgreSQL reads in one UNION; then one read of the records of each kind shown.
    heads = 1 if connection.features.supports_slicing_ordering_in_compound else 5
    assert len(captured) == 3 * (1 + heads) + 3


def test_a_cached_search_asks_the_database_once_how_it_stems_the_words(client):
    for n in range(15):
        SourceFactory(title=f"Alignment {n}", venue=VenueFactory())

    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("search:search"), {"q": "alignment models", "per_page": 50})

    stemming = [q["sql"] for q in captured if "to_tsvector" in q["sql"] or "scratch" in q["sql"]]
    # PostgreSQL: one to_tsvector over the words; SQLite: the words into FTS5 and back out.
    assert len(stemming) == (1 if connection.vendor == "postgresql" else 2)


def test_an_empty_search_page_asks_for_words(client):
    response = client.get(reverse("search:search"))

    assert response.status_code == 200 and 'name="q"' in response.content.decode()


# -- Ranking in lists, and typos -----------------------------------------------------


def test_a_list_ranks_a_title_match_above_a_summary_match():
    in_review = SourceFactory(title="Other", review="interpretability matters")
    in_title = SourceFactory(title="Interpretability", summary="")
    in_summary = SourceFactory(title="Another", summary="interpretability research")

    ranked = list(
        by_relevance(
            search_filter(Source.objects.all(), "sources", "interpretability ")
        ).values_list("pk", flat=True)
    )

    assert ranked == [in_title.pk, in_summary.pk, in_review.pk]


def test_a_misspelt_title_is_still_found_on_the_search_page(client):
    page = WikiPageFactory(title="Deceptive alignment", body="Models that pretend.")

    response = client.get(reverse("search:search"), {"q": "deceptiv allignment ", "kind": "pages"})

    assert found("pages", "deceptiv allignment ") == set()  # lists search exactly
    assert [r["object"].pk for r in response.context["results"]] == [page.pk]


def test_the_search_page_filters_keep_the_query(client, corpus):
    url = reverse("search:search")
    content = client.get(url, {"q": "governance", "kind": "sources"}).content.decode()

    assert '<input type="hidden" name="q" value="governance">' in content
    assert '<input type="hidden" name="kind" value="sources">' in content


@pytest.mark.postgres_only
def test_the_search_uses_the_gin_index():
    for n in range(50):
        SourceFactory(title=f"Filler {n}")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM sources_source "
            "WHERE search_vector @@ to_tsquery('english', 'x')"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")

    assert "sources_source_search_gin" in plan


def test_a_snapshot_fill_in_is_searchable(settings):
    from sources.snapshots import snapshot_take
    from tests.local_web import ARTICLE, LocalWeb

    web = LocalWeb()
    try:
        source = SourceFactory(url=web.html("/article", ARTICLE), title="")
        assert found("sources", "explained") == set()

        snapshot_take(source=source)
    finally:
        web.close()

    assert found("sources", "explained") == {source.pk}  # "Compute Governance Explained"


# -- Sorting a search ----------------------------------------------------------------------


@pytest.fixture
def relevance_differs_from_title():
    """Two sources whose relevance order (title match first) is not their title order."""
    return [
        SourceFactory(title="Zeta: interpretability", summary=""),
        SourceFactory(title="Alpha", summary="Notes on interpretability"),
    ]


def _filters_form(content: str) -> dict:
    return form_data(re.search(r'<form class="filters".*?</form>', content, re.S)[0])


def _result_pks(response) -> list:
    return [result["object"].pk for result in response.context["results"]]


def test_a_search_is_sorted_by_relevance_and_its_form_says_so(client, relevance_differs_from_title):
    by_title_match, by_summary = relevance_differs_from_title

    response = client.get(reverse("search:search"), {"q": "interpretability", "kind": "sources"})

    assert _result_pks(response) == [by_title_match.pk, by_summary.pk]
    # The select shows (and a browser submits) "Relevance", its first and default choice.
    assert _filters_form(response.content.decode())["sort"] == "relevance"


def test_applying_the_search_filters_unchanged_keeps_the_relevance_order(
    client, relevance_differs_from_title
):
    first = client.get(reverse("search:search"), {"q": "interpretability", "kind": "sources"})

    again = client.get(reverse("search:search"), _filters_form(first.content.decode()))

    assert _result_pks(again) == _result_pks(first)


def test_another_order_keeps_the_query_and_is_a_url(client, relevance_differs_from_title):
    by_title_match, by_summary = relevance_differs_from_title

    response = client.get(
        reverse("search:search"), {"q": "interpretability", "kind": "sources", "sort": "title"}
    )

    assert _result_pks(response) == [by_summary.pk, by_title_match.pk]
    form = _filters_form(response.content.decode())
    assert (form["q"], form["kind"], form["sort"]) == ("interpretability", "sources", "title")


def test_reading_the_filters_elsewhere_does_not_offer_relevance_without_a_query(client):
    # The API's schema builds each list filter's form field on the class's own filters,
    # which every list copies.
    assert client.get(reverse("api:schema")).status_code == 200
    assert SourceFilter.base_filters["sort"].field  # built, as the schema builds it

    plain = client.get(reverse("sources:source_list")).content.decode()

    assert 'value="relevance"' not in plain


def test_a_list_offers_relevance_only_with_a_query(client, relevance_differs_from_title):
    by_title_match, by_summary = relevance_differs_from_title
    plain = client.get(reverse("sources:source_list")).content.decode()

    searched = client.get(reverse("sources:source_list"), {"q": "interpretability"})

    assert 'value="relevance"' not in plain
    assert _filters_form(plain)["sort"] == "title"
    assert _filters_form(searched.content.decode())["sort"] == "relevance"
    listed = [source.pk for source in searched.context["page_obj"].object_list]
    assert listed == [by_title_match.pk, by_summary.pk]


def test_the_home_box_searches_every_kind(client):
    page = WikiPageFactory(title="Pause advocacy", body="Slowing down.")
    home = client.get(reverse("wiki:home")).content.decode()
    form = re.search(r'<form class="home-search".*?</form>', home, re.S)[0]
    action = re.search(r'action="([^"]+)"', form)[1]

    response = client.get(action, {"q": "pause advocacy"})

    assert action == reverse("search:search")
    assert response.context["kind"] == "all"
    assert [result["object"].pk for result in response.context["results"]] == [page.pk]


# -- Typos, on both databases --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [  # the values PostgreSQL's pg_trgm gives for these pairs
        ("AI Proliferation", "proliferaton", 0.57894737),
        ("Deceptive alignment", "deceptiv allignment", 0.73913044),
        ("Don't-panic: 3.5x", "dont panic", 0.47368422),
        ("Émile Zola", "emile", 0.21428572),
        ("", "anything", 0.0),
    ],
)
def test_title_similarity_is_pg_trgms_measure(a, b, expected):
    assert search_module.trigram_similarity(a, b) == pytest.approx(expected, abs=1e-6)


@pytest.mark.postgres_only
def test_on_postgresql_the_measure_is_pg_trgms_own():
    pairs = [("Compute governance", "compute governence"), ("Pause AI", "pause advocasy")]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            expected = cursor.fetchone()[0]
            assert search_module.trigram_similarity(a, b) == pytest.approx(expected, abs=1e-6)


@pytest.fixture
def proliferation():
    return {
        "page": WikiPageFactory(title="AI Proliferation", body="How capabilities spread."),
        "laws": WikiPageFactory(title="LAWS Proliferation Model", body="Weapons."),
        "source": SourceFactory(title="Proliferation of chips", summary=""),
    }


def test_a_typo_offers_the_most_similar_title_of_any_kind(client, proliferation):
    response = client.get(reverse("search:search"), {"q": "proliferaton"})

    content = response.content.decode()
    assert response.context["kind"] == "all"
    assert response.context["suggestion"].record == proliferation["page"]
    assert f'Did you mean <a href="{proliferation["page"].get_absolute_url()}">' in content
    assert _result_pks(response)[0] == proliferation["page"].pk


def test_a_minus_word_still_excludes_similar_titles(client, proliferation):
    response = client.get(reverse("search:search"), {"q": "proliferaton -weapons", "kind": "pages"})

    assert _result_pks(response) == [proliferation["page"].pk]


def test_a_renamed_title_is_offered_under_its_new_name(client, proliferation):
    page = proliferation["page"]
    page.title = "Capability diffusion"
    page.save()

    by_old = client.get(reverse("search:search"), {"q": "proliferaton", "kind": "pages"})
    by_new = client.get(reverse("search:search"), {"q": "capabilty difusion", "kind": "pages"})

    assert page.pk not in _result_pks(by_old)
    assert _result_pks(by_new) == [page.pk]


def test_a_search_that_matches_offers_no_suggestion(client, proliferation):
    response = client.get(reverse("search:search"), {"q": "proliferation"})

    assert response.context["suggestion"] is None
    assert "did-you-mean" not in response.content.decode()


# -- Exact titles ----------------------------------------------------------------------------


@pytest.fixture
def governance_pages():
    crowded = "Compute governance: compute governance for compute governance"
    return {
        "exact": WikiPageFactory(title="Compute Governance", body="Rules for chips."),
        "others": [
            WikiPageFactory(
                title=f"{crowded} {n}", body="compute governance " * 30, description=crowded
            )
            for n in range(3)
        ],
    }


@pytest.mark.parametrize(
    "query", ["Compute Governance", "compute governance", "COMPUTE-governance!"]
)
def test_a_title_that_is_the_query_is_the_top_hit(client, governance_pages, query):
    response = client.get(reverse("search:search"), {"q": query})

    assert response.context["kind"] == "all"
    assert _result_pks(response)[0] == governance_pages["exact"].pk
    assert response.context["top_hit"] == governance_pages["exact"]
    assert "Top hit: this title is your query" in response.content.decode()


def test_accents_and_punctuation_do_not_stop_an_exact_match(client):
    venue = VenueFactory(name="Société Générale d'IA")
    SourceFactory(title="Societe Generale d'IA: a profile of Société Générale d'IA")

    response = client.get(reverse("search:search"), {"q": "Societe Generale d IA"})

    assert search_module.title_key("societe generale d ia") == search_module.title_key(venue.name)
    assert response.context["top_hit"] == venue


def test_go_opens_the_record_whose_title_is_the_query(client, governance_pages):
    response = client.get(reverse("search:search"), {"q": "compute governance", "go": "1"})

    assert response.status_code == 302
    assert response["Location"] == governance_pages["exact"].get_absolute_url()


def test_go_without_an_exact_title_shows_the_results(client, governance_pages):
    response = client.get(reverse("search:search"), {"q": "governance for compute", "go": "1"})

    assert response.status_code == 200 and response.context["top_hit"] is None


def test_a_venues_exact_name_comes_first_in_the_all_view(client):
    venue = VenueFactory(name="Epoch AI")
    SourceFactory(title="Epoch AI on compute trends: an Epoch AI report", summary="Epoch AI")

    response = client.get(reverse("search:search"), {"q": "epoch ai"})

    assert response.context["kind"] == "all"
    assert response.context["results"][0]["object"] == venue
    assert response.context["results"][0]["kind"] == "venues"
    assert "Top hit: this title is your query" in response.content.decode()


def test_the_header_box_asks_to_go_straight_to_an_exact_title(client):
    header = client.get(reverse("wiki:home")).content.decode()
    form = re.search(r'<form class="header-search".*?</form>', header, re.S)[0]

    assert '<input type="hidden" name="go" value="1">' in form
