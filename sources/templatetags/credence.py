"""Template filters for showing sources: credibility levels and shortened URLs."""

from urllib.parse import urlsplit

from django import template

from sources.models import Credibility

register = template.Library()

URL_DISPLAY_LENGTH = 60


@register.filter
def as_credibility(value):
    """Return the Credibility level for a stored 1-5 value, or None."""
    if value in (None, ""):
        return None
    return Credibility(int(value))


@register.filter
def url_display(url: str, length: int = URL_DISPLAY_LENGTH) -> str:
    """Shorten a URL for display: no scheme or `www.`, the middle elided when long."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    rest = parts.path.rstrip("/")
    if parts.query:
        rest += "?" + parts.query
    text = host + rest
    if len(text) <= length:
        return text
    keep = length - 1
    head = max(len(host) + 1, keep // 2)
    if head >= keep - 8:
        return text[:keep] + "…"
    return text[:head] + "…" + text[-(keep - head) :]


@register.filter
def url_domain(url: str) -> str:
    """Return a URL's host without `www.`."""
    return (urlsplit(url).hostname or "").removeprefix("www.")
