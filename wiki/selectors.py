"""Reads over wiki pages and citations shared by the admin, views and commands."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.page_cache import cached, depends_on, kind_tag, listed_tag, lookup_tag, record_tag
from core.page_cache import store as page_cache_store
from core.selectors import count_per_row, ordering_of
from ratings.kinds import is_moderator
from ratings.selectors import proposals_awaiting, proposals_open_of
from sources.models import FetchOutcome, NoticeStatus, Source, TaggedSource, Venue
from sources.selectors import source_list_annotated, source_resolve_refs

from .evidence import CitationWarning, EvidenceProfile, citation_warnings, evidence_profile
from .markup import (
    Reference,
    RenderContext,
    TocEntry,
    body_missing_references,
    body_references,
    body_render_page,
)
from .models import Citation, TaggedPage, WikiLink, WikiPage
from .quality import QualityBand


def wiki_page_list_annotated(queryset: QuerySet[WikiPage] | None = None) -> QuerySet[WikiPage]:
    """Return pages with their citation count (derived quality needs no query per row) and
    the share of their sources rated 4-5 (the evidence filter and sort)."""
    queryset = WikiPage.objects.all() if queryset is None else queryset
    return queryset.with_citation_count().with_strong_share().order_by(*ordering_of(queryset))


def wiki_page_derived_quality(page: WikiPage) -> int:
    """Return the quality the formula derives for a page, counting its citations."""
    count = getattr(page, "citation_count", None)
    if count is None:
        count = page.citations.count()
    return page.derived_quality(count)


def wiki_page_citations(page: WikiPage) -> list[Citation]:
    """Return a page's citations in reference order, with each source's venue and rating."""
    sources = source_list_annotated(Source.objects.all())
    return list(
        page.citations.prefetch_related(Prefetch("source", queryset=sources)).order_by(
            "position", "id"
        )
    )


def citations_planned(*, page: WikiPage, body: str) -> tuple[list[Citation], list[int]]:
    """Return the citations a page would have with this body, in reference order (new ones
    unsaved), and the ids of those the body no longer cites (to delete).

    Each source cited in the body has a citation, numbered in order of first appearance;
    citations that came from markers since removed go; citations added by hand stay, after
    the body's. Markers naming no source are left for editors to see.
    """
    refs = [ref.ref for ref in body_references(body) if ref.is_citation]
    resolved = source_resolve_refs(refs)
    body_sources = list(dict.fromkeys(resolved[ref].pk for ref in refs if ref in resolved))
    existing = {c.source_id: c for c in page.citations.all()} if page.pk is not None else {}
    stale = [
        citation.pk
        for source_id, citation in existing.items()
        if citation.in_body and source_id not in body_sources
    ]
    hand_added = sorted(
        (c for c in existing.values() if not c.in_body and c.source_id not in body_sources),
        key=lambda c: (c.position, c.pk),
    )
    ordered = []
    for source_id in body_sources:
        citation = existing.get(source_id) or Citation(page=page, source_id=source_id, in_body=True)
        ordered.append(citation)
    ordered.extend(hand_added)
    return ordered, stale


def wiki_page_new_citation_warnings(*, page: WikiPage, body: str) -> list[CitationWarning]:
    """The warnings for the sources this body cites that the stored page does not cite yet
    (citing them again in a later edit asks nothing more)."""
    planned, _stale = citations_planned(page=page, body=body)
    new = [citation.source_id for citation in planned if citation.pk is None]
    sources = Source.objects.select_related("venue").in_bulk(new)
    return citation_warnings(sources[pk] for pk in new if pk in sources)


@dataclass
class RenderedPage:
    page: WikiPage
    body_html: str
    references: list[Citation]
    evidence: EvidenceProfile
    toc: tuple[TocEntry, ...] = ()
    has_diagrams: bool = False
    # Templates an extension adds under each reference (rendered with `citation`).
    reference_templates: list[str] = field(default_factory=list)

    @property
    def show_toc(self) -> bool:
        """Tell whether the page has enough sections to be worth a table of contents."""
        return sum(entry.level == 2 for entry in self.toc) >= TOC_MIN_SECTIONS


def wiki_page_render_context(page: WikiPage, citations: list[Citation]) -> RenderContext:
    """Return what the body's markers and links resolve to, in one query for the links."""
    numbers: dict[str, tuple[int, str]] = {}
    for number, citation in enumerate(citations, start=1):
        source = citation.source
        label = source.title or source.url
        for ref in (source.id, source.stable_id, source.stable_id.removeprefix("sid_")):
            numbers[ref] = (number, label)
    references = body_references(page.body)
    slugs = {ref.ref for ref in references if not ref.is_citation}
    found = WikiPage.objects.filter(slug__in=slugs).values_list("pk", "slug", "title")
    pages = {slug: (WikiPage(slug=slug).get_absolute_url(), title) for _, slug, title in found}
    # Cached bodies follow the titles of the pages they link to, and a page created under a
    # slug that a link names.
    depends_on(*(record_tag(WikiPage, pk) for pk, _, _ in found))
    depends_on(*(lookup_tag(WikiPage, "slug", slug) for slug in slugs - pages.keys()))
    return RenderContext(citations=numbers, pages=pages)


