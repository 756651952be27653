"""Issue 14, the fetcher hardened: one deadline for every read however a server drips,
malformed URLs as answers, batches that outlive a failing source, text every database
stores, and a network setting checked at start-up."""

import ipaddress
import os
import shutil
import ssl
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus

from config.settings.base import env_networks
from sources import fetching, snapshots
from sources.fetching import Extracted, FetchResult, fetch_url
from sources.models import FetchOutcome
from sources.snapshots import UNEXPECTED_FAILURE, snapshot_store, snapshot_take
from sources.tasks import source_snapshot_fetch
from tests.conftest import require
from tests.factories import SourceFactory
from tests.local_web import ARTICLE, Drip, LocalWeb

ROOT = Path(__file__).resolve().parents[2]
BODY = b"x" * 60
STATUS = b"HTTP/1.1 200 OK\r\n"
HEAD = STATUS + b"Content-Type: text/plain\r\nContent-Length: 60\r\n\r\n"
CHUNKED_HEAD = STATUS + b"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
SLOW_HEADER = b"X-Padding: " + b"p" * 60 + b"\r\n"
# Each answer would take a dripping server 30 s or more; the fetch may take 1 s.
DRIPS = {
    "status line": Drip.bytewise(HEAD + BODY, pause=0.5),
    "headers": Drip(
        [STATUS, *Drip.bytewise(SLOW_HEADER, 0).pieces, HEAD.removeprefix(STATUS) + BODY],
        pause=0.5,
    ),
    "Content-Length body": Drip([HEAD, *Drip.bytewise(BODY, 0).pieces], pause=0.5),
    "chunked body": Drip([CHUNKED_HEAD, *[b"1\r\nx\r\n"] * 60, b"0\r\n\r\n"], pause=0.5),
}


def _timed_fetch(url: str) -> tuple[FetchResult, float]:
    started = time.monotonic()
    result = fetch_url(url)
    return result, time.monotonic() - started


# -- one deadline for the whole fetch --------------------------------------------------


@pytest.mark.parametrize("part", DRIPS)
def test_a_server_dripping_its_answer_is_cut_off_at_the_total_timeout(web, settings, part):
    settings.CREDENCE_FETCH_TOTAL_TIMEOUT = 1
    drip = DRIPS[part]
    web.routes["/drip"] = drip

    result, seconds = _timed_fetch(web.url("/drip"))

    assert drip.seconds >= 30
    assert result.outcome == FetchOutcome.TIMEOUT
    assert result.detail == "took longer than the 1 s a whole fetch may take"
    assert seconds < drip.seconds / 5  # stopped at the deadline, not when the server was done


def test_the_total_timeout_covers_every_redirect(web, settings):
    settings.CREDENCE_FETCH_TOTAL_TIMEOUT = 1

    def slow_redirect(to):
        def answer():
            time.sleep(0.4)
            return 302, {"Location": to}, b""

        return answer

    for hop in range(4):
        web.routes[f"/hop{hop}"] = slow_redirect(f"/hop{hop + 1}")

    result = fetch_url(web.url("/hop0"))  # the last hop, /hop4, would be a 404

    assert result.outcome == FetchOutcome.TIMEOUT and "whole fetch" in result.detail


