"""Publishers' notices from the Retraction Watch data file (the CSV Crossref publishes):
read from a path, never fetched. Each row names the paper it is about by its DOI
(OriginalPaperDOI); rows about sources we hold become their notices, and each such source's
`notice_status` sums them up. A row that cannot be read is reported with its line and
skipped; rows about papers we do not hold write nothing. A second import of the same file
changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from core.changes import records_changed
from core.history import bulk_update_tracked, history_context

from .identifiers import doi_normalize
from .models import NoticeNature, NoticeStatus, Source, SourceNotice

# The columns read; the file has more (title, journal, authors...), which stay there.
RECORD_ID, PAPER_DOI, NATURE, NOTICE_DATE, NOTICE_DOI, REASON = (
    "Record ID",
    "OriginalPaperDOI",
    "RetractionNature",
    "RetractionDate",
    "RetractionDOI",
    "Reason",
)
REQUIRED = (RECORD_ID, PAPER_DOI, NATURE, NOTICE_DATE)
NATURES = {
    "retraction": NoticeNature.RETRACTION,
    "correction": NoticeNature.CORRECTION,
    "expression of concern": NoticeNature.CONCERN,
    "reinstatement": NoticeNature.REINSTATEMENT,
}
NO_DOI = {"", "unavailable", "na", "n/a", "none"}
DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%d")
LOOKUP_BATCH = 500


class RetractionFileError(Exception):
    """The file cannot be read at all (no header, a missing column): nothing is written."""


@dataclass
class Row:
    line: int
    record_id: str
    doi: str
    nature: str
    noticed_on: date | None
    notice_doi: str
    reasons: str


@dataclass
class RetractionImport:
    rows: int = 0
    without_doi: int = 0
    matched: int = 0  # rows about a source we hold
    created: int = 0
    updated: int = 0
    sources_changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line N: what"
    undecodable_lines: int = 0


def _date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(f"the date {text!r} is not month/day/year")


def _reasons(text: str) -> str:
    """Retraction Watch writes reasons as `+Reason;+Other reason;`: kept as a list."""
    parts = (part.strip().lstrip("+").strip() for part in text.split(";"))
    return "; ".join(part for part in parts if part)[:2000]


def _row(line: int, values: dict[str, str]) -> Row | None:
    """The row as stored, None when it names no DOI; ValueError says what is wrong."""
    if None in values or any(values.get(name) is None for name in REQUIRED):
        raise ValueError("it does not have the file's columns (a stray comma or quote?)")
    record_id = values[RECORD_ID].strip()
    if not record_id:
        raise ValueError("Record ID is empty")
    raw_doi = values[PAPER_DOI].strip()
    if raw_doi.lower() in NO_DOI:
        return None
    try:
        doi = doi_normalize(raw_doi)
    except ValidationError:
        raise ValueError(f"OriginalPaperDOI {raw_doi!r} is not a DOI") from None
    nature = NATURES.get(values[NATURE].strip().lower())
    if nature is None:
        raise ValueError(f"RetractionNature {values[NATURE].strip()!r} is not a kind of notice")
    notice_doi = (values.get(NOTICE_DOI) or "").strip()
    try:
        notice_doi = "" if notice_doi.lower() in NO_DOI else doi_normalize(notice_doi)
    except ValidationError:
        notice_doi = ""  # the notice's own DOI is a convenience: its absence loses nothing
    return Row(
        line=line,
        record_id=record_id[:20],
        doi=doi,
        nature=nature,
        noticed_on=_date(values[NOTICE_DATE]),
        notice_doi=notice_doi,
        reasons=_reasons(values.get(REASON) or ""),
    )


def retraction_rows(data: bytes, report: RetractionImport) -> list[Row]:
    """Read the file's rows about DOIs; report those that cannot be read."""
    text = data.decode("utf-8-sig", errors="replace")
    report.undecodable_lines = sum("\ufffd" in line for line in text.splitlines())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise RetractionFileError(
            "This is not the Retraction Watch data file: it has no "
            + ", ".join(f"“{name}”" for name in missing)
            + " column. Nothing was written."
        )
    rows = []
    for values in reader:
        report.rows += 1
        line = reader.line_num
        try:
            row = _row(line, values)
        except ValueError as problem:
            report.problems.append(f"line {line}: {problem}; row skipped")
            continue
        if row is None:
            report.without_doi += 1
        else:
            rows.append(row)
    return rows


