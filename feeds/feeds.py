"""Atom feeds (Django's syndication framework): recently changed pages, new sources, rating
decisions, and everything carrying one tag. Descriptions are rendered from templates, so
every text is escaped as HTML; the page cache keeps each feed until what it shows changes."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from sources.models import Source

from . import selectors


def _arrow(value) -> str:
    return "–" if value is None else str(value)


class KnowledgeBaseFeed(Feed):
    """What every feed shares: Atom, and items that say when they were made and changed."""

    feed_type = Atom1Feed
    description_templates = {
        "source": "feeds/source_entry.html",
        "wikipage": "feeds/page_entry.html",
    }

    def item_title(self, item):
        # Atom titles are text, escaped once by the XML writer (Django's default escapes
        # them again for RSS, which would show "&amp;" to readers).
        return str(item)

    def item_description(self, item):
        template = self.description_templates[item._meta.model_name]
        return render_to_string(template, {"obj": item})

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        # Tags come prefetched with the items: no query per item.
        return [tag.name for tag in item.tags.all()]

    def item_author_name(self, item):
        if isinstance(item, Source):
            return ", ".join(author.name for author in item.authors.all()) or None
        return None


class PagesChangedFeed(KnowledgeBaseFeed):
    title = _("Credence: recently changed pages")
    subtitle = _("Wiki pages of the knowledge base, the latest changed first.")

    def link(self):
        return reverse("wiki:page_list")

    def items(self):
        return selectors.feed_pages_changed()


class SourcesAddedFeed(KnowledgeBaseFeed):
    title = _("Credence: new sources")
    subtitle = _("Sources added to the knowledge base, with their credibility.")

    def link(self):
        return reverse("sources:source_list")

    def items(self):
        return selectors.feed_sources_added()


class RatingDecisionsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Credence: rating decisions")
    subtitle = _("Credibility and quality ratings that changed, with why and who decided.")

    def link(self):
        return reverse("wiki:home")

    def items(self):
        return selectors.feed_rating_decisions()

    def item_title(self, item):
        changes = "; ".join(
            f"{what} {_arrow(old)} → {_arrow(new)}" for what, old, new in item.changes
        )
        return f"{item.target}: {changes}"

    def item_description(self, item):
        return render_to_string("feeds/decision_entry.html", {"obj": item})

    def item_link(self, item):
        # The record's page, at the decision's row in its rating history.
        return f"{item.target.get_absolute_url()}#rating-decision-{item.pk}"

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.decided_by_display


class TagFeed(KnowledgeBaseFeed):
    subtitle = _("Sources and wiki pages with this tag, the latest changed first.")

    def get_object(self, request, slug: str):
        try:
            return Tag.objects.get(slug=slug)
        except Tag.DoesNotExist:
            raise Http404("No tag has this slug.") from None

    def title(self, tag):
        return _("Credence: tagged “%(tag)s”") % {"tag": tag.name}

    def link(self, tag):
        return reverse("wiki:tag_detail", args=[tag.slug])

    def items(self, tag):
        return selectors.feed_tagged(tag)
