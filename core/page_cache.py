"""Whole-page cache for anonymous readers, made fresh by any change at once.

Every cached page's key carries a content version. Any write to the knowledge base (a
save or delete of any model an app has put under watch with `page_cache_watch`, and the
bulk writes of those models, which announce themselves through `core.changes`) bumps the
version, so the next reader gets a freshly rendered page; old entries simply expire. Signed-in
users, anything but GET/HEAD, the admin, and responses that set cookies or carry a CSRF
token are never cached.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from .changes import bulk_changed

VERSION_KEY = "credence:content-version"
# The models whose rows cached pages show: apps add theirs in AppConfig.ready().
WATCHED: set[type[Model]] = set()
# A pending message, a session: the page is someone's own.
PERSONAL_COOKIES = {"messages", settings.SESSION_COOKIE_NAME}


def store():
    """The cache that holds pages, fragments and the content version."""
    return caches[settings.CREDENCE_PAGE_CACHE_ALIAS]


def content_version() -> int:
    cache = store()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _bump() -> None:
    cache = store()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there yet (or evicted): any new value will do
        cache.add(VERSION_KEY, 2, timeout=None)


def content_changed() -> None:
    """Make every cached page stale: now, and again when the transaction commits (so a
    reader cannot cache a page rendered before the change became visible)."""
    _bump()
    transaction.on_commit(_bump)


def _on_change(sender, **kwargs):
    if not kwargs.get("raw"):
        content_changed()


def _on_bulk_change(sender, **kwargs):
    if sender in WATCHED:
        content_changed()


def page_cache_watch(models) -> None:
    """Make any save, delete or bulk write of these models stale every cached page."""
    for model in models:
        WATCHED.add(model)
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid + "-delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="page-cache-m2m")
    bulk_changed.connect(_on_bulk_change, dispatch_uid="page-cache-bulk")


def _on_m2m_change(sender, **kwargs):
    if sender in WATCHED:
        content_changed()


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _cacheable_request(self, request) -> bool:
        return (
            settings.CREDENCE_PAGE_CACHE_SECONDS > 0
            and request.method in {"GET", "HEAD"}
            and not request.path.startswith("/admin/")
            and not request.user.is_authenticated
            and not PERSONAL_COOKIES & set(request.COOKIES)
        )

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"credence:page:{content_version()}:{request.get_host()}:{digest}"
        cache = store()
        cached = cache.get(key)
        if cached is not None:
            cached["X-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if self._cacheable_response(request, response):
            cache.set(key, response, settings.CREDENCE_PAGE_CACHE_SECONDS)
        response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable_response(request, response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a form with a token
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )
