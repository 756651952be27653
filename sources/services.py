"""Writes to venues and sources: the admin, importer and commands all come through here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

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
    venue.full_clean()
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
        row.full_clean()
        row.save()
        created.append(row)
    return created


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
    source_id: str | None = None,
    stable_id: str | None = None,
) -> Source:
    """Create a source; without a venue, the venue is inferred from the URL.

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
    )
    source.assign_ids()
    source.full_clean()
    source.save()
    source_authors_set(source=source, names=authors)
    source_key_points_set(source=source, points=key_points)
    if tags:
        source.tags.set(list(tags))
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
    texts = [value.strip() for value in values if value and value.strip()]
    model.objects.bulk_create(
        model(source=source, position=position, **{field: text})
        for position, text in enumerate(texts)
    )
