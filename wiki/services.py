"""Writes to wiki pages and citations: the admin, importer and commands come through here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.changes import records_changed
from core.history import bulk_create_tracked, bulk_update_tracked
from sources.models import Source
from sources.services import instance_fields_update, tags_set, validate

from .markup import body_footnote_replace, body_linked_slugs, body_missing_references
from .models import Citation, PageStatus, PageType, WikiLink, WikiPage
from .quality import SUBSCORES
from .selectors import citations_planned

SLUG_MAX = WikiPage._meta.get_field("slug").max_length

UNKNOWN_SUBSCORE = _("%(name)r is not a subscore; the subscores are: %(known)s.")


@transaction.atomic
def wiki_page_create(
    *,
    slug: str,
    title: str,
    type: str = PageType.OTHER,
    status: str = PageStatus.DRAFT,
    description: str = "",
    summary: str = "",
    body: str = "",
    last_edited: date | None = None,
    reader_importance: Decimal | float | None = None,
    research_importance: Decimal | float | None = None,
    quality: int | None = None,
    subscores: Mapping[str, Decimal | float | None] | None = None,
    tags: Sequence[str] = (),
) -> WikiPage:
    """Create a wiki page."""
    subscores = dict(subscores or {})
    _check_subscore_names(subscores)
    page = WikiPage(
        slug=slug,
        title=title,
        type=type,
        status=status,
        description=description,
        summary=summary,
        body=body,
        last_edited=last_edited,
        reader_importance=_decimal(reader_importance),
        research_importance=_decimal(research_importance),
        quality=quality,
        **{name: _decimal(value) for name, value in subscores.items()},
    )
    validate(page)
    page.save()
    if tags:
        tags_set(instance=page, names=tags)
    wiki_page_body_sync(page=page)
    return page


@transaction.atomic
def wiki_page_body_sync(*, page: WikiPage) -> None:
    """Bring what a page's body implies in step with it: its citations and its links."""
    wiki_page_citations_sync(page=page)
    wiki_page_links_sync(page=page)


def wiki_page_links_sync(*, page: WikiPage) -> None:
    """Keep one `WikiLink` per page the body links to (`body_linked_slugs`), adding and
    removing only what changed."""
    wanted = {slug for slug in body_linked_slugs(page.body) if len(slug) <= SLUG_MAX}
    wanted.discard(page.slug)
    stored = dict(page.links_out.values_list("target_slug", "pk"))
    stale = [pk for slug, pk in stored.items() if slug not in wanted]
    if stale:  # deleted one by one through the model signals: the slugs' tags move
        WikiLink.objects.filter(pk__in=stale).delete()
    new = WikiLink.objects.bulk_create(
        [WikiLink(page=page, target_slug=slug) for slug in sorted(wanted - stored.keys())]
    )
    if new:
        records_changed(WikiLink, [link.pk for link in new])


@transaction.atomic
def wiki_page_citations_sync(*, page: WikiPage) -> list[Citation]:
    """Bring a page's citations in step with the `[[cite:...]]` markers in its body
    (`citations_planned`)."""
    ordered, stale = citations_planned(page=page, body=page.body)
    Citation.objects.filter(pk__in=stale).delete()
    moved = []
    for position, citation in enumerate(ordered):
        if citation.pk is not None and citation.position != position:
            moved.append(citation)
        citation.position = position
    bulk_create_tracked([c for c in ordered if c.pk is None], Citation)
    bulk_update_tracked(moved, Citation, ["position"])
    return ordered


def _decimal(value: Decimal | float | int | None) -> Decimal | None:
    # Through str, so that 62.5 stays 62.5 rather than its binary expansion.
    return None if value is None else Decimal(str(value))


@transaction.atomic
def citation_add(
    *, page: WikiPage, source: Source, note: str = "", position: int | None = None
) -> Citation:
    """Add a citation at the end of a page's references (or at `position`)."""
    if position is None:
        last = page.citations.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    citation = Citation(page=page, source=source, note=note, position=position)
    citation.full_clean()
    citation.save()
    return citation


