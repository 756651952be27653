"""Fetching a source's URL safely, and extracting its text.

The fetcher is a `requests` session whose connections check every address they use:
before connecting, each address the host name resolves to; after connecting, the address
actually connected to (so a DNS answer that changes between the two, or a redirect to an
internal host, cannot reach loopback, private, link-local, multicast or reserved space).
Redirects are followed by hand, at most `CREDENCE_FETCH_MAX_REDIRECTS`, each hop checked
again. Bodies are read up to `CREDENCE_FETCH_MAX_BYTES` (after decompression) and cut there.

A fetch has a deadline, `CREDENCE_FETCH_TOTAL_TIMEOUT` from its start, that holds on every
socket operation: connecting, the TLS handshake and each read of the status line, headers
and body get at most the time left, so a server dripping a byte at a time cannot hold a
fetch longer. A malformed URL, given or redirected to, is reported like any other failure.

Nothing here touches the database: `fetch_url` returns a `FetchResult` that the snapshot
service stores.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import ipaddress
import logging
import re
import socket
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from urllib.parse import SplitResult, urljoin, urlsplit

import idna
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError, ReadTimeoutError

from .models import FetchOutcome

logger = logging.getLogger(__name__)

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain"}
PDF_TYPES = {"application/pdf"}
ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.1"
DEAD_STATUSES = {404, 410}
LOGIN_STATUSES = {401, 402, 403, 407}
# A redirect ending on a page whose path says this is a login or paywall page.
LOGIN_PATH_WORDS = ("login", "signin", "sign-in", "subscribe", "paywall", "register")
CHUNK = 64 * 1024
# Characters no URL may hold as written (NUL, line breaks, DEL...): http.client refuses them.
URL_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# A host name's label in its ASCII form; "_" is not in the DNS standard but names use it.
HOST_LABEL = re.compile(r"[a-z0-9_-]+", re.IGNORECASE)
HOST_LABEL_MAX, HOST_NAME_MAX = 63, 253


class AddressRefused(Exception):
    """The fetch would reach an address the policy refuses; no request was sent to it."""


class MalformedURL(Exception):
    """A URL, given or redirected to, that no request can be made from; none was sent."""


class DeadlinePassed(Exception):
    """The fetch used up its total time.

    Not an OSError on purpose: requests and urllib3 wrap those (a read timeout in a body
    becomes a ConnectionError), and this must reach `fetch_url` as it is.
    """


# -- the address policy ----------------------------------------------------------------


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The non-public networks the settings open to the fetcher.

    The base settings parse the environment's list at start-up (a bad value stops the
    server there); ip_network() returns those as they are and still reads a string that a
    settings file lists by hand.
    """
    return [
        ipaddress.ip_network(value, strict=False)
        for value in settings.CREDENCE_FETCH_ALLOW_NETWORKS
    ]


def address_refusal(address: str) -> str | None:
    """Why an IP address may not be fetched from, or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip in network for network in allowed_networks()):
        return None
    # Most specific first: Python counts link-local, reserved and 0.0.0.0 as private too.
    for test, what in (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "not public"),
    ):
        if test:
            return f"{address} is a {what} address"
    return None


def _check_address(address: str, host: str) -> None:
    reason = address_refusal(address)
    if reason is not None:
        raise AddressRefused(f"refused to connect to {host}: {reason}")


def _capped(limit: float | None, deadline: float) -> float:
    """Return a socket timeout: `limit`, cut to the time left before the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlinePassed
    return left if limit is None else min(limit, left)


