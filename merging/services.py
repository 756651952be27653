"""Merging one source into another: the survivor takes the duplicate's citations, tags,
snapshots and rating records, the duplicate's ids keep leading to it, and both histories
say so. Sources are the lowest app, pages and ratings sit above it; a merge moves rows of
all three, so it lives above them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claims.tasks import source_claims_check_queue
from core.changes import records_changed
from core.history import bulk_update_tracked, history_context
from ratings.kinds import user_can_change_ratings
from ratings.models import DecisionOrigin, RatingDecision, RatingProposal, RatingReport
from ratings.services import rating_change_apply, rating_proposal_create
from sources.models import Snapshot, Source, SourceAlias
from sources.services import source_authors_set, source_key_points_set, source_update, tags_set
from wiki.models import Citation

MERGE_INTO_ITSELF = _("A source cannot be merged into itself.")
RATING_CHOICE_NEEDED = _(
    "Their ratings differ (%(survivor)s and %(duplicate)s): choose which one the merged "
    "source keeps."
)
NOT_A_MODERATOR_CHOICE = _(
    "Only a rating moderator can choose the duplicate's rating; the merge keeps the "
    "survivor's and proposes the other to the moderators."
)


class KeepRating:
    SURVIVOR = "survivor"
    DUPLICATE = "duplicate"


# Text fields the survivor takes from the duplicate when its own are empty.
FILLED_FIELDS = ("title", "abstract", "summary", "review", "doi", "arxiv_id", "isbn")
IDENTIFIERS = ("doi", "arxiv_id", "isbn")


@dataclass
class MergeResult:
    survivor: Source
    alias: SourceAlias  # the merged source's ids (alias.old_id), leading to the survivor
    citations_moved: int = 0
    citations_joined: int = 0  # pages citing both: one citation of the survivor remains
    snapshots_moved: int = 0
    rating_records_moved: int = 0
    filled: list[str] = field(default_factory=list)
    decision: RatingDecision | None = None
    proposal: RatingProposal | None = None


def merge_counts(survivor: Source, duplicate: Source) -> dict[str, dict[str, int]]:
    """What each of the two sources has that a merge moves: citations and snapshots."""
    return {
        source.pk: {
            "citations": Citation.objects.filter(source=source).count(),
            "snapshots": Snapshot.objects.filter(source=source).count(),
        }
        for source in (survivor, duplicate)
    }


def rating_label(level: int | None) -> str:
    return str(level) if level is not None else str(_("unrated"))


def ratings_differ(survivor: Source, duplicate: Source) -> bool:
    """Whether merging would lose a rating readers see: the duplicate is rated, and not as
    the survivor is."""
    theirs = duplicate.effective_credibility
    return theirs is not None and theirs != survivor.effective_credibility


def merge_rating_check(*, survivor: Source, duplicate: Source, user, keep_rating: str) -> None:
    """Refuse a merge whose rating question is not answered as the user may answer it."""
    if survivor.pk == duplicate.pk:
        raise ValidationError(MERGE_INTO_ITSELF, code="self_merge")
    if not ratings_differ(survivor, duplicate):
        return
    params = {
        "survivor": rating_label(survivor.effective_credibility),
        "duplicate": rating_label(duplicate.effective_credibility),
    }
    if not user_can_change_ratings(user, Source):
        if keep_rating == KeepRating.DUPLICATE:
            raise ValidationError(NOT_A_MODERATOR_CHOICE, code="not_a_moderator")
        return
    if keep_rating not in (KeepRating.SURVIVOR, KeepRating.DUPLICATE):
        raise ValidationError(RATING_CHOICE_NEEDED, code="rating_choice", params=params)


@transaction.atomic
def source_merge(
    *, survivor: Source, duplicate: Source, user, reason: str = "", keep_rating: str = ""
) -> MergeResult:
    """Merge `duplicate` into `survivor` and delete it; return what moved.

    When their ratings differ, a rating moderator chooses which stands (`keep_rating`,
    recorded as a rating decision); anyone else's merge keeps the survivor's and leaves a
    rating proposal with the duplicate's for the moderators.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError(MERGE_INTO_ITSELF, code="self_merge")
    survivor = Source.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Source.objects.select_for_update().get(pk=duplicate.pk)
    merge_rating_check(survivor=survivor, duplicate=duplicate, user=user, keep_rating=keep_rating)
    differ = ratings_differ(survivor, duplicate)
    reason = (reason or "").strip()
    into = f"source {duplicate.pk} “{duplicate}”"
    with history_context(reason=_join(f"Merged {into} into this one.", reason), user=user):
        result = MergeResult(survivor=survivor, alias=_alias(survivor, duplicate))
        result.citations_moved, result.citations_joined = _citations_move(survivor, duplicate)
        result.snapshots_moved = _rows_move(Snapshot, survivor, duplicate)
        result.rating_records_moved = sum(
            _rows_move(model, survivor, duplicate)
            for model in (RatingDecision, RatingProposal, RatingReport)
        )
        result.filled = _fill_from(survivor, duplicate)
        # The survivor's history notes the merge even when no field of its own changed.
        survivor.save()
    about = f"source {survivor.pk} “{survivor}”"
    with history_context(reason=_join(f"Merged into {about}.", reason), user=user):
        duplicate.delete()
    if differ:
        _rating_settle(result, duplicate, user, keep_rating, reason)
    # The duplicate's claim checks went with it; its markers now cite the survivor.
    source_claims_check_queue(survivor.pk)
    return result


