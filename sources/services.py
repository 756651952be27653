"""Writes to venues and sources: the admin, importer and commands all come through here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.changes import records_changed
from core.history import bulk_create_tracked
from core.models import PlainTextModel

from .domains import VenueMatcher, domain_normalize
from .models import (
    DatePrecision,
    Source,
    SourceAuthor,
    SourceKeyPoint,
    SourceType,
    Venue,
    VenueDomain,
    VenueType,
)
from .selectors import sources_with_wrong_effective_credibility


def validate(instance) -> None:
    """Validate a row before it is saved: fields, clean() and uniqueness.

    The check constraints are not run as queries here: each of them is mirrored by a field
    validator, a choice list or the model's clean(), which give the message, and the
    database enforces them on save regardless. Asking the database about every constraint
    of every row (14 on a page) made an import three times slower.
    """
    instance.full_clean(validate_constraints=False)


PARTIAL_DATE_INVALID = _(
    "%(value)r is not a date: use a year (2024), a month (2024-03) or a day (2024-03-15)."
)

_PARTIAL_DATE_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")


def partial_date_parse(value: str | date | None) -> tuple[date | None, str]:
    """Return (date, precision) for `2024`, `2024-03` or `2024-03-15`; empty gives (None, "")."""
    if value is None or value == "":
        return None, ""
    if isinstance(value, date):
        return value, DatePrecision.DAY
    text = str(value).strip()
    match = _PARTIAL_DATE_RE.match(text)
    if not match:
        raise ValidationError(PARTIAL_DATE_INVALID, code="invalid_date", params={"value": text})
    year = int(match["year"])
    month = int(match["month"] or 1)
    day = int(match["day"] or 1)
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise ValidationError(
            PARTIAL_DATE_INVALID, code="invalid_date", params={"value": text}
        ) from None
    if match["day"]:
        return parsed, DatePrecision.DAY
    if match["month"]:
        return parsed, DatePrecision.MONTH
    return parsed, DatePrecision.YEAR


@transaction.atomic
def venue_create(
    *,
    slug: str,
    name: str,
    type: str = VenueType.ORGANIZATION,
    description: str = "",
    website: str = "",
    peer_reviewed: bool = False,
    credibility: int | None = None,
    credibility_rationale: str = "",
    credibility_reviewed_on: date | None = None,
    domains: Sequence[str] = (),
) -> Venue:
    """Create a venue with its domains."""
    venue = Venue(
        slug=slug,
        name=name,
        type=type,
        description=description,
        website=website,
        peer_reviewed=peer_reviewed,
        credibility=credibility,
        credibility_rationale=credibility_rationale,
        credibility_reviewed_on=credibility_reviewed_on,
    )
    validate(venue)
    venue.save()
    venue_domains_set(venue=venue, domains=domains)
    return venue


@transaction.atomic
def venue_domains_set(*, venue: Venue, domains: Sequence[str]) -> list[VenueDomain]:
    """Replace a venue's domains by the given ones, in order."""
    venue.domains.all().delete()
    created = []
    for position, domain in enumerate(domains):
        row = VenueDomain(venue=venue, domain=domain, position=position)
        validate(row)
        row.save()
        created.append(row)
    return created


@transaction.atomic
def source_effective_credibility_refresh(
    *, venue: Venue | None = None, sources: QuerySet[Source] | None = None
) -> int:
    """Store the effective credibility again where it is wrong: among a venue's sources
    (its rating changed), among `sources` (written in bulk), or everywhere.

    One UPDATE writes them, and they are announced (`core.changes`); return how many.
    """
    queryset = Source.objects.all() if sources is None else sources
    if venue is not None:
        queryset = queryset.filter(venue=venue)
    wrong = sources_with_wrong_effective_credibility(queryset)
    pks = list(wrong.values_list("pk", flat=True))
    if not pks:
        return 0
    venue_level = Venue.objects.filter(pk=OuterRef("venue_id")).values("credibility")[:1]
    wrong.update(effective_credibility=Coalesce(F("credibility_override"), Subquery(venue_level)))
    records_changed(Source, pks)
    return len(pks)


def venue_rating_changed(*, target: Venue, changed: set[str]) -> None:
    """Carry a venue's new credibility to the sources that inherit it (ratings calls this
    in the decision's transaction, see `SourcesConfig.ready`)."""
    if "credibility" in changed:
        source_effective_credibility_refresh(venue=target)


@dataclass
class NewSource:
    """A source built and checked by `source_build`, not yet stored, with its ordered rows
    and tags: what `source_create` stores at once and `sources_create_bulk` many at a time.
    `reason` names why, in its history row, where it differs from the context's."""

    source: Source
    authors: Sequence[str] = ()
    key_points: Sequence[str] = ()
    tags: Sequence[str] = ()
    reason: str | None = None


def source_build(
    *,
    url: str,
    title: str = "",
    type: str = SourceType.WEB,
    authors: Sequence[str] = (),
    published: str | date | None = None,
    abstract: str = "",
    summary: str = "",
    review: str = "",
    key_points: Sequence[str] = (),
    tags: Sequence[str] = (),
    venue: Venue | None = None,
    credibility_override: int | None = None,
    doi: str = "",
    arxiv_id: str = "",
    isbn: str = "",
    source_id: str | None = None,
    stable_id: str | None = None,
    venue_matcher: VenueMatcher | None = None,
    checked_in_bulk: bool = False,
) -> NewSource:
    """Build and validate a new source (see `source_create`); raise ValidationError."""
    published_on, precision = partial_date_parse(published)
    source = Source(
        id=source_id or "",
        stable_id=stable_id or "",
        url=url,
        title=title,
        type=type,
        published_on=published_on,
        published_precision=precision,
        abstract=abstract,
        summary=summary,
        review=review,
        venue=venue,
        credibility_override=credibility_override,
        doi=doi,
        arxiv_id=arxiv_id,
        isbn=isbn,
    )
    if venue is None and venue_matcher is not None:
        source.venue_id = venue_matcher.match_id(url)
        source._venue_inferred = True
    source.assign_ids()
    if checked_in_bulk:
        source.full_clean(exclude=["venue"], validate_unique=False, validate_constraints=False)
    else:
        validate(source)
    return NewSource(source, authors, key_points, tags)


@transaction.atomic
def source_create(**values: Any) -> Source:
    """Create a source; without a venue, the venue is inferred from the URL.

    Takes `source_build`'s arguments. Give `venue_matcher` (from `venue_matcher_build()`)
    when creating many sources: the inference then runs in memory instead of querying
    once per source. `checked_in_bulk` is for an importer that has already checked the
    ids and the URL against every stored source: the per-row uniqueness and
    venue-existence queries are skipped (the database's unique constraints and foreign
    keys still hold).

    `source_id` and `stable_id` are for records that already have ids elsewhere (imports);
    new sources get the URL's hash and a fresh random stable id.
    """
    new = source_build(**values)
    source = new.source
    source.save()
    # A new source has no rows to replace: insert directly.
    _ordered_rows_insert(SourceAuthor, "name", [(source, new.authors)])
    _ordered_rows_insert(SourceKeyPoint, "text", [(source, new.key_points)])
    if new.tags:
        tags_set(instance=source, names=new.tags)
    return source


# Sources per round of `sources_create_bulk`: each round's statements stay well inside
# SQLite's limit on a statement's parameters, and its announcements stay small.
BULK_CREATE_BATCH = 500


@transaction.atomic
def sources_create_bulk(new_sources: Sequence[NewSource]) -> list[Source]:
    """Store sources built by `source_build` as `source_create` would, a few statements
    per 500 of them instead of a dozen each: the rows and their history (with each one's
    `reason`), authors, key points and tags, announced as bulk writes (`core.changes`).
    Row signals are not sent; what listens to them hears the announcements instead."""
    stored = []
    for start in range(0, len(new_sources), BULK_CREATE_BATCH):
        batch = new_sources[start : start + BULK_CREATE_BATCH]
        sources = [new.source for new in batch]
        for new in batch:
            # What save() does before an insert that bulk_create does not (the queryset's
            # bulk_create stores the URL's key and the effective credibility).
            new.source.plain_text_fill()
            if new.reason is not None:
                new.source._change_reason = new.reason  # simple-history reads it per row
        bulk_create_tracked(sources, Source)
        _ordered_rows_insert(SourceAuthor, "name", [(new.source, new.authors) for new in batch])
        _ordered_rows_insert(
            SourceKeyPoint, "text", [(new.source, new.key_points) for new in batch]
        )
        tags_add_new([(new.source, new.tags) for new in batch if new.tags])
        stored.extend(sources)
    return stored


@transaction.atomic
def source_authors_set(*, source: Source, names: Sequence[str]) -> None:
    """Replace a source's authors by the given names, in order."""
    _ordered_rows_replace(source.authors, SourceAuthor, "name", source, names)


@transaction.atomic
def source_key_points_set(*, source: Source, points: Sequence[str]) -> None:
    """Replace a source's key points by the given texts, in order."""
    _ordered_rows_replace(source.key_points, SourceKeyPoint, "text", source, points)


def _ordered_rows_replace(manager, model, field: str, source: Source, values: Sequence[str]):
    manager.all().delete()
    _ordered_rows_insert(model, field, [(source, values)])


def _ordered_rows_insert(
    model, field: str, rows_of: Sequence[tuple[Source, Sequence[str]]]
) -> None:
    """Insert the ordered rows (authors, key points) of sources that have none yet."""
    rows = model.objects.bulk_create(
        model(source=source, position=position, **{field: text})
        for source, values in rows_of
        for position, text in enumerate(_row_texts(model, field, values))
    )
    if rows:
        records_changed(model, [row.pk for row in rows])


