"""Venue domains and URLs: the stored form of a domain, and matching URLs to venues by it.

Pure functions over strings; the queries that feed them are `Venue.objects.for_url` and
`sources.selectors.venue_matcher_build`.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def domain_normalize(value: str) -> str:
    """Return a venue domain in its stored form: lower-case host, no scheme, no `www.`.

    A path prefix is kept (`nature.com/articles`) without its trailing slash.
    """
    text = value.strip().lower()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme) :]
    text = text.rstrip("/")
    host, _slash, path = text.partition("/")
    host = host.split(":", 1)[0].removeprefix("www.")
    return f"{host}/{path}" if path else host


def url_host_and_path(url: str) -> tuple[str, str]:
    """Return a URL's host (lower case, without `www.` and port) and its path."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, parts.path or "/"


def host_suffixes(host: str) -> list[str]:
    """Return the host and each parent domain: a.b.org -> [a.b.org, b.org, org]."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def _path_is_under(path: str, prefix: str) -> bool:
    """Tell whether a URL path lies under a prefix at a segment boundary."""
    prefix = "/" + prefix.strip("/")
    return path == prefix or path.startswith(prefix + "/")


class VenueMatcher:
    """Match URLs to venues by domain: the longest matching domain wins.

    `www.` is ignored, a subdomain matches its parent domain, and a domain with a path
    prefix matches only URLs under that path.
    """

    def __init__(self, domains: Iterable[tuple[str, int]]):
        self._by_host: dict[str, list[tuple[str, int]]] = {}
        for domain, venue_id in domains:
            host, _slash, path = domain_normalize(domain).partition("/")
            self._by_host.setdefault(host, []).append((path, venue_id))

    def match_id(self, url: str) -> int | None:
        """Return the id of the venue whose domain matches the URL best, or None."""
        host, path = url_host_and_path(url)
        if not host:
            return None
        best: tuple[int, int] | None = None
        for candidate in host_suffixes(host):
            for prefix, venue_id in self._by_host.get(candidate, ()):
                if prefix and not _path_is_under(path, prefix):
                    continue
                length = len(candidate) + len(prefix)
                if best is None or length > best[0]:
                    best = (length, venue_id)
        return best[1] if best else None
