from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MergingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "merging"
    verbose_name = _("Merging duplicate sources")
