"""Fetching a source's URL safely, and extracting its text.

The fetcher is a `requests` session whose connections check every address they use:
before connecting, each address the host name resolves to; after connecting, the address
actually connected to (so a DNS answer that changes between the two, or a redirect to an
internal host, cannot reach loopback, private, link-local, multicast or reserved space).
Redirects are followed by hand, at most `CREDENCE_FETCH_MAX_REDIRECTS`, each hop checked
again. Bodies are read up to `CREDENCE_FETCH_MAX_BYTES` (after decompression) and cut there.

Nothing here touches the database: `fetch_url` returns a `FetchResult` that the snapshot
service stores.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

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


class AddressRefused(Exception):
    """The fetch would reach an address the policy refuses; no request was sent to it."""


# -- the address policy ----------------------------------------------------------------


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
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


class _GuardedConnectionMixin:
    """Check the resolved addresses before connecting and the peer after."""

    def _new_conn(self):
        host, port = self._dns_host, self.port
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        for info in infos:
            _check_address(info[4][0], host)
        sock = super()._new_conn()
        try:
            _check_address(sock.getpeername()[0], host)
        except AddressRefused:
            sock.close()
            raise
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
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": GuardedHTTPConnectionPool,
            "https": GuardedHTTPSConnectionPool,
        }


def fetch_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: we check where we connect
    adapter = GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": settings.CREDENCE_FETCH_USER_AGENT, "Accept": ACCEPT})
    return session


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


def _scheme_refusal(url: str) -> str | None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https"}:
        return f"only http and https URLs are fetched, not {scheme or 'a URL without a scheme'}"
    return None


def _read_capped(response: requests.Response, deadline: float) -> tuple[bytes, bool]:
    """Read the (decoded) body up to the size cap; True when it was cut there."""
    cap = settings.CREDENCE_FETCH_MAX_BYTES
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        if time.monotonic() > deadline:
            raise requests.Timeout("the body took longer than the total time allowed")
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
    """Fetch a URL under the policy; never raises for network trouble, it reports it."""
    connect, read = settings.CREDENCE_FETCH_CONNECT_TIMEOUT, settings.CREDENCE_FETCH_READ_TIMEOUT
    deadline = time.monotonic() + settings.CREDENCE_FETCH_TOTAL_TIMEOUT
    result = FetchResult(requested_url=url, outcome=FetchOutcome.ERROR)
    current = url
    try:
        with fetch_session() as session:
            for _hop in range(settings.CREDENCE_FETCH_MAX_REDIRECTS + 1):
                refusal = _scheme_refusal(current)
                if refusal:
                    raise AddressRefused(refusal)
                response = session.get(
                    current, stream=True, allow_redirects=False, timeout=(connect, read)
                )
                if not response.is_redirect:
                    break
                location = response.headers.get("Location", "")
                response.close()
                current = urljoin(current, location)
            else:
                result.final_url = current
                result.detail = (
                    f"more than {settings.CREDENCE_FETCH_MAX_REDIRECTS} redirects; stopped"
                )
                return result
            with response:
                return _result_from_response(result, response, deadline)
    except AddressRefused as exc:
        result.outcome, result.detail, result.final_url = FetchOutcome.BLOCKED, str(exc), current
    except requests.Timeout as exc:
        result.outcome, result.final_url = FetchOutcome.TIMEOUT, current
        result.detail = f"timed out: {exc}"
    except requests.ConnectionError as exc:
        result.final_url = current
        if _caused_by(exc, NameResolutionError):
            result.outcome = FetchOutcome.DEAD
            result.detail = f"the host name of {current} does not resolve"
        else:
            result.outcome, result.detail = FetchOutcome.ERROR, f"could not connect: {exc}"
    except requests.RequestException as exc:
        result.outcome, result.detail, result.final_url = FetchOutcome.ERROR, str(exc), current
    return result


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


def _result_from_response(result: FetchResult, response, deadline: float) -> FetchResult:
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
    result.body, result.truncated = _read_capped(response, deadline)
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
