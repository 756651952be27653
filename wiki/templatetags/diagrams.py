"""Whether the diagram library is installed: `{% mermaid_available as ok %}`.

The Mermaid build is copied into static/vendor/ by `make install` when npm is present and is
never committed, so it may be missing; the page then shows each diagram as its source. With
WhiteNoise's manifest storage `{% static %}` raises for a file that was not collected, so a
template asks this tag first and names the file only when it is there.
"""

import functools

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver

register = template.Library()

MERMAID_SCRIPT = "vendor/mermaid/mermaid.min.js"


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


@register.simple_tag
def mermaid_available() -> bool:
    """Whether the Mermaid browser build is available through the static files."""
    return static_file_available(MERMAID_SCRIPT)
