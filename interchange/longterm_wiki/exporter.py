"""Export the database in the Longterm Wiki's layout, which the importer reads back.

Written: publications.yaml; resources-snapshot.json (every source with its stable id);
resources/sources.yaml (the same sources with their `cited_by` lists); entities/pages.yaml
(each page's type and title); pages/<slug>.mdx (front matter and body, our citation and
page-link markers written back as <R> and <EntityLink>). Two keys are ours, not the
Longterm Wiki's: `credibility_reviewed` on venues and `status` on pages that are drafts or
verified (stubs use the wiki's own `pageType: stub`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import yaml

from core.collector import collections_relaxed
from sources.models import DatePrecision, Source, Venue
from wiki.models import Citation, PageStatus, WikiPage
from wiki.quality import SUBSCORES

from .files import ENTITIES_DIR, PAGES_DIR, PUBLICATIONS, RESOURCES_DIR, SNAPSHOT
from .mdx import markdown_to_mdx

EXPORT_NOT_EMPTY = "{path} already holds files; export into a new or empty folder."


class ExportError(Exception):
    pass


@collections_relaxed()
def longterm_wiki_export(root: Path) -> dict[str, int]:
    """Write the whole knowledge base under root; return how many of each kind."""
    if root.exists() and any(root.iterdir()):
        raise ExportError(EXPORT_NOT_EMPTY.format(path=root))
    (root / RESOURCES_DIR).mkdir(parents=True, exist_ok=True)
    (root / ENTITIES_DIR).mkdir(exist_ok=True)
    (root / PAGES_DIR).mkdir(exist_ok=True)
    venues = [venue_export_record(v) for v in Venue.objects.prefetch_related("domains")]
    _yaml_write(root / PUBLICATIONS, venues)
    cited_by = _cited_by()
    sources = list(
        Source.objects.select_related("venue")
        .prefetch_related("authors", "key_points", "tags")
        .order_by("id")
    )
    snapshot = [source_export_record(s, stable_id=True) for s in sources]
    (root / SNAPSHOT).write_text(json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n")
    listed = [{**source_export_record(s), "cited_by": cited_by.get(s.id, [])} for s in sources]
    _yaml_write(root / RESOURCES_DIR / "sources.yaml", listed)
    pages = list(WikiPage.objects.prefetch_related("tags").order_by("slug"))
    _yaml_write(
        root / ENTITIES_DIR / "pages.yaml",
        [{"id": page.slug, "type": page.type, "title": page.title} for page in pages],
    )
    for page in pages:
        (root / PAGES_DIR / f"{page.slug}.mdx").write_text(page_export_text(page))
    citations = sum(len(slugs) for slugs in cited_by.values())
    return {
        "venues": len(venues),
        "sources": len(sources),
        "pages": len(pages),
        "citations": citations,
    }


def _cited_by() -> dict[str, list[str]]:
    result = defaultdict(list)
    rows = Citation.objects.order_by("source_id", "page__slug").values_list(
        "source_id", "page__slug"
    )
    for source_id, slug in rows:
        result[source_id].append(slug)
    return result


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _drop_empty(record: dict) -> dict:
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}


def venue_export_record(venue: Venue) -> dict:
    return _drop_empty(
        {
            "id": venue.slug,
            "domains": [d.domain for d in venue.domains.all()],
            "name": venue.name,
            "type": venue.type,
            "credibility": venue.credibility,
            "peer_reviewed": venue.peer_reviewed,
            "description": venue.description,
            "credibility_rationale": venue.credibility_rationale,
            "credibility_reviewed": venue.credibility_reviewed_on.isoformat()
            if venue.credibility_reviewed_on
            else None,
            "website": venue.website,
        }
    )


def published_text(source: Source) -> str | None:
    """Write a published date at its precision: `2024`, `2024-03` or `2024-03-15`."""
    if source.published_on is None:
        return None
    value = source.published_on
    if source.published_precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if source.published_precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def source_export_record(source: Source, *, stable_id: bool = False) -> dict:
    record = {
        "id": source.id,
        "url": source.url,
        "title": source.title,
        "type": source.type,
        "authors": [a.name for a in source.authors.all()],
        "published_date": published_text(source),
        "abstract": source.abstract,
        "summary": source.summary,
        "review": source.review,
        "key_points": [p.text for p in source.key_points.all()],
        "tags": sorted(t.name for t in source.tags.all()),
        "publication_id": source.venue.slug if source.venue_id else None,
        "credibility_override": source.credibility_override,
    }
    if stable_id:
        record["stable_id"] = source.stable_id.removeprefix("sid_")
    return _drop_empty(record)


def page_export_text(page: WikiPage) -> str:
    front_matter = _drop_empty(
        {
            "title": page.title,
            "description": page.description,
            "llmSummary": page.summary,
            "quality": page.quality,
            "readerImportance": _number(page.reader_importance),
            "researchImportance": _number(page.research_importance),
            "lastEdited": page.last_edited.isoformat() if page.last_edited else None,
            "ratings": _drop_empty({name: _number(getattr(page, name)) for name in SUBSCORES}),
            "clusters": sorted(t.name for t in page.tags.all()),
            "pageType": "stub" if page.status == PageStatus.STUB else None,
            "status": page.status
            if page.status in (PageStatus.DRAFT, PageStatus.VERIFIED)
            else None,
        }
    )
    header = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{header}---\n{markdown_to_mdx(page.body)}"


def _yaml_write(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