def citation_ensure(*, page: WikiPage, source: Source, note: str = "") -> Citation:
    """Return the page's citation of a source, adding it by hand if the page has none.

    A given note replaces the citation's note; an empty one leaves it as it is.
    """
    citation = page.citations.filter(source=source).first()
    if citation is None:
        return citation_add(page=page, source=source, note=note)
    if note and citation.note != note:
        citation.note = note
        citation.full_clean()
        citation.save(update_fields=["note"])
    return citation


@transaction.atomic
def citations_add_missing(*, pairs: Iterable[tuple[WikiPage, Source]]) -> int:
    """Add, as if by hand, each (page, source) citation that a page does not have yet.

    New citations go after a page's existing ones. Two queries and one insert whatever the
    number of pairs, for imports; return how many were added.
    """
    wanted = list(dict.fromkeys((page.pk, source.pk) for page, source in pairs))
    page_ids = {page_id for page_id, _source_id in wanted}
    existing = Citation.objects.filter(page_id__in=page_ids)
    present = set(existing.values_list("page_id", "source_id"))
    last = dict(
        existing.values("page_id").annotate(last=Max("position")).values_list("page_id", "last")
    )
    new = []
    for page_id, source_id in wanted:
        if (page_id, source_id) in present:
            continue
        position = last.get(page_id)
        last[page_id] = position = 0 if position is None else position + 1
        new.append(Citation(page_id=page_id, source_id=source_id, position=position))
    bulk_create_tracked(new, Citation)
    return len(new)


# What readers read of a page: an edit to any of them moves its "Last edited".
READ_FIELDS = ("body", "description", "summary")


def wiki_page_edit_date(*, page: WikiPage, stored: WikiPage | None) -> bool:
    """Date an edit: make the page's Last edited today when its body, description or summary
    differ from the stored page's (or it is new); return whether it did."""
    if stored is not None and all(
        getattr(page, name) == getattr(stored, name) for name in READ_FIELDS
    ):
        return False
    page.last_edited = timezone.localdate()
    return True


@transaction.atomic
def wiki_page_update(
    *,
    page: WikiPage,
    subscores: Mapping[str, Decimal | float | None] | None = None,
    tags: Sequence[str] | None = None,
    **fields,
) -> list[str]:
    """Change a page and keep its citations in step with its body; return what changed.

    An edit of what readers read moves Last edited to today, unless `last_edited` is given
    (an import carries the date of the system it comes from).
    """
    if "last_edited" not in fields:
        read = page.plain_text_values({k: v for k, v in fields.items() if k in READ_FIELDS})
        if any(getattr(page, name) != value for name, value in read.items()):
            fields["last_edited"] = timezone.localdate()
    for name in ("reader_importance", "research_importance"):
        if name in fields:
            fields[name] = _decimal(fields[name])
    if subscores is not None:
        _check_subscore_names(subscores)
        fields.update({name: _decimal(subscores.get(name)) for name in SUBSCORES})
    changed = instance_fields_update(page, fields)
    if tags is not None and tags_set(instance=page, names=tags):
        changed.append("tags")
    if "body" in changed or "slug" in changed:
        wiki_page_body_sync(page=page)
    return changed


FOOTNOTE_NOT_FOUND = "This page has no reference [^%(label)s] whose data is missing."


@transaction.atomic
def wiki_page_reference_map(*, page: WikiPage, label: str, source: Source) -> int:
    """Turn a page's references to a footnote with no data into citations of a source.

    Every `[^label]` outside code becomes `[[cite:ID]]`, so the page then cites the source
    as any other citation; return how many references changed.
    """
    if label not in body_missing_references(page.body):
        raise ValidationError(
            FOOTNOTE_NOT_FOUND, code="footnote_not_found", params={"label": label}
        )
    body, count = body_footnote_replace(page.body, label, f"[[cite:{source.pk}]]")
    wiki_page_update(page=page, body=body)
    return count


def _check_subscore_names(subscores: Mapping) -> None:
    unknown = sorted(set(subscores) - set(SUBSCORES))
    if unknown:
        raise ValidationError(
            UNKNOWN_SUBSCORE,
            code="unknown_subscore",
            params={"name": unknown[0], "known": ", ".join(SUBSCORES)},
        )