def instance_fields_update(instance, changes: Mapping[str, Any]) -> list[str]:
    """Set the fields that differ, validate, and save only those; return their names.

    Nothing is written when nothing differs, so `updated_at` moves only on a real change.
    Plain-text fields are compared as they would be stored.
    """
    if isinstance(instance, PlainTextModel):
        changes = instance.plain_text_values(changes)
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(instance, name, changes[name])
    validate(instance)
    update_fields = [*changed, "updated_at"] if hasattr(instance, "updated_at") else changed
    instance.save(update_fields=update_fields)
    return changed


@transaction.atomic
def venue_update(*, venue: Venue, domains: Sequence[str] | None = None, **fields: Any) -> list[str]:
    """Change a venue's fields and, if given, its domains; return what changed."""
    changed = instance_fields_update(venue, fields)
    if domains is not None:
        wanted = [domain_normalize(domain) for domain in domains]
        if list(venue.domains.values_list("domain", flat=True)) != wanted:
            venue_domains_set(venue=venue, domains=wanted)
            changed.append("domains")
    return changed


@transaction.atomic
def source_update(
    *,
    source: Source,
    authors: Sequence[str] | None = None,
    key_points: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    published: str | date | None | type[...] = ...,
    **fields: Any,
) -> list[str]:
    """Change a source's fields and, where given, its authors, key points and tags.

    Return the names of what changed; an unchanged source is not written at all.
    """
    if published is not ...:
        fields["published_on"], fields["published_precision"] = partial_date_parse(published)
    changed = instance_fields_update(source, fields)
    # Compared through .all() so that a caller's prefetch_related spares the queries.
    if authors is not None and [a.name for a in source.authors.all()] != _row_texts(
        SourceAuthor, "name", authors
    ):
        source_authors_set(source=source, names=authors)
        changed.append("authors")
    if key_points is not None and [p.text for p in source.key_points.all()] != _row_texts(
        SourceKeyPoint, "text", key_points
    ):
        source_key_points_set(source=source, points=key_points)
        changed.append("key_points")
    if tags is not None and tags_set(instance=source, names=tags):
        changed.append("tags")
    return changed


def _row_texts(model, field: str, values) -> list[str]:
    """Return the non-empty texts of ordered rows (authors, key points) as they are stored."""
    texts = (model.plain_text_values({field: value})[field] for value in values if value)
    return [text for text in texts if text]


def tags_set(*, instance, names: Sequence[str]) -> bool:
    """Give a source or page exactly these tags, matched without regard to case.

    Return whether anything changed. This is taggit's `tags.set(names)` (the admin's path)
    in at most four queries instead of several per tag, which imports of thousands of
    tagged rows need.
    """
    wanted = _tag_names_wanted(names)
    current = {tag.name.lower(): tag for tag in instance.tags.all()}
    if set(current) == set(wanted):
        return False
    through = instance.tags.through
    stale = [tag.pk for key, tag in current.items() if key not in wanted]
    if stale:
        through.objects.filter(content_object=instance, tag_id__in=stale).delete()
    missing = {key: name for key, name in wanted.items() if key not in current}
    if missing:
        _tagged_rows_insert(through, [(instance, missing)], _tags_named(missing))
    getattr(instance, "_prefetched_objects_cache", {}).pop("tags", None)
    return True


def tags_add_new(tagged: Sequence[tuple[Any, Sequence[str]]]) -> None:
    """Tag records just created, which have no tags yet, of one model (new sources, new
    pages): `tags_set` for each, in a few queries for them all."""
    if not tagged:
        return
    wanted = [(instance, _tag_names_wanted(names)) for instance, names in tagged]
    every = {key: name for _instance, names in wanted for key, name in names.items()}
    through = tagged[0][0].tags.through
    _tagged_rows_insert(through, wanted, _tags_named(every))


def _tag_names_wanted(names: Sequence[str]) -> dict[str, str]:
    """Return the tag names given, without blanks or repeats in any case: lower -> name."""
    wanted: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            wanted.setdefault(name.strip().lower(), name.strip())
    return wanted


# Names per look-up of existing tags (SQLite allows 999 parameters in a statement).
TAG_LOOKUP_BATCH = 500


def _tags_named(wanted: Mapping[str, str]) -> dict[str, Tag]:
    """Return the tags of these names (lower -> name), created where none is named so in
    any case, in one query per 500 names and one insert per new tag (taggit picks each
    new tag's unique slug)."""
    keys = list(wanted)
    found = {}
    for start in range(0, len(keys), TAG_LOOKUP_BATCH):
        lowered = Tag.objects.annotate(lower_name=Lower("name"))
        for tag in lowered.filter(lower_name__in=keys[start : start + TAG_LOOKUP_BATCH]):
            found[tag.name.lower()] = tag
    for key in keys:
        if key not in found:
            found[key] = Tag.objects.create(name=wanted[key])
    return found


def _tagged_rows_insert(through, wanted: Sequence[tuple[Any, Mapping[str, str]]], tags) -> None:
    rows = through.objects.bulk_create(
        through(content_object=instance, tag=tags[key])
        for instance, names in wanted
        for key in names
    )
    records_changed(through, [row.pk for row in rows])
