from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sources"
    verbose_name = _("Sources and venues")

    def ready(self):
        from taggit.models import Tag

        from core.page_cache import page_cache_watch
        from ratings.kinds import rated_kind_register

        from . import search_kinds
        from .models import Source, Venue
        from .services import venue_rating_changed

        search_kinds.search_kinds_register()
        # A venue's sources inherit its rating: a change to it refreshes theirs.
        rated_kind_register("venue", Venue, lookup="slug", rating_changed=venue_rating_changed)
        rated_kind_register("source", Source, lookup="pk")
        # Tags are shown wherever sources and pages are: their names are page content too.
        page_cache_watch(
            [*self.get_models(include_auto_created=True), Tag],
            # What the source and venue lists show, filter and sort by (sources/filters.py,
            # the list templates): a summary rewritten leaves them cached.
            listed={
                Source: [
                    "title",
                    "url",
                    "type",
                    "venue",
                    "credibility_override",
                    "published_on",
                    "published_precision",
                    "fetch_outcome",
                    "notice_status",
                ],
                Venue: ["name", "slug", "type", "credibility"],
            },
        )
