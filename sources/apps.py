from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sources"
    verbose_name = _("Sources and venues")

    def ready(self):
        from . import page_cache, search_signals

        search_signals.register_sources()
        page_cache.register()
