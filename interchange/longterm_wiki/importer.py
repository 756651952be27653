"""Import a Longterm Wiki knowledge base: venues, sources, pages, citations and tags.

Every value read from the files goes through a converter of `longterm_wiki` (text, number,
date, URL...), and every row through the services the admin uses (same validation, venue
inference and bounds). The whole import is one transaction: bad input (a malformed file, a
value of the wrong kind or out of bounds, a missing required field) is collected with file,
line and field, the record it belongs to is skipped, and nothing is written. Links that
cannot be made (a venue, page or source named but absent, duplicate ids, a URL claimed by
two ids, colliding page slugs) are reported and the rest imported. A second import of the
same files writes nothing.

Where a source appears in several files its fields are merged: resources-snapshot.json
first (the newer export, with stable ids), then resources/*.yaml in name order; a later
file fills a field only where earlier ones left it empty, and `tags` and `cited_by` are
united.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from taggit.models import Tag

from core.history import history_context
from ratings.models import DecisionOrigin
from ratings.selectors import rating_values
from ratings.services import rating_decision_record
from search.index import search_index_deferred
from sources.models import Source, SourceAuthor, Venue, stable_id_normalize
from sources.selectors import venue_matcher_build
from sources.services import source_create, source_update, venue_create, venue_update
from wiki.markup import body_formula_errors, body_link_urls, body_missing_references
from wiki.markup_blocks import footnote_kind
from wiki.models import Citation, PageStatus, PageType, WikiPage
from wiki.quality import SUBSCORES
from wiki.services import citations_add_missing, wiki_page_create, wiki_page_update

from .files import (
    ENTITIES_DIR,
    PAGES_DIR,
    PUBLICATIONS,
    RESOURCES_DIR,
    SNAPSHOT,
    FormatError,
    Issue,
    Limits,
    MdxPage,
    Record,
    RecordReader,
    as_boolean,
    as_date,
    as_decimal,
    as_mapping,
    as_partial_date,
    as_text,
    as_texts,
    as_url,
    as_whole_number,
    file_text_read,
    json_records_load,
    mdx_page_read,
    page_slugs_assign,
    relative_name,
    yaml_load,
)
from .mdx import mdx_line_of, mdx_to_markdown

KINDS = ("venues", "sources", "pages", "citations", "tags")
OUTCOMES = ("created", "updated", "unchanged")

# Entity types of the Longterm Wiki that have another name here; the rest map to
# themselves when we have them, else to "other" (reported).
ENTITY_TYPES = {"ai-model": PageType.MODEL}

# The keys of an entity that a page takes: its id (the page's slug), its type and title.
ENTITY_KEYS = ("id", "numericId", "type", "title")

# Where each model field lives in the files, so that messages name the file's field.
VENUE_KEYS = {
    "slug": "id",
    "credibility_reviewed_on": "credibility_reviewed",
    "domain": "domains",
}
SOURCE_KEYS = {
    "published_on": "published_date",
    "published_precision": "published_date",
    "venue": "publication_id",
    "__all__": "id",
}
PAGE_KEYS = {
    "summary": "llmSummary",
    "last_edited": "lastEdited",
    "reader_importance": "readerImportance",
    "research_importance": "researchImportance",
    "status": "pageType",
    **{name: f"ratings.{name}" for name in SUBSCORES},
}
# Rows written without a model's validation (bulk inserts, taggit's tags): their texts are
# checked against the column's length here, so that no database is left to refuse them.
AUTHOR_MAX_LENGTH = SourceAuthor._meta.get_field("name").max_length
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did, per kind, and what it could not link."""

    dry_run: bool = False
    counts: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    reported: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    # Footnote references whose data is not in the files, per kind (rc, cr, kb, other).
    missing_references: Counter = field(default_factory=Counter)
    pages_with_missing_references: int = 0

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def table(self) -> str:
        """Return the summary as a Markdown table."""
        reported = Counter(issue.kind for issue in self.reported)
        kind_of_issue = {
            "venue": "venues",
            "source": "sources",
            "slug": "pages",
            "page": "pages",
            "citation": "citations",
            "link": "pages",
            "formula": "pages",
        }
        per_kind = Counter()
        for issue_kind, n in reported.items():
            per_kind[kind_of_issue.get(issue_kind, issue_kind)] += n
        lines = ["| kind | created | updated | unchanged | reported |", "|---|---:|---:|---:|---:|"]
        for kind in KINDS:
            c = self.counts[kind]
            lines.append(
                f"| {kind} | {c['created']} | {c['updated']} | {c['unchanged']} | "
                f"{per_kind[kind]} |"
            )
        return "\n".join(lines)


class ImportFailed(Exception):
    """Bad input: nothing was written. Carries every problem, with file, line and field."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


class _Rollback(Exception):
    pass


@dataclass
class Files:
    venues: list[Record] = field(default_factory=list)
    sources: list[Record] = field(default_factory=list)
    entities: list[Record] = field(default_factory=list)
    pages: list[MdxPage] = field(default_factory=list)


def files_read(root: Path) -> Files:
    """Read every recognised file under root; raise FormatError listing all malformed ones.

    A file over the size limit, nested too deep or using YAML aliases is one of them; the
    other files are still read, so that one run lists every problem.
    """
    if not root.is_dir():
        raise FormatError([Issue("format", str(root), None, "is not a folder")])
    files, problems = Files(), []
    limits = Limits(
        max_bytes=settings.CREDENCE_IMPORT_MAX_FILE_BYTES,
        max_page_bytes=settings.CREDENCE_IMPORT_MAX_PAGE_BYTES,
        max_depth=settings.CREDENCE_IMPORT_MAX_DEPTH,
    )

    def read_list(path: Path, loader) -> list[Record]:
        name = relative_name(root, path)
        try:
            text = file_text_read(
                path,
                file=name,
                max_bytes=limits.max_bytes,
                setting="CREDENCE_IMPORT_MAX_FILE_BYTES",
            )
            data = loader(text, file=name, limits=limits)
        except FormatError as exc:
            problems.extend(exc.issues)
            return []
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Issue("format", name, None, f"cannot be read: {exc}"))
            return []
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(r, Record) for r in data):
            problems.append(Issue("format", name, 1, "expected a list of records (mappings)"))
            return []
        return data

    if (root / PUBLICATIONS).is_file():
        files.venues = read_list(root / PUBLICATIONS, yaml_load)
    # The snapshot first: it is the newer export and carries the stable ids.
    if (root / SNAPSHOT).is_file():
        files.sources += read_list(root / SNAPSHOT, json_records_load)
    for path in sorted((root / RESOURCES_DIR).glob("*.yaml")):
        files.sources += read_list(path, yaml_load)
    for path in sorted((root / ENTITIES_DIR).glob("*.yaml")):
        files.entities += read_list(path, yaml_load)
    for path in sorted((root / PAGES_DIR).glob("**/*.mdx")):
        name = relative_name(root, path)
        try:
            files.pages.append(mdx_page_read(path, file=name, limits=limits))
        except FormatError as exc:
            problems.extend(exc.issues)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Issue("format", name, None, f"cannot be read: {exc}"))
    if problems:
        raise FormatError(problems)
    return files


def longterm_wiki_import(
    root: Path, *, dry_run: bool = False, progress: ProgressCallback | None = None
) -> ImportReport:
    """Import everything recognised under root; raise ImportFailed on bad input."""
    try:
        files = files_read(root)
    except FormatError as exc:
        raise ImportFailed(exc.issues) from None
    report = ImportReport(dry_run=dry_run)
    errors: list[Issue] = []
    try:
        # Rows not written on behalf of one file (venues, citations) name the import's folder.
        with transaction.atomic(), history_context(reason=f"Imported from {root}"):
            # One search-index pass at the end of the run, not one per row.
            with search_index_deferred():
                _Importer(files, report, errors, progress or (lambda k, d, t: None)).run()
            if errors:
                raise _Rollback
            if dry_run:
                transaction.set_rollback(True)
    except _Rollback:
        raise ImportFailed(errors) from None
    except DatabaseError as exc:
        # Validation mirrors every constraint, so this is unexpected; still, nothing is kept.
        raise ImportFailed([*errors, Issue("database", str(root), None, str(exc))]) from None
    return report


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def url_key(url: str) -> str:
    """Return a URL with the differences that do not matter removed: `www.` and a final `/`."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    key = f"{parts.scheme.lower()}://{host}{parts.path.rstrip('/')}"
    if parts.query:
        key += "?" + parts.query
    if parts.fragment:
        key += "#" + parts.fragment
    return key


