"""What the last import read and wrote, and whether the database still holds it.

The state is two tables of the interchange app (interchange/models.py): each file of the
last import with the SHA-256 of its bytes, and each venue, source and page it wrote with
the SHA-256 of its input and a stamp of its row. A record may be skipped, neither
converted nor compared, when its input hash is the one stored and its row still has the
stamp the import left on it.

The stamp is the row's `updated_at` with the count and the highest id of each kind of its
child rows (a venue's domains; a source's authors, key points and tags; a page's tags). A
save moves `updated_at` (the services write nothing when nothing differs), and the child
rows are replaced rather than edited, so an edit by anyone, a deletion or a snapshot
filling in a source's authors all change the stamp. The import then handles the record as
it always did: the file's values are written back over the edit (which stays in the
row's history), a deleted row is created again, and the report says which. Writes that
bypass both (a raw `UPDATE` of a title) go unseen until the file changes or `--full`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Count, Max

from core.changes import records_changed
from interchange.models import ImportedFile, ImportedRecord, RecordKind
from sources.models import Source, SourceAuthor, SourceKeyPoint, TaggedSource, Venue, VenueDomain
from wiki.models import TaggedPage, WikiPage

# Per kind: the model, the field the records are keyed by, and the child rows (model and
# the column naming the parent) that belong in the stamp.
STAMPED = {
    RecordKind.VENUE: (Venue, "slug", ((VenueDomain, "venue_id"),)),
    RecordKind.SOURCE: (
        Source,
        "pk",
        (
            (SourceAuthor, "source_id"),
            (SourceKeyPoint, "source_id"),
            (TaggedSource, "content_object_id"),
        ),
    ),
    RecordKind.PAGE: (WikiPage, "slug", ((TaggedPage, "content_object_id"),)),
}


def digest(*parts: Any) -> str:
    """Return the SHA-256 of values as canonical JSON (dates and Decimals as text)."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def row_stamps(kind: str) -> dict[str, str]:
    """Return the stamp of every row of a kind, by record key (one query per table)."""
    model, key, children = STAMPED[kind]
    rows = model.objects.order_by().values_list("pk", key, "updated_at")
    parts = {pk: [updated.isoformat()] + ["0"] * len(children) for pk, _key, updated in rows}
    for position, (child, parent) in enumerate(children, start=1):
        counted = (
            child.objects.order_by()
            .values(parent)
            .annotate(n=Count("pk"), last=Max("pk"))
            .values_list(parent, "n", "last")
        )
        for owner, n, last in counted:
            if owner in parts:
                parts[owner][position] = f"{n}:{last}"
    return {row_key: "|".join(parts[pk]) for pk, row_key, _updated in rows}


def venue_context() -> str:
    """Return a hash of what sources are matched against: every venue's slug and domains."""
    venues = sorted(Venue.objects.order_by().values_list("pk", "slug"))
    domains = sorted(VenueDomain.objects.order_by().values_list("venue_id", "domain", "position"))
    return digest(venues, domains)


class StoredFile(NamedTuple):
    pk: int
    kind: str
    sha256: str
    importer: str
    facts: dict


class StoredRecord(NamedTuple):
    pk: int
    key: str
    position: int
    input_sha256: str
    row_stamp: str
    facts: dict


@dataclass
class FileState:
    """A file as this import leaves it in the state."""

    path: str
    kind: str
    sha256: str
    facts: dict = field(default_factory=dict)


@dataclass
class RecordState:
    """A record written (or compared) by this import, to be stored with its row's stamp."""

    key: str
    position: int
    input_sha256: str
    facts: dict


