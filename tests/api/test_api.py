"""The read-only API: every resource, the lists' own filters, cursor pages in every sort
order, conditional GETs, the anonymous rate limit, and what must never show."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openapi_spec_validator import validate

from ratings.models import DecisionOrigin
from ratings.services import (
    rating_change_apply,
    rating_proposal_create,
    rating_proposal_reject,
    rating_report_create,
)
from search.ranking import FEW_MATCHES
from sources.filters import SOURCE_ORDERINGS, VENUE_ORDERINGS, SourceFilter, VenueFilter
from sources.models import Source, SourceAuthor, SourceKeyPoint
from sources.selectors import source_list_annotated, venue_list_annotated
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from wiki.filters import PAGE_ORDERINGS, WikiPageFilter
from wiki.models import PageStatus
from wiki.quality import SUBSCORES
from wiki.selectors import wiki_page_list_annotated

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def get(client, path, params=None, **headers):
    response = client.get(path, params or {}, **headers)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def walk(client, path, params=None) -> list[dict]:
    """Every row of a list, following `next` to the end."""
    rows, url, seen = [], path, 0
    data = get(client, url, params)
    while True:
        rows += data["results"]
        seen += 1
        assert seen < 200, "the cursor never ends"
        if data["next"] is None:
            return rows
        data = get(client, data["next"].removeprefix("http://testserver"))


@pytest.fixture
def catalogue(db):
    """Venues rated and unrated, sources with every kind of credibility origin, dated and
    undated, pages of each status, citations."""
    high = VenueFactory(slug="institute", name="Institute", credibility=4)
    low = VenueFactory(slug="blog", name="Blog", credibility=2)
    unrated = VenueFactory(slug="unrated", name="Unrated", credibility=None)
    sources = {
        "inherits": SourceFactory(id="a" * 16, title="Inherits high", venue=high),
        "override": SourceFactory(id="b" * 16, title="Override", venue=low, credibility_override=5),
        "weak": SourceFactory(id="c" * 16, title="Low", venue=low, summary="A summary."),
        "none": SourceFactory(id="d" * 16, title="Nothing", venue=unrated),
        "no_venue": SourceFactory(
            id="e" * 16,
            title="No venue",
            published_on=datetime.date(2024, 3, 1),
            published_precision="month",
        ),
    }
    SourceAuthor.objects.create(source=sources["inherits"], name="Ada Lovelace", position=0)
    SourceKeyPoint.objects.create(source=sources["inherits"], text="It says this.", position=0)
    sources["inherits"].tags.add("governance")
    published = WikiPageFactory(slug="published", title="Published", quality=72)
    draft = WikiPageFactory(slug="secret-draft", title="Secret draft", status=PageStatus.DRAFT)
    stub = WikiPageFactory(slug="stub", title="Stub", status=PageStatus.STUB)
    published.tags.add("governance")
    CitationFactory(page=published, source=sources["inherits"], position=1)
    CitationFactory(page=published, source=sources["override"], position=2)
    CitationFactory(page=draft, source=sources["weak"], position=1)
    return {
        "high": high,
        "low": low,
        "published": published,
        "draft": draft,
        "stub": stub,
        **sources,
    }


# -- resources ----------------------------------------------------------------------------


def test_the_root_names_every_resource(client):
    root = get(client, API)

    for name in ("venues", "sources", "pages", "citations", "rating_decisions", "tags", "search"):
        assert get(client, root[name].removeprefix("http://testserver"), {"q": "x"}) is not None
    assert root["schema"].endswith("/api/v1/schema/")


def test_a_source_carries_its_effective_credibility_and_where_it_comes_from(client, catalogue):
    def credibility(key):
        return get(client, f"{API}sources/{catalogue[key].pk}/")["credibility"]

    assert credibility("inherits") == {"level": 4, "label": "High", "origin": "venue"}
    assert credibility("override") == {"level": 5, "label": "Gold standard", "origin": "source"}
    assert credibility("none") == {"level": None, "label": "Not rated", "origin": "none"}


def test_a_source_shows_what_its_page_shows(client, catalogue):
    data = get(client, f"{API}sources/{catalogue['inherits'].pk}/")

    assert data["title"] == "Inherits high"
    assert data["authors"] == ["Ada Lovelace"]
    assert data["key_points"] == ["It says this."]
    assert data["tags"] == ["governance"]
    assert data["venue"]["slug"] == "institute"
    assert data["venue"]["api_url"] == "http://testserver/api/v1/venues/institute/"
    assert data["url"] == f"http://testserver{catalogue['inherits'].get_absolute_url()}"
    assert data["cited_by_count"] == 1


def test_a_page_carries_quality_band_subscores_and_citations_in_order(client, catalogue):
    data = get(client, f"{API}pages/published/")

    assert data["quality"] == 72 and data["band"] == "good"
    assert set(data["subscores"]) == set(SUBSCORES)
    assert [(c["position"], c["source"]["id"]) for c in data["citations"]] == [
        (1, catalogue["inherits"].pk),
        (2, catalogue["override"].pk),
    ]
    assert data["citations"][1]["source"]["credibility"]["origin"] == "source"


def test_an_unknown_record_is_a_json_404(client, catalogue):
    for path in ("sources/nope/", "venues/nope/", "pages/nope/", "tags/nope/"):
        response = client.get(API + path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "No Source matches the given query."} or "detail" in (
            response.json()
        )


def test_tags_count_their_sources_and_pages(client, catalogue):
    [tag] = get(client, f"{API}tags/")["results"]

    assert (tag["slug"], tag["source_count"], tag["page_count"]) == ("governance", 1, 1)
    assert tag["sources_api_url"] == "http://testserver/api/v1/sources/?tag=governance"
    listed = get(client, tag["sources_api_url"].removeprefix("http://testserver"))["results"]
    assert [s["id"] for s in listed] == [catalogue["inherits"].pk]


def test_search_finds_records_with_their_addresses(client, catalogue):
    data = get(client, f"{API}search/", {"q": "Inherits"})

    [result] = data["results"]
    assert (result["kind"], result["title"]) == ("sources", "Inherits high")
    assert result["api_url"] == f"http://testserver/api/v1/sources/{catalogue['inherits'].pk}/"
    assert data["counts"]["sources"] == 1


def test_rating_decisions_say_what_changed_and_who_decided_as_readers_see_it(
    client, catalogue, moderator
):
    decision = rating_change_apply(
        target=catalogue["high"],
        values={"credibility": 3},
        rationale="Fewer reviews lately.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    [row] = get(client, f"{API}rating-decisions/")["results"]

    assert row["id"] == decision.pk
    assert row["target"]["kind"] == "venue" and row["target"]["title"] == "Institute"
    assert row["changes"] == [{"field": "credibility", "old": 4, "new": 3}]
    assert row["decided_by"] == decision.decided_by_display
    assert moderator.username not in json.dumps(row)
    assert row["url"].endswith(f"#rating-decision-{decision.pk}")
    assert get(client, f"{API}rating-decisions/", {"kind": "source"})["results"] == []
    assert len(get(client, f"{API}rating-decisions/", {"venue": "institute"})["results"]) == 1


# -- the lists' own filters ----------------------------------------------------------------

SAMPLE_VALUES = {
    "q": "Inherits",
    "type": None,  # the first choice
    "venue": "institute",
    "credibility": "4",
    "min_credibility": "3",
    "tag": "governance",
    "has_summary": "yes",
    "cited": "yes",
    "link": None,
    "dead_in": "2026-11",
    "status": "published",
    "band": "good",
    "sort": None,
}


def _value(filterset_class, name):
    value = SAMPLE_VALUES.get(name)
    if value is None:
        field = filterset_class.base_filters[name].field
        choices = [c for c, _label in field.choices if c not in ("", None)]
        value = str(choices[-1])
    return value


@pytest.mark.parametrize(
    ("filterset_class", "path", "site_url", "key"),
    [
        (SourceFilter, "sources/", "sources:source_list", "id"),
        (VenueFilter, "venues/", "sources:venue_list", "slug"),
        (WikiPageFilter, "pages/", "wiki:page_list", "slug"),
    ],
)
def test_every_list_filter_works_in_the_api_as_on_the_site(
    client, catalogue, filterset_class, path, site_url, key
):
    for name in filterset_class.base_filters:
        params = {name: _value(filterset_class, name)}
        api_rows = [row[key] for row in walk(client, API + path, params)]
        page = client.get(reverse(site_url), params).context["page_obj"]
        site_rows = [str(getattr(record, "pk" if key == "id" else key)) for record in page]
        if filterset_class is WikiPageFilter:
            site_rows = [slug for slug in site_rows if slug != "secret-draft"]
        assert api_rows == site_rows, (name, params)


def test_a_bad_filter_value_is_a_400_naming_the_filter(client, catalogue):
    response = client.get(f"{API}sources/", {"credibility": "9"})

    assert response.status_code == 400
    assert list(response.json()) == ["credibility"]
    assert "9" in response.json()["credibility"][0]


# -- cursor pages --------------------------------------------------------------------------


@pytest.fixture
def many_sources(db):
    """Sources with ties and empty values in every sortable column."""
    venues = [VenueFactory(credibility=level) for level in (None, 1, 3, 5)]
    for n in range(37):
        SourceFactory(
            title=f"Title {n % 5}",
            venue=venues[n % 4] if n % 6 else None,
            published_on=datetime.date(2020, 1 + n % 3, 1) if n % 4 else None,
            published_precision="month" if n % 4 else "",
        )


@pytest.mark.parametrize("sort", [None, *SOURCE_ORDERINGS])
def test_cursor_pages_list_every_row_once_in_the_list_s_order(client, many_sources, sort):
    params = {"per_page": "4", **({"sort": sort} if sort else {})}
    _label, order = SOURCE_ORDERINGS[sort or "title"]
    columns = [expression.expression.name for expression in order]
    values = {
        row["pk"]: tuple(row[c] for c in columns)
        for row in source_list_annotated().values("pk", *columns)
    }

    rows = [row["id"] for row in walk(client, f"{API}sources/", params)]

    site = client.get(reverse("sources:source_list"), {**params, "per_page": "100"})
    # The same order as the site's list (rows tied on every sorted column may differ).
    assert [values[pk] for pk in rows] == [values[s.pk] for s in site.context["page_obj"]]
    assert len(rows) == len(set(rows)) == Source.objects.count()


@pytest.fixture
def many_pages_and_venues(db):
    """Pages and venues with ties and empty values in every sortable column."""
    for n in range(23):
        WikiPageFactory(
            title=f"Page {n % 4}",
            quality=None if n % 5 == 0 else 10 * (n % 3),
            reader_importance=None if n % 3 == 0 else Decimal(n % 4) + Decimal("0.5"),
            last_edited=None if n % 4 == 0 else datetime.date(2025, 1 + n % 2, 1),
        )
        venue = VenueFactory(name=f"Venue {n % 6}", credibility=None if n % 4 == 0 else n % 5 + 1)
        for _ in range(n % 3):
            SourceFactory(venue=venue)


@pytest.mark.parametrize(
    ("path", "site_url", "orderings", "queryset", "key"),
    [
        ("pages/", "wiki:page_list", PAGE_ORDERINGS, wiki_page_list_annotated, "slug"),
        ("venues/", "sources:venue_list", VENUE_ORDERINGS, venue_list_annotated, "slug"),
    ],
)
def test_cursor_pages_of_pages_and_venues_follow_every_sort(  # noqa: PLR0913
    client, many_pages_and_venues, path, site_url, orderings, queryset, key
):
    for sort, (_label, order) in orderings.items():
        params = {"per_page": "4", "sort": sort}
        columns = [expression.expression.name for expression in order]
        values = {
            row[key]: tuple(row[c] for c in columns) for row in queryset().values(key, *columns)
        }

        rows = [row[key] for row in walk(client, API + path, params)]

        site = client.get(reverse(site_url), {**params, "per_page": "100"})
        listed = [getattr(record, key) for record in site.context["page_obj"]]
        assert [values[k] for k in rows] == [values[k] for k in listed], sort
        assert sorted(rows) == sorted(listed), sort


def test_a_cursor_from_another_order_or_made_up_is_refused_clearly(client, many_sources):
    first = get(client, f"{API}sources/", {"per_page": "4", "sort": "title"})
    cursor = first["next"].split("cursor=")[1]

    for params in (
        {"cursor": cursor, "sort": "-published"},
        {"cursor": "not-a-cursor"},
        {"cursor": "eyJvIjoieCJ9"},
    ):
        response = client.get(f"{API}sources/", params)
        assert response.status_code == 400, params
        assert list(response.json()) == ["cursor"]


@pytest.mark.parametrize("size", ["0", "101", "ten"])
def test_a_page_size_out_of_bounds_is_refused(client, size):
    response = client.get(f"{API}sources/", {"per_page": size})

    assert response.status_code == 400
    assert "per_page" in response.json()


# -- fixed query counts --------------------------------------------------------------------


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        get(client, path, params or {"per_page": "100"})
    return len(queries)


@pytest.mark.parametrize(
    "path", ["sources/", "venues/", "pages/", "citations/", "rating-decisions/", "tags/"]
)
def test_a_list_costs_the_same_queries_for_one_row_and_fifty(client, moderator, path):
    def add(n):
        for _ in range(n):
            venue = VenueFactory()
            source = SourceFactory(venue=venue)
            SourceAuthor.objects.create(source=source, name="An Author", position=0)
            SourceKeyPoint.objects.create(source=source, text="A point.", position=0)
            source.tags.add(f"tag-{source.pk}")
            page = WikiPageFactory()
            page.tags.add(f"tag-{source.pk}")
            CitationFactory(page=page, source=source)
            rating_change_apply(
                target=venue,
                values={"credibility": 2},
                rationale="Checked.",
                user=moderator,
                origin=DecisionOrigin.DIRECT,
            )

    add(1)
    one = _queries(client, API + path)
    add(49)

    assert _queries(client, API + path) == one


def test_one_record_costs_the_same_queries_with_one_related_row_and_fifty(client):
    venue = VenueFactory(slug="v")
    source = SourceFactory(id="f" * 16, venue=venue)

    def add(n):
        for _ in range(n):
            count = source.authors.count()
            SourceAuthor.objects.create(source=source, name=f"Author {count}", position=count)
            SourceKeyPoint.objects.create(source=source, text=f"Point {count}", position=count)
            source.tags.add(f"tag-{count}")
            venue.domains.create(domain=f"d{count}.example.org", position=count)

    paths = [f"{API}sources/{source.pk}/", f"{API}venues/v/", f"{API}tags/tag-0/"]
    add(1)
    one = [_queries(client, path) for path in paths]
    add(49)

    assert [_queries(client, path) for path in paths] == one


def test_search_costs_the_same_queries_however_many_match(client):
    # From FEW_MATCHES up: below it the search also looks for a title like the query.
    for n in range(FEW_MATCHES):
        SourceFactory(title=f"Findable {n}")
    one = _queries(client, f"{API}search/", {"q": "findable"})
    for n in range(FEW_MATCHES, 50):
        SourceFactory(title=f"Findable {n}")

    assert _queries(client, f"{API}search/", {"q": "findable"}) == one


def test_a_page_with_fifty_citations_costs_the_same_queries_as_with_one(client):
    page = WikiPageFactory(slug="cited")
    CitationFactory(page=page)
    one = _queries(client, f"{API}pages/cited/")
    for _ in range(49):
        CitationFactory(page=page)

    assert _queries(client, f"{API}pages/cited/") == one


# -- caching and conditional requests --------------------------------------------------------


def test_answers_carry_validators_and_a_conditional_get_is_a_304(client, catalogue):
    path = f"{API}sources/{catalogue['inherits'].pk}/"
    first = client.get(path)

    assert first["ETag"] and first["Last-Modified"]
    assert "public" in first["Cache-Control"]
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_a_change_shows_on_the_next_request(client, catalogue):
    path = f"{API}sources/"
    before = client.get(path)
    source = catalogue["weak"]
    source.summary = "Rewritten."
    source.save()

    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert "Rewritten." in after.content.decode()


def test_without_the_page_cache_answers_still_carry_an_etag(client, catalogue, settings):
    settings.CREDENCE_PAGE_CACHE_SECONDS = 0
    path = f"{API}venues/"
    first = client.get(path)

    assert first["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


# -- the anonymous rate limit ---------------------------------------------------------------


def test_past_the_anonymous_rate_the_api_answers_429_with_retry_after(client, settings):
    settings.CREDENCE_API_ANON_RATE = "3/minute"

    answers = [client.get(f"{API}tags/") for _ in range(3)]
    refused = client.get(f"{API}tags/")  # cached by now: it counts all the same

    assert all(answer.status_code == 200 for answer in answers)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith(
        "Too many requests from your address: 3 per minute are allowed without signing in."
    )
    assert client.get(reverse("wiki:home")).status_code == 200  # the site is not limited


def test_the_limit_counts_each_client_address_apart(client, settings):
    settings.CREDENCE_API_ANON_RATE = "1/minute"

    assert client.get(f"{API}tags/", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get(f"{API}tags/", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get(f"{API}tags/", REMOTE_ADDR="10.0.0.2").status_code == 200


# -- what never shows ---------------------------------------------------------------------


def _everything(client) -> str:
    """Every answer of every endpoint, followed to its last page, as one text."""
    texts = []
    for name, url in get(client, API).items():
        if name in ("schema", "docs"):
            continue
        path = url.removeprefix("http://testserver")
        if name == "search":
            for q in ("Secret", "draft", "Institute", "Page"):
                texts.append(json.dumps(get(client, path, {"q": q})))
            continue
        for row in walk(client, path):
            texts.append(json.dumps(row))
            if "api_url" in row and name in ("sources", "venues", "pages"):
                texts.append(
                    json.dumps(get(client, row["api_url"].removeprefix("http://testserver")))
                )
    return "\n".join(texts)


def test_nothing_private_leaks(client, catalogue, editor, moderator):
    editor.username = "editor-login"
    editor.save()
    moderator.username = "moderator-login"
    moderator.save()
    waiting = rating_proposal_create(
        target=catalogue["low"], values={"credibility": 1}, rationale="Pending idea.", user=editor
    )
    rejected = rating_proposal_create(
        target=catalogue["high"], values={"credibility": 1}, rationale="Rejected idea.", user=editor
    )
    rating_proposal_reject(proposal=rejected, user=moderator, comment="Staff-only comment.")
    rating_report_create(
        target=catalogue["high"], what="Too high", why="Reader worry.", email="reader@example.org"
    )
    rating_change_apply(
        target=catalogue["draft"],
        values={"quality": 30},
        rationale="Draft rescored.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    text = _everything(client)

    for secret in (
        "Pending idea.",
        "Rejected idea.",
        "Staff-only comment.",
        "reader@example.org",
        "Reader worry.",
        "editor-login",
        "moderator-login",
        "secret-draft",
        "Secret draft",
        "Draft rescored.",
    ):
        assert secret not in text, secret
    assert waiting.pk
    assert client.get(f"{API}pages/secret-draft/").status_code == 404
    assert client.get(f"{API}citations/", {"page": "secret-draft"}).json()["results"] == []


# -- the schema ----------------------------------------------------------------------------


def test_the_openapi_schema_is_valid_and_names_every_endpoint(client):
    out = StringIO()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )
    schema = json.loads(out.getvalue())

    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/api/v1/venues/",
        "/api/v1/venues/{slug}/",
        "/api/v1/sources/",
        "/api/v1/sources/{id}/",
        "/api/v1/pages/",
        "/api/v1/pages/{slug}/",
        "/api/v1/citations/",
        "/api/v1/rating-decisions/",
        "/api/v1/tags/",
        "/api/v1/search/",
    ):
        assert path in paths, path
    validate(schema)  # openapi-spec-validator: independent of the generator's own check
    source_params = {p["name"] for p in schema["paths"]["/api/v1/sources/"]["get"]["parameters"]}
    assert set(SourceFilter.base_filters) | {"cursor", "per_page"} <= source_params
    served = client.get(f"{API}schema/")
    assert served.status_code == 200
