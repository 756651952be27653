"""Snapshots: the guarded fetcher against a local web server, storage rules, fill-ins,
the admin, the command and the reader's preview."""

import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from sources.fetching import address_refusal, fetch_url
from sources.models import FetchOutcome, Snapshot, Source
from sources.snapshots import PREVIEW_CHARS, snapshot_take
from tests.factories import SourceFactory
from tests.local_web import ARTICLE, pdf_with_text

# -- fetching --------------------------------------------------------------------------


def test_html_is_fetched_and_its_text_title_authors_and_date_extracted(web):
    url = web.html("/article", ARTICLE)

    result = fetch_url(url)

    assert result.outcome == FetchOutcome.OK
    assert (result.http_status, result.content_type) == (200, "text/html")
    assert result.final_url == url and len(result.sha256) == 64
    assert result.byte_size == len(ARTICLE.encode())
    assert "Export controls, reporting thresholds" in result.extracted.text
    assert "Donate" not in result.extracted.text  # navigation is not main text
    assert result.extracted.title == "Compute Governance Explained"
    assert result.extracted.authors == ["Ada Example"]
    assert result.extracted.published.isoformat() == "2024-03-15"


def test_the_fetcher_says_who_it_is(web):
    fetch_url(web.html("/article", ARTICLE))

    _path, headers = web.requests[-1]
    assert headers["User-Agent"].startswith("CredenceBot/")


def test_plain_text_is_kept_as_it_is(web):
    web.routes["/notes.txt"] = (
        200,
        {"Content-Type": "text/plain; charset=utf-8"},
        "Zürich notes\nline two".encode(),
    )

    result = fetch_url(web.url("/notes.txt"))

    assert result.outcome == FetchOutcome.OK
    assert result.extracted.text == "Zürich notes\nline two"


