"""Anonymous readers get cached pages; any change makes them fresh at once; staff see
live pages; nothing personal is ever cached."""

import pytest
from csp.middleware import CSPMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.db import connection
from django.middleware.csrf import CsrfViewMiddleware
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ratings.models import DecisionOrigin
from ratings.services import rating_change_apply
from sources.fetching import FetchResult
from sources.models import Source
from sources.services import source_key_points_set
from sources.snapshots import snapshot_store
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_a_second_anonymous_visit_is_served_from_the_cache(client):
    source = SourceFactory(title="Cached title")

    first = get(client, source.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = get(client, source.get_absolute_url())

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert len(queries) == 0
    assert second.content == first.content


# The headers that the layers around a page add: a cached answer carries them all.
PAGE_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Content-Length",
    "Content-Type",
    "Vary",
    "Cache-Control",
    "ETag",
)


def test_a_cached_answer_carries_the_headers_of_the_page_it_was_stored_from(client):
    url = SourceFactory().get_absolute_url()

    first = get(client, url)
    second = get(client, url)

    assert second["X-Cache"] == "hit"
    for name in PAGE_HEADERS:
        assert name in first, name
        assert second[name] == first[name], name
    assert int(second["Content-Length"]) == len(second.content)


def test_a_cached_answer_skips_the_layers_a_reader_without_cookies_does_not_need(
    client, monkeypatch
):
    """A hit or a 304 is answered before the CSRF, messages and CSP layers run: they have
    nothing to do for a reader without a session, and the stored page holds their headers."""
    ran = []
    for layer, hook in (
        (CsrfViewMiddleware, "process_request"),
        (MessageMiddleware, "process_request"),
        (CSPMiddleware, "process_response"),
    ):
        original = getattr(layer, hook)

        def spy(self, *args, _original=original, _name=layer.__name__):
            ran.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(layer, hook, spy)
    url = SourceFactory().get_absolute_url()

    first = get(client, url)
    assert sorted(ran) == ["CSPMiddleware", "CsrfViewMiddleware", "MessageMiddleware"]
    ran.clear()
    hit = get(client, url)
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert hit["X-Cache"] == "hit" and not_modified.status_code == 304
    assert ran == []


def test_an_admin_edit_shows_at_once(client, editor, django_user_model):
    source = SourceFactory(title="Before the edit")
    get(client, source.get_absolute_url())
    from django.test import Client

    staff = Client()
    staff.force_login(editor)
    url = reverse("admin:sources_source_change", args=[source.pk])
    staff.post(url, {**form_data(staff.get(url).content), "title": "After the edit"})

    assert "After the edit" in get(client, source.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "change",
    [
        "key points",
        "citation",
        "rating decision",
        "snapshot",
        "venue rename",
        "import",
    ],
)
def test_every_kind_of_change_makes_pages_fresh(client, change, tmp_path):
    venue = VenueFactory(name="Old venue name", credibility=3)
    source = SourceFactory(venue=venue, title="A source")
    page = WikiPageFactory(title="A page")
    urls = [source.get_absolute_url(), venue.get_absolute_url(), page.get_absolute_url()]
    urls.append("/sources/")
    before = {url: get(client, url).content for url in urls}

    if change == "key points":
        source_key_points_set(source=source, points=["A brand-new key point"])
        expected = (source.get_absolute_url(), "A brand-new key point")
    elif change == "citation":
        CitationFactory(page=page, source=source)
        expected = (source.get_absolute_url(), "A page")
    elif change == "rating decision":
        rating_change_apply(
            target=venue,
            values={"credibility": 5},
            rationale="Excellent record",
            user=None,
            origin=DecisionOrigin.DIRECT,
        )
        expected = (venue.get_absolute_url(), "Excellent record")
    elif change == "snapshot":
        snapshot_store(
            source=source,
            result=FetchResult(
                requested_url=source.url,
                outcome="dead",
                final_url=source.url,
                http_status=404,
            ),
        )
        expected = (source.get_absolute_url(), "Dead link")
    elif change == "venue rename":
        venue.name = "New venue name"
        venue.save()
        expected = (source.get_absolute_url(), "New venue name")
    else:
        from interchange.longterm_wiki.importer import longterm_wiki_import
        from tests.interchange.kb_builder import write_kb

        longterm_wiki_import(write_kb(tmp_path))
        imported = Source.objects.exclude(pk=source.pk).order_by("title").first()
        expected = ("/sources/", imported.title)

    url, text = expected
    after = get(client, url)
    assert after["X-Cache"] == "miss" and text in after.content.decode()
    assert after.content != before[url]


def test_staff_always_see_live_pages(editor_client):
    source = SourceFactory(title="Live")
    editor_client.get(source.get_absolute_url())
    Source.objects.filter(pk=source.pk).update(title="Changed behind the cache's back")

    response = get(editor_client, source.get_absolute_url())

    assert "X-Cache" not in response
    assert "Changed behind the cache&#x27;s back" in response.content.decode()


def test_a_page_with_a_csrf_form_is_never_cached(client):
    venue = VenueFactory()
    url = reverse("ratings:rating_report", args=["venue", venue.slug])

    first, second = client.get(url), client.get(url)

    assert first["X-Cache"] == "miss" and second["X-Cache"] == "miss"


def test_a_page_with_a_pending_message_is_not_taken_from_the_cache(client):
    venue = VenueFactory()
    get(client, venue.get_absolute_url())
    client.post(
        reverse("ratings:rating_report", args=["venue", venue.slug]),
        {"what": "Too high", "why": "Because."},
    )

    response = client.get(venue.get_absolute_url())

    assert "X-Cache" not in response or response["X-Cache"] != "hit"


def test_the_page_cache_can_be_turned_off(client, settings):
    settings.CREDENCE_PAGE_CACHE_SECONDS = 0
    source = SourceFactory()

    get(client, source.get_absolute_url())

    assert "X-Cache" not in get(client, source.get_absolute_url())


def test_a_cached_page_body_follows_a_cited_sources_new_title(editor_client):
    source = SourceFactory(title="Old label")
    page = WikiPageFactory(body=f"A claim.[[cite:{source.pk}|the study]]")
    CitationFactory(page=page, source=source, in_body=True, position=0)
    assert "Old label" in get(editor_client, page.get_absolute_url()).content.decode()

    source.title = "New label"
    source.save()

    content = get(editor_client, page.get_absolute_url()).content.decode()
    assert "New label" in content and "Old label" not in content
