from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wiki"
    verbose_name = _("Wiki")

    def ready(self):
        from core.page_cache import page_cache_watch

        from . import search_kinds

        search_kinds.search_kinds_register()
        page_cache_watch(self.get_models(include_auto_created=True))