def test_pdf_text_and_metadata_are_extracted(web):
    body = pdf_with_text("Scaling laws predict loss", title="Scaling Report")
    web.routes["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, body)

    result = fetch_url(web.url("/report.pdf"))

    assert result.outcome == FetchOutcome.OK
    assert "Scaling laws predict loss" in result.extracted.text
    assert result.extracted.title == "Scaling Report"
    assert result.extracted.authors == ["Bo Author"]
    assert result.extracted.published.isoformat() == "2023-06-01"


def test_redirects_are_followed_to_the_final_url(web):
    target = web.html("/article", ARTICLE)
    start = web.redirect("/old", "/moved")
    web.redirect("/moved", target, status=301)

    result = fetch_url(start)

    assert result.outcome == FetchOutcome.OK and result.final_url == target


def test_at_most_five_redirects_are_followed(web):
    web.html("/end", ARTICLE)
    for hop in range(6):
        web.redirect(f"/hop{hop}", f"/hop{hop + 1}" if hop < 5 else "/end")

    five = fetch_url(web.url("/hop1"))
    six = fetch_url(web.url("/hop0"))

    assert five.outcome == FetchOutcome.OK
    assert six.outcome == FetchOutcome.ERROR and "more than 5 redirects" in six.detail


def test_a_redirect_to_a_private_address_is_refused_without_connecting(web):
    start = web.redirect("/sneaky", "http://10.0.0.1/admin")

    result = fetch_url(start)

    assert result.outcome == FetchOutcome.BLOCKED
    assert "10.0.0.1 is a private address" in result.detail
    assert result.final_url == "http://10.0.0.1/admin"


def test_a_redirect_to_another_scheme_is_refused(web):
    result = fetch_url(web.redirect("/ftp", "ftp://files.example.org/x"))

    assert result.outcome == FetchOutcome.BLOCKED and "only http and https" in result.detail


def test_a_slow_server_times_out(web, settings):
    settings.CREDENCE_FETCH_READ_TIMEOUT = 0.3

    result = fetch_url(web.slow("/slow", 2))

    assert result.outcome == FetchOutcome.TIMEOUT


def test_a_body_over_the_cap_is_cut_and_marked(web, settings):
    settings.CREDENCE_FETCH_MAX_BYTES = 1000
    web.routes["/big.txt"] = (200, {"Content-Type": "text/plain"}, b"x" * 5000)

    result = fetch_url(web.url("/big.txt"))

    assert result.outcome == FetchOutcome.OK
    assert result.truncated and result.byte_size == 1000
    assert "cut at 1000 bytes" in result.detail


@pytest.mark.parametrize(
    "status, outcome",
    [
        (404, FetchOutcome.DEAD),
        (410, FetchOutcome.DEAD),
        (401, FetchOutcome.PAYWALLED),
        (403, FetchOutcome.PAYWALLED),
        (500, FetchOutcome.ERROR),
        (503, FetchOutcome.ERROR),
    ],
)
def test_http_errors_have_their_outcome(web, status, outcome):
    result = fetch_url(web.html("/page", "<p>nope</p>", status=status))

    assert (result.outcome, result.http_status) == (outcome, status)
    assert result.body == b""  # an error page is not kept as content


def test_a_redirect_to_a_login_page_counts_as_paywalled(web):
    web.html("/login", "<form><input name=password></form>")
    result = fetch_url(web.redirect("/members/article", "/login?next=/members/article"))

    assert result.outcome == FetchOutcome.PAYWALLED


def test_other_content_types_are_not_fetched(web):
    web.routes["/image.png"] = (200, {"Content-Type": "image/png"}, b"\x89PNG....")

    result = fetch_url(web.url("/image.png"))

    assert result.outcome == FetchOutcome.ERROR and "image/png" in result.detail


ADDRESSES = {
    "127.0.0.1": "loopback",
    "::1": "loopback",
    "::ffff:127.0.0.1": "loopback",
    "10.1.2.3": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "fc00::1": "private",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "240.0.0.1": "reserved",
    "0.0.0.0": "unspecified",
    "100.64.0.1": "not public",
}


@pytest.mark.parametrize("address, kind", ADDRESSES.items())
def test_every_non_public_address_class_is_refused(address, kind, settings):
    settings.CREDENCE_FETCH_ALLOW_NETWORKS = []
    host = f"[{address}]" if ":" in address else address

    result = fetch_url(f"http://{host}:9/")

    assert result.outcome == FetchOutcome.BLOCKED
    assert f"is a {kind} address" in result.detail


def test_public_addresses_pass_the_policy(settings):
    settings.CREDENCE_FETCH_ALLOW_NETWORKS = []

    assert address_refusal("93.184.216.34") is None
    assert address_refusal("2606:2800:220:1:248:1893:25c8:1946") is None


def test_the_local_server_itself_is_refused_when_the_setting_is_off(web, settings):
    settings.CREDENCE_FETCH_ALLOW_NETWORKS = []

    result = fetch_url(web.html("/article", ARTICLE))

    assert result.outcome == FetchOutcome.BLOCKED and not web.requests


def test_the_address_actually_connected_to_is_checked(web, settings, monkeypatch):
    """A name that resolves to a public address first and to loopback at connect time
    (DNS rebinding) is refused after connecting, before any request is sent."""
    settings.CREDENCE_FETCH_ALLOW_NETWORKS = []
    real = socket.getaddrinfo
    calls = []

    def rebinding(host, port, *args, **kwargs):
        calls.append(host)
        if len(calls) == 1:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    result = fetch_url(f"http://rebind.example:{web.server.server_address[1]}/x")

    assert result.outcome == FetchOutcome.BLOCKED and "127.0.0.1" in result.detail
    assert len(calls) == 2 and not web.requests


def test_a_host_that_does_not_resolve_is_a_dead_link(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)

    result = fetch_url("https://no-such-host.invalid/")

    assert result.outcome == FetchOutcome.DEAD and "does not resolve" in result.detail


# -- storing ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_unchanged_content_adds_no_snapshot_and_rewrites_nothing(web):
    source = SourceFactory(url=web.html("/article", ARTICLE))
    first = snapshot_take(source=source)
    stored = Snapshot.objects.values().get(pk=first.pk)

    again = snapshot_take(source=source)

    assert again.pk == first.pk and Snapshot.objects.count() == 1
    after = Snapshot.objects.values().get(pk=first.pk)
    assert after["check_count"] == 2 and after["checked_at"] > stored["checked_at"]
    unchanged = {k: v for k, v in stored.items() if k not in {"checked_at", "check_count"}}
    assert {k: after[k] for k in unchanged} == unchanged


@pytest.mark.django_db
def test_changed_content_adds_a_snapshot_and_keeps_the_old_one(web):
    url = web.html("/article", ARTICLE)
    source = SourceFactory(url=url)
    first = snapshot_take(source=source)
    web.html("/article", ARTICLE.replace("Export controls", "Chip registries"))

    second = snapshot_take(source=source)

    assert second.pk != first.pk and second.sha256 != first.sha256
    assert list(source.snapshots.values_list("pk", flat=True)) == [second.pk, first.pk]
    assert "Chip registries" in second.text


@pytest.mark.django_db
def test_a_failed_fetch_keeps_the_earlier_snapshots_and_marks_the_source(web):
    url = web.html("/article", ARTICLE)
    source = SourceFactory(url=url)
    good = snapshot_take(source=source)
    web.routes.pop("/article")

    dead = snapshot_take(source=source)

    assert dead.outcome == FetchOutcome.DEAD and Snapshot.objects.filter(pk=good.pk).exists()
    source.refresh_from_db()
    assert source.fetch_outcome == FetchOutcome.DEAD and source.fetched_at is not None


@pytest.mark.django_db
def test_a_fetch_fills_in_a_missing_title_date_and_authors(web):
    source = SourceFactory(url=web.html("/article", ARTICLE), title="", published_on=None)

    snapshot_take(source=source)

    source.refresh_from_db()
    assert source.title == "Compute Governance Explained"
    assert source.published_display == "15 March 2024"
    assert list(source.authors.values_list("name", flat=True)) == ["Ada Example"]
    reason = source.history.first().history_change_reason
    assert reason.startswith("Filled in from the snapshot of")


@pytest.mark.django_db
def test_a_fetch_never_overwrites_an_editors_values(web):
    source = SourceFactory(
        url=web.html("/article", ARTICLE), title="Editor's title", published_on=None
    )
    source.authors.create(name="Editor's author", position=0)
    source.published_on, source.published_precision = None, ""
    versions = source.history.count()

    snapshot_take(source=source)

    source.refresh_from_db()
    assert source.title == "Editor's title"
    assert list(source.authors.values_list("name", flat=True)) == ["Editor's author"]
    assert source.published_on is not None  # only the missing date was filled
    assert source.history.count() == versions + 1


@pytest.mark.django_db
def test_fetch_status_is_not_an_editorial_change(web):
    source = SourceFactory(url=web.html("/article", ARTICLE), title="Has a title")
    source.published_on, source.published_precision = None, ""
    Source.objects.filter(pk=source.pk).update(
        published_on="2020-01-01", published_precision="year"
    )
    source.refresh_from_db()
    versions = source.history.count()

    snapshot_take(source=source)

    assert source.history.count() == versions  # nothing filled in: no history row


# -- admin, task and command -----------------------------------------------------------


@pytest.mark.django_db
def test_editors_fetch_selected_sources_from_the_admin_list(web, editor_client):
    sources = [SourceFactory(url=web.html(f"/a{i}", ARTICLE)) for i in range(2)]

    response = editor_client.post(
        reverse("admin:sources_source_changelist"),
        {"action": "fetch_snapshots", "_selected_action": [s.pk for s in sources]},
        follow=True,
    )

    assert "2 fetches queued" in response.content.decode()
    assert Snapshot.objects.filter(outcome=FetchOutcome.OK).count() == 2
    listing = editor_client.get(reverse("admin:sources_source_changelist") + "?fetch_outcome=ok")
    assert listing.context["cl"].result_count == 2
    assert 'class="fetch fetch-ok"' in listing.content.decode()


@pytest.mark.django_db
def test_the_fetch_button_on_a_source_needs_a_post(web, editor_client):
    source = SourceFactory(url=web.html("/article", ARTICLE))
    url = reverse("admin:sources_source_fetch", args=[source.pk])

    page = editor_client.get(reverse("admin:sources_source_change", args=[source.pk]))
    refused = editor_client.get(url)
    assert refused.status_code == 405 and not Snapshot.objects.exists()
    response = editor_client.post(url)

    assert "Fetch a snapshot now" in page.content.decode() and url in page.content.decode()
    assert response.status_code == 302 and source.snapshots.get().outcome == FetchOutcome.OK


@pytest.mark.django_db
def test_the_command_fetches_due_sources_with_progress(web):
    due = SourceFactory(url=web.html("/due", ARTICLE))
    fresh = SourceFactory(url=web.html("/fresh", ARTICLE))
    snapshot_take(source=fresh)
    out, err = StringIO(), StringIO()

    call_command("fetch_snapshots", "--run", stdout=out, stderr=err)

    assert due.snapshots.count() == 1 and fresh.snapshots.get().check_count == 1
    assert "sources: 1/1" in err.getvalue()
    assert "Fetched 1 source(s): 1 ok." in out.getvalue()


@pytest.mark.django_db
def test_the_command_queues_stale_sources_up_to_a_limit(web):
    sources = [SourceFactory(url=web.html(f"/s{i}", ARTICLE)) for i in range(3)]
    for source in sources:
        snapshot_take(source=source)
    Source.objects.update(fetched_at="2020-01-01T00:00:00Z")
    out = StringIO()

    call_command("fetch_snapshots", "--stale-days", "30", "--limit", "2", stdout=out)

    assert "Queued 2 fetch(es)" in out.getvalue()
    checked = sorted(s.snapshots.get().check_count for s in sources)
    assert checked == [1, 2, 2]  # the immediate backend ran the two queued fetches


@pytest.mark.django_db
def test_the_command_says_when_nothing_is_due():
    out = StringIO()

    call_command("fetch_snapshots", stdout=out)

    assert "No source is due" in out.getvalue()


# -- what readers see ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_source_page_shows_the_cached_content_preview(client, web):
    source = SourceFactory(url=web.html("/article", ARTICLE))
    snapshot_take(source=source)

    content = client.get(source.get_absolute_url()).content.decode()

    assert "Cached Content Preview" in content
    assert "Export controls, reporting thresholds" in content
    assert "(truncated" not in content
    assert reverse("sources:snapshot_list", args=[source.pk]) in content


@pytest.mark.django_db
def test_a_long_text_is_cut_with_its_total_size(client, web):
    long_text = ("Paragraph about evaluations. " * 700).strip()  # ~20 KB
    web.routes["/long.txt"] = (200, {"Content-Type": "text/plain"}, long_text.encode())
    source = SourceFactory(url=web.url("/long.txt"))
    snapshot_take(source=source)

    response = client.get(source.get_absolute_url())

    content = response.content.decode()
    assert response.context["preview"]["text"] == long_text[:PREVIEW_CHARS]
    assert "... (truncated, 20 KB total)" in content


@pytest.mark.django_db
def test_snapshot_text_is_shown_escaped(client, web):
    web.routes["/x.txt"] = (200, {"Content-Type": "text/plain"}, b"<script>alert(1)</script>")
    source = SourceFactory(url=web.url("/x.txt"))
    snapshot = snapshot_take(source=source)

    page = client.get(source.get_absolute_url()).content.decode()
    detail = client.get(reverse("sources:snapshot_detail", args=[source.pk, snapshot.pk]))

    for content in (page, detail.content.decode()):
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.django_db
def test_a_dead_link_is_badged_on_the_page_and_in_the_list(client, web):
    source = SourceFactory(url=web.html("/article", ARTICLE), title="Once alive")
    snapshot_take(source=source)
    web.routes.pop("/article")
    snapshot_take(source=source)

    page = client.get(source.get_absolute_url()).content.decode()
    listing = client.get(reverse("sources:source_list") + "?link=dead").content.decode()

    assert "Dead link" in page and "Not found / dead link" in page
    assert "The text below is from the last good fetch" in page
    assert "Export controls" in page
    assert "Once alive" in listing and "Dead link" in listing


@pytest.mark.django_db
def test_a_paywalled_source_is_badged(client, web):
    source = SourceFactory(url=web.html("/members", "<p>Subscribe</p>", status=402))
    snapshot_take(source=source)

    assert "Paywalled" in client.get(source.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_snapshot_list_has_every_dated_copy(client, web):
    url = web.html("/article", ARTICLE)
    source = SourceFactory(url=url)
    snapshot_take(source=source)
    web.html("/article", ARTICLE.replace("Export", "Import"))
    snapshot_take(source=source)

    response = client.get(reverse("sources:snapshot_list", args=[source.pk]))

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 2
    assert client.get(reverse("sources:snapshot_list", args=["nope"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_embedded_default_queues_in_the_database_and_db_worker_runs_it(web, settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "snapshots"],
        }
    }
    source = SourceFactory(url=web.html("/article", ARTICLE))

    call_command("fetch_snapshots", stdout=StringIO())
    assert not Snapshot.objects.exists()  # queued, not run
    call_command(
        "db_worker", "--batch", "--queue-name", "snapshots", "--no-startup-delay", verbosity=0
    )

    assert source.snapshots.get().outcome == FetchOutcome.OK
