from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ratings"
    verbose_name = _("Rating moderation")

    def ready(self):
        from core.page_cache import page_cache_watch

        # Pages show their records' rating history.
        page_cache_watch(self.get_models(include_auto_created=True))
