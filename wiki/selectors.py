"""Reads over wiki pages and citations shared by the admin, views and commands."""

from __future__ import annotations

from django.db.models import QuerySet

from sources.selectors import ordering_of

from .models import WikiPage


def wiki_page_list_annotated(queryset: QuerySet[WikiPage] | None = None) -> QuerySet[WikiPage]:
    """Return pages with their citation count, so derived quality needs no query per row."""
    queryset = WikiPage.objects.all() if queryset is None else queryset
    return queryset.with_citation_count().order_by(*ordering_of(queryset))


def wiki_page_derived_quality(page: WikiPage) -> int:
    """Return the quality the formula derives for a page, counting its citations."""
    count = getattr(page, "citation_count", None)
    if count is None:
        count = page.citations.count()
    return page.derived_quality(count)
