"""The public wiki list, wiki page, tag page and home page."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from wiki.services import wiki_page_create

pytestmark = pytest.mark.django_db

LIST = reverse("wiki:page_list")


def listed(client, query=""):
    response = client.get(LIST + query)
    assert response.status_code == 200
    return [page.slug for page in response.context["page_obj"].object_list]


@pytest.fixture
def pages():
    WikiPageFactory(
        slug="policy",
        title="B policy",
        type="policy",
        status="published",
        quality=85,
        reader_importance=40,
        last_edited=date(2026, 1, 1),
    )
    WikiPageFactory(
        slug="risk",
        title="A risk",
        type="risk",
        status="draft",
        quality=45,
        reader_importance=90,
        last_edited=date(2026, 3, 1),
    )
    stub = WikiPageFactory(slug="stub", title="C stub", type="risk", status="stub", quality=None)
    stub.tags.add("compute")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?type=risk", {"risk", "stub"}),
        ("?status=stub", {"stub"}),
        ("?band=comprehensive", {"policy"}),
        ("?band=adequate", {"risk"}),
        ("?tag=compute", {"stub"}),
    ],
)
def test_the_wiki_list_filters(client, pages, query, expected):
    assert set(listed(client, query)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["risk", "policy", "stub"]),
        ("-quality", ["policy", "risk", "stub"]),
        ("-importance", ["risk", "policy", "stub"]),
        ("-edited", ["risk", "policy", "stub"]),
    ],
)
def test_the_wiki_list_sorts(client, pages, sort, expected):
    assert listed(client, f"?sort={sort}") == expected


def test_the_wiki_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    WikiPageFactory()
    with django_assert_max_num_queries(6):
        client.get(LIST + "?per_page=50")
    for _n in range(49):
        CitationFactory()
    with django_assert_max_num_queries(6):
        response = client.get(LIST + "?per_page=50")
    assert len(response.context["page_obj"].object_list) == 50


@pytest.fixture
def cited_page():
    venue = VenueFactory(name="Carnegie", credibility=4)
    first = SourceFactory(title="First source", venue=venue)
    second = SourceFactory(title="Second source", venue=None, credibility_override=2)
    WikiPageFactory(slug="other-page", title="Other Page")
    page = wiki_page_create(
        slug="cited",
        title="Cited page",
        type="policy",
        status="published",
        description="What the page is about.",
        quality=57,
        subscores={"focus": 7, "rigor": 6.5},
        reader_importance=72,
        research_importance=64.5,
        last_edited=date(2026, 3, 2),
        body=(
            f"Claim one.[[cite:{second.id}]] Claim two [[cite:{first.stable_id}|per Carnegie]]. "
            f"Again [[cite:{second.id}]]. See [[other-page]] and [[missing-page|this]]."
        ),
    )
    return page, first, second


def test_the_wiki_page_shows_its_header_facts(client, cited_page):
    page, _first, _second = cited_page

    content = client.get(page.get_absolute_url()).content.decode()

    for text in (
        "Cited page",
        "Policy",
        "57 · Adequate",
        "Published",
        "2 March 2026",
        "72 / 100",
        "64.5 / 100",
        "What the page is about.",
        "6.5 / 10",
    ):
        assert text in content, text


def test_references_are_numbered_in_body_order_with_venue_and_credibility(client, cited_page):
    page, first, second = cited_page

    content = client.get(page.get_absolute_url()).content.decode()
    references = content[content.index('id="references-heading"') :]

    assert references.index("Second source") < references.index("First source")
    assert '<li id="ref-1">' in references and '<li id="ref-2">' in references
    assert "Carnegie" in references
    assert "2/5 Mixed" in references and "4/5 High" in references
    assert 'href="#cite-1-1"' in references


def test_markers_link_to_references_and_repeat_their_number(client, cited_page):
    page, *_ = cited_page

    content = client.get(page.get_absolute_url()).content.decode()

    assert 'id="cite-1-1"' in content and 'id="cite-1-2"' in content
    assert '<a class="cite-text" href="#ref-2">per Carnegie</a>' in content
    assert '<a href="/wiki/other-page/">Other Page</a>' in content
    assert 'class="broken-link"' in content


def test_the_wiki_page_query_count_does_not_grow_with_citations(
    client, django_assert_max_num_queries
):
    sources = [SourceFactory(venue=VenueFactory()) for _n in range(50)]
    small = wiki_page_create(slug="small", title="S", body=f"[[cite:{sources[0].id}]] [[x]]")
    body = " ".join(f"[[cite:{s.id}]] [[page-{n}]]" for n, s in enumerate(sources))
    large = wiki_page_create(slug="large", title="L", body=body)
    # The page, its tags, citations and rating history; the body's links; four for its
    # connections (wiki_page_connections); its claim checks: the same for one citation and
    # fifty.
    for page in (small, large):
        with django_assert_max_num_queries(11):
            response = client.get(page.get_absolute_url())
        assert response.status_code == 200
    assert large.citations.count() == 50


def test_an_unknown_page_is_a_404_in_the_site_look(client):
    response = client.get(reverse("wiki:page_detail", args=["nope"]))

    assert response.status_code == 404
    assert "There is nothing at this address." in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_the_tag_page_lists_sources_and_pages(client):
    source = SourceFactory(title="Tagged source")
    source.tags.add("compute")
    page = WikiPageFactory(title="Tagged page")
    page.tags.add("compute")
    WikiPageFactory(title="Untagged page")

    response = client.get(reverse("wiki:tag_detail", args=["compute"]))

    content = response.content.decode()
    assert "Tagged source" in content and "Tagged page" in content
    assert "Untagged page" not in content


def test_an_unknown_tag_is_a_404(client):
    assert client.get(reverse("wiki:tag_detail", args=["nope"])).status_code == 404


def test_the_home_page_counts_and_lists_recent_items(
    client, cited_page, django_assert_max_num_queries
):
    page, first, _second = cited_page

    with django_assert_max_num_queries(6):
        response = client.get(reverse("wiki:home"))

    content = response.content.decode()
    assert "3 sources" not in content  # two sources exist
    assert "2 sources" in content and "1 publication venue" in content and "2 wiki pages" in content
    assert first.get_absolute_url() in content
    assert page.get_absolute_url() in content
    assert 'role="search"' in content
