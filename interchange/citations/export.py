"""Sources written out for reference managers: one source, a page's references, a list's
current rows (capped) or the whole knowledge base, in BibTeX, RIS or CSL-JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from sources.models import Source

from .bibtex import bibtex_write
from .csl import source_csl
from .csljson import csljson_write
from .ris import ris_write

# Rows read per query when the whole knowledge base is written.
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class CitationFormat:
    name: str
    label: str
    extension: str
    content_type: str
    write: Callable[[list[tuple[dict, str]]], str]


def _csljson(pairs: list[tuple[dict, str]]) -> str:
    return csljson_write([item for item, _label in pairs])


FORMATS = {
    "bibtex": CitationFormat(
        "bibtex", "BibTeX", "bib", "application/x-bibtex; charset=utf-8", bibtex_write
    ),
    "ris": CitationFormat(
        "ris", "RIS", "ris", "application/x-research-info-systems; charset=utf-8", ris_write
    ),
    "csljson": CitationFormat(
        "csljson", "CSL-JSON", "json", "application/vnd.citationstyles.csl+json", _csljson
    ),
}


def sources_for_export(queryset: QuerySet[Source]) -> QuerySet[Source]:
    """The sources with what an export writes, in three queries whatever their number."""
    return queryset.select_related("venue").prefetch_related("authors", "tags")


def sources_export(sources: Iterable[Source], format_name: str) -> str:
    """Return the sources (authors, tags and venue loaded) written in the format."""
    pairs = [(source_csl(source), str(source.get_type_display())) for source in sources]
    return FORMATS[format_name].write(pairs)


def sources_export_all(format_name: str, write: Callable[[str], object]) -> int:
    """Write every source in the format, a batch at a time by id (memory stays flat);
    return how many. CSL-JSON is one list, so its batches are joined into one array."""
    count, last = 0, None
    json_list = format_name == "csljson"
    if json_list:
        write("[\n")
    while True:
        rows = Source.objects.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(sources_for_export(rows)[:EXPORT_BATCH])
        if not batch:
            break
        text = sources_export(batch, format_name)
        if json_list:  # the batch's items, without its brackets
            text = ("," if count else "") + text.strip()[1:-1].strip() + "\n"
        write(text)
        count, last = count + len(batch), batch[-1].pk
    if json_list:
        write("]\n")
    return count
