"""Downloads for reference managers: one source, a page's references, a source list's
current rows. Thin: the export service writes, the selectors choose the rows."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest

from sources.filters import SourceFilter
from sources.models import Source
from sources.selectors import source_list_annotated
from wiki.models import WikiPage

from .citations.export import FORMATS, sources_export, sources_for_export
from .selectors import page_reference_sources


def _download(text: str, format_name: str, filename: str, **headers) -> HttpResponse:
    kind = FORMATS[format_name]
    response = HttpResponse(text, content_type=kind.content_type, headers=headers)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind.extension}"'
    return response


def _format(format_name: str) -> str:
    if format_name not in FORMATS:
        raise Http404("No such citation format: bibtex, ris or csljson.")
    return format_name


def source_cite(request, ref: str, format_name: str):
    format_name = _format(format_name)
    sources = list(sources_for_export(Source.objects.filter(pk=ref)))
    if not sources:
        raise Http404("No source has this id.")
    return _download(sources_export(sources, format_name), format_name, f"source-{ref}")


def page_references(request, slug: str, format_name: str):
    format_name = _format(format_name)
    try:
        page = WikiPage.objects.only("pk", "slug").get(slug=slug)
    except WikiPage.DoesNotExist:
        raise Http404("No page has this slug.") from None
    text = sources_export(page_reference_sources(page), format_name)
    return _download(text, format_name, f"references-{slug}")


def source_list_export(request, format_name: str):
    """The source list's rows under its current filters and order, the first
    `CREDENCE_EXPORT_MAX_SOURCES` of them; the X-Credence-Export header says when capped."""
    format_name = _format(format_name)
    filterset = SourceFilter(request.GET, queryset=source_list_annotated())
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
        )
        return HttpResponseBadRequest(f"The list's filters are not valid: {problems}")
    cap = settings.CREDENCE_EXPORT_MAX_SOURCES
    rows = list(sources_for_export(filterset.qs)[: cap + 1])
    capped = len(rows) > cap
    headers = {"X-Credence-Export": f"first {cap} sources of more" if capped else "complete"}
    return _download(sources_export(rows[:cap], format_name), format_name, "sources", **headers)
