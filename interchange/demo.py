"""The demo knowledge base (written for Credence): loaded through the same services editors use."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sources.services import partial_date_parse, source_create, venue_create
from wiki.models import Citation, PageStatus, PageType
from wiki.services import citation_ensure, wiki_page_create

DEMO_ROW_INVALID = _("%(kind)s %(number)s (%(name)s) in the demo file is not valid: %(errors)s")


@transaction.atomic
def demo_knowledge_base_load(*, data: Mapping) -> dict[str, int]:
    """Load the demo knowledge base (venues, sources, pages, citations) through the services.

    Either everything is loaded or nothing: a bad row raises ValidationError naming it.
    """
    venues = {}
    for number, row in enumerate(data.get("venues", []), start=1):
        with _naming_row("Venue", number, row.get("slug")):
            reviewed, _precision = partial_date_parse(row.get("last_reviewed"))
            venues[row["slug"]] = venue_create(
                slug=row["slug"],
                name=row["name"],
                type=row["type"],
                description=row.get("description", ""),
                website=row.get("website", ""),
                peer_reviewed=row.get("peer_reviewed", False),
                credibility=row.get("credibility"),
                credibility_rationale=row.get("credibility_rationale", ""),
                credibility_reviewed_on=reviewed,
                domains=row.get("domains", []),
            )
    sources = {}
    for number, row in enumerate(data.get("sources", []), start=1):
        with _naming_row("Source", number, row.get("url")):
            sources[row["url"]] = source_create(
                url=row["url"],
                title=row.get("title", ""),
                type=row.get("type", "web"),
                authors=row.get("authors", []),
                published=row.get("published"),
                abstract=row.get("abstract", ""),
                summary=row.get("summary", ""),
                review=row.get("review", ""),
                key_points=row.get("key_points", []),
                tags=row.get("tags", []),
                venue=venues[row["venue"]] if row.get("venue") else None,
                credibility_override=row.get("credibility_override"),
            )
    pages = data.get("pages", [])
    for number, row in enumerate(pages, start=1):
        with _naming_row("Page", number, row.get("slug")):
            last_edited, _precision = partial_date_parse(row.get("last_edited"))
            page = wiki_page_create(
                slug=row["slug"],
                title=row["title"],
                type=row.get("type", PageType.OTHER),
                status=row.get("status", PageStatus.DRAFT),
                description=row.get("description", ""),
                summary=row.get("summary", ""),
                body=row.get("body", ""),
                last_edited=last_edited,
                reader_importance=row.get("reader_importance"),
                research_importance=row.get("research_importance"),
                quality=row.get("quality"),
                subscores=row.get("subscores"),
                tags=row.get("tags", []),
            )
            for cited in row.get("citations", []):
                citation_ensure(
                    page=page, source=sources[cited["source"]], note=cited.get("note", "")
                )
    return {
        "venues": len(venues),
        "sources": len(sources),
        "pages": len(pages),
        "citations": Citation.objects.count(),
    }


class _naming_row:
    """Re-raise a row's validation or lookup error with the row's kind, number and name."""

    def __init__(self, kind: str, number: int, name: str | None):
        self.params = {"kind": kind, "number": number, "name": name or "?"}

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            return False
        if issubclass(exc_type, ValidationError):
            errors = "; ".join(exc.messages)
        elif issubclass(exc_type, KeyError):
            errors = f"{exc.args[0]!r} is missing or names nothing known"
        else:
            return False
        raise ValidationError(
            DEMO_ROW_INVALID, code="invalid_row", params={**self.params, "errors": errors}
        ) from exc
