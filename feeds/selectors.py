"""What the feeds and the sitemap show: what readers see on the public pages.

Every wiki page is public whatever its status (stub, draft, published, verified: readers
see it on the page); rating decisions are public on the rated record's page; proposals
and reports never are.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from taggit.models import Tag

from ratings.models import RatingDecision
from sources.models import Source, TaggedSource, Venue
from wiki.models import TaggedPage, WikiPage

FEED_ITEMS = 50


def feed_pages_changed(limit: int = FEED_ITEMS) -> list[WikiPage]:
    """Return the pages changed last, newest first, with their tags."""
    pages = WikiPage.objects.order_by("-updated_at", "-id")
    return list(pages.prefetch_related("tags")[:limit])


def feed_sources_added(limit: int = FEED_ITEMS) -> list[Source]:
    """Return the sources added last, newest first, with venue, authors and tags."""
    sources = Source.objects.select_related("venue").order_by("-created_at", "-id")
    return list(sources.prefetch_related("authors", "tags")[:limit])


def feed_rating_decisions(limit: int = FEED_ITEMS) -> list[RatingDecision]:
    """Return the latest rating decisions, newest first, with their record and who decided."""
    decisions = RatingDecision.objects.select_related(
        "venue", "source", "page", "decided_by__profile"
    )
    return list(decisions.order_by("-created_at", "-id")[:limit])


def feed_tagged(tag: Tag, limit: int = FEED_ITEMS) -> list[Source | WikiPage]:
    """Return the sources and pages carrying `tag`, changed last first (five queries
    whatever the number of rows)."""
    pages = WikiPage.objects.filter(tags=tag).order_by("-updated_at", "-id")
    sources = Source.objects.filter(tags=tag).order_by("-updated_at", "-id")
    sources = sources.select_related("venue").prefetch_related("authors", "tags")
    items = [*pages.prefetch_related("tags")[:limit], *sources[:limit]]
    items.sort(key=lambda item: item.updated_at, reverse=True)
    return items[:limit]


def sitemap_pages() -> QuerySet[WikiPage]:
    return WikiPage.objects.only("slug", "updated_at").order_by("id")


def sitemap_sources() -> QuerySet[Source]:
    return Source.objects.only("id", "updated_at").order_by("id")


def sitemap_venues() -> QuerySet[Venue]:
    return Venue.objects.only("slug", "updated_at").order_by("id")


def sitemap_tags() -> QuerySet[Tag]:
    """Return the tags with a page of their own: those on a source or a page (the tag list
    shows no other)."""
    on_source = TaggedSource.objects.values("tag_id")
    on_page = TaggedPage.objects.values("tag_id")
    return Tag.objects.filter(Q(pk__in=on_source) | Q(pk__in=on_page)).only("slug").order_by("id")
