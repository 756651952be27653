"""The evidence profile: what each page stands on, counted from the sources it cites, on
the page (figures, chart and table) and in the page list (filter and sort)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.page_cache import local_pages
from ratings.models import DecisionOrigin
from ratings.services import rating_change_apply
from sources.models import FetchOutcome, Source
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from wiki.evidence import evidence_profile

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def mixed_page(db):
    """A page citing one source of every kind the profile counts."""
    journal = VenueFactory(slug="journal", credibility=5, peer_reviewed=True)
    blog = VenueFactory(slug="blog", credibility=2, peer_reviewed=False)
    page = WikiPageFactory(slug="mixed")
    cited = [
        SourceFactory(venue=journal, published_on=days_ago(100), published_precision="day"),
        SourceFactory(venue=journal, credibility_override=4, fetch_outcome=FetchOutcome.OK),
        SourceFactory(credibility_override=3, fetch_outcome=FetchOutcome.DEAD),
        SourceFactory(venue=blog, published_on=days_ago(300), published_precision="day"),
        SourceFactory(
            credibility_override=1,
            fetch_outcome=FetchOutcome.PAYWALLED,
            published_on=days_ago(1000),
            published_precision="day",
        ),
        SourceFactory(fetch_outcome=FetchOutcome.OK),  # unrated
        SourceFactory(),  # unrated, never fetched
    ]
    for position, source in enumerate(cited):
        CitationFactory(page=page, source=source, position=position)
    return page


def profile_of(page):
    sources = Source.objects.filter(citations__page=page).select_related("venue")
    return evidence_profile(sources, today=TODAY)


def test_the_profile_counts_each_credibility_level_and_the_unrated(mixed_page):
    profile = profile_of(mixed_page)

    assert profile.total == 7
    assert [(row.level and row.level.value, row.count) for row in profile.levels] == [
        (5, 1),
        (4, 1),
        (3, 1),
        (2, 1),
        (1, 1),
        (None, 2),
    ]
    assert profile.strong == 2 and round(profile.strong_percent) == 29
    assert round(sum(row.percent for row in profile.levels)) == 100


def test_the_profile_counts_peer_review_snapshots_dead_and_paywalled_links(mixed_page):
    profile = profile_of(mixed_page)

    assert profile.peer_reviewed == 2  # both from the journal, the override one too
    assert profile.with_snapshot == 2
    assert profile.dead == 1 and profile.paywalled == 1


def test_the_median_age_is_over_the_dated_sources_only(mixed_page):
    profile = profile_of(mixed_page)

    assert profile.dated == 3
    assert profile.median_age_days == 300
    assert round(profile.median_age_years, 2) == 0.82


def test_a_page_citing_nothing_has_an_empty_profile():
    profile = evidence_profile([], today=TODAY)

    assert profile.total == 0 and profile.strong_percent is None
    assert profile.median_age_days is None and profile.shown_levels == ()


def test_the_page_shows_its_profile_near_the_top_with_a_table(client, mixed_page):
    html = client.get(mixed_page.get_absolute_url()).content.decode()

    section = html[
        html.index('<section class="evidence"') : html.index(
            "</section>", html.index('<section class="evidence"')
        )
    ]
    assert html.index('class="evidence"') < html.index('class="page-main"')
    assert "7 sources cited; 29% rated 4–5." in section
    rows = re.findall(r'<th scope="row">.*?</span>(.*?)</th><td class="num">(\d+)</td>', section)
    assert rows == [
        ("5 · Gold standard", "1"),
        ("4 · High", "1"),
        ("3 · Good", "1"),
        ("2 · Mixed", "1"),
        ("1 · Low", "1"),
        ("Not rated", "2"),
    ]
    assert '<div class="evidence-bar" aria-hidden="true">' in section
    assert section.count('style="width: ') == 6
    assert "From peer-reviewed venues</dt><dd>2 (29%)" in section
    assert "Dead links</dt><dd>1" in section and "Paywalled</dt><dd>1" in section


def test_a_page_citing_nothing_says_so(client):
    page = WikiPageFactory()

    assert "This page cites no sources yet." in client.get(page.get_absolute_url()).content.decode()


def test_the_profile_costs_no_query_however_many_sources_a_page_cites(client):
    venue = VenueFactory(credibility=4)
    page = WikiPageFactory(slug="counted")
    CitationFactory(page=page, source=SourceFactory(venue=venue))

    def queries():
        cache.clear()
        local_pages.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page.get_absolute_url()).status_code == 200
        return len(captured)

    one = queries()
    for position in range(1, 40):
        CitationFactory(page=page, source=SourceFactory(venue=venue), position=position)

    assert queries() == one


# -- the page list ------------------------------------------------------------------------


@pytest.fixture
def pages_by_evidence(db):
    strong, weak = VenueFactory(credibility=5), VenueFactory(credibility=2)

    def page(slug, n_strong, n_weak):
        made = WikiPageFactory(slug=slug, title=slug.title())
        for n in range(n_strong + n_weak):
            source = SourceFactory(venue=strong if n < n_strong else weak)
            CitationFactory(page=made, source=source, position=n)
        return made

    return {
        "all-strong": page("all-strong", 4, 0),
        "mostly": page("mostly", 3, 1),
        "half": page("half", 1, 1),
        "weak": page("weak", 0, 3),
        "uncited": page("uncited", 0, 0),
    }


def listed(client, params) -> list[str]:
    response = client.get(reverse("wiki:page_list"), params)
    return [page.slug for page in response.context["page_obj"]]


def test_the_page_list_filters_by_the_share_rated_4_to_5(client, pages_by_evidence):
    assert listed(client, {"evidence": "90"}) == ["all-strong"]
    assert listed(client, {"evidence": "70"}) == ["all-strong", "mostly"]
    assert listed(client, {"evidence": "50"}) == ["all-strong", "half", "mostly"]


def test_the_page_list_sorts_by_evidence_strongest_first_uncited_last(client, pages_by_evidence):
    assert listed(client, {"sort": "-evidence"}) == [
        "all-strong",
        "mostly",
        "half",
        "weak",
        "uncited",
    ]


def test_the_page_list_shows_each_page_s_share(client, pages_by_evidence):
    html = client.get(reverse("wiki:page_list"), {"sort": "-evidence"}).content.decode()

    shares = re.findall(r'data-label="Rated 4–5">([^<]*)</td>', html)
    assert shares == ["100%", "75%", "50%", "0%", "–"]


def test_the_list_follows_a_venue_rating_change(client, pages_by_evidence, moderator):
    assert listed(client, {"evidence": "90"}) == ["all-strong"]
    weak_venue = pages_by_evidence["weak"].citations.first().source.venue
    rating_change_apply(
        target=weak_venue,
        values={"credibility": 5},
        rationale="Re-reviewed.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    assert listed(client, {"evidence": "90"}) == ["all-strong", "half", "mostly", "weak"]
