"""Every field each endpoint returns, against an allow-list: a field added to a model, or
to a serializer by mistake, fails here until someone decides it is public."""

from __future__ import annotations

import pytest

from ratings.models import DecisionOrigin
from ratings.services import rating_change_apply
from tests.api.test_api import API, catalogue, get  # noqa: F401 (a fixture)
from wiki.quality import SUBSCORES

pytestmark = pytest.mark.django_db

LINKS = {"url", "api_url"}
SOURCE_BRIEF = {"id", "title", "credibility", "credibility.level", "credibility.label"}
SOURCE_BRIEF |= {"credibility.origin"} | LINKS
PAGE_BRIEF = {"slug", "title"} | LINKS
VENUE_BRIEF = {"slug", "name"} | LINKS

VENUE = VENUE_BRIEF | {
    "type",
    "description",
    "website",
    "peer_reviewed",
    "credibility",
    "credibility.level",
    "credibility.label",
    "credibility_rationale",
    "credibility_reviewed_on",
    "review_due",
    "domains",
    "source_count",
    "created_at",
    "updated_at",
}
SOURCE = (
    (SOURCE_BRIEF - LINKS)
    | LINKS
    | {
        "stable_id",
        "link",
        "type",
        "published_on",
        "published_precision",
        "authors",
        "abstract",
        "summary",
        "review",
        "key_points",
        "tags",
        "doi",
        "arxiv_id",
        "isbn",
        "fetch_outcome",
        "fetched_at",
        "notice_status",
        "cited_by_count",
        "created_at",
        "updated_at",
        "venue",
        *(f"venue.{name}" for name in VENUE_BRIEF),
    }
)
PAGE = PAGE_BRIEF | {
    "type",
    "status",
    "description",
    "summary",
    "last_edited",
    "quality",
    "band",
    "subscores",
    *(f"subscores.{name}" for name in SUBSCORES),
    "reader_importance",
    "research_importance",
    "word_count",
    "citation_count",
    "tags",
    "created_at",
    "updated_at",
}
PAGE_DETAIL = PAGE | {
    "body",
    "citations",
    "citations[].position",
    "citations[].note",
    "citations[].in_body",
    "citations[].source",
    *(f"citations[].source.{name}" for name in SOURCE_BRIEF),
}
CITATION = {
    "id",
    "position",
    "note",
    "in_body",
    "page",
    *(f"page.{name}" for name in PAGE_BRIEF),
    "source",
    *(f"source.{name}" for name in SOURCE_BRIEF),
}
DECISION = {
    "id",
    "target",
    "target.kind",
    "target.title",
    "target.url",
    "target.api_url",
    "changes",
    "changes[].field",
    "changes[].old",
    "changes[].new",
    "rationale",
    "origin",
    "decided_by",
    "created_at",
    "url",
}
TAG = {"slug", "name", "source_count", "page_count", "url", "sources_api_url", "pages_api_url"}
LIST = {"next", "first", "results"}
SEARCH = {"query", "kind", "counts", "capped", "page", "next", "results"}
SEARCH_RESULT = {"kind", "title", "snippet", "url", "api_url"}


def paths(value, prefix="") -> set[str]:
    """The dotted path of every key in a JSON value (`[]` for a list's items)."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | paths(item, path)
    elif isinstance(value, list):
        for item in value:
            found |= paths(item, f"{prefix}[]")
    return found


@pytest.fixture
def decided(catalogue, moderator):  # noqa: F811
    rating_change_apply(
        target=catalogue["high"],
        values={"credibility": 3},
        rationale="Checked.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )
    return catalogue


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("venues/", VENUE),
        ("venues/institute/", VENUE),
        ("sources/", SOURCE),
        ("sources/aaaaaaaaaaaaaaaa/", SOURCE),
        ("pages/", PAGE),
        ("pages/published/", PAGE_DETAIL),
        ("citations/", CITATION),
        ("rating-decisions/", DECISION),
        ("tags/", TAG),
        ("tags/governance/", TAG),
    ],
)
def test_each_endpoint_returns_exactly_its_allowed_fields(client, decided, path, allowed):
    data = get(client, API + path)

    if "results" in data:
        assert set(data) == LIST
        assert data["results"], "the fixture should give every list rows"
        data = data["results"]
    returned = (
        paths(data).union(*(paths(row) for row in data))
        if isinstance(data, list)
        else (paths(data))
    )
    returned = {p.removeprefix("[].") for p in returned if p != "[]"}
    assert returned == allowed


def test_search_returns_exactly_its_allowed_fields(client, decided):
    data = get(client, f"{API}search/", {"q": "Inherits"})

    assert set(data) == SEARCH
    assert {key for row in data["results"] for key in row} == SEARCH_RESULT
