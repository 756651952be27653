"""Whether an optional static file (a browser library copied from npm at set-up) is served.

Those files are never committed, so they may be missing; pages then do without them. With
WhiteNoise's manifest storage `{% static %}` raises for a file that was not collected, so
code asks here first and names the file only when it is there.
"""

import functools

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver


@functools.cache
def static_file_available(path: str) -> bool:
    """Whether `{% static path %}` names a file that is served; asked once per process."""
    if settings.DEBUG or not settings.STATIC_ROOT:
        # runserver and the tests serve straight from the finders; nothing is collected.
        return finders.find(path) is not None
    if not staticfiles_storage.exists(path):
        return False
    try:
        staticfiles_storage.url(path)  # a manifest storage raises for an uncollected name
    except ValueError:
        return False
    return True


@receiver(setting_changed)
def _forget(**kwargs):
    if kwargs["setting"] in {"DEBUG", "STATIC_ROOT", "STATICFILES_DIRS", "STORAGES"}:
        static_file_available.cache_clear()
