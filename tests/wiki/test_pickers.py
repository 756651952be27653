"""The page editor's pickers: sources to cite (by title, URL, id or venue), pages to link,
and "Add this source" for a URL no source has. Staff only, bounded, escaped."""

import pytest
from django.test import Client
from django.urls import reverse

from sources.models import Source
from sources.services import source_create, venue_create
from wiki.services import wiki_page_create

pytestmark = pytest.mark.django_db

SOURCES = reverse("admin:sources_source_pick")
PAGES = reverse("admin:wiki_wikipage_pick")
ADD = reverse("admin:sources_source_quick_add")


@pytest.fixture
def library():
    venue = venue_create(
        slug="carnegie", name="Carnegie Endowment", type="think_tank", domains=["carnegie.org"]
    )
    return {
        "report": source_create(url="https://carnegie.org/compute", title="Compute governance"),
        "untitled": source_create(url="https://example.org/untitled-compute"),
        "other": source_create(url="https://example.org/x", title="Alignment <b>basics</b>"),
        "venue": venue,
    }


def _picked(client, url, q):
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_sources_are_found_by_title_url_id_stable_id_and_venue(editor_client, library):
    report = library["report"]

    assert [r["id"] for r in _picked(editor_client, SOURCES, "governance compute")] == [report.pk]
    assert [r["id"] for r in _picked(editor_client, SOURCES, "carnegie.org/comp")] == [report.pk]
    assert [r["id"] for r in _picked(editor_client, SOURCES, report.pk)] == [report.pk]
    assert [r["id"] for r in _picked(editor_client, SOURCES, report.stable_id)] == [report.pk]
    by_venue = _picked(editor_client, SOURCES, "carnegie endowment")
    assert [r["id"] for r in by_venue] == [report.pk]
    assert by_venue[0]["venue"] == "Carnegie Endowment"


def test_untitled_sources_come_last(editor_client, library):
    ids = [r["id"] for r in _picked(editor_client, SOURCES, "compute")]

    assert ids == [library["report"].pk, library["untitled"].pk]


def test_results_are_bounded_and_escaped(editor_client, library):
    for n in range(25):
        source_create(url=f"https://example.org/many-{n}", title=f"Many {n}")

    many = editor_client.get(SOURCES, {"q": "many"})
    tagged = editor_client.get(SOURCES, {"q": "alignment"})

    assert len(many.json()["results"]) == 20
    assert b"<b>" not in tagged.content and b"\\u003Cb\\u003E" in tagged.content
    assert tagged.json()["results"][0]["title"] == "Alignment <b>basics</b>"
    assert _picked(editor_client, SOURCES, "   ") == []


def test_pages_are_found_by_title_or_slug(editor_client):
    wiki_page_create(slug="compute-thresholds", title="Compute thresholds")
    wiki_page_create(slug="pause", title="A pause on frontier training")

    assert _picked(editor_client, PAGES, "frontier pause") == [
        {"slug": "pause", "title": "A pause on frontier training"}
    ]
    assert [r["slug"] for r in _picked(editor_client, PAGES, "compute-thr")] == [
        "compute-thresholds"
    ]


def test_the_pickers_are_for_staff_only(library, django_user_model):
    anonymous = Client()
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", is_staff=False))

    for client in (anonymous, reader):
        assert client.get(SOURCES, {"q": "compute"}).status_code == 302  # to the login page
        assert client.get(PAGES, {"q": "compute"}).status_code == 302
        assert client.post(ADD, {"url": "https://example.org/new"}).status_code == 302
    assert not Source.objects.filter(url="https://example.org/new").exists()


def test_add_this_source_creates_it_as_any_other_and_queues_its_fetch(
    editor_client, library, monkeypatch
):
    queued = []
    monkeypatch.setattr("sources.admin.snapshots_enqueue", queued.extend)

    response = editor_client.post(ADD, {"url": "https://carnegie.org/new-report"})

    assert response.status_code == 201
    source = Source.objects.get(pk=response.json()["id"])
    assert response.json()["created"] is True
    assert source.venue == library["venue"]  # inferred from the URL
    assert queued == [source.pk]


def test_add_this_source_returns_the_stored_one_for_a_known_url(editor_client, library):
    response = editor_client.post(ADD, {"url": "https://carnegie.org/compute"})

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["created"]) == (library["report"].pk, False)


def test_add_this_source_says_what_is_wrong_with_a_bad_url(editor_client):
    response = editor_client.post(ADD, {"url": "not a url"})

    assert response.status_code == 400
    assert "URL" in response.json()["error"]
    assert not Source.objects.exists()
    assert editor_client.get(ADD).status_code == 405
