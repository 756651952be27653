"""Claim checks stored per marker: outcomes, idempotence, a person's verdict and its reset,
the tasks a body or snapshot change queues, the command, and what readers see."""

import re
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from claims import services, tasks
from claims.extraction import body_claims, marker_claims
from claims.matching import Outcome
from claims.models import ClaimCheck, Verdict
from claims.services import (
    VERDICT_NEEDS_NOTE,
    VERDICT_NEEDS_PASSAGE,
    claim_check_verdict_set,
    page_claims_check,
)
from merging.services import source_merge
from sources.models import FetchOutcome, Snapshot
from tests.factories import SourceFactory, VenueFactory
from wiki.markup import RenderContext, body_render
from wiki.services import wiki_page_create, wiki_page_update

pytestmark = pytest.mark.django_db

REPORT = """Compute governance overview

The report finds that training runs above a set threshold of operations should be reported to regulators before they begin. It argues that chip export controls slowed the spread of advanced accelerators by roughly two years.

Separately, the authors surveyed 58% of the largest laboratories and found that most lacked incident reporting processes. "Reporting thresholds must be set in advance," the authors wrote.
"""  # noqa: E501
SUPPORTED = (
    "The authors surveyed 58% of the largest laboratories and found that most lacked "
    "incident reporting processes."
)
WRONG_NUMBER = SUPPORTED.replace("58%", "72%")
UNRELATED = "Penguins migrate across the Antarctic ice each winter."


def snapshot(source, text=REPORT, outcome=FetchOutcome.OK):
    return Snapshot.objects.create(
        source=source, requested_url=source.url, outcome=outcome, text=text
    )


@pytest.fixture
def report():
    source = SourceFactory(title="Compute report", venue=VenueFactory())
    snapshot(source)
    return source


def page_with(body: str, slug="p"):
    return wiki_page_create(slug=slug, title="Page", body=body)


def checks_of(page):
    return list(ClaimCheck.objects.filter(page=page).order_by("source_id", "occurrence"))


# --- which claim each marker makes --------------------------------------------------------


def test_a_footnote_called_twice_is_one_marker_for_readers_and_two_claims_for_checking():
    body = "First call.[^n] Second call.[^n]\n\n[^n]: Note [[cite:a]]."

    assert [c.text for c in body_claims(body)] == ["First call.", "Second call."]
    assert [c.text for c in marker_claims(body)] == ["First call."]


def test_each_marker_the_reader_sees_has_one_claim_in_the_same_order():
    body = (
        "# Heading [[cite:a]]\n\n"
        "A sentence.[[cite:a]] Another one [[cite:b|with text]].\n\n"
        "- an item [[cite:a]]\n- `[[cite:a]]` in code\n\n"
        "| claim | source |\n|---|---|\n| a cell | [[cite:b]] |\n\n"
        "```\n[[cite:a]]\n```\n\n"
        "Called.[^n] Called again.[^n]\n\n[^n]: In a note [[cite:a]] and [[cite:b]]."
    )
    context = RenderContext(citations={"a": (1, "A"), "b": (2, "B")})
    html = body_render(body, context)
    rendered = re.findall(r'id="cite-(\d)-(\d)"', html)
    claims = marker_claims(body)

    for number, ref in ((1, "a"), (2, "b")):
        shown = [count for n, count in rendered if n == str(number)]
        assert len(shown) == sum(claim.ref == ref for claim in claims)


# --- outcomes, stored ---------------------------------------------------------------------


def test_each_outcome_is_stored_per_marker(report):
    unfetched = SourceFactory(title="Never fetched")
    page = page_with(
        f"{SUPPORTED}[[cite:{report.id}]] {UNRELATED}[[cite:{report.id}]] "
        f"{WRONG_NUMBER}[[cite:{report.id}]] Something else.[[cite:{unfetched.id}]]"
    )
    run = page_claims_check(page)

    by_key = {(c.source_id, c.occurrence): c for c in checks_of(page)}
    assert run.created == 4
    supported = by_key[(report.id, 1)]
    assert supported.outcome == Outcome.SUPPORTED
    assert supported.claim == SUPPORTED
    assert "surveyed 58%" in supported.passage
    assert REPORT[supported.passage_start : supported.passage_end] == supported.passage
    assert supported.snapshot == report.snapshots.get()
    assert by_key[(report.id, 2)].outcome == Outcome.NOT_FOUND
    assert by_key[(report.id, 2)].passage == ""
    assert by_key[(report.id, 3)].numbers_missing == ["72%"]
    assert by_key[(unfetched.id, 1)].outcome == Outcome.UNCHECKED
    assert by_key[(unfetched.id, 1)].snapshot is None


