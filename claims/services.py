"""Checking a page's claims against its sources' snapshots, and a person's verdict on one.

A check reads the page's body for one claim per marker (`extraction.marker_claims`), each
cited source's latest good snapshot once (`SnapshotIndex`), and writes one `ClaimCheck`
per marker: rows whose claim, snapshot and findings are unchanged are left as they are,
so running it twice writes nothing the second time. A person's verdict is kept while the
claim's words and the snapshot checked stay the same, and cleared when either changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.changes import records_changed
from sources.models import FetchOutcome, Snapshot, Source
from sources.selectors import source_resolve_refs
from wiki.models import WikiPage

from .extraction import marker_claims
from .matching import ClaimMatch, SnapshotIndex
from .models import ClaimCheck, Verdict

# What a check writes from the machine's findings (the verdict fields are the person's).
FINDINGS = (
    "claim",
    "claim_kind",
    "snapshot_id",
    "outcome",
    "score",
    "passage",
    "passage_start",
    "passage_end",
    "numbers_missing",
    "quotes_missing",
)
VERDICT_FIELDS = ("verdict", "verdict_note", "verdict_by", "verdict_at")
# The markers of one source on one page that are checked (`occurrence` is a small integer).
MAX_OCCURRENCE = 32767


def verdict_clear(check: ClaimCheck) -> None:
    check.verdict, check.verdict_note, check.verdict_by, check.verdict_at = "", "", None, None


@dataclass(frozen=True)
class CheckRun:
    """What one page's check did."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    verdicts_cleared: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def snapshots_latest_good(source_ids) -> dict[str, Snapshot]:
    """Each source's latest good snapshot, text included: two queries whatever the count
    (the ids first, so only the chosen snapshots' texts are read)."""
    latest: dict[str, int] = {}
    rows = (
        Snapshot.objects.filter(source_id__in=set(source_ids), outcome=FetchOutcome.OK)
        .order_by("source_id", "-fetched_at", "-pk")
        .values_list("source_id", "pk")
    )
    for source_id, pk in rows:
        latest.setdefault(source_id, pk)
    snapshots = Snapshot.objects.filter(pk__in=latest.values())
    return {snapshot.source_id: snapshot for snapshot in snapshots}


def _findings(match: ClaimMatch, snapshot: Snapshot | None) -> dict:
    passage = match.passage
    return {
        "snapshot_id": snapshot.pk if snapshot is not None else None,
        "outcome": match.outcome,
        "score": round(min(max(match.score, 0.0), 100.0), 1),
        "passage": passage.text if passage else "",
        "passage_start": passage.start if passage else None,
        "passage_end": passage.end if passage else None,
        "numbers_missing": match.numbers_missing,
        "quotes_missing": match.quotes_missing,
    }


@transaction.atomic
def page_claims_check(page: WikiPage) -> CheckRun:
    """Check every marker's claim on a page; write only what changed."""
    claims = marker_claims(page.body)
    resolved = source_resolve_refs(claim.ref for claim in claims)
    snapshots = snapshots_latest_good(source.pk for source in resolved.values())
    indexes = {source_id: SnapshotIndex(s.text) for source_id, s in snapshots.items()}
    empty = SnapshotIndex("")

    wanted: dict[tuple[str, int], dict] = {}
    occurrences: dict[str, int] = defaultdict(int)
    for claim in claims:
        source = resolved.get(claim.ref)
        if source is None:
            continue  # a marker naming no source: the editors' broken-reference list has it
        occurrences[source.pk] += 1
        if occurrences[source.pk] > MAX_OCCURRENCE:
            continue  # past what the column holds: a hostile body, not a page
        snapshot = snapshots.get(source.pk)
        match = indexes.get(source.pk, empty).match(claim.text)
        wanted[(source.pk, occurrences[source.pk])] = {
            "claim": claim.text,
            "claim_kind": claim.kind,
            **_findings(match, snapshot),
        }

    stored = {(c.source_id, c.occurrence): c for c in ClaimCheck.objects.filter(page=page)}
    now = timezone.now()
    new, changed, cleared = [], [], 0
    for key, findings in wanted.items():
        check = stored.get(key)
        if check is None:
            new.append(
                ClaimCheck(
                    page=page, source_id=key[0], occurrence=key[1], checked_at=now, **findings
                )
            )
            continue
        if all(getattr(check, name) == findings[name] for name in FINDINGS):
            continue
        if check.verdict and (
            check.claim != findings["claim"] or check.snapshot_id != findings["snapshot_id"]
        ):
            verdict_clear(check)
            cleared += 1
        for name, value in findings.items():
            setattr(check, name, value)
        check.checked_at = now
        changed.append(check)
    gone = [check.pk for key, check in stored.items() if key not in wanted]

    ClaimCheck.objects.filter(pk__in=gone).delete()
    ClaimCheck.objects.bulk_create(new)
    ClaimCheck.objects.bulk_update(changed, [*FINDINGS, "checked_at", *VERDICT_FIELDS])
    if new or changed or gone:
        records_changed(ClaimCheck, [c.pk for c in new + changed] + gone)
        records_changed(WikiPage, [page.pk])  # the page shows its checks
    return CheckRun(len(new), len(changed), len(gone), cleared)


def pages_citing(source: Source):
    """The pages whose checks a change to this source's snapshots concerns."""
    return WikiPage.objects.filter(citations__source=source).distinct()


VERDICT_NEEDS_NOTE = "Say why, in a note, when a claim is not supported."
VERDICT_NEEDS_PASSAGE = "There is no passage to confirm: choose supported or not supported."


def claim_check_verdict_problem(*, check: ClaimCheck, verdict: str, note: str) -> str:
    """What is wrong with this verdict, or "" (the admin's form asks the same)."""
    if verdict and verdict not in Verdict.values:
        return f"{verdict!r} is not a verdict; the verdicts are: {', '.join(Verdict.values)}."
    if verdict == Verdict.NOT_SUPPORTED and not note.strip():
        return VERDICT_NEEDS_NOTE
    if verdict == Verdict.CONFIRMED and not check.passage:
        return VERDICT_NEEDS_PASSAGE
    return ""


@transaction.atomic
def claim_check_verdict_set(*, check: ClaimCheck, verdict: str, note: str, user) -> ClaimCheck:
    """Record a person's verdict (an empty verdict withdraws it). Refuses, saying why, a
    "not supported" without a note and a confirmation of a passage that is not there."""
    note = note.strip()
    problem = claim_check_verdict_problem(check=check, verdict=verdict, note=note)
    if problem:
        raise ValueError(problem)
    check.verdict = verdict
    check.verdict_note = note if verdict else ""
    check.verdict_by = user if verdict else None
    check.verdict_at = timezone.now() if verdict else None
    check.save(update_fields=list(VERDICT_FIELDS))
    records_changed(WikiPage, [check.page_id])
    return check
