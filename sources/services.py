"""Writes to venues and sources: the admin, importer and commands all come through here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.changes import records_changed
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


@transaction.atomic
def source_create(
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
) -> Source:
    """Create a source; without a venue, the venue is inferred from the URL.

    Give `venue_matcher` (from `venue_matcher_build()`) when creating many sources: the
    inference then runs in memory instead of querying once per source. `checked_in_bulk`
    is for an importer that has already checked the ids and the URL against every stored
    source: the per-row uniqueness and venue-existence queries are skipped (the database's
    unique constraints and foreign keys still hold).

    `source_id` and `stable_id` are for records that already have ids elsewhere (imports);
    new sources get the URL's hash and a fresh random stable id.
    """
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
    source.save()
    # A new source has no rows to replace: insert directly.
    _ordered_rows_insert(SourceAuthor, "name", source, authors)
    _ordered_rows_insert(SourceKeyPoint, "text", source, key_points)
    if tags:
        tags_set(instance=source, names=tags)
    return source


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
    _ordered_rows_insert(model, field, source, values)


def _ordered_rows_insert(model, field: str, source: Source, values: Sequence[str]) -> None:
    texts = _row_texts(model, field, values)
    if texts:
        rows = model.objects.bulk_create(
            model(source=source, position=position, **{field: text})
            for position, text in enumerate(texts)
        )
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
    wanted: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            wanted.setdefault(name.strip().lower(), name.strip())
    current = {tag.name.lower(): tag for tag in instance.tags.all()}
    if set(current) == set(wanted):
        return False
    through = instance.tags.through
    stale = [tag.pk for key, tag in current.items() if key not in wanted]
    if stale:
        through.objects.filter(content_object=instance, tag_id__in=stale).delete()
    missing = [key for key in wanted if key not in current]
    if missing:
        found = {
            tag.name.lower(): tag
            for tag in Tag.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=missing)
        }
        for key in missing:
            if key not in found:
                found[key] = Tag.objects.create(name=wanted[key])
        rows = through.objects.bulk_create(
            [through(content_object=instance, tag=found[key]) for key in missing]
        )
        records_changed(through, [row.pk for row in rows])
    getattr(instance, "_prefetched_objects_cache", {}).pop("tags", None)
    return True