def test_the_latest_good_snapshot_is_the_one_checked(report):
    old = report.snapshots.get()
    newer = snapshot(report, text="Weather report: rain expected on the coast tomorrow morning.")
    snapshot(report, text="", outcome=FetchOutcome.DEAD)  # a later failed fetch is no text
    page = page_with(f"{SUPPORTED}[[cite:{report.id}]]")
    page_claims_check(page)

    (check,) = checks_of(page)
    assert check.snapshot == newer != old
    assert check.outcome == Outcome.NOT_FOUND


def test_a_second_run_writes_nothing(report):
    page = page_with(f"{SUPPORTED}[[cite:{report.id}]] {UNRELATED}[[cite:{report.id}]]")
    page_claims_check(page)
    before = [(c.pk, c.checked_at) for c in checks_of(page)]

    run = page_claims_check(page)

    assert not run.changed
    assert [(c.pk, c.checked_at) for c in checks_of(page)] == before


def test_markers_removed_take_their_checks_with_them(report):
    page = page_with(f"{SUPPORTED}[[cite:{report.id}]] {UNRELATED}[[cite:{report.id}]]")
    page_claims_check(page)
    wiki_page_update(page=page, body=f"{SUPPORTED}[[cite:{report.id}]]")

    run = page_claims_check(page)

    assert run.deleted == 1
    assert [c.occurrence for c in checks_of(page)] == [1]


# --- a person's verdict -----------------------------------------------------------------


def test_a_persons_verdict_is_kept_while_claim_and_snapshot_stay(report, editor):
    page = page_with(f"{UNRELATED}[[cite:{report.id}]]\n\nAnother paragraph.")
    page_claims_check(page)
    (check,) = checks_of(page)
    claim_check_verdict_set(
        check=check, verdict=Verdict.NOT_SUPPORTED, note="Says nothing of penguins.", user=editor
    )

    wiki_page_update(page=page, body=f"{UNRELATED}[[cite:{report.id}]]\n\nA paragraph changed.")
    page_claims_check(page)

    (check,) = checks_of(page)
    assert check.verdict == Verdict.NOT_SUPPORTED
    assert check.verdict_note == "Says nothing of penguins."
    assert check.verdict_by == editor
    assert check.state == "not_supported"


def test_a_persons_verdict_is_cleared_when_the_claim_changes(report, editor):
    page = page_with(f"{UNRELATED}[[cite:{report.id}]]")
    page_claims_check(page)
    (check,) = checks_of(page)
    claim_check_verdict_set(check=check, verdict=Verdict.SUPPORTED, note="", user=editor)

    wiki_page_update(page=page, body=f"{SUPPORTED}[[cite:{report.id}]]")
    run = page_claims_check(page)

    (check,) = checks_of(page)
    assert run.verdicts_cleared == 1
    assert (check.verdict, check.verdict_note, check.verdict_by, check.verdict_at) == (
        "",
        "",
        None,
        None,
    )
    assert check.state == Outcome.SUPPORTED


def test_a_persons_verdict_is_cleared_when_a_new_snapshot_is_checked(report, editor):
    page = page_with(f"{SUPPORTED}[[cite:{report.id}]]")
    page_claims_check(page)
    (check,) = checks_of(page)
    claim_check_verdict_set(check=check, verdict=Verdict.CONFIRMED, note="", user=editor)

    snapshot(report, text=REPORT + "\nA later paragraph.")
    page_claims_check(page)

    (check,) = checks_of(page)
    assert check.verdict == ""


@pytest.mark.parametrize(
    "verdict, note, message",
    [
        (Verdict.NOT_SUPPORTED, "  ", VERDICT_NEEDS_NOTE),
        (Verdict.CONFIRMED, "", VERDICT_NEEDS_PASSAGE),
        ("maybe", "", "'maybe' is not a verdict"),
    ],
)
def test_a_verdict_that_cannot_stand_is_refused_saying_why(report, editor, verdict, note, message):
    page = page_with(f"{UNRELATED}[[cite:{report.id}]]")  # not found: no passage to confirm
    page_claims_check(page)
    (check,) = checks_of(page)

    with pytest.raises(ValueError, match=re.escape(message)):
        claim_check_verdict_set(check=check, verdict=verdict, note=note, user=editor)
    check.refresh_from_db()
    assert check.verdict == ""


