"""Purging a front cache (Varnish, a CDN) by tag when records change. Off by default.

Modelled on Wagtail's frontend cache module: `CREDENCE_FRONT_CACHE` names backends, each a
class with a `purge(tags)` method, built once from its options. The one given here sends an
HTTP request naming the tags in a header: Varnish with the xkey module (`PURGE`,
`xkey-purge`), or anything that purges by surrogate key the same way. Pages carry their
tags in `Surrogate-Key` (space-separated) and `Cache-Tag` (comma-separated).

A purge never fails a write: a front cache that is down or refuses is logged, and its pages
expire after `s-maxage` anyway.
"""

from __future__ import annotations

import logging
import urllib.request
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Tags per request: proxies cap header sizes (Varnish 8 KB by default).
PURGE_BATCH = 100


class HTTPPurgeBackend:
    """Send `METHOD LOCATION` with the tags, space-separated, in `HEADER`."""

    def __init__(
        self,
        LOCATION: str,
        METHOD: str = "PURGE",
        HEADER: str = "xkey-purge",
        TIMEOUT: float = 2.0,
        **_,
    ):
        self.location, self.method, self.header, self.timeout = LOCATION, METHOD, HEADER, TIMEOUT

    def purge(self, tags: list[str]) -> None:
        for start in range(0, len(tags), PURGE_BATCH):
            request = urllib.request.Request(
                self.location,
                method=self.method,
                headers={self.header: " ".join(tags[start : start + PURGE_BATCH])},
            )
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()


@cache
def _backends() -> dict[str, object]:
    return {
        name: import_string(options["BACKEND"])(**options)
        for name, options in settings.CREDENCE_FRONT_CACHE.items()
    }


def front_cache_purge(tags: set[str]) -> None:
    """Ask every configured front cache to drop the pages carrying these tags."""
    if not settings.CREDENCE_FRONT_CACHE:
        return
    ordered = sorted(tags)
    for name, backend in _backends().items():
        try:
            backend.purge(ordered)
        except Exception:  # a purge must never fail the write that asked for it
            logger.exception("Front cache %s: purging %d tags failed", name, len(ordered))


def front_cache_reset() -> None:
    """Forget the backends built from the settings (tests change them)."""
    _backends.cache_clear()