class _DeadlineReader(io.RawIOBase):
    """A response's socket reader that gives each read at most the time left before the
    deadline, and otherwise the read timeout between bytes (`idle`)."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: float, idle: float | None):
        super().__init__()
        self._raw, self._sock, self._deadline, self._idle = raw, sock, deadline, idle

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        timeout = _capped(self._idle, self._deadline)
        cut_by_deadline = self._idle is None or timeout < self._idle
        # An SSL socket applies its timeout to the whole of each read, decryption included.
        self._sock.settimeout(timeout)
        try:
            return self._raw.readinto(buffer)
        except TimeoutError:
            if cut_by_deadline:
                raise DeadlinePassed from None
            raise

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """http.client's response, whose status line, headers and body are all read through
    a `_DeadlineReader`."""

    def __init__(self, sock, *args, deadline: float, idle: float | None, **kwargs):
        super().__init__(sock, *args, **kwargs)
        # Nothing has been read yet, so the buffered file's raw reader can be swapped.
        self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, deadline, idle))


class _GuardedConnectionMixin:
    """Check the resolved addresses before connecting and the peer after, and hold every
    socket operation to the fetch's deadline."""

    def __init__(self, *args, deadline: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    @property
    def response_class(self):
        """What http.client reads a response with (the read timeout urllib3 has just set
        as `timeout` stays the limit between bytes)."""
        return partial(_DeadlineResponse, deadline=self.deadline, idle=self.timeout)

    def _new_conn(self):
        host, port = self._dns_host, self.port
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        for info in infos:
            _check_address(info[4][0], host)
        self.timeout = _capped(self.timeout, self.deadline)  # what super() connects with
        sock = super()._new_conn()
        try:
            _check_address(sock.getpeername()[0], host)
        except AddressRefused:
            sock.close()
            raise
        # The TLS handshake that follows runs under this timeout, as one operation.
        sock.settimeout(_capped(self.timeout, self.deadline))
        return sock


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """An adapter whose connections are guarded and held to one fetch's deadline."""

    def __init__(self, *args, deadline: float, **kwargs):
        self.deadline = deadline  # before super(), which builds the pool manager
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        # A pool passes keywords it does not know on to each connection it makes. The
        # pool manager's own keywords would not do: they also key its pools, by a fixed list.
        self.poolmanager.pool_classes_by_scheme = {
            "http": partial(GuardedHTTPConnectionPool, deadline=self.deadline),
            "https": partial(GuardedHTTPSConnectionPool, deadline=self.deadline),
        }


class FetchSession(requests.Session):
    """A session that leaves redirects to `fetch_url`, which checks each target first."""

    def get_redirect_target(self, resp):
        # requests would otherwise parse the target of every redirect, even one it does not
        # follow, and raise out of `get` on a malformed one (or on one not in UTF-8).
        return None


def fetch_session(*, deadline: float) -> requests.Session:
    """Return a session for one fetch, whose every socket operation ends by `deadline`
    (a `time.monotonic()` value)."""
    session = FetchSession()
    session.trust_env = False  # no proxy from the environment: we check where we connect
    adapter = GuardedAdapter(max_retries=0, deadline=deadline)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": settings.CREDENCE_FETCH_USER_AGENT, "Accept": ACCEPT})
    return session


# -- what a URL may be -----------------------------------------------------------------


def _check_url(url: str) -> None:
    """Raise MalformedURL for a URL no request can be made from, AddressRefused for one
    whose scheme the fetcher does not speak."""
    parts = _split(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        what = scheme or "a URL without a scheme"
        raise AddressRefused(f"only http and https URLs are fetched, not {what}")
    problem = _host_problem(parts)
    if problem is not None:
        raise _malformed(url, problem)


def _malformed(url: str, reason: str) -> MalformedURL:
    return MalformedURL(f"the URL is malformed ({reason}): {url!r}")


def _split(url: str) -> SplitResult:
    if URL_CONTROL_CHARACTERS.search(url):
        raise _malformed(url, "it holds control characters")
    try:
        parts = urlsplit(url)  # raises for unbalanced or bad [IPv6] brackets
        _ = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise _malformed(url, str(exc)) from None
    return parts


def _host_problem(parts: SplitResult) -> str | None:
    """What is wrong with a URL's host, or None."""
    host = parts.hostname
    if not host:
        return "it has no host"
    if parts.netloc.rpartition("@")[2].startswith("["):
        try:  # Python before 3.11.4 does not check what is inside the brackets
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            return str(exc)
        return None
    return _host_name_problem(host)


def _host_name_problem(host: str) -> str | None:
    """What keeps a host name from being looked up, as requests and the resolver would
    read it (an international name in its IDNA form), or None."""
    try:
        name = host if host.isascii() else idna.encode(host, uts46=True).decode("ascii")
    except UnicodeError as exc:  # idna.IDNAError is one
        return f"{host!r} is not a valid international domain name: {exc}"
    name = name.removesuffix(".")  # "example.org." names the same host
    if len(name) > HOST_NAME_MAX:
        return f"the host name is longer than {HOST_NAME_MAX} characters"
    for label in name.split("."):
        if not label:
            return "the host name has an empty label"
        if len(label) > HOST_LABEL_MAX:
            return f"the host name has a label longer than {HOST_LABEL_MAX} characters"
        if not HOST_LABEL.fullmatch(label):
            return f"the host name label {label!r} holds other characters than a-z, 0-9, - and _"
    return None


# -- fetching --------------------------------------------------------------------------


@dataclass
class Extracted:
    text: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: date | None = None


@dataclass
class FetchResult:
    requested_url: str
    outcome: str
    final_url: str = ""
    http_status: int | None = None
    content_type: str = ""
    body: bytes = b""
    truncated: bool = False
    detail: str = ""
    extracted: Extracted = field(default_factory=Extracted)

    @property
    def byte_size(self) -> int:
        return len(self.body)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest() if self.body else ""


def _read_capped(response: requests.Response) -> tuple[bytes, bool]:
    """Read the (decoded) body up to the size cap; True when it was cut there."""
    cap = settings.CREDENCE_FETCH_MAX_BYTES
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        if size + len(chunk) > cap:
            chunks.append(chunk[: cap - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _looks_like_login(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return any(word in path for word in LOGIN_PATH_WORDS)


def fetch_url(url: str) -> FetchResult:
    """Fetch a URL under the policy; never raises for network trouble or a malformed URL,
    it reports them."""
    deadline = time.monotonic() + settings.CREDENCE_FETCH_TOTAL_TIMEOUT
    result = FetchResult(requested_url=url, outcome=FetchOutcome.ERROR, final_url=url)
    try:
        with fetch_session(deadline=deadline) as session:
            response = _get_following_redirects(session, result)
            if response is None:
                return result
            with response:
                return _result_from_response(result, response)
    except MalformedURL as exc:
        result.outcome, result.detail = FetchOutcome.ERROR, str(exc)
    except AddressRefused as exc:
        result.outcome, result.detail = FetchOutcome.BLOCKED, str(exc)
    except DeadlinePassed:
        result.outcome = FetchOutcome.TIMEOUT
        result.detail = (
            f"took longer than the {settings.CREDENCE_FETCH_TOTAL_TIMEOUT:g} s "
            "a whole fetch may take"
        )
    except requests.Timeout as exc:
        result.outcome, result.detail = FetchOutcome.TIMEOUT, f"timed out: {exc}"
    except requests.ConnectionError as exc:
        _note_connection_failure(result, exc)
    except requests.RequestException as exc:
        result.outcome, result.detail = FetchOutcome.ERROR, str(exc)
    return result


def _get_following_redirects(session, result: FetchResult) -> requests.Response | None:
    """GET the result's URL and the redirects from it, each checked before it is requested.

    Return the last response, or None (noted on the result) after too many redirects; the
    result's `final_url` is always the URL being dealt with.
    """
    timeout = (settings.CREDENCE_FETCH_CONNECT_TIMEOUT, settings.CREDENCE_FETCH_READ_TIMEOUT)
    most = settings.CREDENCE_FETCH_MAX_REDIRECTS
    current = result.requested_url
    for _hop in range(most + 1):
        result.final_url = current
        _check_url(current)
        response = session.get(current, stream=True, allow_redirects=False, timeout=timeout)
        if not response.is_redirect:
            return response
        response.close()
        current = _redirect_target(current, _location(response))
    result.final_url = current
    result.detail = f"more than {most} redirects; stopped"
    return None


def _location(response: requests.Response) -> str:
    """Return where a redirect points. http.client reads headers as Latin-1; a server that
    sends other than ASCII there almost always means UTF-8 (requests assumes it too)."""
    location = response.headers.get("Location", "")
    try:
        return location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return location


def _redirect_target(current: str, location: str) -> str:
    try:
        return urljoin(current, location)
    except ValueError:
        return location  # unreadable: checking it as the next URL says why


def _note_connection_failure(result: FetchResult, exc: requests.ConnectionError) -> None:
    if _caused_by(exc, NameResolutionError):
        result.outcome = FetchOutcome.DEAD
        result.detail = f"the host name of {result.final_url} does not resolve"
    elif _caused_by(exc, ReadTimeoutError):  # requests reports a body that stalls so
        result.outcome, result.detail = FetchOutcome.TIMEOUT, f"timed out: {exc}"
    else:
        result.outcome, result.detail = FetchOutcome.ERROR, f"could not connect: {exc}"


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Whether `kind` is somewhere in the chain requests and urllib3 wrap errors in."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        reason = getattr(current, "reason", None)  # urllib3's MaxRetryError
        pending.extend([current.__cause__, current.__context__, reason, *current.args])
    return False


def _result_from_response(result: FetchResult, response) -> FetchResult:
    result.final_url = response.url
    result.http_status = response.status_code
    result.content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    status = response.status_code
    if status in DEAD_STATUSES:
        result.outcome, result.detail = FetchOutcome.DEAD, f"HTTP {status}"
        return result
    if status in LOGIN_STATUSES:
        result.outcome, result.detail = FetchOutcome.PAYWALLED, f"HTTP {status}"
        return result
    if status >= 400:
        result.outcome, result.detail = FetchOutcome.ERROR, f"HTTP {status}"
        return result
    if result.content_type not in HTML_TYPES | TEXT_TYPES | PDF_TYPES:
        result.detail = f"content type {result.content_type or 'missing'} is not fetched"
        return result
    result.body, result.truncated = _read_capped(response)
    result.extracted = extract(result.body, result.content_type, response.encoding)
    if result.final_url != result.requested_url and _looks_like_login(result.final_url):
        result.outcome = FetchOutcome.PAYWALLED
        result.detail = "redirected to a login or subscription page"
    else:
        result.outcome = FetchOutcome.OK
    if result.truncated:
        result.detail = f"cut at {settings.CREDENCE_FETCH_MAX_BYTES} bytes"
    return result


# -- extraction ------------------------------------------------------------------------


def extract(body: bytes, content_type: str, encoding: str | None = None) -> Extracted:
    """The main text, title, authors and date of a body, as well as its kind allows."""
    if not body:
        return Extracted()
    try:
        if content_type in PDF_TYPES:
            return _extract_pdf(body)
        if content_type in HTML_TYPES:
            return _extract_html(body)
        return Extracted(text=body.decode(encoding or "utf-8", errors="replace").strip())
    except Exception:  # a malformed document still gets a snapshot, without text
        logger.warning("text extraction failed for a %s body", content_type, exc_info=True)
        return Extracted()


def _extract_html(body: bytes) -> Extracted:
    import trafilatura

    document = trafilatura.bare_extraction(
        body, with_metadata=True, include_comments=False, include_tables=True
    )
    if document is None:
        return Extracted()
    authors = [name.strip() for name in (document.author or "").split(";") if name.strip()]
    return Extracted(
        text=(document.text or "").strip(),
        title=(document.title or "").strip(),
        authors=authors,
        published=_iso_date(document.date),
    )


def _extract_pdf(body: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    meta = reader.metadata
    title = (meta.title or "").strip() if meta else ""
    author = (meta.author or "").strip() if meta else ""
    published = None
    if meta is not None:
        try:
            created = meta.creation_date
        except Exception:  # an unparseable /CreationDate is no reason to lose the text
            created = None
        published = created.date() if isinstance(created, datetime) else None
    return Extracted(
        text=text, title=title, authors=[author] if author else [], published=published
    )


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
