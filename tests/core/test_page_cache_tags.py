"""Cached pages follow what they show, not every write: an edit to one record refreshes the
pages and lists that show it and leaves the rest in place. Answers carry what a proxy
needs (validators, Cache-Control, Vary, surrogate keys), and a front cache is purged by tag
once a change commits."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import page_cache
from core.changes import records_changed
from core.front_cache import front_cache_reset
from core.page_cache import cached, local_pages, record_tag, store, surrogate_keys, tags_bump
from sources.models import Source, SourceKeyPoint
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304), (url, response.status_code)
    return response


def warm(client, *urls):
    """Fetch each page twice: the second answer must come from the cache."""
    for url in urls:
        get(client, url)
        assert get(client, url)["X-Cache"] == "hit", url


def outcome(client, url) -> str:
    return get(client, url)["X-Cache"]


@pytest.fixture
def two_sources():
    venue_a, venue_b = VenueFactory(name="Venue A"), VenueFactory(name="Venue B")
    a = SourceFactory(title="Source A", venue=venue_a)
    b = SourceFactory(title="Source B", venue=venue_b)
    citing_a = WikiPageFactory(title="Cites A", body=f"Claim.[[cite:{a.pk}|a]]")
    CitationFactory(page=citing_a, source=a, in_body=True, position=0)
    citing_b = WikiPageFactory(title="Cites B", body=f"Claim.[[cite:{b.pk}|b]]")
    CitationFactory(page=citing_b, source=b, in_body=True, position=0)
    return a, b, citing_a, citing_b


def test_an_edit_to_one_source_leaves_another_sources_page_cached(client, two_sources):
    a, b, citing_a, citing_b = two_sources
    untouched = [
        b.get_absolute_url(),
        b.venue.get_absolute_url(),
        citing_b.get_absolute_url(),
    ]
    refreshed = [
        a.get_absolute_url(),
        a.venue.get_absolute_url(),  # lists its sources
        citing_a.get_absolute_url(),  # its reference names the source
        "/sources/",
        "/",
    ]
    warm(client, *untouched, *refreshed)

    a.title = "Source A, retitled"
    a.save()

    assert {url: outcome(client, url) for url in untouched} == dict.fromkeys(untouched, "hit")
    for url in refreshed:
        response = get(client, url)
        assert response["X-Cache"] == "miss", url
        assert "Source A, retitled" in response.content.decode(), url


def test_a_page_edit_leaves_the_pages_of_sources_it_does_not_cite_cached(client, two_sources):
    a, b, citing_a, citing_b = two_sources
    warm(client, b.get_absolute_url(), citing_b.get_absolute_url(), citing_a.get_absolute_url())

    citing_a.title = "Cites A, retitled"
    citing_a.save()

    assert outcome(client, b.get_absolute_url()) == "hit"
    assert outcome(client, citing_b.get_absolute_url()) == "hit"
    assert "Cites A, retitled" in get(client, a.get_absolute_url()).content.decode()


def test_a_source_moving_venue_refreshes_both_venues(client):
    old, new = VenueFactory(name="Old home"), VenueFactory(name="New home")
    source = SourceFactory(title="Mover", venue=old)
    warm(client, old.get_absolute_url(), new.get_absolute_url())

    loaded = Source.objects.get(pk=source.pk)  # a fresh load, as the admin's form does
    loaded.venue = new
    loaded.save()

    assert "Mover" not in get(client, old.get_absolute_url()).content.decode()
    assert "Mover" in get(client, new.get_absolute_url()).content.decode()


def test_a_new_page_under_a_linked_slug_turns_the_link_live(client):
    linking = WikiPageFactory(title="Links ahead", body="See [[not-yet|the next page]].")
    untouched = WikiPageFactory(title="Unrelated", body="Nothing here.")
    warm(client, linking.get_absolute_url(), untouched.get_absolute_url())

    WikiPageFactory(slug="not-yet", title="Now here")

    assert 'href="/wiki/not-yet/"' in get(client, linking.get_absolute_url()).content.decode()
    assert outcome(client, untouched.get_absolute_url()) == "hit"


def test_a_renamed_page_refreshes_the_pages_linking_to_it(client):
    target = WikiPageFactory(slug="target", title="Old target title")
    linking = WikiPageFactory(title="Links", body="See [[target]].")
    warm(client, linking.get_absolute_url())

    target.title = "New target title"
    target.save()

    assert "New target title" in get(client, linking.get_absolute_url()).content.decode()


def test_a_body_rendered_for_staff_still_tells_the_page_cache_what_it_shows(client, editor):
    target = WikiPageFactory(slug="target", title="Old target title")
    linking = WikiPageFactory(title="Links", body="See [[target]].")
    staff = Client()
    staff.force_login(editor)
    staff.get(linking.get_absolute_url())  # fills the body's own cache
    warm(client, linking.get_absolute_url())  # the page takes the body from there

    target.title = "New target title"  # known to the body alone (the link's label)
    target.save()

    assert "New target title" in get(client, linking.get_absolute_url()).content.decode()


def test_a_bulk_write_of_parts_refreshes_the_page_of_the_record_they_belong_to(client, two_sources):
    a, b, _, _ = two_sources
    warm(client, a.get_absolute_url(), b.get_absolute_url())

    rows = SourceKeyPoint.objects.bulk_create([SourceKeyPoint(source=a, text="Bulk point")])
    records_changed(SourceKeyPoint, [row.pk for row in rows])

    assert "Bulk point" in get(client, a.get_absolute_url()).content.decode()
    assert outcome(client, b.get_absolute_url()) == "hit"


def test_a_bulk_write_that_names_no_rows_refreshes_everything(client, two_sources):
    a, b, _, _ = two_sources
    warm(client, a.get_absolute_url(), b.get_absolute_url())

    records_changed(Source)

    assert outcome(client, a.get_absolute_url()) == "miss"
    assert outcome(client, b.get_absolute_url()) == "miss"


def test_a_tag_moved_during_a_render_keeps_the_render_out_of_the_cache():
    calls = []

    def compute():
        calls.append(1)
        page_cache.depends_on("x#1")
        tags_bump(["x#1"])  # a write lands while this is being made
        return len(calls)

    assert cached("k", compute, 60) == 1
    assert cached("k", compute, 60) == 2  # not kept: it may show what was there before


def test_a_fragment_is_kept_until_one_of_its_tags_moves():
    assert cached("k", lambda: "first", 60, tags=["x#1"]) == "first"
    assert cached("k", lambda: "second", 60, tags=["x#1"]) == "first"

    tags_bump(["x#2"])
    assert cached("k", lambda: "third", 60, tags=["x#1"]) == "first"

    tags_bump(["x#1"])
    assert cached("k", lambda: "fourth", 60, tags=["x#1"]) == "fourth"


class CountingStore:
    """The page cache's store, counting the keys each read asks for."""

    def __init__(self, real):
        self.real, self.keys_read = real, []

    def get(self, key, *args, **kwargs):
        self.keys_read.append([key])
        return self.real.get(key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        self.keys_read.append(list(keys))
        return self.real.get_many(keys, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_page_found_fresh_is_checked_again_by_one_key_until_a_write(
    client, two_sources, monkeypatch
):
    url = two_sources[0].get_absolute_url()
    warm(client, url)  # the second answer checked every tag of the page
    counting = CountingStore(store())
    monkeypatch.setattr(page_cache, "store", lambda: counting)

    assert outcome(client, url) == "hit"
    assert counting.keys_read == [[page_cache.SEQUENCE_KEY]]

    tags_bump(["unrelated#1"])  # any write moves the sequence: every tag is read again
    counting.keys_read.clear()
    assert outcome(client, url) == "hit"
    assert counting.keys_read[0] == [page_cache.SEQUENCE_KEY]
    assert len(counting.keys_read[1]) > 3  # the sequence and the page's tags
    counting.keys_read.clear()
    assert outcome(client, url) == "hit"
    assert counting.keys_read == [[page_cache.SEQUENCE_KEY]]


def test_a_page_checked_before_the_last_write_seen_reads_its_tags_at_once(
    client, two_sources, monkeypatch
):
    """Once this process has seen the sequence move, a page checked before it is checked
    in one round trip (the sequence and its tags), not two (the sequence, then both)."""
    first, second = (source.get_absolute_url() for source in two_sources[:2])
    warm(client, first, second)
    counting = CountingStore(store())
    monkeypatch.setattr(page_cache, "store", lambda: counting)

    tags_bump(["unrelated#1"])
    assert outcome(client, first) == "hit"  # reads the sequence: it moved
    counting.keys_read.clear()
    assert outcome(client, second) == "hit"

    assert len(counting.keys_read) == 1
    assert counting.keys_read[0][0] == page_cache.SEQUENCE_KEY
    assert len(counting.keys_read[0]) > 3


def test_a_check_that_reads_the_tags_while_a_bump_lands_is_not_trusted_after_it(
    monkeypatch,
):
    assert cached("k", lambda: "before", 60, tags=["x#1"]) == "before"
    real = store()
    entry = page_cache.Entry(value="page", versions=page_cache.tags_versions(["x#1"]))
    seen = []

    class CheckingMidBump(CountingStore):
        def set_many(self, data, *args, **kwargs):
            # A reader checks the entry after the bump took its version, before its tags
            # hold it: the old versions still match.
            seen.append(page_cache.entry_fresh(entry))
            return self.real.set_many(data, *args, **kwargs)

    monkeypatch.setattr(page_cache, "store", lambda: CheckingMidBump(real))
    tags_bump(["x#1"])

    assert seen == [True]
    assert not page_cache.entry_fresh(entry)


# --- what a proxy sees ------------------------------------------------------------------


def test_an_anonymous_answer_carries_what_a_proxy_needs(client, settings, two_sources):
    settings.CREDENCE_SHARED_CACHE_SECONDS = 300
    a = two_sources[0]

    response = get(client, a.get_absolute_url())

    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "s-maxage=300"} <= directives
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert "Cookie" in response["Vary"]
    keys = response["Surrogate-Key"].split()
    assert record_tag(Source, a.pk) in keys and "everything" in keys
    assert record_tag(Source, two_sources[1].pk) not in keys
    assert response["Cache-Tag"].split(",") == keys


def test_without_a_purge_hook_proxies_revalidate_every_time(client, two_sources):
    response = get(client, two_sources[0].get_absolute_url())

    assert "s-maxage=0" in response["Cache-Control"]


def test_a_conditional_get_for_an_unchanged_page_is_a_304_without_rendering(client, two_sources):
    url = two_sources[0].get_absolute_url()
    first = get(client, url)

    with CaptureQueriesContext(connection) as queries:
        by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
        by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})

    assert (by_etag.status_code, by_date.status_code) == (304, 304)
    assert by_etag.content == b"" and by_etag["ETag"] == first["ETag"]
    assert len(queries) == 0