def test_a_body_that_stalls_past_the_read_timeout_times_out(web, settings):
    settings.CREDENCE_FETCH_READ_TIMEOUT = 0.3
    web.routes["/stall"] = Drip([HEAD + BODY[:30], BODY[30:]], pause=5)

    result, seconds = _timed_fetch(web.url("/stall"))

    assert result.outcome == FetchOutcome.TIMEOUT and result.detail.startswith("timed out")
    assert seconds < 5


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and its key."""
    if shutil.which("openssl") is None:
        require(False, "openssl is needed to make a certificate for the HTTPS drip test")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_web(tls_files, monkeypatch):
    """A local HTTPS server whose certificate the fetcher trusts."""
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    real_session = fetching.fetch_session

    def trusting_session(*, deadline):
        session = real_session(deadline=deadline)
        session.verify = str(cert)
        return session

    monkeypatch.setattr(fetching, "fetch_session", trusting_session)
    server = LocalWeb(tls=context)
    yield server
    server.close()


def test_a_server_dripping_over_tls_is_cut_off_at_the_total_timeout(tls_web, settings):
    settings.CREDENCE_FETCH_TOTAL_TIMEOUT = 1
    drip = DRIPS["status line"]
    tls_web.routes["/drip"] = drip

    result, seconds = _timed_fetch(tls_web.url("/drip"))

    assert result.outcome == FetchOutcome.TIMEOUT and "whole fetch" in result.detail
    assert seconds < drip.seconds / 5


# -- malformed URLs are answers --------------------------------------------------------

MALFORMED = {
    "IPv6 bracket not closed": "http://[::1/",
    "IPv6 bracket not opened": "http://::1]/",
    "IPv4 part out of range": "http://[::ffff:999.1.1.1]/",
    "a name in brackets": "http://[example.org]/",
    "label of 64 characters": f"http://{'a' * 64}.example/",
    "host name over 253 characters": "http://" + ".".join(["a" * 60] * 5) + "/",
    "empty label": "http://example..org/",
    "port out of range": "http://example.org:99999/",
    "negative port": "http://example.org:-1/",
    "port not a number": "http://example.org:abc/",
    "NUL in the host": "http://exa\x00mple.org/",
    "NUL in the path": "http://example.org/a\x00b",
    "space in the host": "http://exa mple.org/",
    "percent sign in the host": "http://exa%41mple.org/",
    "IDNA-disallowed character": "http://\u2603.example/",
    "IDNA label with end hyphens": "http://-b\u00fccher-.example/",
    "empty host with a port": "http://:80/",
    "empty host with a user": "http://user@/",
}


@pytest.mark.parametrize("url", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_url_is_an_error_that_says_so(url):
    result = fetch_url(url)

    assert result.outcome == FetchOutcome.ERROR
    assert result.detail.startswith("the URL is malformed (") and repr(url) in result.detail


@pytest.mark.parametrize("url", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_redirect_to_a_malformed_url_is_an_error_that_says_so(web, url):
    location = b"Location: " + url.encode() + b"\r\n"
    web.routes["/go"] = Drip([b"HTTP/1.1 302 Found\r\n" + location + b"\r\n"], pause=0)

    result = fetch_url(web.url("/go"))

    assert result.outcome == FetchOutcome.ERROR
    assert result.detail.startswith("the URL is malformed (") and result.final_url == url


def test_a_redirect_whose_location_is_not_utf8_is_an_answer(web):
    location = b"Location: http://caf\xe9.-bad-.example/\r\n"
    web.routes["/go"] = Drip([b"HTTP/1.1 302 Found\r\n" + location + b"\r\n"], pause=0)

    result = fetch_url(web.url("/go"))

    assert result.outcome == FetchOutcome.ERROR and "not a valid international" in result.detail


# -- a batch outlives a failing source -------------------------------------------------


@pytest.mark.django_db
def test_the_command_records_a_bad_redirect_and_goes_on(web):
    bad = SourceFactory(url=web.redirect("/bad", "http://[::1/"))
    good = SourceFactory(url=web.html("/good", ARTICLE))
    out = StringIO()

    call_command("fetch_snapshots", "--run", stdout=out, stderr=StringIO())
    call_command("fetch_snapshots", "--run", stdout=out, stderr=StringIO())

    assert bad.snapshots.get().outcome == FetchOutcome.ERROR
    assert good.snapshots.get().outcome == FetchOutcome.OK
    assert "Fetched 2 source(s): 1 ok, 1 error." in out.getvalue()
    assert "No source is due for a fetch." in out.getvalue()  # the next run is not stuck


@pytest.fixture
def failing_fetch(monkeypatch):
    """Make fetching the URLs added to the returned set fail as a bug would."""
    failing, real = set(), snapshots.fetch_url

    def fetch(url):
        if url in failing:
            raise RuntimeError("a bug")
        return real(url)

    monkeypatch.setattr(snapshots, "fetch_url", fetch)
    return failing


@pytest.mark.django_db
def test_the_command_goes_on_after_a_source_fails_unexpectedly(web, failing_fetch):
    sources = [SourceFactory(url=web.html(f"/s{i}", ARTICLE)) for i in range(3)]
    failing_fetch.add(sources[1].url)
    out = StringIO()

    call_command("fetch_snapshots", "--run", stdout=out, stderr=StringIO())
    call_command("fetch_snapshots", "--run", stdout=out, stderr=StringIO())

    outcomes = [source.snapshots.get().outcome for source in sources]
    assert outcomes == [FetchOutcome.OK, FetchOutcome.ERROR, FetchOutcome.OK]
    assert sources[1].snapshots.get().detail == UNEXPECTED_FAILURE.format(error="RuntimeError")
    assert "Fetched 3 source(s): 2 ok, 1 error." in out.getvalue()
    assert "No source is due for a fetch." in out.getvalue()


@pytest.mark.django_db
def test_the_task_records_an_unexpected_failure(web, failing_fetch):
    source = SourceFactory(url=web.html("/article", ARTICLE))
    failing_fetch.add(source.url)

    result = source_snapshot_fetch.enqueue(source.pk)

    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, "error")
    source.refresh_from_db()
    assert source.fetch_outcome == FetchOutcome.ERROR and source.fetched_at is not None


@pytest.mark.django_db
def test_a_store_that_fails_is_rolled_back_and_recorded_as_an_error(web, monkeypatch):
    source = SourceFactory(url=web.html("/article", ARTICLE), title="")

    def failing_fill_in(source, snapshot):
        raise RuntimeError("a bug after the snapshot was written")

    monkeypatch.setattr(snapshots, "_fill_in", failing_fill_in)

    snapshot = snapshot_take(source=source)

    assert snapshot.outcome == FetchOutcome.ERROR
    assert list(source.snapshots.values_list("outcome", flat=True)) == [FetchOutcome.ERROR]
    assert source.fetch_outcome == FetchOutcome.ERROR


# -- text every database stores --------------------------------------------------------


@pytest.mark.django_db
def test_a_text_body_with_nul_bytes_is_stored_without_them(web):
    web.routes["/nul.txt"] = (200, {"Content-Type": "text/plain"}, b"before\x00after\x00")
    source = SourceFactory(url=web.url("/nul.txt"))

    snapshot = snapshot_take(source=source)

    snapshot.refresh_from_db()
    assert (snapshot.outcome, snapshot.text) == (FetchOutcome.OK, "beforeafter")


@pytest.mark.django_db
def test_characters_a_database_refuses_are_dropped_from_every_column(web):
    source = SourceFactory(url=web.url("/x"), title="")
    result = FetchResult(
        requested_url=source.url,
        outcome=FetchOutcome.OK,
        final_url=source.url + "\x00",
        detail="cut\x00",
        extracted=Extracted(
            text="body\x00 \ud800text", title="A\x00 title\udfff", authors=["Ada\x00 Example"]
        ),
    )

    snapshot = snapshot_store(source=source, result=result)

    snapshot.refresh_from_db()
    source.refresh_from_db()
    assert (snapshot.text, snapshot.title, snapshot.authors) == (
        "body text",
        "A title",
        "Ada Example",
    )
    assert (snapshot.final_url, snapshot.detail) == (source.url, "cut")
    assert source.title == "A title"


# -- the network setting ---------------------------------------------------------------


def test_a_network_setting_that_is_no_network_stops_the_start():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env = {**clean, "CREDENCE_FETCH_ALLOW_NETWORKS": "10.0.0.0/8,not-a-network"}

    run = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode != 0
    assert "ImproperlyConfigured: CREDENCE_FETCH_ALLOW_NETWORKS lists 'not-a-network'" in (
        run.stderr
    )


def test_the_network_setting_is_parsed_at_start_up(monkeypatch):
    monkeypatch.setenv("CREDENCE_FETCH_ALLOW_NETWORKS", " 10.0.0.0/8, fd00::/8,192.168.1.7")

    networks = env_networks("CREDENCE_FETCH_ALLOW_NETWORKS")

    assert networks == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("fd00::/8"),
        ipaddress.ip_network("192.168.1.7/32"),
    ]
