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

An import does work in proportion to what changed since the last one (state.py keeps what
that one read and wrote, and says when a row changed since). Every file is hashed; only
changed files are parsed before anything is written, so that bad input is all listed
first. A record is skipped, neither converted nor compared, when its input (its values,
and whatever else the import used for it) and its row are as the last import left them:
- a venue by its values; a source by its merged values and the venue it resolves to. The
  source files are parsed together when one of them changed, or the venues did (a
  source's fields are merged across files, and its venue may be inferred from a domain).
- a page by its file's bytes, slug and entity, and the entity ids and citation aliases
  its body used; so a page is converted again when one of those resolves otherwise.
A record whose row was edited or deleted in the database since is imported as before
(the file's values written back, the row created again), and the report says so. What a
skipped record adds to the report (issues, notes, missing references) and to the
citations (`cited_by`, links to sources' URLs) is kept in the state, so the report and
the citations are those of a full import. `full=True` compares everything.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from taggit.models import Tag

from core.collector import collections_relaxed
from core.history import history_context
from interchange.models import RecordKind
from ratings.models import DecisionOrigin
from ratings.selectors import rating_values
from ratings.services import RatingChange, rating_decisions_record
from search.index import search_index_deferred
from sources.models import Source, SourceAlias, SourceAuthor, Venue, stable_id_normalize
from sources.selectors import venue_matcher_build
from sources.services import (
    NewSource,
    source_build,
    source_update,
    sources_create_bulk,
    venue_create,
    venue_update,
)
from wiki import markup, markup_blocks
from wiki.markup import body_formula_errors, body_link_urls, body_missing_references
from wiki.markup_blocks import footnote_kind
from wiki.models import Citation, PageStatus, PageType, WikiPage
from wiki.quality import SUBSCORES
from wiki.services import citations_add_missing, wiki_page_create, wiki_page_update

from . import files as files_module
from . import mdx as mdx_module
from .files import (
    SNAPSHOT,
    FormatError,
    FoundFile,
    Issue,
    Layout,
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
    json_records_load,
    layout_scan,
    page_parse,
    page_slugs_assign,
    records_parse,
    yaml_load,
)
from .mdx import mdx_line_of, mdx_to_markdown
from .state import FileState, ImportState, RecordState, digest, venue_context

KINDS = ("venues", "sources", "pages", "citations", "tags")
OUTCOMES = ("created", "updated", "unchanged", "skipped")
# The kinds whose records an import may skip, with the report's name for each.
SKIPPABLE = {RecordKind.VENUE: "venues", RecordKind.SOURCE: "sources", RecordKind.PAGE: "pages"}

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

# The code that decides what an import writes and reports: when any of it changes, every
# file is new to the next import.
IMPORTER_CODE = (
    files_module.__file__,
    mdx_module.__file__,
    markup.__file__,
    markup_blocks.__file__,
)
# A citation marker of a converted body, up to the end of its id (as _body_with_aliases
# rewrites them).
CITE_ID_RE = re.compile(r"\[\[cite:([^\]|]*)(?=\]\]|\|)")

ROW_CHANGED = {
    "changed": "{kind} {key!r} was changed in the database since the last import; "
    "the file's values were written back (the edit is in its history)",
    "deleted": "{kind} {key!r} was deleted in the database since the last import; "
    "created again from the file",
}

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did, per kind, and what it could not link."""

    dry_run: bool = False
    full: bool = False
    counts: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    reported: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    # Footnote references whose data is not in the files, per kind (rc, cr, kb, other).
    missing_references: Counter = field(default_factory=Counter)
    pages_with_missing_references: int = 0
    # Files found, and how many of them were parsed (the rest were unchanged).
    files_found: int = 0
    files_read: int = 0

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    @property
    def files_skipped(self) -> int:
        return self.files_found - self.files_read

    @property
    def records_skipped(self) -> int:
        return sum(self.counts[kind]["skipped"] for kind in SKIPPABLE.values())

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
        lines = [
            "| kind | created | updated | unchanged | skipped | reported |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for kind in KINDS:
            c = self.counts[kind]
            lines.append(
                f"| {kind} | {c['created']} | {c['updated']} | {c['unchanged']} | "
                f"{c['skipped']} | {per_kind[kind]} |"
            )
        return "\n".join(lines)

    def skipped_summary(self) -> str:
        """Return one line saying what was skipped as unchanged since the last import."""
        if self.full:
            return f"Full import: all {self.files_found:,} files read and every record compared."
        per_kind = ", ".join(
            f"{self.counts[kind]['skipped']:,} {kind}" for kind in SKIPPABLE.values()
        )
        return (
            f"Skipped as unchanged since the last import: {self.files_skipped:,} of "
            f"{self.files_found:,} files not read; {self.records_skipped:,} records not "
            f"compared ({per_kind})."
        )


class ImportFailed(Exception):
    """Bad input: nothing was written. Carries every problem, with file, line and field."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


class _Rollback(Exception):
    pass


def import_limits() -> Limits:
    return Limits(
        max_bytes=settings.CREDENCE_IMPORT_MAX_FILE_BYTES,
        max_page_bytes=settings.CREDENCE_IMPORT_MAX_PAGE_BYTES,
        max_depth=settings.CREDENCE_IMPORT_MAX_DEPTH,
    )


def importer_version(limits: Limits) -> str:
    """Return a hash of the importer's code and limits, which every stored hash depends on."""
    code = hashlib.sha256(repr(limits).encode())
    for name in (*IMPORTER_CODE, __file__):
        code.update(Path(name).read_bytes())
    return code.hexdigest()


def longterm_wiki_import(
    root: Path,
    *,
    dry_run: bool = False,
    full: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import everything recognised under root; raise ImportFailed on bad input.

    Records unchanged since the last import are skipped; `full` compares every one.
    """
    limits = import_limits()
    problems: list[Issue] = []
    try:
        layout = layout_scan(root, limits, problems)
    except FormatError as exc:
        raise ImportFailed(exc.issues) from None
    report = ImportReport(dry_run=dry_run, full=full, files_found=len(layout.all()))
    errors: list[Issue] = []
    try:
        # Rows not written on behalf of one file (venues, citations) name the import's folder.
        with (
            collections_relaxed(),
            transaction.atomic(),
            history_context(reason=f"Imported from {root}"),
        ):
            state = ImportState(importer=importer_version(limits), ignore=full)
            importer = _Importer(
                layout, state, limits, report, errors, progress or (lambda k, d, t: None)
            )
            importer.read_changed(problems)
            # One search-index pass at the end of the run, not one per row.
            with search_index_deferred():
                importer.run()
            if errors:
                raise _Rollback
            importer.state_save()
            if dry_run:
                transaction.set_rollback(True)
    except FormatError as exc:
        raise ImportFailed(exc.issues) from None
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


def _issue_facts(issues: Iterable[Issue]) -> list[list]:
    return [[issue.kind, issue.file, issue.line, issue.message] for issue in issues]


def _issues(facts: Iterable[list]) -> list[Issue]:
    return [Issue(*issue) for issue in facts]


@dataclass
class MergedSource:
    record: Record
    values: dict[str, Any]
    cited_by: list[tuple[str, Record]] = field(default_factory=list)
    # The record each value came from, so that a message names that file and line.
    origins: dict[str, Record] = field(default_factory=dict)
    # What the merge reported about this source, and the other ids that became this one.
    issues: list[Issue] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


class Entity(NamedTuple):
    """What a page takes from its entity, and where in which file the entity is."""

    id: str
    numeric_id: str
    type: str
    title: str
    line: int
    type_line: int
    title_line: int
    file: str

    @property
    def sha256(self) -> str:
        return digest(*self)

    def record(self) -> Record:
        """Return the entity as a Record that names its lines, for messages."""
        return Record(
            {},
            file=self.file,
            line=self.line,
            key_lines={"type": self.type_line, "title": self.title_line},
        )


@dataclass
class PageEntry:
    """A page file: its slug, its parsed page when read, and its front matter's values."""

    found: FoundFile
    slug: str = ""
    page: MdxPage | None = None
    values: dict[str, Any] | None = None

    @property
    def path(self) -> Path:
        return self.found.path

    @property
    def file(self) -> str:
        return self.found.name


class _Importer:
    def __init__(
        self, layout: Layout, state: ImportState, limits: Limits, report, errors, progress
    ):
        self.layout = layout
        self.state = state
        self.limits = limits
        self.report = report
        self.errors = errors
        self.progress = progress
        self.venues: dict[str, Venue] | None = None
        # New sources checked and waiting to be stored together, with their files.
        self.sources_pending: list[tuple[NewSource, str]] = []
        # Rating changes imported and not yet recorded as decisions.
        self.rating_changes: list[RatingChange] = []
        self.aliases: dict[str, str] = {}
        self.page_ids: dict[str, int] = {}
        self.cited: set[tuple[int, str]] = set()
        # Each kind's records in the files' order, with what the report and the citations
        # need of them: fresh where the import read them, else as stored.
        self.venue_facts: list[tuple[str, dict]] = []
        self.source_facts: list[tuple[str, dict]] = []
        self.page_entries: list[PageEntry] = []
        self.page_facts: dict[str, dict] = {}
        # Parsed where changed (or needed): None where a kind's files were not read.
        self.venue_records: list[Record] | None = None
        self.source_records: list[Record] | None = None
        self.entity_records: dict[str, list[Record]] | None = None
        # Per entity file, its entities as read (in order) or as stored.
        self.entity_facts: dict[str, list[Entity]] = {}
        self.entities: dict[str, Entity] = {}
        self.entity_slugs: dict[str, str] = {}
        self.slug_issues: list[Issue] = []
        self.read: set[str] = set()
        self.source_context = ""
        # What the state is to hold at the end: records written per kind, records kept.
        self.written: dict[str, list[RecordState]] = {}
        self.kept: dict[str, set[str]] = {}
        self.version = state.importer

    # -- reading ---------------------------------------------------------------------

    def read_changed(self, problems: list[Issue]) -> None:
        """Parse every file changed since the last import; raise FormatError listing all
        that are malformed, after those already in problems (files that could not be
        read). Unchanged files are parsed later, and only if a record needs them."""
        layout, state = self.layout, self.state
        if layout.venues and not state.file_unchanged(layout.venues.name, layout.venues.sha256):
            self.venue_records = self._records(layout.venues, problems)
        if layout.sources and not state.files_unchanged(
            "sources", {f.name: f.sha256 for f in layout.sources}
        ):
            self.source_records = self._source_records(problems)
        if not state.files_unchanged("entities", {f.name: f.sha256 for f in layout.entities}):
            self.entity_records = self._entity_records(problems)
        self.page_entries = [PageEntry(found) for found in layout.pages]
        self.slug_issues = page_slugs_assign(self.page_entries)
        for entry in self.page_entries:
            stored = state.records[RecordKind.PAGE].get(entry.slug)
            if (
                not state.file_unchanged(entry.file, entry.found.sha256)
                or stored is None
                or stored.facts.get("file") != entry.file
            ):
                self._page_read(entry, problems)
        if problems:
            raise FormatError(problems)

    def _records(self, found: FoundFile, problems: list[Issue]) -> list[Record]:
        self.read.add(found.name)
        loader = json_records_load if found.name == SNAPSHOT else yaml_load
        return records_parse(found, loader, self.limits, problems)

    def _source_records(self, problems: list[Issue]) -> list[Record]:
        return [r for found in self.layout.sources for r in self._records(found, problems)]

    def _entity_records(self, problems: list[Issue]) -> dict[str, list[Record]]:
        return {found.name: self._records(found, problems) for found in self.layout.entities}

    def _page_read(self, entry: PageEntry, problems: list[Issue]) -> None:
        self.read.add(entry.file)
        entry.page = page_parse(entry.found, self.limits, problems)
        if entry.page is not None:
            entry.page.slug = entry.slug
            entry.values = self._page_values(entry.page)

    def _late(self, read: Callable[[list[Issue]], Any]) -> Any:
        """Parse unchanged files a record turned out to need. They parsed last time, so a
        problem now is unexpected; it still fails the import, which writes nothing."""
        problems: list[Issue] = []
        result = read(problems)
        if problems:
            raise FormatError(problems)
        return result

    def run(self) -> None:
        citations_before = _citation_keys()
        tags_before = _tag_names()
        # Each kind's ratings are recorded before the next kind reads them.
        self.import_venues()
        self._ratings_record()
        self.import_sources()
        self._ratings_record()
        self.import_pages()
        self._ratings_record()
        self.import_listed_citations()
        self.import_linked_citations()
        self._count_sets("citations", citations_before, _citation_keys())
        self._count_sets("tags", tags_before, _tag_names())
        self.report.files_read = len(self.read)

    def state_save(self) -> None:
        """Store what this import read and wrote, for the next one to skip."""
        files = []
        for found in self.layout.all():
            facts = {}
            if found.kind == "sources":
                facts = {"venues": self.source_context}
            elif found.kind == "entities":
                facts = self._entity_file_facts(found.name)
            files.append(FileState(found.name, found.kind, found.sha256, facts))
        self.state.save(
            files=files, written=self.written, kept=self.kept, rows_written=self.report.changed
        )

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

    def _outcome(self, kind: str, changed: list[str] | None, key: str, file: str) -> None:
        outcome = "created" if changed is None else "updated" if changed else "unchanged"
        self.report.count(SKIPPABLE[kind], outcome)
        how = self.state.row_changed(kind, key)
        if how and outcome != "unchanged":
            message = ROW_CHANGED[how].format(kind=RecordKind(kind).label, key=key)
            self.report.reported.append(Issue(str(kind), file, None, message))

    def _record_rating(self, target, old_values: dict, file: str) -> None:
        """Note an imported rating, to be recorded as a decision (by `_ratings_record`), so
        that its trail starts at the import."""
        self.rating_changes.append(RatingChange(target, old_values, f"Imported from {file}"))

    def _ratings_record(self) -> None:
        """Record the ratings noted since the last call as decisions, in bulk."""
        changes, self.rating_changes = self.rating_changes, []
        rating_decisions_record(changes, user=None, origin=DecisionOrigin.IMPORT)

    def _skip_stored(self, kind: str) -> list[tuple[str, dict]]:
        """Skip every stored record of a kind whose files were not read; return their facts."""
        stored = self.state.stored(kind)
        self.report.count(SKIPPABLE[kind], "skipped", len(stored))
        return [(record.key, record.facts) for record in stored]

    # -- venues ----------------------------------------------------------------------

    def import_venues(self) -> None:
        found, state = self.layout.venues, self.state
        if found is None:
            self.kept[RecordKind.VENUE] = set()
            return
        if self.venue_records is None and not state.drifted(RecordKind.VENUE):
            self.venue_facts = self._skip_stored(RecordKind.VENUE)
            self._report_facts(self.venue_facts)
            return
        if self.venue_records is None:
            self.venue_records = self._late(lambda problems: self._records(found, problems))
        existing = {v.slug: v for v in Venue.objects.prefetch_related("domains")}
        self.venues = {}
        facts: dict[str, dict] = {}
        written: list[RecordState] = []
        for record in self.venue_records:
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
            if slug in facts:
                duplicate = f"duplicate venue id {slug!r}; the first one is kept"
                facts[slug]["issues"].append(["venue", record.file, record.line, duplicate])
                continue
            for key in ("name", "type"):
                if not fields[key]:
                    self.missing(record, key, f"venue {slug!r}")
            if not (fields["name"] and fields["type"]):
                continue
            facts[slug] = {"issues": []}
            input_sha256 = digest(self.version, slug, fields, domains)
            written.append(RecordState(slug, len(written), input_sha256, facts[slug]))
            if slug in existing and state.record_unchanged(RecordKind.VENUE, slug, input_sha256):
                self.report.count("venues", "skipped")
                self.venues[slug] = existing[slug]
                continue
            old = rating_values(existing[slug]) if slug in existing else {}
            try:
                with transaction.atomic():
                    if slug in existing:
                        venue = existing[slug]
                        changed = venue_update(venue=venue, domains=domains, **fields)
                    else:
                        venue = venue_create(slug=slug, domains=domains, **fields)
                        changed = None
            except ValidationError as exc:
                self.fail(record, exc, VENUE_KEYS)
                continue
            self._outcome(RecordKind.VENUE, changed, slug, record.file)
            self._record_rating(venue, old, record.file)
            self.venues[slug] = venue
        for venue in existing.values():
            self.venues.setdefault(venue.slug, venue)
        self.venue_facts = [(record.key, record.facts) for record in written]
        self._report_facts(self.venue_facts)
        self.written[RecordKind.VENUE] = written
        self.kept[RecordKind.VENUE] = set()

    def _report_facts(self, facts: list[tuple[str, dict]]) -> None:
        for _key, record_facts in facts:
            self.report.reported.extend(_issues(record_facts.get("issues", [])))

    # -- sources ---------------------------------------------------------------------

    def import_sources(self) -> None:
        state = self.state
        if not self.layout.sources:
            self.kept[RecordKind.SOURCE] = set()
            return
        # What a source's venue is resolved against, now that the venues are imported.
        self.source_context = venue_context()
        if self.source_records is None:
            read_against = {
                state.file_facts(found.name).get("venues") for found in self.layout.sources
            }
            if read_against == {self.source_context} and not state.drifted(RecordKind.SOURCE):
                self.source_facts = self._skip_stored(RecordKind.SOURCE)
                self.aliases = {
                    alias: key
                    for key, facts in self.source_facts
                    for alias in facts.get("aliases", [])
                }
                self.aliases.update(merged_in_credence())
                self._report_facts(self.source_facts)
                return
            self.source_records = self._late(self._source_records)
        merged = self.merge_sources(self.source_records)
        if self.venues is None:
            self.venues = {venue.slug: venue for venue in Venue.objects.all()}
        matcher = venue_matcher_build()
        venue_by_id = {venue.pk: venue for venue in self.venues.values()}
        planned = []
        for source_id, entry in merged.items():
            venue = self._source_venue(entry, matcher, venue_by_id)
            input_sha256 = digest(self.version, source_id, entry.values, venue and venue.pk)
            skip = state.record_unchanged(RecordKind.SOURCE, source_id, input_sha256)
            planned.append((source_id, entry, venue, input_sha256, skip))
        to_import = [source_id for source_id, *_rest, skip in planned if not skip]
        existing = {
            s.pk: s
            for s in Source.objects.prefetch_related("authors", "key_points", "tags").filter(
                pk__in=to_import
            )
        }
        written: list[RecordState] = []
        done, total = 0, len(to_import)
        for source_id, entry, venue, input_sha256, skip in planned:
            first_mention: dict[str, Record] = {}
            for slug, record in entry.cited_by:
                first_mention.setdefault(slug, record)
            facts = {
                "url": entry.values["url"],
                "issues": _issue_facts(entry.issues),
                "cited_by": [
                    [slug, record.file, record.line_of("cited_by")]
                    for slug, record in first_mention.items()
                ],
            }
            if entry.aliases:
                facts["aliases"] = entry.aliases
            written.append(RecordState(source_id, len(written), input_sha256, facts))
            if skip:
                self.report.count("sources", "skipped")
                continue
            done += 1
            if done % 250 == 0 or done == total:
                self.progress("sources", done, total)
            if source_id in existing:
                # New sources before it are stored first: the report keeps the files' order.
                self._sources_create_pending()
                with history_context(reason=f"Imported from {entry.record.file}"):
                    self._import_source(source_id, entry, venue, existing)
            else:
                self._source_build(source_id, entry, venue, matcher)
        self._sources_create_pending()
        self.source_facts = [(record.key, record.facts) for record in written]
        self._report_facts(self.source_facts)
        self.written[RecordKind.SOURCE] = written
        self.kept[RecordKind.SOURCE] = set()

    def merge_sources(self, records: list[Record]) -> dict[str, MergedSource]:
        """Merge the records of each source across files; report duplicates and URL clashes.

        URLs already stored count as claimed by their stored source, so a file's second id
        for a stored URL merges into the stored source rather than failing on uniqueness.
        """
        merged: dict[str, MergedSource] = {}
        # Sources an editor merged into another here: their records are not imported again.
        merged_into = merged_in_credence()
        self.aliases.update(merged_into)
        cited_by_merged: list[tuple[str, str, Record]] = []
        stored = Source.objects.values_list("url", "id", "stable_id")
        owner_of_url: dict[str, str] = {url: source_id for url, source_id, _stable in stored}
        self.stable_owner = {stable: source_id for _url, source_id, stable in stored}
        seen_in_file: set[tuple[str, str]] = set()
        for record in records:
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
            issues = []
            if (record.file, source_id) in seen_in_file:
                issues.append(
                    Issue(
                        "source",
                        record.file,
                        record.line,
                        f"duplicate id {source_id} in the same file; records merged",
                    )
                )
            seen_in_file.add((record.file, source_id))
            if source_id in merged_into:
                survivor = merged_into[source_id]
                self.report_issue(
                    "source",
                    record,
                    record.line,
                    f"source {source_id} was merged into {survivor} in Credence; its record "
                    f"is not imported again, and its citations cite {survivor}",
                )
                cited_by_merged += [(survivor, slug, record) for slug in converted["cited_by"]]
                continue
            owner = owner_of_url.get(url)
            alias = None
            if owner is not None and owner != source_id:
                issues.append(
                    Issue(
                        "source",
                        record.file,
                        record.line_of("url"),
                        f"URL {url} is claimed by ids {owner} and {source_id}; kept as {owner}, "
                        f"and citations of {source_id} point to it",
                    )
                )
                self.aliases[source_id] = owner
                alias, source_id = source_id, owner
            owner_of_url.setdefault(url, source_id)
            if source_id in merged and merged[source_id].values.get("url") != url:
                issues.append(
                    Issue(
                        "source",
                        record.file,
                        record.line_of("url"),
                        f"id {source_id} names two URLs; kept {merged[source_id].values['url']}",
                    )
                )
            entry = merged.setdefault(source_id, MergedSource(record, {}))
            entry.issues += issues
            if alias is not None and alias not in entry.aliases:
                entry.aliases.append(alias)
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
        # Pages listing a merged source cite the one it became (citations are only added).
        for survivor, slug, record in cited_by_merged:
            if survivor in merged:
                merged[survivor].cited_by.append((slug, record))
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

    def _source_venue(self, entry: MergedSource, matcher, venue_by_id) -> Venue | None:
        """Return a source's venue: the one its publication_id names, else its URL's."""
        publication_id = entry.values.get("publication_id")
        venue = None
        if publication_id:
            venue = self.venues.get(publication_id)
            if venue is None:
                where = entry.origins.get("publication_id", entry.record)
                entry.issues.append(
                    Issue(
                        "source",
                        where.file,
                        where.line_of("publication_id"),
                        f"publication_id {publication_id!r} names no venue; "
                        "venue inferred from the URL",
                    )
                )
        if venue is None:
            venue = venue_by_id.get(matcher.match_id(entry.values["url"]))
        return venue

    def _source_fields(self, entry: MergedSource, venue: Venue | None) -> dict[str, Any]:
        values = entry.values
        return {
            "url": values["url"],
            "title": values.get("title", ""),
            "type": values.get("type") or "web",
            "abstract": values.get("abstract", ""),
            "summary": values.get("summary", ""),
            "review": values.get("review", ""),
            "credibility_override": values.get("credibility_override"),
            "venue": venue,
            "published": values.get("published_date"),
            "authors": values.get("authors", []),
            "key_points": values.get("key_points", []),
            "tags": values.get("tags", []),
        }

    def _import_source(self, source_id, entry, venue, existing) -> None:
        """Update a stored source from its record."""
        source = existing[source_id]
        old = rating_values(source)
        try:
            changed = source_update(source=source, **self._source_fields(entry, venue))
        except ValidationError as exc:
            self.fail(entry.record, exc, SOURCE_KEYS, entry.origins)
            return
        self._outcome(RecordKind.SOURCE, changed, source_id, entry.record.file)
        self._record_rating(source, old, entry.record.file)

    def _source_build(self, source_id, entry, venue, matcher) -> None:
        """Check a new source and keep it to be stored with the others (in bulk)."""
        values, record = entry.values, entry.record
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
        try:
            new = source_build(
                source_id=source_id,
                stable_id=stable_id_normalize(stable_id) if stable_id else None,
                venue_matcher=matcher,
                checked_in_bulk=True,
                **self._source_fields(entry, venue),
            )
        except ValidationError as exc:
            self.fail(record, exc, SOURCE_KEYS, entry.origins)
            return
        new.reason = f"Imported from {record.file}"
        self.sources_pending.append((new, record.file))

    def _sources_create_pending(self) -> None:
        """Store the new sources built since the last call, in bulk, and report them."""
        pending, self.sources_pending = self.sources_pending, []
        stored = sources_create_bulk([new for new, _file in pending])
        for source, (_new, file) in zip(stored, pending, strict=True):
            self._outcome(RecordKind.SOURCE, None, source.pk, file)
            self._record_rating(source, {}, file)

    # -- pages -----------------------------------------------------------------------

    def import_pages(self) -> None:
        """Import the pages that changed; report every page, changed or not."""
        state = self.state
        self.report.reported.extend(self.slug_issues)
        self._entities_build()
        self._entity_slugs_build()
        stored = state.records[RecordKind.PAGE]
        for entry in self.page_entries:
            if entry.page is None:
                facts = stored[entry.slug].facts
                input_sha256 = self._page_input(entry, facts["entity_ids"], facts["cite_ids"])
                if not state.record_unchanged(RecordKind.PAGE, entry.slug, input_sha256):
                    self._late(lambda problems, entry=entry: self._page_read(entry, problems))
        to_import = [entry for entry in self.page_entries if entry.page is not None]
        existing = {
            p.slug: p
            for p in WikiPage.objects.prefetch_related("tags").filter(
                slug__in=[entry.slug for entry in to_import]
            )
        }
        known_refs = self._known_citation_refs()
        all_slugs = {entry.slug for entry in self.page_entries}
        all_slugs.update(WikiPage.objects.order_by().values_list("slug", flat=True))
        written: list[RecordState] = []
        kept: set[str] = set()
        done, total = 0, len(to_import)
        for position, entry in enumerate(self.page_entries):
            if entry.page is None:
                self.report.count("pages", "skipped")
                facts = stored[entry.slug].facts
                kept.add(entry.slug)
            else:
                done += 1
                if done % 50 == 0 or done == total:
                    self.progress("pages", done, total)
                if entry.values is None:
                    continue
                with history_context(reason=f"Imported from {entry.file}"):
                    facts = self._import_page(entry, existing)
                if facts is None:
                    continue
                input_sha256 = self._page_input(entry, facts["entity_ids"], facts["cite_ids"])
                written.append(RecordState(entry.slug, position, input_sha256, facts))
            self.page_facts[entry.slug] = facts
            self._report_page(facts, known_refs, all_slugs)
        self.written[RecordKind.PAGE] = written
        self.kept[RecordKind.PAGE] = kept

    def _entities_build(self) -> None:
        """Gather the entities by id (the last of each id wins): as read where their files
        changed, else as stored with each file."""
        if self.entity_records is None:
            self.entity_facts = {
                found.name: [
                    Entity(*entity, file=found.name)
                    for entity in self.state.file_facts(found.name).get("entities", [])
                ]
                for found in self.layout.entities
            }
        else:
            self.entity_facts = {}
            for name, records in self.entity_records.items():
                self.entity_facts[name] = []
                for record in records:
                    values = RecordReader(record)
                    entity = {key: values.read(key, as_text) for key in ENTITY_KEYS}
                    if not self.refused(values) and entity["id"]:
                        self.entity_facts[name].append(
                            Entity(
                                entity["id"],
                                entity["numericId"],
                                entity["type"],
                                entity["title"],
                                line=record.line,
                                type_line=record.line_of("type"),
                                title_line=record.line_of("title"),
                                file=record.file,
                            )
                        )
        self.entities = {}
        for entities in self.entity_facts.values():
            for entity in entities:
                self.entities[entity.id] = entity

    def _entity_file_facts(self, name: str) -> dict:
        """Return an entity file's entities, for the state (the file is the row's)."""
        return {"entities": [list(entity[:-1]) for entity in self.entity_facts.get(name, [])]}

    def _entity_slugs_build(self) -> None:
        """Map what an <EntityLink id> may name (an entity's numeric id or id, a page's
        numeric id) to a page slug."""
        slugs = {e.numeric_id: e.id for e in self.entities.values() if e.numeric_id}
        # Some links name the entity id itself rather than its numeric id.
        slugs.update({entity_id: entity_id for entity_id in self.entities})
        stored = self.state.records[RecordKind.PAGE]
        for entry in self.page_entries:
            if entry.page is not None:
                numeric_id = entry.values["numericId"] if entry.values else ""
            else:
                numeric_id = stored[entry.slug].facts.get("numericId", "")
            if numeric_id:
                slugs[numeric_id] = entry.slug
        self.entity_slugs = slugs

    def _page_input(self, entry: PageEntry, entity_ids: list[str], cite_ids: list[str]) -> str:
        """Return the hash of everything a page's import reads: its file, slug and entity,
        and what the entity ids and citation ids its body names resolve to."""
        entity = self.entities.get(entry.slug) or self.entities.get(entry.path.stem)
        return digest(
            self.version,
            entry.found.sha256,
            entry.file,
            entry.slug,
            entity and entity.sha256,
            [[entity_id, self.entity_slugs.get(entity_id)] for entity_id in entity_ids],
            [[cite_id, self.aliases.get(cite_id)] for cite_id in cite_ids],
        )

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
        """Return every id an <R id> may name: a source's id or stable id, or an alias."""
        refs = set(self.aliases)
        for source_id, stable_id in Source.objects.order_by().values_list("id", "stable_id"):
            refs.update({source_id, stable_id, stable_id.removeprefix("sid_")})
        return refs

    def _import_page(self, entry: PageEntry, existing: dict[str, WikiPage]) -> dict | None:
        """Import one page; return what the report and the citations need of it."""
        page, values = entry.page, entry.values
        fm = page.front_matter
        entity = self.entities.get(page.slug) or self.entities.get(page.path.stem)
        page_type, title, origins = PageType.OTHER, values["title"], {}
        issues: list[Issue] = []
        if entity is not None:
            page_type = self._page_type(entity, issues)
            if entity.title:
                title, origins = entity.title, {"title": entity.record()}
        elif values["type"] in PageType.values:
            page_type = values["type"]
        if not title:
            self.missing(fm, "title", f"page {page.slug!r} has no title and no entity")
            return None
        conversion = mdx_to_markdown(
            page.body, first_line=page.body_line, entity_slugs=self.entity_slugs, front_matter=fm
        )
        body = self._body_with_aliases(conversion.markdown)
        missing = Counter(footnote_kind(label) for label in body_missing_references(body))
        issues += self._formula_issues(page, body)
        if values["status"] in PageStatus.values:
            status = values["status"]
        else:
            status = PageStatus.STUB if values["pageType"] == "stub" else PageStatus.PUBLISHED
        unknown = sorted(str(key) for key in values["ratings"] if key not in SUBSCORES)
        if unknown:
            issues.append(
                Issue(
                    "page",
                    page.file,
                    fm.line_of("ratings"),
                    f"ratings: {', '.join(unknown)} not subscores here; left out",
                )
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
        self._outcome(RecordKind.PAGE, changed, page.slug, page.file)
        self._record_rating(saved, old, page.file)
        return {
            "file": page.file,
            "numericId": values["numericId"],
            "entity_ids": conversion.entity_ids,
            "cite_ids": sorted(set(CITE_ID_RE.findall(conversion.markdown))),
            "issues": _issue_facts(issues),
            "notes": [[note.line, note.message] for note in conversion.notes],
            "missing": dict(missing),
            "citations": [list(citation) for citation in conversion.citations],
            "links": [list(link) for link in conversion.links],
            # Read now, while the parsed body is still cached from saving the page.
            "link_urls": list(dict.fromkeys(body_link_urls(body))),
        }

    def _report_page(self, facts: dict, known_refs: set[str], all_slugs: set[str]) -> None:
        """Report a page from what its import found, against today's sources and pages."""
        file = facts["file"]
        self.report.reported.extend(_issues(facts["issues"]))
        self.report.notes.extend(
            Issue("component", file, line, message) for line, message in facts["notes"]
        )
        self.report.missing_references.update(facts["missing"])
        self.report.pages_with_missing_references += bool(facts["missing"])
        for ref, line in facts["citations"]:
            if ref not in known_refs:
                self.report_issue("citation", file, line, f"<R id={ref!r}> names no source")
        for slug, line in facts["links"]:
            if slug not in all_slugs:
                self.report_issue("link", file, line, f"link to {slug!r}: no such page")

    def _formula_issues(self, page: MdxPage, body: str) -> list[Issue]:
        """Return the formulas readers would see as code, at their line in the file."""
        issues = []
        for _line, formula, why in body_formula_errors(body):
            offset = page.body.find(formula)
            line = (
                mdx_line_of(page.body, offset, first_line=page.body_line) if offset >= 0 else None
            )
            issues.append(
                Issue(
                    "formula",
                    page.file,
                    line,
                    f"formula {formula!r} cannot be shown ({why}): as code",
                )
            )
        return issues

    def _page_type(self, entity: Entity, issues: list[Issue]) -> str:
        raw = entity.type
        mapped = ENTITY_TYPES.get(raw, raw)
        if mapped in PageType.values:
            return mapped
        issues.append(
            Issue(
                "page",
                entity.file,
                entity.type_line,
                f"entity type {raw!r} has no page type here; page typed 'other'",
            )
        )
        return PageType.OTHER

    def _body_with_aliases(self, markdown: str) -> str:
        for alias, owner in self.aliases.items():
            markdown = markdown.replace(f"[[cite:{alias}]]", f"[[cite:{owner}]]").replace(
                f"[[cite:{alias}|", f"[[cite:{owner}|"
            )
        return markdown

    # -- citations -------------------------------------------------------------------

    def import_listed_citations(self) -> None:
        """Cite each source from the pages its `cited_by` lists name."""
        self.page_ids = dict(WikiPage.objects.order_by().values_list("slug", "pk"))
        self.cited = set(Citation.objects.order_by().values_list("page_id", "source_id"))
        pairs = []
        for source_id, facts in self.source_facts:
            for slug, file, line in facts.get("cited_by", []):
                if slug in self.page_ids:
                    pairs.append((self.page_ids[slug], source_id))
                else:
                    self.report_issue(
                        "citation", file, line, f"cited_by names {slug!r}: no such page"
                    )
        self._citations_add(pairs)

    def import_linked_citations(self) -> None:
        """Cite each known source whose URL a page body links to.

        A link matches a source's URL exactly, or else up to `www.` and a final `/`; where
        several sources match that loosely, the one with the smallest id is cited, so the
        choice does not depend on the order of the files.
        """
        urls = {source_id: facts["url"] for source_id, facts in self.source_facts}
        exact = {url: source_id for source_id, url in urls.items()}
        loose = {}
        for source_id in sorted(urls):
            loose.setdefault(url_key(urls[source_id]), source_id)
        pairs = []
        for slug, facts in self.page_facts.items():
            for url in facts["link_urls"]:
                source_id = exact.get(url) or loose.get(url_key(url))
                if source_id is not None:
                    pairs.append((self.page_ids[slug], source_id))
        self._citations_add(pairs)

    def _citations_add(self, pairs: list[tuple[int, str]]) -> None:
        """Add the citations (page id, source id) that no page has yet.

        Those present are left out here, so that a run that changes nothing builds no rows;
        the service adds the rest by key (`pk` is all it reads of a page or source).
        """
        missing = list(dict.fromkeys(pair for pair in pairs if pair not in self.cited))
        self.cited.update(missing)
        citations_add_missing(
            pairs=[(WikiPage(pk=page_id), Source(pk=source_id)) for page_id, source_id in missing]
        )


def merged_in_credence() -> dict[str, str]:
    """The ids of sources merged into another here (old id: the survivor's id)."""
    return dict(SourceAlias.objects.order_by().values_list("old_id", "source_id"))


def _citation_keys() -> set[tuple]:
    return set(Citation.objects.order_by().values_list("page__slug", "source_id", "in_body"))


def _tag_names() -> set[str]:
    return set(Tag.objects.order_by().values_list("name", flat=True))


def issues_by_kind(issues: Iterable[Issue]) -> Counter:
    return Counter(issue.kind for issue in issues)
