"""The public venue list and venue page."""

from datetime import date

import pytest
from django.urls import reverse

from sources.models import VenueDomain
from tests.factories import CitationFactory, SourceFactory, VenueFactory

pytestmark = pytest.mark.django_db

LIST = reverse("sources:venue_list")


def test_the_venue_list_counts_sources_and_citing_pages(client):
    venue = VenueFactory(name="Carnegie")
    first, second = SourceFactory(venue=venue), SourceFactory(venue=venue)
    citation = CitationFactory(source=first)
    CitationFactory(source=second, page=citation.page)
    CitationFactory(source=second)

    response = client.get(LIST)

    row = response.context["page_obj"].object_list[0]
    assert (row.source_count, row.citing_page_count) == (2, 2)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?type=news", {"reuters"}),
        ("?credibility=5", {"nature"}),
        ("?min_credibility=3", {"nature", "reuters"}),
    ],
)
def test_the_venue_list_filters(client, query, expected):
    VenueFactory(slug="nature", type="academic_journal", credibility=5)
    VenueFactory(slug="reuters", type="news", credibility=3)
    VenueFactory(slug="forum", type="blog_platform", credibility=2)

    response = client.get(LIST + query)

    assert {v.slug for v in response.context["page_obj"].object_list} == expected


def test_the_venue_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    VenueFactory()
    with django_assert_max_num_queries(4):
        client.get(LIST + "?per_page=50")
    for _n in range(49):
        SourceFactory(venue=VenueFactory())
    with django_assert_max_num_queries(4):
        response = client.get(LIST + "?per_page=50")
    assert len(response.context["page_obj"].object_list) == 50


def test_the_venue_page_shows_rating_rationale_domains_sources_and_citing_pages(client):
    venue = VenueFactory(
        slug="carnegie",
        name="Carnegie",
        credibility=4,
        credibility_rationale="Long record of sourced analysis.",
        credibility_reviewed_on=date(2026, 5, 12),
        peer_reviewed=False,
    )
    VenueDomain.objects.create(venue=venue, domain="carnegieendowment.org")
    source = SourceFactory(venue=venue, title="An analysis")
    citation = CitationFactory(source=source)

    content = client.get(venue.get_absolute_url()).content.decode()

    for text in (
        "4/5",
        "Long record of sourced analysis.",
        "12 May 2026",
        "carnegieendowment.org",
        "An analysis",
        citation.page.title,
    ):
        assert text in content


def test_the_venue_page_paginates_its_sources(client, django_assert_max_num_queries):
    venue = VenueFactory()
    SourceFactory(venue=venue)
    with django_assert_max_num_queries(7):
        client.get(venue.get_absolute_url())
    for _n in range(60):
        CitationFactory(source=SourceFactory(venue=venue))
    with django_assert_max_num_queries(7):
        response = client.get(venue.get_absolute_url() + "?per_page=50")
    assert len(response.context["page_obj"].object_list) == 50
    assert "Page 1 of 2" in response.content.decode()


def test_an_unknown_venue_is_a_404(client):
    assert client.get(reverse("sources:venue_detail", args=["nope"])).status_code == 404