def notice_status(notices: Iterable[SourceNotice]) -> str:
    """What a source's notices say now: retracted unless reinstated since, else an
    expression of concern, else corrected, else reinstated; "" without notices (so a
    source has notices exactly when it has a status)."""
    natures = [n.nature for n in sorted(notices, key=lambda n: n.noticed_on or date.min)]
    last_retraction = max(
        (i for i, nature in enumerate(natures) if nature == NoticeNature.RETRACTION), default=-1
    )
    if last_retraction >= 0 and NoticeNature.REINSTATEMENT not in natures[last_retraction:]:
        return NoticeStatus.RETRACTED
    if NoticeNature.CONCERN in natures:
        return NoticeStatus.CONCERN
    if NoticeNature.CORRECTION in natures:
        return NoticeStatus.CORRECTED
    return NoticeStatus.REINSTATED if natures else ""


def _sources_by_doi(dois: set[str]) -> dict[str, Source]:
    found = {}
    dois = sorted(dois)
    for start in range(0, len(dois), LOOKUP_BATCH):
        batch = Source.objects.filter(doi__in=dois[start : start + LOOKUP_BATCH])
        found.update({source.doi: source for source in batch.only("pk", "doi", "notice_status")})
    return found


@transaction.atomic
def retractions_import(data: bytes, *, dry_run: bool = False) -> RetractionImport:
    """Import the notices of a Retraction Watch data file (its bytes) for the sources we
    hold; with `dry_run`, report what would change and write nothing."""
    report = RetractionImport()
    rows = retraction_rows(data, report)
    sources = _sources_by_doi({row.doi for row in rows})
    ours = [row for row in rows if row.doi in sources]
    report.matched = len(ours)
    stored = {
        (notice.source_id, notice.record_id): notice
        for notice in SourceNotice.objects.filter(source__in=sources.values())
    }
    for row in ours:
        source = sources[row.doi]
        values = {
            "nature": row.nature,
            "noticed_on": row.noticed_on,
            "notice_doi": row.notice_doi,
            "reasons": row.reasons,
        }
        notice = stored.get((source.pk, row.record_id))
        if notice is None:
            stored[source.pk, row.record_id] = SourceNotice(
                source=source, record_id=row.record_id, **values
            )
            report.created += 1
        elif any(getattr(notice, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(notice, name, value)
            notice._changed = True
            report.updated += 1
    by_source: dict[str, list[SourceNotice]] = {}
    for (source_id, _record), notice in stored.items():
        by_source.setdefault(source_id, []).append(notice)
    changed = []
    for source in sources.values():
        status = notice_status(by_source.get(source.pk, []))
        if status != source.notice_status:
            source.notice_status = status
            changed.append(source)
    report.sources_changed = [source.pk for source in changed]
    if dry_run:
        transaction.set_rollback(True)
        return report
    new = [n for n in stored.values() if n.pk is None]
    SourceNotice.objects.bulk_create(new)
    edited = [n for n in stored.values() if getattr(n, "_changed", False)]
    SourceNotice.objects.bulk_update(edited, ["nature", "noticed_on", "notice_doi", "reasons"])
    with history_context(reason="Publisher's notices imported from the Retraction Watch data"):
        bulk_update_tracked(changed, Source, ["notice_status"])
    records_changed(SourceNotice, [n.pk for n in [*new, *edited]])
    return report
