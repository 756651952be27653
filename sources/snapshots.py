"""Snapshots of what a source's URL says: take them, store them, pick the ones due."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .fetching import FetchResult, fetch_url
from .history import history_context
from .models import DatePrecision, FetchOutcome, Snapshot, Source, SourceAuthor
from .page_cache import content_changed
from .services import instance_fields_update, source_authors_set

# What readers see of a snapshot's text on the source page.
PREVIEW_CHARS = 3000


def snapshot_take(*, source: Source) -> Snapshot:
    """Fetch a source's URL now and store what came back."""
    return snapshot_store(source=source, result=fetch_url(source.url))


@transaction.atomic
def snapshot_store(*, source: Source, result: FetchResult) -> Snapshot:
    """Store a fetch result: a new snapshot if outcome or content changed since the latest,
    else mark the latest as checked again. Then note the outcome on the source and fill in
    a missing title, date or authors from a good fetch."""
    now = timezone.now()
    latest = source.snapshots.select_for_update().first()
    if latest is not None and _same_as(latest, result):
        # Nothing new: only when it was seen again moves; content columns stay as written.
        Snapshot.objects.filter(pk=latest.pk).update(
            checked_at=now, check_count=F("check_count") + 1
        )
        latest.refresh_from_db(fields=["checked_at", "check_count"])
        snapshot = latest
    else:
        snapshot = Snapshot.objects.create(
            source=source,
            fetched_at=now,
            checked_at=now,
            requested_url=result.requested_url,
            final_url=result.final_url[:2000],
            http_status=result.http_status,
            content_type=result.content_type[:100],
            byte_size=result.byte_size,
            truncated=result.truncated,
            sha256=result.sha256,
            outcome=result.outcome,
            detail=result.detail[:500],
            title=result.extracted.title[:500],
            authors="; ".join(result.extracted.authors)[:500],
            published_on=result.extracted.published,
            text=result.extracted.text,
        )
    # A status column, not an editorial change: written without a history row.
    Source.objects.filter(pk=source.pk).update(fetch_outcome=result.outcome, fetched_at=now)
    source.fetch_outcome, source.fetched_at = result.outcome, now
    content_changed()  # the updates above send no signals; the source page shows them
    if result.outcome == FetchOutcome.OK:
        _fill_in(source, snapshot)
    return snapshot


def _same_as(snapshot: Snapshot, result: FetchResult) -> bool:
    return (
        snapshot.outcome == result.outcome
        and snapshot.sha256 == result.sha256
        and snapshot.http_status == result.http_status
        and snapshot.final_url == result.final_url[:2000]
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