def test_a_conditional_get_after_a_change_gets_the_new_page(client, two_sources):
    a = two_sources[0]
    first = get(client, a.get_absolute_url())

    a.title = "Changed since"
    a.save()
    response = client.get(a.get_absolute_url(), headers={"if-none-match": first["ETag"]})

    assert response.status_code == 200 and "Changed since" in response.content.decode()
    assert response["ETag"] != first["ETag"]


def test_a_signed_in_readers_page_is_private(editor_client, two_sources):
    response = editor_client.get(two_sources[0].get_absolute_url())

    assert "private" in response["Cache-Control"]
    assert "Surrogate-Key" not in response


def test_a_page_with_many_records_names_their_kind_in_its_surrogate_keys():
    tags = {record_tag(Source, pk) for pk in range(1000)} | {"wiki.wikipage#1", "everything"}

    keys = surrogate_keys(tags)

    assert "sources.source" in keys and "wiki.wikipage#1" in keys
    assert not any(key.startswith("sources.source#") for key in keys)
    assert len(" ".join(keys)) <= page_cache.SURROGATE_KEY_MAX_CHARS


def test_the_source_list_names_its_kinds_for_purging(client, two_sources):
    keys = set(get(client, "/sources/")["Surrogate-Key"].split())
    searched = set(get(client, "/sources/?q=source")["Surrogate-Key"].split())

    assert {"sources.source:listed", "sources.venue:listed", "wiki.citation:listed"} <= keys
    assert {"sources.source", "sources.venue", "wiki.citation"} <= searched


