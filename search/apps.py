from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .freshness import fts5_scratch_create

        connection_created.connect(fts5_scratch_create, dispatch_uid="search-fts5-scratch")