# --- when checks run --------------------------------------------------------------------


def test_a_body_change_queues_a_check_that_runs_on_commit(
    report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = page_with(f"{SUPPORTED}[[cite:{report.id}]]")
    assert [c.outcome for c in checks_of(page)] == [Outcome.SUPPORTED]

    with django_capture_on_commit_callbacks(execute=True):
        wiki_page_update(page=page, body=f"{UNRELATED}[[cite:{report.id}]]")
    assert [c.outcome for c in checks_of(page)] == [Outcome.NOT_FOUND]


def test_a_save_that_leaves_the_body_queues_nothing(report, django_capture_on_commit_callbacks):
    page = page_with(f"{SUPPORTED}[[cite:{report.id}]]")
    with (
        mock.patch.object(tasks, "page_claims_check_task") as task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        wiki_page_update(page=page, title="A new title")
        page.refresh_from_db()
        page.save()
    task.enqueue.assert_not_called()


def test_a_new_good_snapshot_checks_the_citing_pages_again(
    report, django_capture_on_commit_callbacks
):
    page = page_with(f"{UNRELATED}[[cite:{report.id}]]")
    page_claims_check(page)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        snapshot(report, text=REPORT + "\nPenguins migrate across the Antarctic ice each winter.")
    assert len(callbacks) == 1
    assert [c.outcome for c in checks_of(page)] == [Outcome.SUPPORTED]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        snapshot(report, text="", outcome=FetchOutcome.DEAD)
    assert callbacks == []  # a failed fetch leaves the latest good snapshot as it was


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
)
def test_a_page_save_only_queues_the_check_for_a_worker(report, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    big = REPORT + ("Filler text about other matters entirely. " * 25_000)  # about 1 MB
    snapshot(report, text=big)
    with django_capture_on_commit_callbacks(execute=True):
        page = page_with(f"{SUPPORTED}[[cite:{report.id}]]")

    assert checks_of(page) == []
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [page.pk]


@override_settings(CREDENCE_CLAIM_CHECKS_ON_SAVE=False)
def test_checks_on_save_can_be_turned_off(report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page_with(f"{SUPPORTED}[[cite:{report.id}]]")
    assert callbacks == []


def test_the_command_checks_every_page_and_again_changes_nothing(report):
    page_with(f"{SUPPORTED}[[cite:{report.id}]]", slug="one")
    page_with(f"{UNRELATED}[[cite:{report.id}]]", slug="two")
    out = StringIO()

    call_command("check_claims", stdout=out, stderr=StringIO())
    assert "Checked 2 page(s): 2 check(s) new" in out.getvalue()
    assert "1 not_found, 1 supported" in out.getvalue()

    out = StringIO()
    call_command("check_claims", "one", stdout=out, stderr=StringIO())
    assert "Checked 1 page(s): 0 check(s) new, 0 changed, 0 removed" in out.getvalue()


def test_the_command_names_a_slug_with_no_page(report):
    page_with("x", slug="one")
    with pytest.raises(CommandError, match="No page has the slug\\(s\\): nope"):
        call_command("check_claims", "one", "nope", stdout=StringIO(), stderr=StringIO())


def test_a_merge_checks_the_pages_citing_the_duplicate_against_the_survivor(
    report, editor, django_capture_on_commit_callbacks
):
    duplicate = SourceFactory(title="Same report, other address", venue=report.venue)
    page = page_with(f"{SUPPORTED}[[cite:{duplicate.id}]]")
    page_claims_check(page)
    assert [c.outcome for c in checks_of(page)] == [Outcome.UNCHECKED]

    with django_capture_on_commit_callbacks(execute=True):
        source_merge(survivor=report, duplicate=duplicate, user=editor)

    (check,) = checks_of(page)
    assert (check.source_id, check.outcome) == (report.id, Outcome.SUPPORTED)


def test_markers_past_what_the_column_holds_are_not_checked(report, monkeypatch):
    monkeypatch.setattr(services, "MAX_OCCURRENCE", 2)
    page = page_with(" ".join(f"Claim {n}.[[cite:{report.id}]]" for n in range(4)))

    run = page_claims_check(page)

    assert run.created == 2
    assert [c.occurrence for c in checks_of(page)] == [1, 2]
