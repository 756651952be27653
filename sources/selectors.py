"""Reads over venues and sources that the admin, views, importer and commands share."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils import timezone

from core.selectors import count_per_row, ordering_of

from .domains import VenueMatcher
from .duplicates import arxiv_key, doi_key
from .models import (
    FetchOutcome,
    Snapshot,
    Source,
    SourceAlias,
    Venue,
    VenueDomain,
    source_id_for_url,
    stable_id_normalize,
)

# Pages' citations of sources, kept by the wiki app (above this one): named, not imported.
CITATION = "wiki.Citation"


@dataclass
class DuplicateGroup:
    """Sources that may be one document, by the key they share."""

    key: str
    sources: list[Source]


def venue_matcher_build() -> VenueMatcher:
    """Return a matcher over every venue domain, for matching many URLs in one query."""
    return VenueMatcher(VenueDomain.objects.values_list("domain", "venue_id"))


def venue_for_url(url: str) -> Venue | None:
    """Return the venue a URL belongs to by its domain, or None."""
    return Venue.objects.for_url(url)


def source_list_annotated(queryset: QuerySet[Source] | None = None) -> QuerySet[Source]:
    """Return sources with their venue and cited-by count, in one query (the effective
    credibility is stored on each source)."""
    queryset = Source.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("venue")
        .annotate(cited_by_count=count_per_row(CITATION, "source"))
        .order_by(*ordering_of(queryset))
    )


def sources_with_wrong_effective_credibility(
    queryset: QuerySet[Source] | None = None,
) -> QuerySet[Source]:
    """Return the sources whose stored effective credibility is not the one computed from
    their override and their venue's rating (none, while every write keeps it in step)."""
    queryset = Source.objects.all() if queryset is None else queryset
    computed = F("computed_credibility")
    return queryset.with_computed_credibility().filter(
        Q(effective_credibility__isnull=True, computed_credibility__isnull=False)
        | Q(effective_credibility__isnull=False, computed_credibility__isnull=True)
        | Q(effective_credibility__lt=computed)
        | Q(effective_credibility__gt=computed)
    )


def venue_list_annotated(queryset: QuerySet[Venue] | None = None) -> QuerySet[Venue]:
    """Return venues with their source count, the number of pages citing their sources,
    and whether their rating is due for review."""
    queryset = Venue.objects.all() if queryset is None else queryset
    return _with_review_state(
        queryset.annotate(
            source_count=count_per_row(Source, "venue"),
            citing_page_count=count_per_row(CITATION, "source__venue", "page", distinct=True),
        )
    ).order_by(*ordering_of(queryset))


def _with_review_state(queryset: QuerySet[Venue]) -> QuerySet[Venue]:
    return queryset.annotate(
        review_due=ExpressionWrapper(review_due_condition(), output_field=BooleanField()),
        review_missing=ExpressionWrapper(review_missing_condition(), output_field=BooleanField()),
    )


