"""The pages citing a source or a venue's sources, for the source and venue pages.

Citations belong to the wiki, which sits above sources: the sources' templates ask for
them here rather than the sources' views importing the wiki.
"""

from django import template

from core.pagination import paginate

from ..selectors import source_cited_alongside, source_citing_pages, venue_citing_pages

register = template.Library()


@register.simple_tag
def pages_citing_source(source):
    """Return the pages citing a source."""
    return source_citing_pages(source)


@register.simple_tag
def sources_cited_alongside(source):
    """Return the sources most often cited by the pages that cite this one."""
    return source_cited_alongside(source)


@register.simple_tag(takes_context=True)
def pages_citing_venue(context, venue):
    """Return the page of the pages citing a venue's sources that the request asks for."""
    return paginate(context["request"].GET, venue_citing_pages(venue), param="pages_page")
