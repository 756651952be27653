"""The move of the rating models from wiki to ratings (ratings 0001, wiki 0014), on a
database holding the imported corpus with proposals, decisions and reports: every row
stays, content types (with their permissions, group grants and admin log) are relabelled,
and it reverses.

The rows are written by today's code on the database as it was before the move, so the
admin log entry makes a content type under the new label first: the migration folds it in.
"""

from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from interchange.longterm_wiki.importer import longterm_wiki_import
from ratings.models import RatingDecision, RatingProposal, RatingReport, ReportStatus
from ratings.services import (
    rating_proposal_approve,
    rating_proposal_create,
    rating_report_close,
    rating_report_create,
)
from sources.models import EDITORS_GROUP, Source, Venue
from tests.conftest import require
from tests.interchange.test_corpus import CORPUS
from tests.test_data_safety import checksums
from wiki.models import WikiPage

pytestmark = [pytest.mark.corpus, pytest.mark.django_db(transaction=True)]

MOVED = ("ratingproposal", "ratingdecision", "ratingreport", "historicalratingproposal")


def _content_types() -> set[tuple[str, int, str]]:
    """The moved models' content types: (model, id, app label)."""
    ContentType.objects.clear_cache()
    return set(ContentType.objects.filter(model__in=MOVED).values_list("model", "pk", "app_label"))


def _labelled(types, label: str) -> set[tuple[str, int, str]]:
    return {(model, pk, label) for model, pk, was in types if was == "wiki"}


def _grants() -> set[tuple[str, int, str]]:
    return set(
        Group.objects.filter(permissions__content_type__model__in=MOVED).values_list(
            "name", "permissions__pk", "permissions__codename"
        )
    )


def _moderation_on_the_corpus(admin_user, moderator, editor) -> None:
    """Proposals pending and decided, reports open and closed, and an admin log entry."""
    page = WikiPage.objects.order_by("slug").first()
    source = Source.objects.order_by("pk").first()
    venue = Venue.objects.filter(credibility__isnull=False).order_by("slug").first()
    waiting = rating_proposal_create(
        target=page, values={"quality": 12}, rationale="Thin on evidence.", user=editor
    )
    approved = rating_proposal_create(
        target=source,
        values={"credibility_override": 2},
        rationale="A retracted paper.",
        user=editor,
    )
    rating_proposal_approve(proposal=approved, user=moderator)
    rating_report_create(target=venue, what="Too high", why="Two corrections this year.")
    closed = rating_report_create(target=page, what="Too low", why="Well sourced.")
    rating_report_close(report=closed, user=moderator, status=ReportStatus.DISMISSED)
    LogEntry.objects.log_actions(
        user_id=admin_user.pk, queryset=[waiting], action_flag=CHANGE, change_message="Seen."
    )


def test_the_move_keeps_every_row_and_reverses(admin_user, moderator, editor):
    require(CORPUS.is_dir(), f"the migration test needs {CORPUS} (set CREDENCE_CORPUS)")
    # The database as it was before the move: the rating models still the wiki's.
    call_command("migrate", "ratings", "zero", verbosity=0)
    assert {label for _model, _pk, label in _content_types()} == {"wiki"}
    longterm_wiki_import(CORPUS)
    _moderation_on_the_corpus(admin_user, moderator, editor)
    assert RatingDecision.objects.filter(origin="import").exists()
    assert RatingProposal.objects.count() == 2 and RatingReport.objects.count() == 2
    rows, types, grants = checksums(), _content_types(), _grants()
    assert any(name == EDITORS_GROUP for name, _pk, _codename in grants)

    call_command("migrate", verbosity=0, stdout=StringIO())

    assert checksums() == rows
    # The wiki's content types, renamed; the one today's code made for its log entry, folded in.
    assert _content_types() == _labelled(types, "ratings")
    assert _grants() == grants
    editor = type(editor).objects.get(pk=editor.pk)  # no permissions cached from before
    assert editor.has_perm("ratings.add_ratingproposal"), sorted(editor.get_all_permissions())
    assert LogEntry.objects.get().get_edited_object() == RatingProposal.objects.get(
        status="pending"
    )

    call_command("migrate", "ratings", "zero", verbosity=0)

    assert checksums() == rows
    assert _content_types() == _labelled(types, "wiki")
    assert _grants() == grants
    assert LogEntry.objects.get().content_type.app_label == "wiki"
