"""Snapshots of what a source's URL says: take them, store them, pick the ones due."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.changes import records_changed
from core.history import history_context

from .fetching import FetchResult, fetch_url
from .models import DatePrecision, FetchOutcome, Snapshot, Source, SourceAuthor
from .services import instance_fields_update, source_authors_set

logger = logging.getLogger(__name__)

# What readers see of a snapshot's text on the source page.
PREVIEW_CHARS = 3000
# PostgreSQL's text columns cannot hold NUL, and no database can store a lone surrogate
# (UTF-8 has no form for one); fetched pages and PDFs carry either now and then.
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
UNEXPECTED_FAILURE = "the fetch failed unexpectedly ({error}); the server log has the details"


def snapshot_take(*, source: Source) -> Snapshot:
    """Fetch a source's URL now and store what came back.

    A fetch or store that fails unexpectedly is stored as an error instead, so that a batch
    goes on with the next source and the next run does not start again with this one.
    """
    try:
        return snapshot_store(source=source, result=fetch_url(source.url))
    except Exception as exc:
        logger.exception("Taking a snapshot of source %s (%s) failed", source.pk, source.url)
        source.refresh_from_db()  # a store rolled back may have filled in fields in memory
        failure = FetchResult(
            requested_url=source.url,
            outcome=FetchOutcome.ERROR,
            detail=UNEXPECTED_FAILURE.format(error=type(exc).__name__),
        )
        return snapshot_store(source=source, result=failure)


@transaction.atomic
def snapshot_store(*, source: Source, result: FetchResult) -> Snapshot:
    """Store a fetch result: a new snapshot if outcome or content changed since the latest,
    else mark the latest as checked again. Then note the outcome on the source and fill in
    a missing title, date or authors from a good fetch."""
    now = timezone.now()
    columns = _snapshot_columns(result)
    latest = source.snapshots.select_for_update().first()
    if latest is not None and _same_as(latest, columns):
        # Nothing new: only when it was seen again moves; content columns stay as written.
        Snapshot.objects.filter(pk=latest.pk).update(
            checked_at=now, check_count=F("check_count") + 1
        )
        records_changed(Snapshot, [latest.pk])
        latest.refresh_from_db(fields=["checked_at", "check_count"])
        snapshot = latest
    else:
        snapshot = Snapshot.objects.create(source=source, fetched_at=now, checked_at=now, **columns)
    # A status column, not an editorial change: written without a history row.
    Source.objects.filter(pk=source.pk).update(fetch_outcome=result.outcome, fetched_at=now)
    records_changed(Source, [source.pk])  # the source page shows the outcome
    source.fetch_outcome, source.fetched_at = result.outcome, now
    if result.outcome == FetchOutcome.OK:
        _fill_in(source, snapshot)
    return snapshot


def _snapshot_columns(result: FetchResult) -> dict:
    """Return a fetch result as snapshot columns: texts cut to their columns' lengths, and
    without the characters a database refuses."""
    return {
        "requested_url": _storable(result.requested_url),
        "final_url": _storable(result.final_url)[:2000],
        "http_status": result.http_status,
        "content_type": _storable(result.content_type)[:100],
        "byte_size": result.byte_size,
        "truncated": result.truncated,
        "sha256": result.sha256,
        "outcome": result.outcome,
        "detail": _storable(result.detail)[:500],
        "title": _storable(result.extracted.title)[:500],
        "authors": _storable("; ".join(result.extracted.authors))[:500],
        "published_on": result.extracted.published,
        "text": _storable(result.extracted.text),
    }


def _storable(text: str) -> str:
    return UNSTORABLE_CHARACTERS.sub("", text)


def _same_as(snapshot: Snapshot, columns: dict) -> bool:
    return all(
        getattr(snapshot, name) == columns[name]
        for name in ("outcome", "sha256", "http_status", "final_url")
    )


def _fill_in(source: Source, snapshot: Snapshot) -> None:
    """Give a source the fetched title, date and authors it lacks; never overwrite."""
    changes = {}
    if not source.title and snapshot.title:
        changes["title"] = snapshot.title
    if source.published_on is None and snapshot.published_on is not None:
        changes["published_on"] = snapshot.published_on
        changes["published_precision"] = DatePrecision.DAY
    authors = [name for name in snapshot.authors.split("; ") if name]
    add_authors = authors and not SourceAuthor.objects.filter(source=source).exists()
    if not changes and not add_authors:
        return
    when = timezone.localtime(snapshot.fetched_at).strftime("%Y-%m-%d %H:%M")
    with history_context(reason=f"Filled in from the snapshot of {when}"):
        if changes:
            instance_fields_update(source, changes)
        if add_authors:
            source_authors_set(source=source, names=authors)


def sources_due_for_fetch(*, stale_days: int | None = None, limit: int | None = None) -> QuerySet:
    """Sources never fetched, or (with `stale_days`) last fetched longer ago; oldest first."""
    due = Q(fetched_at__isnull=True)
    if stale_days is not None:
        due |= Q(fetched_at__lt=timezone.now() - timedelta(days=stale_days))
    queryset = Source.objects.filter(due).order_by(F("fetched_at").asc(nulls_first=True), "id")
    return queryset[:limit] if limit is not None else queryset


def snapshot_preview(snapshot: Snapshot) -> dict:
    """What the source page shows of a snapshot: the start of its text and whether it goes on."""
    text = snapshot.text
    return {
        "text": text[:PREVIEW_CHARS],
        "truncated": len(text) > PREVIEW_CHARS,
        "total_kb": max(1, round(len(text.encode()) / 1024)),
    }
