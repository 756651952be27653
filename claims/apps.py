from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = _("Claims and the passages that support them")

    def ready(self):
        from django.db.models.signals import post_delete, post_init, post_save

        from core.page_cache import page_cache_watch
        from sources.models import Snapshot
        from wiki.models import WikiPage
        from wiki.selectors import page_detail_extension_register

        from . import selectors, signals

        page_cache_watch(self.get_models())
        page_detail_extension_register(selectors.rendered_page_claims)
        post_init.connect(signals.page_body_seen, sender=WikiPage, dispatch_uid="claims-body")
        post_save.connect(signals.page_saved, sender=WikiPage, dispatch_uid="claims-page")
        post_save.connect(signals.snapshot_changed, sender=Snapshot, dispatch_uid="claims-snap")
        post_delete.connect(
            signals.snapshot_changed, sender=Snapshot, dispatch_uid="claims-snap-delete"
        )
