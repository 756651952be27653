"""The sitemap (django.contrib.sitemaps): every public page once, with its last change.

Snapshot pages are left out, and robots.txt keeps crawlers off them: they are copies of
other people's documents, kept for the record, not pages of ours to be found by.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from . import selectors

LIST_PAGES = [
    "wiki:home",
    "wiki:page_list",
    "sources:source_list",
    "sources:venue_list",
    "wiki:tag_list",
    "about:index",
]


class ListsSitemap(Sitemap):
    """The home page and the public lists (search is left to readers, not crawlers)."""

    def items(self):
        return LIST_PAGES

    def location(self, item):
        return reverse(item)


class RecordSitemap(Sitemap):
    """The pages of one kind of record, each with its last change."""

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # One aggregate: Django's default reads every item to find the latest.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class WikiPageSitemap(RecordSitemap):
    def items(self):
        return selectors.sitemap_pages()


class SourceSitemap(RecordSitemap):
    def items(self):
        return selectors.sitemap_sources()


class VenueSitemap(RecordSitemap):
    def items(self):
        return selectors.sitemap_venues()


class TagSitemap(Sitemap):
    def items(self):
        return selectors.sitemap_tags()

    def location(self, tag):
        return reverse("wiki:tag_detail", args=[tag.slug])


SITEMAPS = {
    "lists": ListsSitemap,
    "pages": WikiPageSitemap,
    "sources": SourceSitemap,
    "venues": VenueSitemap,
    "tags": TagSitemap,
}