def test_a_summary_rewritten_leaves_the_lists_cached_but_not_the_searches(client, two_sources):
    a = two_sources[0]
    lists = ["/sources/", "/", a.venue.get_absolute_url(), "/venues/"]
    searches = ["/sources/?q=source", "/search/?q=source"]
    warm(client, *lists, *searches, a.get_absolute_url())

    a.summary = "A summary no list shows"
    a.save()

    assert {url: outcome(client, url) for url in lists} == dict.fromkeys(lists, "hit")
    assert {url: outcome(client, url) for url in searches} == dict.fromkeys(searches, "miss")
    assert "A summary no list shows" in get(client, a.get_absolute_url()).content.decode()


def test_a_listed_field_changed_refreshes_the_lists(client, two_sources):
    a = two_sources[0]
    warm(client, "/sources/", a.venue.get_absolute_url())

    a.type = "book" if a.type != "book" else "paper"
    a.save()

    assert outcome(client, "/sources/") == "miss"
    assert outcome(client, a.venue.get_absolute_url()) == "miss"


# --- a front cache purged by tag ----------------------------------------------------------


@pytest.fixture
def purge_server():
    received: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 (the method's name is the HTTP verb)
            received.append((self.command, self.headers.get("xkey-purge", "")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", received
    server.shutdown()
    front_cache_reset()


@pytest.mark.django_db(transaction=True)
def test_a_front_cache_is_purged_by_tag_when_the_change_commits(settings, purge_server):
    url, received = purge_server
    source = SourceFactory(title="To purge")
    settings.CREDENCE_FRONT_CACHE = {
        "varnish": {"BACKEND": "core.front_cache.HTTPPurgeBackend", "LOCATION": url}
    }
    front_cache_reset()

    with transaction.atomic():
        source.title = "Purged"
        source.save()
        assert received == []  # not before the change is visible

    tags = " ".join(header for _, header in received).split()
    assert record_tag(Source, source.pk) in tags and "sources.source" in tags
    assert {command for command, _ in received} == {"PURGE"}


@pytest.mark.django_db(transaction=True)
def test_a_front_cache_that_is_down_does_not_fail_the_write(settings):
    settings.CREDENCE_FRONT_CACHE = {
        "varnish": {
            "BACKEND": "core.front_cache.HTTPPurgeBackend",
            "LOCATION": "http://127.0.0.1:9/",
            "TIMEOUT": 0.5,
        }
    }
    front_cache_reset()
    try:
        source = SourceFactory(title="Saved anyway")
    finally:
        settings.CREDENCE_FRONT_CACHE = {}
        front_cache_reset()

    assert Source.objects.get(pk=source.pk).title == "Saved anyway"


def test_the_front_cache_is_off_by_default(settings):
    assert settings.CREDENCE_FRONT_CACHE == {}


def test_a_page_kept_in_local_memory_is_not_served_once_the_shared_cache_forgets(
    client, two_sources
):
    url = two_sources[0].get_absolute_url()
    warm(client, url)

    store().clear()  # Redis flushed or restarted: what changed meanwhile is unknown

    assert outcome(client, url) == "miss"
    assert outcome(client, url) == "hit"


def test_local_memory_keeps_only_the_latest_pages(client, settings, two_sources):
    settings.CREDENCE_PAGE_CACHE_LOCAL_ENTRIES = 2
    a, b, citing_a, _ = two_sources
    for source in (a, b, citing_a):
        get(client, source.get_absolute_url())

    assert len(local_pages.entries) == 2
    assert outcome(client, a.get_absolute_url()) == "hit"  # from the shared cache


def test_the_home_page_counts_each_kind_only_after_a_record_is_added(client, settings):
    settings.CREDENCE_PAGE_CACHE_SECONDS = 0  # the counts have their own entry
    source = SourceFactory(title="Counted")
    assert "1 source</a>" in get(client, "/").content.decode()

    source.summary = "Not a new record"
    source.save()
    with CaptureQueriesContext(connection) as queries:
        get(client, "/")
    SourceFactory()

    totals = [q["sql"] for q in queries.captured_queries if 'AS "__count"' in q["sql"]]
    assert totals == []
    assert "2 sources</a>" in get(client, "/").content.decode()


def test_a_page_that_follows_a_whole_kind_keeps_no_tag_per_row():
    """A feed or sitemap follows every write of its kinds: row tags of those kinds add
    nothing (the kind's tag moves with each) and would make each hit read thousands."""
    deps = {"sources.source", "sources.source#a", "sources.source#b", "sources.venue#1"}

    assert page_cache.dependencies_reduced(deps) == {"sources.source", "sources.venue#1"}


def test_a_sitemap_entry_holds_kind_tags_not_one_tag_per_source(client):
    for _ in range(3):
        SourceFactory()

    response = client.get("/sitemap-sources.xml")

    tags = response["Cache-Tag"].split(",")
    assert "sources.source" in tags
    assert not [tag for tag in tags if tag.startswith("sources.source#")]


def test_an_admin_save_that_keeps_the_tags_leaves_the_lists_cached(editor_client, two_sources):
    """The admin sets a record's tags on every save (taggit's set()), which announces an
    empty addition when nothing changed: that must not refresh every list."""
    a, b, _citing_a, _citing_b = two_sources
    a.tags.add("governance")
    visitor = Client()
    lists = ["/sources/", "/wiki/", "/tags/", "/tags/governance/"]
    warm(visitor, *lists)
    url = f"/admin/sources/source/{a.pk}/change/"
    data = form_data(editor_client.get(url).content.decode(), "source_form")
    data["summary"] = "A summary written in the admin."

    assert editor_client.post(url, data).status_code == 302

    assert {u: outcome(visitor, u) for u in lists} == dict.fromkeys(lists, "hit")
    assert outcome(visitor, a.get_absolute_url()) == "miss"


def test_an_admin_save_that_changes_the_tags_refreshes_the_tag_pages(editor_client, two_sources):
    a, *_ = two_sources
    a.tags.add("governance")
    visitor = Client()
    warm(visitor, "/tags/", "/tags/governance/")
    url = f"/admin/sources/source/{a.pk}/change/"
    data = form_data(editor_client.get(url).content.decode(), "source_form")
    data["tags"] = "governance, evaluation"

    assert editor_client.post(url, data).status_code == 302

    assert outcome(visitor, "/tags/") == "miss"
