"""The admin's maintenance lists of pages that need care: citing low-rated or dead sources,
evidence weaker than the quality score, citing nothing, and orphans."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sources.models import FetchOutcome
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from wiki.selectors import WEAK_EVIDENCE_BELOW, wiki_page_list_annotated, wiki_pages_needing_care
from wiki.services import wiki_page_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(db):
    strong = VenueFactory(credibility=5)

    def page(slug, quality=None, *sources):
        made = WikiPageFactory(slug=slug, title=slug, quality=quality)
        for n, source in enumerate(sources):
            CitationFactory(page=made, source=source, position=n)
        return made

    good = [SourceFactory(venue=strong) for _ in range(3)]
    page("sound", 85, *good)
    page("low", 40, good[0], SourceFactory(credibility_override=2))
    page("dead", 40, SourceFactory(venue=strong, fetch_outcome=FetchOutcome.DEAD))
    page("overrated", 70, good[1], *(SourceFactory(credibility_override=3) for _ in range(2)))
    page("uncited", 20)
    # Links: everything is linked from "hub" except "hub" itself and "uncited".
    wiki_page_create(slug="hub", title="hub", body="[[sound]] [[low]] [[dead]] [[overrated]]")


def listed(kind) -> set[str]:
    return set(
        wiki_pages_needing_care(wiki_page_list_annotated(), kind).values_list("slug", flat=True)
    )


def test_pages_citing_a_low_rated_source(pages):
    assert listed("low") == {"low"}


def test_pages_citing_a_dead_link(pages):
    assert listed("dead") == {"dead"}


def test_pages_whose_evidence_is_weaker_than_their_score(pages):
    # 70 scores Good; a third of its sources rated 4-5 is under WEAK_EVIDENCE_BELOW.
    assert 100 / 3 < WEAK_EVIDENCE_BELOW
    assert listed("weak") == {"overrated"}


def test_pages_citing_nothing(pages):
    assert listed("uncited") == {"uncited", "hub"}


def test_orphan_pages(pages):
    assert listed("orphan") == {"uncited", "hub"}


@pytest.mark.parametrize("kind", ["low", "dead", "weak", "uncited", "orphan"])
def test_each_list_is_a_filter_of_the_admin_page_list(editor_client, pages, kind):
    response = editor_client.get(reverse("admin:wiki_wikipage_changelist"), {"care": kind})

    assert response.status_code == 200
    assert {page.slug for page in response.context["cl"].result_list} == listed(kind)