class ImportState:
    """The stored state of the last import, and the rows' stamps as they are now."""

    def __init__(self, *, importer: str, ignore: bool = False):
        self.importer = importer
        # `ignore` (a full import): nothing stored counts as unchanged, but drift is still
        # told apart from a first import, and the state is written afresh at the end.
        self.ignore = ignore
        # Read as tuples: a run that skips everything reads little else.
        self.files = {
            path: StoredFile(*row)
            for path, *row in ImportedFile.objects.values_list(
                "path", "pk", "kind", "sha256", "importer", "facts"
            )
        }
        self.records: dict[str, dict[str, StoredRecord]] = {kind: {} for kind in STAMPED}
        rows = ImportedRecord.objects.values_list(
            "kind", "pk", "key", "position", "input_sha256", "row_stamp", "facts"
        )
        for kind, *row in rows:
            self.records[kind][row[1]] = StoredRecord(*row)
        # Taken now, before the import writes: a stamp read after its own write would
        # count that write as an edit made since the last import.
        self.stamps = {kind: row_stamps(kind) if self.records[kind] else {} for kind in STAMPED}

    # -- files -----------------------------------------------------------------------

    def file_unchanged(self, path: str, sha256: str) -> bool:
        stored = self.files.get(path)
        return (
            not self.ignore
            and stored is not None
            and stored.sha256 == sha256
            and stored.importer == self.importer
        )

    def files_unchanged(self, kind: str, current: Mapping[str, str]) -> bool:
        """Return whether the files of a kind are those stored, by path and SHA-256."""
        stored = {path for path, f in self.files.items() if f.kind == kind}
        return stored == set(current) and all(
            self.file_unchanged(path, sha) for path, sha in current.items()
        )

    def file_facts(self, path: str) -> dict:
        stored = self.files.get(path)
        return stored.facts if stored is not None else {}

    # -- records ---------------------------------------------------------------------

    def stored(self, kind: str) -> list[StoredRecord]:
        """Return the stored records of a kind in the files' order."""
        return sorted(self.records[kind].values(), key=lambda record: record.position)

    def record_unchanged(self, kind: str, key: str, input_sha256: str) -> bool:
        """Return whether a record may be skipped: same input, row as the import left it."""
        stored = self.records[kind].get(key)
        return (
            not self.ignore
            and stored is not None
            and stored.input_sha256 == input_sha256
            and stored.row_stamp == self.stamps[kind].get(key)
        )

    def row_changed(self, kind: str, key: str) -> str | None:
        """Say how a stored record's row changed since the last import, or None."""
        stored = self.records[kind].get(key)
        if stored is None:
            return None
        now = self.stamps[kind].get(key)
        if now is None:
            return "deleted"
        return "changed" if now != stored.row_stamp else None

    def drifted(self, kind: str) -> bool:
        """Return whether any stored record's row changed or went since the last import."""
        stamps = self.stamps[kind]
        return any(stamps.get(key) != r.row_stamp for key, r in self.records[kind].items())

    # -- saving ----------------------------------------------------------------------

    def save(
        self,
        *,
        files: Iterable[FileState],
        written: Mapping[str, list[RecordState]],
        kept: Mapping[str, set[str]],
        rows_written: bool,
    ) -> None:
        """Store the files read and the records written, with their rows' stamps now.

        Records of a kind not named in `written` or `kept` stay; of a kind named, only
        those in `kept` stay (the others' files went, or they were written again). When
        this import wrote rows (`rows_written`), the stamps of the records that stay are
        brought up to date too: a record was kept because its row was as stamped when the
        import began, so any change since is this import's own (a tag it added, a rating
        decision that moved the row). Nothing is written when nothing differs.
        """
        self._files_save(list(files))
        for kind in STAMPED:
            keep = kept.get(kind, set(self.records[kind]) if kind not in written else set())
            records = written.get(kind, [])
            stale = [r.pk for key, r in self.records[kind].items() if key not in keep]
            if stale:
                if keep:
                    ImportedRecord.objects.filter(pk__in=stale).delete()
                else:
                    ImportedRecord.objects.filter(kind=kind).delete()
                records_changed(ImportedRecord, stale)
            if not records and not (rows_written and keep):
                continue
            stamps = row_stamps(kind)
            moved = [
                ImportedRecord(pk=r.pk, row_stamp=stamps.get(key, ""))
                for key, r in self.records[kind].items()
                if key in keep and stamps.get(key, "") != r.row_stamp
            ]
            if moved:
                ImportedRecord.objects.bulk_update(moved, ["row_stamp"], batch_size=500)
                records_changed(ImportedRecord, [r.pk for r in moved])
            created = ImportedRecord.objects.bulk_create(
                [
                    ImportedRecord(
                        kind=kind,
                        key=record.key,
                        position=record.position,
                        input_sha256=record.input_sha256,
                        row_stamp=stamps.get(record.key, ""),
                        facts=record.facts,
                    )
                    for record in records
                ],
                batch_size=500,
            )
            records_changed(ImportedRecord, [record.pk for record in created])

    def _files_save(self, files: list[FileState]) -> None:
        current = {f.path for f in files}
        changed = [
            f
            for f in files
            if (stored := self.files.get(f.path)) is None
            or (stored.sha256, stored.importer, stored.kind, stored.facts)
            != (f.sha256, self.importer, f.kind, f.facts)
        ]
        stale = [
            stored.pk
            for path, stored in self.files.items()
            if path not in current or path in {f.path for f in changed}
        ]
        if stale:
            ImportedFile.objects.filter(pk__in=stale).delete()
            records_changed(ImportedFile, stale)
        if changed:
            created = ImportedFile.objects.bulk_create(
                [
                    ImportedFile(
                        path=f.path,
                        kind=f.kind,
                        sha256=f.sha256,
                        importer=self.importer,
                        facts=f.facts,
                    )
                    for f in changed
                ],
                batch_size=500,
            )
            records_changed(ImportedFile, [f.pk for f in created])