@dataclass
class MergedSource:
    record: Record
    values: dict[str, Any]
    cited_by: list[tuple[str, Record]] = field(default_factory=list)
    # The record each value came from, so that a message names that file and line.
    origins: dict[str, Record] = field(default_factory=dict)


class _Importer:
    def __init__(self, files: Files, report: ImportReport, errors: list, progress):
        self.files = files
        self.report = report
        self.errors = errors
        self.progress = progress
        self.venues: dict[str, Venue] = {}
        self.sources: dict[str, Source] = {}
        self.aliases: dict[str, str] = {}
        self.pages: dict[str, WikiPage] = {}

    def run(self) -> None:
        citations_before = _citation_keys()
        tags_before = _tag_names()
        self.import_venues()
        merged = self.merge_sources()
        self.import_sources(merged)
        page_links = self.import_pages()
        self.import_listed_citations(merged)
        self.import_linked_citations(page_links)
        self._count_sets("citations", citations_before, _citation_keys())
        self._count_sets("tags", tags_before, _tag_names())

    # -- reporting -------------------------------------------------------------------

    def report_issue(self, kind: str, record_or_file, line: int | None, message: str) -> None:
        file = getattr(record_or_file, "file", record_or_file)
        self.report.reported.append(Issue(kind, file, line, message))

    def fail(
        self,
        record: Record,
        exc: ValidationError,
        keys: dict[str, str],
        origins: Mapping[str, Record] | None = None,
    ) -> None:
        """Record a validation failure of one record, naming file, line and field.

        A key may name a key of a nested mapping (`ratings.focus`); `origins` gives the
        record a merged value came from, where it is not `record`.
        """
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for model_field, messages in details.items():
            key = keys.get(model_field, model_field)
            where = (origins or {}).get(key, record)
            if key == "__all__":
                line = where.line
            elif "." in key:
                outer, inner = key.split(".", 1)
                nested = where.get(outer)
                line = nested.line_of(inner) if isinstance(nested, Record) else where.line_of(outer)
            else:
                line = where.line_of(key)
            for message in messages:
                self.errors.append(Issue("invalid", where.file, line, f"{key}: {message}"))

    def missing(self, record: Record, key: str, what: str) -> None:
        self.errors.append(
            Issue(
                "invalid",
                record.file,
                record.line_of(key),
                f"{key}: required field missing ({what})",
            )
        )

    def refused(self, reader: RecordReader) -> bool:
        """Report the values a reader refused; return whether its record is to be skipped."""
        self.errors.extend(sorted(reader.issues, key=lambda issue: issue.line))
        return bool(reader.issues)

    def _count_sets(self, kind: str, before: set, after: set) -> None:
        self.report.count(kind, "created", len(after - before))
        self.report.count(kind, "unchanged", len(after & before))
        self.report.count(kind, "updated", len(before - after))

    def _outcome(self, kind: str, changed: list[str] | None) -> None:
        self.report.count(
            kind, "created" if changed is None else "updated" if changed else "unchanged"
        )

    def _record_rating(self, target, old_values: dict, file: str) -> None:
        """Record an imported rating as a decision, so its trail starts at the import."""
        rating_decision_record(
            target=target,
            old_values=old_values,
            rationale=f"Imported from {file}",
            user=None,
            origin=DecisionOrigin.IMPORT,
        )

    # -- venues ----------------------------------------------------------------------

    def import_venues(self) -> None:
        existing = {v.slug: v for v in Venue.objects.prefetch_related("domains")}
        for record in self.files.venues:
            values = RecordReader(record)
            slug = values.read("id", as_text)
            fields = {
                "name": values.read("name", as_text),
                "type": values.read("type", as_text),
                "description": values.read("description", as_text),
                "website": values.read("website", as_url),
                "peer_reviewed": values.read("peer_reviewed", as_boolean),
                "credibility": values.read("credibility", as_whole_number),
                "credibility_rationale": values.read("credibility_rationale", as_text),
                "credibility_reviewed_on": values.read("credibility_reviewed", as_date),
            }
            domains = values.read("domains", as_texts)
            if self.refused(values):
                continue
            if not slug:
                self.missing(record, "id", "a venue needs its slug id")
                continue
            if slug in self.venues:
                self.report_issue(
                    "venue",
                    record,
                    record.line,
                    f"duplicate venue id {slug!r}; the first one is kept",
                )
                continue
            for key in ("name", "type"):
                if not fields[key]:
                    self.missing(record, key, f"venue {slug!r}")
            if not (fields["name"] and fields["type"]):
                continue
            old = rating_values(existing[slug]) if slug in existing else {}
            try:
                with transaction.atomic():
                    if slug in existing:
                        venue = existing[slug]
                        self._outcome(
                            "venues", venue_update(venue=venue, domains=domains, **fields)
                        )
                    else:
                        venue = venue_create(slug=slug, domains=domains, **fields)
                        self._outcome("venues", None)
            except ValidationError as exc:
                self.fail(record, exc, VENUE_KEYS)
                continue
            self._record_rating(venue, old, record.file)
            self.venues[slug] = venue
        for venue in existing.values():
            self.venues.setdefault(venue.slug, venue)

    # -- sources ---------------------------------------------------------------------

    def merge_sources(self) -> dict[str, MergedSource]:
        """Merge the records of each source across files; report duplicates and URL clashes.

        URLs already stored count as claimed by their stored source, so a file's second id
        for a stored URL merges into the stored source rather than failing on uniqueness.
        """
        merged: dict[str, MergedSource] = {}
        stored = Source.objects.values_list("url", "id", "stable_id")
        owner_of_url: dict[str, str] = {url: source_id for url, source_id, _stable in stored}
        self.stable_owner = {stable: source_id for _url, source_id, stable in stored}
        seen_in_file: set[tuple[str, str]] = set()
        for record in self.files.sources:
            converted = self._source_values(record)
            if converted is None:
                continue
            source_id, url = converted["id"], converted["url"]
            if not source_id:
                self.missing(record, "id", "a source needs its id")
                continue
            if not url:
                self.missing(record, "url", f"source {source_id}")
                continue
            if (record.file, source_id) in seen_in_file:
                self.report_issue(
                    "source",
                    record,
                    record.line,
                    f"duplicate id {source_id} in the same file; records merged",
                )
            seen_in_file.add((record.file, source_id))
            owner = owner_of_url.get(url)
            if owner is not None and owner != source_id:
                self.report_issue(
                    "source",
                    record,
                    record.line_of("url"),
                    f"URL {url} is claimed by ids {owner} and {source_id}; kept as {owner}, "
                    f"and citations of {source_id} point to it",
                )
                self.aliases[source_id] = owner
                source_id = owner
            owner_of_url.setdefault(url, source_id)
            if source_id in merged and merged[source_id].values.get("url") != url:
                self.report_issue(
                    "source",
                    record,
                    record.line_of("url"),
                    f"id {source_id} names two URLs; kept {merged[source_id].values['url']}",
                )
            entry = merged.setdefault(source_id, MergedSource(record, {}))
            for key, value in converted.items():
                if key in ("cited_by", "tags"):
                    continue
                if _empty(entry.values.get(key)) and not _empty(value):
                    entry.values[key] = value
                    entry.origins[key] = record
            entry.values.setdefault("url", url)
            tags = entry.values.setdefault("tags", [])
            tags.extend(t for t in converted["tags"] if t not in tags)
            for slug in converted["cited_by"]:
                entry.cited_by.append((slug, record))
        return merged

    def _source_values(self, record: Record) -> dict[str, Any] | None:
        """Return the fields of one source record, converted; None if any is refused."""
        values = RecordReader(record)
        converted = {
            "id": values.read("id", as_text),
            "url": values.read("url", as_url),
            "stable_id": values.read("stable_id", as_text),
            "title": values.read("title", as_text),
            "type": values.read("type", as_text),
            "abstract": values.read("abstract", as_text),
            "summary": values.read("summary", as_text),
            "review": values.read("review", as_text),
            "credibility_override": values.read("credibility_override", as_whole_number),
            "publication_id": values.read("publication_id", as_text),
            "published_date": values.read("published_date", as_partial_date),
            "authors": values.read("authors", as_texts, max_length=AUTHOR_MAX_LENGTH),
            "key_points": values.read("key_points", as_texts),
            "tags": values.read("tags", as_texts, max_length=TAG_MAX_LENGTH),
            "cited_by": values.read("cited_by", as_texts),
        }
        return None if self.refused(values) else converted

    def import_sources(self, merged: dict[str, MergedSource]) -> None:
        matcher = venue_matcher_build()
        venue_by_id = {venue.pk: venue for venue in self.venues.values()}
        existing = {
            s.pk: s for s in Source.objects.prefetch_related("authors", "key_points", "tags")
        }
        total = len(merged)
        for done, (source_id, entry) in enumerate(merged.items(), start=1):
            if done % 250 == 0 or done == total:
                self.progress("sources", done, total)
            with history_context(reason=f"Imported from {entry.record.file}"):
                self._import_source(source_id, entry, existing, matcher, venue_by_id)

    def _import_source(self, source_id, entry, existing, matcher, venue_by_id) -> None:
        values, record = entry.values, entry.record
        publication_id = values.get("publication_id")
        venue = None
        if publication_id:
            venue = self.venues.get(publication_id)
            if venue is None:
                self.report_issue(
                    "source",
                    entry.origins.get("publication_id", record),
                    entry.origins.get("publication_id", record).line_of("publication_id"),
                    f"publication_id {publication_id!r} names no venue; "
                    "venue inferred from the URL",
                )
        if venue is None:
            venue = venue_by_id.get(matcher.match_id(values["url"]))
        fields = {
            "url": values["url"],
            "title": values.get("title", ""),
            "type": values.get("type") or "web",
            "abstract": values.get("abstract", ""),
            "summary": values.get("summary", ""),
            "review": values.get("review", ""),
            "credibility_override": values.get("credibility_override"),
            "venue": venue,
        }
        published = values.get("published_date")
        lists = {
            "authors": values.get("authors", []),
            "key_points": values.get("key_points", []),
            "tags": values.get("tags", []),
        }
        old = rating_values(existing[source_id]) if source_id in existing else {}
        try:
            if source_id in existing:
                changed = source_update(
                    source=existing[source_id], published=published, **fields, **lists
                )
                source = existing[source_id]
            else:
                stable_id = values.get("stable_id", "")
                if stable_id and stable_id_normalize(stable_id) in self.stable_owner:
                    where = entry.origins.get("stable_id", record)
                    self.errors.append(
                        Issue(
                            "invalid",
                            where.file,
                            where.line_of("stable_id"),
                            f"stable_id: {stable_id} already belongs to source "
                            f"{self.stable_owner[stable_id_normalize(stable_id)]}",
                        )
                    )
                    return
                if stable_id:
                    self.stable_owner[stable_id_normalize(stable_id)] = source_id
                source = source_create(
                    source_id=source_id,
                    stable_id=stable_id_normalize(stable_id) if stable_id else None,
                    published=published,
                    venue_matcher=matcher,
                    checked_in_bulk=True,
                    **fields,
                    **lists,
                )
                changed = None
        except ValidationError as exc:
            self.fail(record, exc, SOURCE_KEYS, entry.origins)
            return
        self._outcome("sources", changed)
        self._record_rating(source, old, record.file)
        self.sources[source_id] = source

    # -- pages -----------------------------------------------------------------------

    def import_pages(self) -> dict[str, list[str]]:
        """Import the pages; return the URLs each page's body links to, by slug."""
        for issue in page_slugs_assign(self.files.pages):
            self.report.reported.append(issue)
        entities = {}
        for record in self.files.entities:
            values = RecordReader(record)
            entity = {key: values.read(key, as_text) for key in ENTITY_KEYS}
            if not self.refused(values) and entity["id"]:
                entities[entity["id"]] = (record, entity)
        pages = [(page, self._page_values(page)) for page in self.files.pages]
        entity_slugs = {
            entity["numericId"]: entity_id
            for entity_id, (_record, entity) in entities.items()
            if entity["numericId"]
        }
        # Some links name the entity id itself rather than its numeric id.
        entity_slugs.update({entity_id: entity_id for entity_id in entities})
        entity_slugs.update(
            {
                values["numericId"]: page.slug
                for page, values in pages
                if values and values["numericId"]
            }
        )
        existing = {p.slug: p for p in WikiPage.objects.prefetch_related("tags")}
        all_slugs = {page.slug for page in self.files.pages} | set(existing)
        known_refs = self._known_citation_refs()
        bodies = {}
        total = len(pages)
        for done, (page, values) in enumerate(pages, start=1):
            if done % 50 == 0 or done == total:
                self.progress("pages", done, total)
            if values is None:
                continue
            with history_context(reason=f"Imported from {page.file}"):
                body = self._import_page(
                    page, values, entities, entity_slugs, existing, all_slugs, known_refs
                )
            if body is not None:
                # Read now, while the parsed body is still cached from saving the page.
                bodies[page.slug] = list(dict.fromkeys(body_link_urls(body)))
        return bodies

    def _page_values(self, page: MdxPage) -> dict[str, Any] | None:
        """Return a page's front matter, converted; None if any value is refused."""
        values = RecordReader(page.front_matter)
        converted = {
            "title": values.read("title", as_text),
            "type": values.read("type", as_text),
            "status": values.read("status", as_text),
            "pageType": values.read("pageType", as_text),
            "description": values.read("description", as_text),
            "llmSummary": values.read("llmSummary", as_text),
            "lastEdited": values.read("lastEdited", as_date),
            "readerImportance": values.read("readerImportance", as_decimal),
            "researchImportance": values.read("researchImportance", as_decimal),
            "quality": values.read("quality", as_whole_number),
            "clusters": values.read("clusters", as_texts, max_length=TAG_MAX_LENGTH),
            "numericId": values.read("numericId", as_text),
            "ratings": values.read("ratings", as_mapping),
        }
        ratings = converted["ratings"]
        if isinstance(ratings, Record):
            scores = RecordReader(ratings, prefix="ratings.")
            converted["subscores"] = {name: scores.read(name, as_decimal) for name in SUBSCORES}
            values.issues += scores.issues
        else:
            converted["subscores"] = dict.fromkeys(SUBSCORES)
        return None if self.refused(values) else converted

    def _known_citation_refs(self) -> set[str]:
        refs = set(self.aliases)
        for source in self.sources.values():
            refs.update({source.id, source.stable_id, source.stable_id.removeprefix("sid_")})
        refs.update(Source.objects.values_list("id", flat=True))
        return refs

    def _import_page(self, page, values, entities, entity_slugs, existing, all_slugs, known_refs):
        fm = page.front_matter
        found = entities.get(page.slug) or entities.get(page.path.stem)
        page_type, title, origins = PageType.OTHER, values["title"], {}
        if found is not None:
            page_type = self._page_type(*found)
            if found[1]["title"]:
                title, origins = found[1]["title"], {"title": found[0]}
        elif values["type"] in PageType.values:
            page_type = values["type"]
        if not title:
            self.missing(fm, "title", f"page {page.slug!r} has no title and no entity")
            return None
        conversion = mdx_to_markdown(
            page.body, first_line=page.body_line, entity_slugs=entity_slugs, front_matter=fm
        )
        self.report.notes.extend(
            Issue("component", page.file, n.line, n.message) for n in conversion.notes
        )
        body = self._body_with_aliases(conversion.markdown)
        self._report_body(page, body)
        for ref, line in conversion.citations:
            if ref not in known_refs:
                self.report_issue("citation", page.file, line, f"<R id={ref!r}> names no source")
        for slug, line in conversion.links:
            if slug not in all_slugs:
                self.report_issue("link", page.file, line, f"link to {slug!r}: no such page")
        if values["status"] in PageStatus.values:
            status = values["status"]
        else:
            status = PageStatus.STUB if values["pageType"] == "stub" else PageStatus.PUBLISHED
        unknown = sorted(str(key) for key in values["ratings"] if key not in SUBSCORES)
        if unknown:
            self.report_issue(
                "page",
                page.file,
                fm.line_of("ratings"),
                f"ratings: {', '.join(unknown)} not subscores here; left out",
            )
        fields = {
            "title": title,
            "type": page_type,
            "status": status,
            "description": values["description"],
            "summary": values["llmSummary"],
            "body": body,
            "last_edited": values["lastEdited"],
            "reader_importance": values["readerImportance"],
            "research_importance": values["researchImportance"],
            "quality": values["quality"],
        }
        subscores = values["subscores"]
        tags = values["clusters"]
        old = rating_values(existing[page.slug]) if page.slug in existing else {}
        try:
            if page.slug in existing:
                changed = wiki_page_update(
                    page=existing[page.slug], subscores=subscores, tags=tags, **fields
                )
                saved = existing[page.slug]
            else:
                saved = wiki_page_create(slug=page.slug, subscores=subscores, tags=tags, **fields)
                changed = None
        except ValidationError as exc:
            self.fail(fm, exc, PAGE_KEYS, origins)
            return None
        self._outcome("pages", changed)
        self._record_rating(saved, old, page.file)
        self.pages[page.slug] = saved
        return body

    def _report_body(self, page, body: str) -> None:
        """Count the references whose data is missing; report formulas readers see as code."""
        missing = body_missing_references(body)
        self.report.missing_references.update(footnote_kind(label) for label in missing)
        self.report.pages_with_missing_references += bool(missing)
        for _line, formula, why in body_formula_errors(body):
            offset = page.body.find(formula)
            line = (
                mdx_line_of(page.body, offset, first_line=page.body_line) if offset >= 0 else None
            )
            self.report_issue(
                "formula", page.file, line, f"formula {formula!r} cannot be shown ({why}): as code"
            )

    def _page_type(self, record: Record, entity: dict[str, str]) -> str:
        raw = entity["type"]
        mapped = ENTITY_TYPES.get(raw, raw)
        if mapped in PageType.values:
            return mapped
        self.report_issue(
            "page",
            record,
            record.line_of("type"),
            f"entity type {raw!r} has no page type here; page typed 'other'",
        )
        return PageType.OTHER

    def _body_with_aliases(self, markdown: str) -> str:
        for alias, owner in self.aliases.items():
            markdown = markdown.replace(f"[[cite:{alias}]]", f"[[cite:{owner}]]").replace(
                f"[[cite:{alias}|", f"[[cite:{owner}|"
            )
        return markdown

    # -- citations -------------------------------------------------------------------

    def import_listed_citations(self, merged: dict[str, MergedSource]) -> None:
        """Cite each source from the pages its `cited_by` lists name."""
        pages = dict(self.pages)
        pages.update({p.slug: p for p in WikiPage.objects.exclude(slug__in=pages)})
        pairs = []
        for source_id, entry in merged.items():
            source = self.sources.get(source_id)
            if source is None:
                continue
            first_mention = {}
            for slug, record in entry.cited_by:
                first_mention.setdefault(slug, record)
            for slug, record in first_mention.items():
                if slug in pages:
                    pairs.append((pages[slug], source))
                else:
                    self.report_issue(
                        "citation",
                        record,
                        record.line_of("cited_by"),
                        f"cited_by names {slug!r}: no such page",
                    )
        citations_add_missing(pairs=pairs)

    def import_linked_citations(self, links: dict[str, list[str]]) -> None:
        """Cite each known source whose URL a page body links to.

        A link matches a source's URL exactly, or else up to `www.` and a final `/`; where
        several sources match that loosely, the one with the smallest id is cited, so the
        choice does not depend on the order of the files.
        """
        exact = {s.url: s for s in self.sources.values()}
        loose = {}
        for source in sorted(self.sources.values(), key=lambda s: s.pk):
            loose.setdefault(url_key(source.url), source)
        pairs = []
        for slug, urls in links.items():
            for url in urls:
                source = exact.get(url) or loose.get(url_key(url))
                if source is not None:
                    pairs.append((self.pages[slug], source))
        citations_add_missing(pairs=pairs)


def _citation_keys() -> set[tuple]:
    return set(Citation.objects.values_list("page__slug", "source_id", "in_body"))


def _tag_names() -> set[str]:
    return set(Tag.objects.values_list("name", flat=True))


def issues_by_kind(issues: Iterable[Issue]) -> Counter:
    return Counter(issue.kind for issue in issues)