def _join(what: str, reason: str) -> str:
    return f"{what} {reason}" if reason else what


def _alias(survivor: Source, duplicate: Source) -> SourceAlias:
    """The duplicate's ids (and those of sources merged into it) lead to the survivor."""
    SourceAlias.objects.filter(source=duplicate).update(source=survivor)
    # A source created again under an id merged away before (its URL added anew) is merged
    # anew: the old alias gives way to this one.
    SourceAlias.objects.filter(
        Q(old_id=duplicate.pk) | Q(old_stable_id=duplicate.stable_id)
    ).delete()
    alias = SourceAlias(
        old_id=duplicate.pk,
        old_stable_id=duplicate.stable_id,
        source=survivor,
        old_title=duplicate.title,
        old_url=duplicate.url,
    )
    alias.full_clean(exclude=["source"])
    alias.save()
    return alias


def _citations_move(survivor: Source, duplicate: Source) -> tuple[int, int]:
    """Each page citing the duplicate cites the survivor; a page citing both keeps its
    citation of the survivor. Return (moved, joined)."""
    citing_both = Citation.objects.filter(
        source=duplicate, page__in=Citation.objects.filter(source=survivor).values("page")
    )
    joined = citing_both.count()
    if joined:
        citing_both.delete()  # one history row per citation, with the merge's reason
    moving = list(Citation.objects.filter(source=duplicate))
    for citation in moving:
        citation.source = survivor
    bulk_update_tracked(moving, Citation, ["source"])
    return len(moving), joined


def _rows_move(model, survivor: Source, duplicate: Source) -> int:
    pks = list(model.objects.filter(source=duplicate).values_list("pk", flat=True))
    if pks:
        model.objects.filter(pk__in=pks).update(source=survivor)
        records_changed(model, pks)
    return len(pks)


def _fill_from(survivor: Source, duplicate: Source) -> list[str]:
    """What the survivor lacks and the duplicate has: empty fields, a date, a venue,
    authors, key points; every tag of both. Return the names of what was filled."""
    fills = {
        name: getattr(duplicate, name)
        for name in FILLED_FIELDS
        if not getattr(survivor, name) and getattr(duplicate, name)
    }
    if survivor.published_on is None and duplicate.published_on is not None:
        fills["published_on"] = duplicate.published_on
        fills["published_precision"] = duplicate.published_precision
    if (
        survivor.venue_id is None
        and duplicate.venue_id is not None
        and not ratings_differ(survivor, duplicate)
    ):
        fills["venue_id"] = duplicate.venue_id
    taken = [name for name in IDENTIFIERS if name in fills]
    if taken:
        # Identifiers are unique: the duplicate gives its up before the survivor takes them.
        Source.objects.filter(pk=duplicate.pk).update(**{name: "" for name in taken})
    filled = source_update(source=survivor, **fills)
    if not survivor.authors.exists() and duplicate.authors.exists():
        source_authors_set(source=survivor, names=[a.name for a in duplicate.authors.all()])
        filled.append("authors")
    if not survivor.key_points.exists() and duplicate.key_points.exists():
        points = [p.text for p in duplicate.key_points.all()]
        source_key_points_set(source=survivor, points=points)
        filled.append("key_points")
    theirs = [tag.name for tag in duplicate.tags.all()]
    if tags_set(instance=survivor, names=[tag.name for tag in survivor.tags.all()] + theirs):
        filled.append("tags")
    return filled


def _rating_settle(result: MergeResult, duplicate: Source, user, keep: str, reason: str):
    """A moderator's choice of the duplicate's rating is a rating decision; anyone else's
    merge leaves the question to the moderators as a proposal."""
    level = duplicate.effective_credibility
    survivor = result.survivor
    why = _join(
        f"Source {result.alias.old_id} “{duplicate}”, rated {level}, was merged into this one "
        f"(rated {rating_label(survivor.effective_credibility)}).",
        reason,
    )
    if user_can_change_ratings(user, Source):
        if keep == KeepRating.DUPLICATE:
            result.decision = rating_change_apply(
                target=survivor,
                values={"credibility_override": level},
                rationale=f"{why} Kept the merged source's rating.",
                user=user,
                origin=DecisionOrigin.DIRECT,
            )
        return
    result.proposal = rating_proposal_create(
        target=survivor,
        values={"credibility_override": level},
        rationale=f"{why} A moderator decides which rating stands.",
        user=user,
    )
