"""`{% cite_this source %}`: the source page's formatted citations and downloads (a tag, so
that the sources app's template needs no import of this app)."""

from django import template
from django.conf import settings

from ..citations.cite import source_citations
from ..citations.export import FORMATS

register = template.Library()


@register.inclusion_tag("interchange/includes/cite_this.html")
def cite_this(source):
    return {"source": source, "citations": source_citations(source), "formats": FORMATS.values()}


@register.simple_tag
def citation_formats() -> list[tuple[str, str]]:
    """(name, label) of each format a download is offered in."""
    return [(kind.name, kind.label) for kind in FORMATS.values()]


@register.inclusion_tag("interchange/includes/list_export.html", takes_context=True)
def source_list_export(context, paginator):
    """Download links for the source list's rows under its current filters (or the search
    page's Sources tab: the list's `q` is the same search, in the same order), saying when
    the download holds only the first `CREDENCE_EXPORT_MAX_SOURCES` of them."""
    request = context["request"]
    query = request.GET.copy()
    for param in ("page", "per_page", "kind"):  # the search page's tab is not a filter
        query.pop(param, None)
    cap = settings.CREDENCE_EXPORT_MAX_SOURCES
    return {
        "query": query.urlencode(),
        "formats": FORMATS.values(),
        "capped": paginator.count > cap or getattr(paginator, "count_capped", False),
        "cap_label": f"{cap:,}",
    }
