from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wiki"
    verbose_name = _("Wiki")

    def ready(self):
        from sources import search_signals

        search_signals.register_pages()