# What apps above wiki add to a page as readers see it (claims: each reference's passage and
# each marker's state), registered in their AppConfig.ready(): wiki does not know them.
PAGE_DETAIL_EXTENSIONS: list[Callable[[RenderedPage], None]] = []


def page_detail_extension_register(extension: Callable[[RenderedPage], None]) -> None:
    """Have `extension(rendered)` complete every page's detail before it is shown."""
    if extension not in PAGE_DETAIL_EXTENSIONS:
        PAGE_DETAIL_EXTENSIONS.append(extension)


def wiki_page_detail(slug: str) -> RenderedPage:
    """Return a page with its rendered body and numbered references."""
    page = WikiPage.objects.prefetch_related("tags").get(slug=slug)
    citations = wiki_page_citations(page)
    # Rendering a long body is the page's main cost: keep the HTML, for staff too, until the
    # page, a source it cites or a page it links to changes (by tag, as the page cache does).
    body = cached(
        f"credence:body:{RENDERER_VERSION}:{page.pk}",
        lambda: body_render_page(page.body, wiki_page_render_context(page, citations)),
        BODY_CACHE_SECONDS,
        # The numbers and labels of its citations, loaded before it renders.
        tags=[
            record_tag(WikiPage, page.pk),
            *(record_tag(Citation, citation.pk) for citation in citations),
            *(record_tag(Source, citation.source_id) for citation in citations),
        ],
    )
    rendered = RenderedPage(
        page=page,
        body_html=body.html,
        references=citations,
        evidence=evidence_profile(
            (citation.source for citation in citations), today=timezone.localdate()
        ),
        toc=body.toc,
        has_diagrams=body.has_diagrams,
    )
    for extension in PAGE_DETAIL_EXTENSIONS:
        extension(rendered)
    return rendered


@dataclass
class PagePreview:
    rendered: RenderedPage
    broken: list[BrokenReference]
    warnings: list[CitationWarning]


def wiki_page_preview(*, page: WikiPage | None, body: str) -> PagePreview:
    """Render a body as readers would see it on `page` (None: a new page), unsaved: the
    citations it would have, numbered, with their sources' ratings, and the markers that
    name nothing. A fixed number of queries whatever the body."""
    trial = WikiPage(pk=page.pk, slug=page.slug) if page is not None else WikiPage()
    trial.body = body
    planned, _stale = citations_planned(page=trial, body=body)
    sources = source_list_annotated(Source.objects.filter(pk__in=[c.source_id for c in planned]))
    by_id = {source.pk: source for source in sources}
    for citation in planned:
        citation.source = by_id[citation.source_id]
    rendered = body_render_page(body, wiki_page_render_context(trial, planned))
    return PagePreview(
        rendered=RenderedPage(
            page=trial,
            body_html=rendered.html,
            references=planned,
            evidence=evidence_profile(
                (citation.source for citation in planned), today=timezone.localdate()
            ),
            toc=rendered.toc,
            has_diagrams=rendered.has_diagrams,
        ),
        broken=wiki_pages_broken_references([trial]).get(trial.pk, []),
        warnings=citation_warnings(citation.source for citation in planned),
    )


@dataclass(frozen=True)
class BrokenReference:
    reference: Reference

    def __str__(self) -> str:
        if self.reference.is_citation:
            return f"[[cite:{self.reference.ref}]] names no source"
        return f"[[{self.reference.ref}]] names no page"


# A body's references depend on the body alone: kept by its digest, so that checking every
# page (the dashboard, the broken-references filter) parses only the bodies that changed.
REFERENCES_CACHE_SECONDS = 30 * 24 * 3600


def _references_by_page(pages: Iterable[WikiPage]) -> dict[int, list[Reference]]:
    keys = {
        page.pk: "credence:refs:" + hashlib.sha256(page.body.encode()).hexdigest() for page in pages
    }
    bodies = {page.pk: page.body for page in pages}
    cache = page_cache_store()
    known = cache.get_many(set(keys.values()))
    found, fresh = {}, {}
    for pk, key in keys.items():
        if key not in known:
            known[key] = fresh[key] = body_references(bodies[pk])
        found[pk] = known[key]
    if fresh:
        cache.set_many(fresh, REFERENCES_CACHE_SECONDS)
    return found


