"""Sources in from reference managers: read a BibTeX, RIS or CSL-JSON file, plan what it
would create and which entries are duplicates, then create them through `source_create`.

An entry is a duplicate when a stored source (or an earlier entry of the same file) has
one of its identifiers or the same URL once normalised (http or https, with or without
`www.` and a trailing slash, tracking parameters dropped); a duplicate updates nothing.
Nothing is written unless every entry reads: the first that does not is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from sources.duplicates import tracking_parameter
from sources.identifiers import NORMALIZERS, arxiv_url, doi_url
from sources.models import Source, SourceType, Venue
from sources.selectors import venue_matcher_build
from sources.services import partial_date_parse, source_create

from .bibtex import bibtex_read
from .csl import SourceFields, csl_fields
from .csljson import csljson_read
from .errors import FormatError
from .ris import ris_read

READERS = {"bibtex": bibtex_read, "ris": ris_read, "csljson": csljson_read}
EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".json": "csljson"}
# Query parameters that track a click, not name a document.
LOOKUP_BATCH = 100  # entries per URL look-up (eight spellings each)


class Outcome:
    CREATE = "create"
    DUPLICATE = "duplicate"


@dataclass
class PlannedEntry:
    number: int
    key: str
    fields: SourceFields
    outcome: str = Outcome.CREATE
    duplicate_of: Source | None = None
    duplicate_in_file: int | None = None  # the earlier entry's number
    matched_by: str = ""
    venue: Venue | None = None


@dataclass
class ImportPlan:
    format_name: str
    entries: list[PlannedEntry] = field(default_factory=list)

    @property
    def to_create(self) -> list[PlannedEntry]:
        return [entry for entry in self.entries if entry.outcome == Outcome.CREATE]

    @property
    def duplicates(self) -> list[PlannedEntry]:
        return [entry for entry in self.entries if entry.outcome == Outcome.DUPLICATE]


def citation_format_guess(filename: str, text: str) -> str:
    """The format of a file, by its extension, else by its first characters."""
    by_name = EXTENSIONS.get(PurePath(filename or "").suffix.lower())
    if by_name:
        return by_name
    start = text.lstrip("\ufeff \t\r\n")[:6]
    if start.startswith(("[", "{")):
        return "csljson"
    if start.startswith(("@", "%")):
        return "bibtex"
    if start.startswith("TY  -"):
        return "ris"
    raise FormatError("the file", "", "it is not BibTeX (.bib), RIS (.ris) or CSL-JSON (.json)")


def url_spellings(url: str) -> set[str]:
    """The spellings of one address a duplicate may be stored under: http or https, with
    or without `www.` and a trailing slash, without tracking parameters or a fragment."""
    parts = urlsplit(url.strip())
    # Hosts are case-insensitive, but a stored address keeps the case it was written in.
    written = parts.netloc.rpartition("@")[2]
    hosts = {written, written.lower()}
    # Parameters kept as written (re-encoding would turn `CELEX:3202` into `CELEX%3A3202`).
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not tracking_parameter(pair.partition("=")[0])
    )
    path = parts.path.rstrip("/")
    spellings = {url.strip()}  # as written, whatever the rest
    for scheme in ("https", "http"):
        for netloc in {h for host in hosts for h in (_bare(host), "www." + _bare(host))}:
            for tail in (path, path + "/"):
                spellings.add(urlunsplit((scheme, netloc, tail, query, "")))
    return spellings


def _bare(host: str) -> str:
    return host[4:] if host.lower().startswith("www.") else host


def url_key(url: str) -> str:
    """One spelling standing for all of `url_spellings`."""
    return min(url_spellings(url))


def _checked(entry_fields: SourceFields, where: str) -> SourceFields:
    """The entry's fields as they would be stored; FormatError names what cannot be."""
    for name, normalize in NORMALIZERS.items():
        try:
            setattr(entry_fields, name, normalize(getattr(entry_fields, name)))
        except ValidationError as error:
            raise FormatError(where, name, error.messages[0].rstrip(".")) from None
    if not entry_fields.url:
        if entry_fields.doi:
            entry_fields.url = doi_url(entry_fields.doi)
        elif entry_fields.arxiv_id:
            entry_fields.url = arxiv_url(entry_fields.arxiv_id)
    try:
        URLValidator(schemes=["http", "https"])(entry_fields.url)
    except ValidationError:
        raise FormatError(where, "url", f"“{entry_fields.url}” is not a web address") from None
    try:
        partial_date_parse(entry_fields.published or None)
    except ValidationError as error:
        raise FormatError(where, "date", error.messages[0].rstrip(".")) from None
    if entry_fields.type not in SourceType.values:
        entry_fields.type = SourceType.WEB
    return entry_fields


