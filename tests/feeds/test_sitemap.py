"""The sitemap lists every public page once, with its last change; robots.txt names it and
keeps crawlers out of the admin, search and snapshot copies."""

from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feeds.sitemaps import RecordSitemap
from sources.models import FetchOutcome, Snapshot, Source
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITEMAP = reverse("feeds:sitemap")


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sitemap_entries(client) -> list[tuple[str, str | None]]:
    """Every (address, lastmod) of every section the index names, page by page."""
    index = xml(client, SITEMAP)
    entries = []
    for section in index.findall("sm:sitemap/sm:loc", NS):
        for url in xml(client, local(section.text)).findall("sm:url", NS):
            lastmod = url.find("sm:lastmod", NS)
            entries.append(
                (local(url.find("sm:loc", NS).text), None if lastmod is None else lastmod.text)
            )
    return entries


@pytest.fixture
def knowledge_base():
    venue = VenueFactory(slug="institute")
    sources = [SourceFactory(venue=venue), SourceFactory()]
    pages = [WikiPageFactory(), WikiPageFactory(status="draft"), WikiPageFactory(status="stub")]
    sources[0].tags.add("compute")
    pages[0].tags.add("policy")
    Snapshot.objects.create(
        source=sources[0],
        requested_url=sources[0].url,
        outcome=FetchOutcome.OK,
        text="A copy of the document.",
    )
    return venue, sources, pages


def expected(venue, sources, pages) -> set[str]:
    lists = ["wiki:home", "wiki:page_list", "sources:source_list", "sources:venue_list"]
    return {
        *(reverse(name) for name in [*lists, "wiki:tag_list", "about:index"]),
        venue.get_absolute_url(),
        *(source.get_absolute_url() for source in sources),
        *(page.get_absolute_url() for page in pages),
        reverse("wiki:tag_detail", args=["compute"]),
        reverse("wiki:tag_detail", args=["policy"]),
    }


def test_the_sitemap_lists_every_public_page_once(client, knowledge_base):
    addresses = [address for address, _ in sitemap_entries(client)]

    assert [a for a, n in Counter(addresses).items() if n > 1] == []
    assert set(addresses) == expected(*knowledge_base)
    for address in addresses:
        assert client.get(address).status_code == 200, address


def test_each_record_carries_its_last_change(client, knowledge_base):
    _venue, sources, _pages = knowledge_base
    Source.objects.filter(pk=sources[1].pk).update(
        updated_at=datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    )

    lastmods = dict(sitemap_entries(client))

    assert lastmods[sources[1].get_absolute_url()].startswith("2026-03-04")
    assert lastmods[reverse("wiki:home")] is None


def test_big_sections_are_split_into_pages_and_still_list_each_page_once(
    client, knowledge_base, monkeypatch
):
    monkeypatch.setattr(RecordSitemap, "limit", 1)

    index = xml(client, SITEMAP)
    addresses = [address for address, _ in sitemap_entries(client)]

    sections = [local(loc.text) for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert reverse("feeds:sitemap_section", args=["sources"]) + "?p=2" in sections
    assert sorted(addresses) == sorted(expected(*knowledge_base))


def test_a_new_page_shows_in_the_cached_sitemap_on_the_next_request(client, knowledge_base):
    section = reverse("feeds:sitemap_section", args=["pages"])
    xml(client, section)
    assert client.get(section)["X-Cache"] == "hit"

    page = WikiPageFactory()

    assert page.get_absolute_url() in client.get(section).content.decode()


@pytest.mark.parametrize("section", ["pages", "sources", "venues", "tags"])
def test_a_section_runs_as_many_queries_for_one_row_as_for_fifty(client, section):
    url = reverse("feeds:sitemap_section", args=[section])

    def add(n):
        for _ in range(n):
            source = SourceFactory(venue=VenueFactory())
            WikiPageFactory().tags.add(f"tag-{source.pk}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200  # a miss: every add bumps the kinds
        return len(captured.captured_queries)

    add(1)
    one = queries()
    add(49)
    assert queries() == one


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_corners(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    corners = ("/admin/", "/search/", "/report/", "/sources/*/snapshots/", "/api/")
    for corner in (*corners, "/sources/options/", "/wiki/options/"):
        assert f"Disallow: {corner}" in lines
    # The API's documentation is a page for people, ahead of the rule that closes /api/.
    assert lines.index("Allow: /api/v1/docs/") < lines.index("Disallow: /api/")
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the public pages stay open