def wiki_pages_broken_references(
    pages: Iterable[WikiPage],
) -> dict[int, list[BrokenReference]]:
    """Return, per page id, its citations of unknown sources and links to missing pages.

    Two queries whatever the number of pages: one for sources, one for page slugs.
    """
    refs_by_page = _references_by_page(pages)
    all_refs = [ref for refs in refs_by_page.values() for ref in refs]
    known_sources = source_resolve_refs(r.ref for r in all_refs if r.is_citation)
    slugs = {r.ref for r in all_refs if not r.is_citation}
    known_slugs = set(WikiPage.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    broken = {}
    for page_id, refs in refs_by_page.items():
        missing = [
            BrokenReference(ref)
            for ref in dict.fromkeys(refs)
            if (ref.is_citation and ref.ref not in known_sources)
            or (not ref.is_citation and ref.ref not in known_slugs)
        ]
        if missing:
            broken[page_id] = missing
    return broken


def wiki_pages_missing_references(pages: Iterable[WikiPage]) -> dict[int, list[str]]:
    """Return, per page id, the labels of its footnote references whose data is missing."""
    found = {page.pk: body_missing_references(page.body) for page in pages}
    return {page_id: labels for page_id, labels in found.items() if labels}


BODY_CACHE_SECONDS = 24 * 3600
# Part of a rendered body's cache key: raise it when the renderer's HTML changes, so that a
# deploy does not serve bodies rendered by the code before it (the cache outlives it).
RENDERER_VERSION = 2
# A page with fewer top-level sections than this reads fine without a table of contents.
TOC_MIN_SECTIONS = 3

# What a list of citing pages shows; never the bodies.
CITING_PAGE_FIELDS = ("id", "slug", "title", "type", "quality")


# A page scored Good or better (quality 60+) whose sources are less than this share rated
# 4-5 stands on weaker evidence than its score suggests.
WEAK_EVIDENCE_BELOW = 50


def _cites(**source_condition) -> Exists:
    return Exists(Citation.objects.filter(page=OuterRef("pk"), **source_condition))


MAINTENANCE_LISTS = {
    "low": _("Cites a source rated low (the citation warning's level)"),
    "dead": _("Cites a source whose link is dead"),
    "retracted": _("Cites a source its publisher retracted"),
    "weak": _("Evidence weaker than its quality score"),
    "uncited": _("Cites no source"),
    "orphan": _("Orphan: no page links to it"),
}


def wiki_pages_needing_care(queryset: QuerySet[WikiPage], kind: str) -> QuerySet[WikiPage]:
    """Narrow pages (from `wiki_page_list_annotated`) to one maintenance list
    (`MAINTENANCE_LISTS`); an unknown kind narrows nothing."""
    if kind == "low":
        level = settings.CREDENCE_CITATION_WARN_AT_MOST
        return queryset.filter(_cites(source__effective_credibility__lte=level))
    if kind == "dead":
        return queryset.filter(_cites(source__fetch_outcome=FetchOutcome.DEAD))
    if kind == "retracted":
        return queryset.filter(_cites(source__notice_status=NoticeStatus.RETRACTED))
    if kind == "weak":
        weak = Q(strong_share__lt=WEAK_EVIDENCE_BELOW) | Q(strong_share__isnull=True)
        return queryset.filter(weak, quality__gte=QualityBand.GOOD.floor)
    if kind == "uncited":
        return queryset.filter(~_cites())
    if kind == "orphan":
        linked = WikiLink.objects.filter(target_slug=OuterRef("slug")).exclude(page=OuterRef("pk"))
        return queryset.filter(~Exists(linked))
    return queryset


# How much each tie between two pages counts towards "Related pages" (documented in the
# README): a source both cite says most about sharing a subject, a link either way a
# little less, a shared tag least (tags are broad).
RELATED_WEIGHT_SHARED_SOURCE = 3
RELATED_WEIGHT_LINK = 2
RELATED_WEIGHT_SHARED_TAG = 1
RELATED_PAGES_SHOWN = 6
# A hub page is linked from, and shares sources with, a hundred others: the lists show the
# first (by title; by sources in common) and say how many more.
LINKED_FROM_SHOWN = 30
CITING_SAME_SHOWN = 10


@dataclass
class RelatedPage:
    page: WikiPage
    shared_sources: int = 0
    links_to: bool = False  # this page links to the related one
    linked_from: bool = False  # the related one links to this page
    shared_tags: int = 0

    @property
    def weight(self) -> int:
        return (
            RELATED_WEIGHT_SHARED_SOURCE * self.shared_sources
            + RELATED_WEIGHT_LINK * (self.links_to + self.linked_from)
            + RELATED_WEIGHT_SHARED_TAG * self.shared_tags
        )


@dataclass
class PageConnections:
    """What links to a page, the pages citing its sources, and the pages most related to
    it, each with why."""

    linked_from: list[WikiPage]
    citing_same: list[RelatedPage]
    related: list[RelatedPage]
    linked_from_more: int = 0  # beyond those listed
    citing_same_more: int = 0


def wiki_page_connections(page: WikiPage) -> PageConnections:
    """Return a page's links and relations, in four queries however many there are."""
    # A page linking here later, or under a slug named here, refreshes this one.
    depends_on(lookup_tag(WikiLink, "target_slug", page.slug))
    found: dict[int, RelatedPage] = {}

    def related(pk) -> RelatedPage:
        return found.setdefault(pk, RelatedPage(page=None))

    sources = Citation.objects.filter(page=page).values("source_id")
    shared = (
        Citation.objects.filter(source_id__in=sources)
        .exclude(page=page)
        .values("page_id")
        .annotate(n=Count("pk"))
    )
    for row in shared:
        related(row["page_id"]).shared_sources = row["n"]
    targets = set()
    links = WikiLink.objects.filter(Q(page=page) | Q(target_slug=page.slug))
    for pk, slug in links.values_list("page_id", "target_slug"):
        if pk == page.pk:
            targets.add(slug)
        else:
            related(pk).linked_from = True
    tags = TaggedPage.objects.filter(content_object=page).values("tag_id")
    for row in (
        TaggedPage.objects.filter(tag_id__in=tags)
        .exclude(content_object=page)
        .values("content_object_id")
        .annotate(n=Count("pk"))
    ):
        related(row["content_object_id"]).shared_tags = row["n"]
    pages = WikiPage.objects.filter(Q(pk__in=found) | Q(slug__in=targets)).exclude(pk=page.pk)
    for other in pages.only(*CITING_PAGE_FIELDS):
        entry = related(other.pk)
        entry.page = other
        entry.links_to = other.slug in targets
    entries = [entry for entry in found.values() if entry.page is not None]
    by_title = sorted(entries, key=lambda entry: (entry.page.title, entry.page.pk))
    linked_from = [entry.page for entry in by_title if entry.linked_from]
    citing_same = sorted(
        (entry for entry in by_title if entry.shared_sources),
        key=lambda entry: -entry.shared_sources,
    )
    return PageConnections(
        linked_from=linked_from[:LINKED_FROM_SHOWN],
        linked_from_more=max(0, len(linked_from) - LINKED_FROM_SHOWN),
        citing_same=citing_same[:CITING_SAME_SHOWN],
        citing_same_more=max(0, len(citing_same) - CITING_SAME_SHOWN),
        related=sorted(by_title, key=lambda entry: -entry.weight)[:RELATED_PAGES_SHOWN],
    )


ALONGSIDE_SHOWN = 6


def source_cited_alongside(source: Source, limit: int = ALONGSIDE_SHOWN) -> list[Source]:
    """Return the sources most often cited by the same pages as `source`, each with
    `together` (how many pages cite both), most first: one query."""
    pages = Citation.objects.filter(source=source).values("page_id")
    return list(
        Source.objects.filter(citations__page_id__in=pages)
        .exclude(pk=source.pk)
        .annotate(together=Count("citations"))
        .select_related("venue")
        .order_by("-together", "title", "pk")[:limit]
    )


def source_citing_pages(source: Source) -> list[WikiPage]:
    """Return the pages citing a source, best quality first."""
    cites = Citation.objects.filter(page=OuterRef("pk"), source=source)
    return list(
        WikiPage.objects.filter(Exists(cites))
        .only(*CITING_PAGE_FIELDS)
        .order_by(F("quality").desc(nulls_last=True), "title")
    )


def venue_citing_pages(venue: Venue) -> QuerySet[WikiPage]:
    """Return the pages citing any source of a venue (a semi-join: no DISTINCT over pages)."""
    cites = Citation.objects.filter(page=OuterRef("pk"), source__venue=venue)
    return WikiPage.objects.filter(Exists(cites)).only(*CITING_PAGE_FIELDS).order_by("title", "id")


def tag_list_counted() -> QuerySet[Tag]:
    """Return the tags on any source or page, with `source_count`, `page_count` and
    `total`, most used first (then by name), in one query whatever the number of tags."""
    return (
        Tag.objects.annotate(
            source_count=count_per_row(TaggedSource, "tag"),
            page_count=count_per_row(TaggedPage, "tag"),
        )
        .annotate(total=F("source_count") + F("page_count"))
        .filter(total__gt=0)
        .order_by("-total", "name", "pk")
    )


def tag_detail(slug: str) -> tuple[Tag, QuerySet[Source], QuerySet[WikiPage]]:
    """Return a tag with the sources and pages that carry it."""
    tag = Tag.objects.get(slug=slug)
    sources = source_list_annotated(Source.objects.filter(tags=tag))
    pages = wiki_page_list_annotated(WikiPage.objects.filter(tags=tag))
    return tag, sources, pages


@dataclass
class HomeSummary:
    source_count: int
    venue_count: int
    page_count: int
    recent_sources: list[Source]
    recent_pages: list[WikiPage]


# Counting every source grows with the table: the totals are kept until a record of their
# kinds is added, removed or changes what the lists show.
HOME_COUNTS_SECONDS = 24 * 3600


def _home_counts() -> tuple[int, int, int]:
    return cached(
        "credence:home:counts",
        lambda: (Source.objects.count(), Venue.objects.count(), WikiPage.objects.count()),
        HOME_COUNTS_SECONDS,
        tags=[listed_tag(Source), listed_tag(Venue), listed_tag(WikiPage)],
        exact=True,
    )


def home_summary(recent: int = 8) -> HomeSummary:
    """Return what the home page shows: counts and the latest sources and pages."""
    source_count, venue_count, page_count = _home_counts()
    return HomeSummary(
        source_count=source_count,
        venue_count=venue_count,
        page_count=page_count,
        recent_sources=list(
            source_list_annotated(Source.objects.order_by("-created_at", "id"))[:recent]
        ),
        recent_pages=list(
            WikiPage.objects.order_by("-last_edited", "-updated_at").exclude(last_edited=None)[
                :recent
            ]
        ),
    )


@dataclass(frozen=True)
class DashboardLine:
    label: str
    count: int
    url: str


# Counting broken references parses every body: kept until a page or a source changes.
BROKEN_COUNT_SECONDS = 3600


def _broken_page_count() -> int:
    return cached(
        "credence:dashboard:broken",
        lambda: len(wiki_pages_broken_references(WikiPage.objects.only("id", "body"))),
        BROKEN_COUNT_SECONDS,
        tags=[kind_tag(WikiPage), kind_tag(Source)],
        exact=True,
    )


def editor_dashboard(user) -> list[DashboardLine]:
    """What awaits an editor (and a moderator) on the admin index: counts, each with the
    filtered list behind it."""
    proposals = reverse("admin:ratings_ratingproposal_changelist")
    pages = reverse("admin:wiki_wikipage_changelist")
    sources = reverse("admin:sources_source_changelist")
    lines = [
        DashboardLine(
            _("My open rating proposals"), proposals_open_of(user).count(), f"{proposals}?for=mine"
        )
    ]
    if is_moderator(user):
        lines.append(
            DashboardLine(
                _("Rating proposals awaiting my decision"),
                proposals_awaiting(user).count(),
                f"{proposals}?for=me",
            )
        )
    lines += [
        DashboardLine(
            _("Pages citing unknown sources or linking missing pages"),
            _broken_page_count(),
            f"{pages}?broken=yes",
        ),
        DashboardLine(
            _("Pages with references whose data is missing"),
            WikiPage.objects.filter(missing_reference_count__gt=0).count(),
            f"{pages}?broken=missing",
        ),
        DashboardLine(
            _("Sources with a dead link"),
            Source.objects.filter(fetch_outcome=FetchOutcome.DEAD).count(),
            f"{sources}?fetch_outcome__exact={FetchOutcome.DEAD}",
        ),
        DashboardLine(
            _("Sources never fetched (no snapshot)"),
            Source.objects.filter(fetched_at__isnull=True).count(),
            f"{sources}?snapshot=none",
        ),
    ]
    return lines


PAGE_PICK_LIMIT = 20


def wiki_page_pick(text: str, *, limit: int = PAGE_PICK_LIMIT) -> list[WikiPage]:
    """Pages an editor may mean by `text` (the page-link picker): by slug or title words."""
    text = " ".join(text.split())[:200]
    if not text:
        return []
    words = Q()
    for word in text.split():
        words &= Q(title__icontains=word)
    matches = WikiPage.objects.filter(Q(slug__icontains=text) | words).only("slug", "title")
    return list(matches.order_by("title", "slug")[:limit])
