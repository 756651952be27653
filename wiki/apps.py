from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wiki"
    verbose_name = _("Wiki")

    def ready(self):
        from core.page_cache import page_cache_watch
        from ratings.kinds import rated_kind_register

        from . import search_kinds
        from .models import WikiLink, WikiPage

        search_kinds.search_kinds_register()
        rated_kind_register("page", WikiPage, lookup="slug")
        # Links name pages by slug: a page taking a slug refreshes the links to it.
        page_cache_watch(
            self.get_models(include_auto_created=True),
            lookups={WikiPage: ["slug"], WikiLink: ["target_slug"]},
            # What the page lists show, filter and sort by (wiki/filters.py): a body edit
            # moves `last_edited` at most once a day.
            listed={
                WikiPage: [
                    "title",
                    "slug",
                    "type",
                    "status",
                    "quality",
                    "reader_importance",
                    "last_edited",
                ]
            },
        )