def entry_summary(entry: PlannedEntry) -> str:
    """One line saying what importing the entry does."""
    title = entry.fields.title or entry.fields.url
    if entry.outcome == Outcome.CREATE:
        return f"Entry {entry.number}: create “{title}”."
    if entry.duplicate_of is not None:
        return (
            f"Entry {entry.number}: “{title}” is a duplicate of source {entry.duplicate_of.pk} "
            f"(same {entry.matched_by}); nothing updated."
        )
    earlier = entry.duplicate_in_file
    return f"Entry {entry.number}: “{title}” repeats entry {earlier} (same {entry.matched_by})."


def _where(number: int, key: str) -> str:
    return f"entry {number}" + (f" (“{key}”)" if key else "")


def citations_plan(text: str, format_name: str) -> ImportPlan:
    """Read the file and say what importing it would do; raise FormatError for the first
    entry that cannot be read or stored."""
    items = READERS[format_name](text)
    plan = ImportPlan(format_name)
    for number, item in enumerate(items, start=1):
        key = str(item.get("id") or "")
        fields = _checked(csl_fields(item), _where(number, key))
        plan.entries.append(PlannedEntry(number=number, key=key, fields=fields))
    _mark_duplicates(plan.entries)
    _match_venues(plan.entries)
    return plan


def _mark_duplicates(entries: list[PlannedEntry]) -> None:
    stored: dict[tuple[str, str], Source] = {}
    for name in NORMALIZERS:
        values = {getattr(entry.fields, name) for entry in entries} - {""}
        for source in Source.objects.filter(**{f"{name}__in": values}).only(
            "pk", "title", "url", name
        ):
            stored[(name, getattr(source, name))] = source
    by_spelling: dict[str, Source] = {}
    for start in range(0, len(entries), LOOKUP_BATCH):
        spellings = set().union(
            *(url_spellings(e.fields.url) for e in entries[start : start + LOOKUP_BATCH])
        )
        for source in Source.objects.filter(url__in=spellings).only("pk", "title", "url"):
            by_spelling[source.url] = source
    seen: dict[tuple[str, str], int] = {}
    for entry in entries:
        keys = [(name, getattr(entry.fields, name)) for name in NORMALIZERS]
        keys = [key for key in keys if key[1]] + [("url", url_key(entry.fields.url))]
        for key in keys:
            if key[0] == "url":
                spellings = url_spellings(entry.fields.url)
                match = next((by_spelling[s] for s in spellings if s in by_spelling), None)
            else:
                match = stored.get(key)
            if match is not None:
                entry.outcome, entry.duplicate_of, entry.matched_by = (
                    Outcome.DUPLICATE,
                    match,
                    key[0],
                )
                break
            if key in seen:
                entry.outcome, entry.duplicate_in_file = Outcome.DUPLICATE, seen[key]
                entry.matched_by = key[0]
                break
        if entry.outcome == Outcome.CREATE:
            for key in keys:
                seen[key] = entry.number


def _match_venues(entries: list[PlannedEntry]) -> None:
    """A venue named by the entry is a stored venue of that name (any case); otherwise the
    URL's domain picks it, as for any new source."""
    names = {entry.fields.venue_name.lower() for entry in entries} - {""}
    if not names:
        return
    venues = {venue.name.lower(): venue for venue in Venue.objects.only("pk", "name", "slug")}
    for entry in entries:
        entry.venue = venues.get(entry.fields.venue_name.lower())


@transaction.atomic
def citations_import(plan: ImportPlan) -> list[Source]:
    """Create the plan's new sources (duplicates are left as they are); all or none."""
    matcher = venue_matcher_build()
    created = []
    for entry in plan.to_create:
        fields = entry.fields
        try:
            source = source_create(
                url=fields.url,
                title=fields.title,
                type=fields.type,
                authors=fields.authors,
                published=fields.published or None,
                abstract=fields.abstract,
                tags=fields.tags,
                venue=entry.venue,
                doi=fields.doi,
                arxiv_id=fields.arxiv_id,
                isbn=fields.isbn,
                venue_matcher=matcher,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                name, messages = next(iter(error.message_dict.items()))
            else:
                name, messages = "", error.messages
            name = "" if name == "__all__" else name
            raise FormatError(
                _where(entry.number, entry.key), name, messages[0].rstrip(".")
            ) from None
        created.append(source)
    return created


def import_summary(created: int, duplicates: int, *, written: bool, name: str = "") -> str:
    """Say what an import did (or, not written, would do), singular where a count is one."""
    verb = "Created" if written else "Would create"
    sources = f"{verb} {created} source{'' if created == 1 else 's'}"
    if name:
        sources += f" from {name}"
    kept = "skipped " if written else ""
    return f"{sources}; {kept}{duplicates} duplicate{'' if duplicates == 1 else 's'}."