def months_before(day: date, months: int) -> date:
    """Return the same day `months` earlier (the month's last day where it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def review_cutoff(*, half: bool = False) -> date:
    """Return the date before which a venue's last review is too old (with `half`, the
    middle of the review period)."""
    months = settings.CREDENCE_REVIEW_AFTER_MONTHS
    return months_before(timezone.localdate(), months // 2 if half else months)


def review_due_condition() -> Q:
    """Return the condition for a rated venue whose last review here is too old."""
    return Q(credibility__isnull=False, credibility_reviewed_on__lt=review_cutoff())


def review_missing_condition() -> Q:
    """Return the condition for a rated venue never reviewed here (a rating imported with
    no review date): not overdue, but not vouched for by a review either."""
    return Q(credibility__isnull=False, credibility_reviewed_on__isnull=True)


def venues_due_for_review() -> QuerySet[Venue]:
    """Return the rated venues overdue for review, longest overdue first."""
    return Venue.objects.filter(review_due_condition()).order_by("credibility_reviewed_on", "name")


def venues_not_yet_reviewed() -> QuerySet[Venue]:
    """Return the rated venues never reviewed here, by name."""
    return Venue.objects.filter(review_missing_condition()).order_by("name")


def source_resolve_refs(refs: Iterable[str]) -> dict[str, Source]:
    """Map each reference (a 16-hex id, or a stable id bare or prefixed) to its source."""
    refs = set(refs)
    if not refs:
        return {}
    by_stable_id = {stable_id_normalize(ref): ref for ref in refs}
    found = {}
    matches = Source.objects.filter(Q(id__in=refs) | Q(stable_id__in=by_stable_id))
    for source in matches.select_related("venue"):
        if source.id in refs:
            found[source.id] = source
        if source.stable_id in by_stable_id:
            found[by_stable_id[source.stable_id]] = source
    missing = refs - set(found)
    if missing:
        # A source merged into another: its ids cite the one that stands.
        old_stable = {stable_id_normalize(ref): ref for ref in missing}
        aliases = SourceAlias.objects.filter(
            Q(old_id__in=missing) | Q(old_stable_id__in=old_stable)
        ).select_related("source__venue")
        for alias in aliases:
            for ref in (alias.old_id, old_stable.get(alias.old_stable_id)):
                if ref in missing:
                    found[ref] = alias.source
    return found


def source_detail(source_id: str) -> Source:
    """Return one source with everything its page shows, or raise Source.DoesNotExist.

    Its publishers' notices (`notice_list`) are read only when it has a notice status:
    a source has notices exactly then, and most have none."""
    source = (
        source_list_annotated(Source.objects.filter(pk=source_id))
        .prefetch_related("authors", "key_points", "tags")
        .get()
    )
    source.notice_list = list(source.notices.all()) if source.notice_status else []
    return source


def source_for_stable_id(value: str) -> Source | None:
    """Return the source with this stable id (bare or prefixed), or None."""
    return Source.objects.by_stable_id(value).only("id").first()


def source_redirect_target(ref: str) -> Source | None:
    """Return the source a reference that is not a source's id leads to (its stable id,
    or an id of a source merged into it), or None."""
    by_stable_id = source_for_stable_id(ref)
    if by_stable_id is not None:
        return by_stable_id
    alias = (
        SourceAlias.objects.filter(Q(old_id=ref) | Q(old_stable_id=stable_id_normalize(ref)))
        .select_related("source")
        .first()
    )
    return alias.source if alias else None


def possible_duplicate_keys() -> list[str]:
    """The keys of groups of sources that may be one document, in order: URLs with the
    same key (sources/duplicates.py), and a DOI or arXiv address of another source's
    identifier. Grouped in the database, over the indexed key."""
    shared = (
        Source.objects.values("url_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("url_key", flat=True)
    )
    keys = set(shared)
    for field, prefix in (("doi", "doi:"), ("arxiv_id", "arxiv:")):
        identifier_keys = (
            Source.objects.exclude(**{field: ""})
            .annotate(key=Concat(Value(prefix), field, output_field=CharField()))
            .values("key")
        )
        keys.update(
            Source.objects.filter(
                url_key__startswith=prefix, url_key__in=identifier_keys
            ).values_list("url_key", flat=True)
        )
    return sorted(keys)


def possible_duplicate_groups(keys: Sequence[str]) -> list[DuplicateGroup]:
    """The sources under each key, oldest first, with their venues and citation counts:
    one query, however many groups."""
    keys = list(keys)
    dois = [key.removeprefix("doi:") for key in keys if key.startswith("doi:")]
    arxiv_ids = [key.removeprefix("arxiv:") for key in keys if key.startswith("arxiv:")]
    members = (
        Source.objects.filter(Q(url_key__in=keys) | Q(doi__in=dois) | Q(arxiv_id__in=arxiv_ids))
        .select_related("venue")
        .annotate(citation_count=count_per_row(CITATION, "source"))
        .order_by("created_at", "pk")
    )
    groups = {key: DuplicateGroup(key=key, sources=[]) for key in keys}
    for source in members:
        for key in {source.url_key, doi_key(source.doi), arxiv_key(source.arxiv_id)}:
            if key in groups:
                groups[key].sources.append(source)
    return [group for group in groups.values() if len(group.sources) > 1]


def venue_detail(slug: str) -> Venue:
    """Return one venue with its review state and domains, or raise Venue.DoesNotExist.

    Not its counts: its page counts its sources and citing pages as it lists them, no
    further than the lists' cap, where counting all of a big venue's would grow with it.
    """
    return _with_review_state(Venue.objects.filter(slug=slug)).prefetch_related("domains").get()


def snapshot_shown(source: Source) -> tuple[Snapshot | None, Snapshot | None]:
    """Return (latest snapshot, latest snapshot with text): the preview shows the second,
    with the first's outcome when that fetch failed."""
    latest = source.snapshots.first()
    if latest is None or latest.outcome == FetchOutcome.OK:
        return latest, latest
    return latest, source.snapshots.filter(outcome=FetchOutcome.OK).first()


@dataclass(frozen=True)
class TextParts:
    before: str
    marked: str
    after: str


def snapshot_text_parts(text: str, start: str | None, end: str | None) -> TextParts | None:
    """The text cut around the passage from `start` to `end` (character offsets, as a claim
    check stores them); None when either is missing or not a span of this text."""
    try:
        first, last = int(start or ""), int(end or "")
    except ValueError:
        return None
    if not 0 <= first < last <= len(text):
        return None
    return TextParts(text[:first], text[first:last], text[last:])


def source_snapshots(source: Source) -> QuerySet[Snapshot]:
    """A source's snapshots, newest first, without their text (a list of dates)."""
    return source.snapshots.defer("text")


PICK_LIMIT = 20
PICK_QUERY_MAX = 200


def source_pick(text: str, *, limit: int = PICK_LIMIT) -> list[Source]:
    """Sources an editor may mean by `text` (the citation picker): by id or stable id, by
    URL, or by words of the title or the venue's name; titled ones first."""
    text = " ".join(text.split())[:PICK_QUERY_MAX]
    if not text:
        return []
    condition = Q(id=text) | Q(stable_id=stable_id_normalize(text)) | Q(url__icontains=text)
    words = Q()
    for word in text.split():
        words &= Q(title__icontains=word) | Q(venue__name__icontains=word)
    matches = Source.objects.filter(condition | words).select_related("venue")
    untitled_last = Case(When(title="", then=Value(1)), default=Value(0))
    return list(matches.order_by(untitled_last, "title", "id")[:limit])


def source_for_url(url: str) -> Source | None:
    """Return the source stored with this URL (as typed or as its id), if any."""
    url = url.strip()
    return Source.objects.filter(Q(url=url) | Q(id=source_id_for_url(url))).first()
