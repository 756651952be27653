"""When two stored addresses name one document: the key a source's URL is compared by.

Two sources are possible duplicates when their URLs have the same key, or when one's URL
is the doi.org or arXiv address of the other's DOI or arXiv id. The key keeps what tells
documents apart and drops what does not:

- the scheme (`http` and `https` serve the same document);
- the host's case, a leading `www.`, the default port (`:80`, `:443`) and user info;
- a trailing `/` on the path (the root's included);
- tracking parameters (`utm_*`, `fbclid`, `gclid`, ...); the others are kept, in order
  of their names, so that `?b=2&a=1` and `?a=1&b=2` agree;
- the fragment (`#section` is a place in the document, not another document);
- for arXiv, the form: `/abs/ID`, `/pdf/ID`, `/pdf/ID.pdf`, `/html/ID` and any version
  (`v2`) are the paper `arxiv:ID`;
- for a DOI address (`doi.org`, `dx.doi.org`), the DOI itself: `doi:10.x/y`, lower-cased.

The path's case and the remaining parameters are kept: many sites tell pages apart by them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError

from .identifiers import ARXIV_NEW, ARXIV_OLD, arxiv_normalize, doi_normalize

TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ref_src", "igshid", "yclid"}
)
DEFAULT_PORTS = {"80", "443"}
ARXIV_HOSTS = frozenset({"arxiv.org", "export.arxiv.org"})
DOI_HOSTS = frozenset({"doi.org", "dx.doi.org"})
_ARXIV_PATH = re.compile(
    rf"^/(?:abs|pdf|html)/({ARXIV_NEW}|{ARXIV_OLD})(?:v\d+)?(?:\.pdf)?/?$", re.IGNORECASE
)
URL_KEY_MAX_LENGTH = 2000


def tracking_parameter(name: str) -> bool:
    """Whether a query parameter only tells where a reader came from (`utm_source`)."""
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMETERS


def arxiv_key(arxiv_id: str) -> str:
    return f"arxiv:{arxiv_id}" if arxiv_id else ""


def doi_key(doi: str) -> str:
    return f"doi:{doi}" if doi else ""


def source_url_key(url: str) -> str:
    """The key two addresses of one document share (see the module's rules)."""
    parts = urlsplit((url or "").strip())
    host = parts.hostname or ""  # lower-cased, without user info and port
    host = host.removeprefix("www.")
    if host in ARXIV_HOSTS:
        match = _ARXIV_PATH.match(parts.path)
        if match:
            return arxiv_key(arxiv_normalize(match.group(1)))
    if host in DOI_HOSTS:
        try:
            doi = doi_normalize(unquote(parts.path.lstrip("/")))
        except ValidationError:
            doi = ""
        if doi:
            return doi_key(doi)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the address as written
        port = None
        host = parts.netloc.lower().removeprefix("www.")
    if port is not None and str(port) not in DEFAULT_PORTS:
        host = f"{host}:{port}"
    pairs = [pair for pair in parts.query.split("&") if pair]
    kept = sorted(pair for pair in pairs if not tracking_parameter(pair.partition("=")[0]))
    key = host + parts.path.rstrip("/")
    if kept:
        key += "?" + "&".join(kept)
    return key[:URL_KEY_MAX_LENGTH]
