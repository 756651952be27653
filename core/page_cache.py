"""Whole-page cache for anonymous readers, made fresh by what changed, and cacheable by a proxy.

**Dependencies.** While a page renders, every watched record it loads is noted (a
`post_init` receiver: `sources.source#12`), and views and selectors add what loading rows
cannot show: a list or a count depends on its whole kind (`sources.source`), a link to a
page that does not exist yet on the slug it names (`wiki.wikipage.slug=foo`). The page is
stored with the version of each of these tags at the time.

**Invalidation.** A write bumps the tags it touches: the record's own, its kind, the
records it points at (a new snapshot refreshes its source's page, a source moving venue
both venues' pages) and its lookup keys. A hit compares the stored versions with the
current ones in one `get_many`; any difference is a miss. Versions come from one
ever-growing sequence, so a version never repeats and a render that overlapped a write
(a tag newer than the render's start) is not stored. Tags are bumped at once and again when
the transaction commits, so a reader cannot keep a page rendered before the change became
visible. Saves and deletes announce themselves through model signals, bulk writes through
`core.changes.records_changed`.

**HTTP.** A cacheable answer carries an ETag and Last-Modified (a conditional GET for a
fresh page is a 304 without rendering), `Cache-Control: public` with `s-maxage`,
`Vary: Cookie`, and its tags as `Surrogate-Key` and `Cache-Tag`, which a front cache purges
by (`core.front_cache`, off by default).

Signed-in users, anything but GET/HEAD, the admin, and responses that set cookies or carry
a CSRF token are never cached.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from .changes import bulk_changed
from .front_cache import front_cache_purge

SEQUENCE_KEY = "credence:tag-sequence"
TAG_KEY_PREFIX = "credence:tag:"
# Every cached page and fragment depends on this tag: a bulk write that cannot say which
# rows it wrote bumps it.
EVERYTHING = "everything"
# The models whose rows cached pages show: apps add theirs in AppConfig.ready().
WATCHED: set[type[Model]] = set()
# Per watched model: the fields pages look records up by (a link names a page by slug).
LOOKUP_FIELDS: dict[type[Model], tuple[str, ...]] = {}
LISTED_SUFFIX = ":listed"
CHILDREN_SUFFIX = ":children"  # a marker only: see depends_on_children
# Per watched model: the fields (attnames) its lists show, filter and sort by. An update
# that changes none of them (a summary rewritten) leaves the lists cached.
LISTED_FIELDS: dict[type[Model], tuple[str, ...]] = {}
# A pending message, a session: the page is someone's own.
PERSONAL_COOKIES = {"messages", settings.SESSION_COOKIE_NAME}
# Never through the page cache: the admin, and the benchmark's constant view (its yardstick
# is a Django answer without the cache).
UNCACHED_PREFIXES = ("/admin/", "/bench/")
# Proxies refuse long headers (nginx's default buffer is 4 KB): past this, a page's record
# tags give way to their kinds' tags, which every write of the kind also purges.
SURROGATE_KEY_MAX_CHARS = 2000


# --- tags ------------------------------------------------------------------------------


def record_tag(model: type[Model], pk) -> str:
    return f"{model._meta.label_lower}#{pk}"


def kind_tag(model: type[Model] | str) -> str:
    """The tag of every write of a kind (a model, or its "app.Model" label): searches and
    lists filtered by text depend on it."""
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def listed_tag(model: type[Model] | str) -> str:
    """The tag of the writes that can change a list of the kind: a record added or
    removed, or a field the list shows, filters or sorts by (`LISTED_FIELDS`) changed."""
    return kind_tag(model) + LISTED_SUFFIX


def lookup_tag(model: type[Model], field: str, value) -> str:
    """The tag of a look-up by `field`: bumped whenever a record takes or leaves the value."""
    return f"{model._meta.label_lower}.{field}={value}"


def store():
    """The cache that holds pages, fragments and tag versions."""
    return caches[settings.CREDENCE_PAGE_CACHE_ALIAS]


# The dependency sets being collected, innermost last: a tag noted while a fragment renders
# inside a page belongs to both.
_collecting: ContextVar[tuple[set[str], ...]] = ContextVar("credence_cache_deps", default=())


def dependencies_wanted() -> bool:
    """Whether what renders now is being cached: work done only to name dependencies
    (a query) can be skipped when it is not."""
    return bool(_collecting.get())


def depends_on(*tags: str) -> None:
    """Note that what is rendering now shows what these tags name."""
    for deps in _collecting.get():
        deps.update(tags)


def depends_on_kinds(*models: type[Model] | str) -> None:
    """Note that what is rendering now changes with any write of these kinds (a search)."""
    depends_on(*(kind_tag(model) for model in models))


def depends_on_lists(*models: type[Model] | str) -> None:
    """Note that what is rendering now lists or counts these kinds (by listed fields)."""
    depends_on(*(listed_tag(model) for model in models))


@contextmanager
def collecting() -> Iterator[set[str]]:
    """Collect the tags of what renders inside the block (and pass them outwards too)."""
    deps: set[str] = set()
    token = _collecting.set((*_collecting.get(), deps))
    try:
        yield deps
    finally:
        _collecting.reset(token)


def _sequence_next(cache) -> int:
    try:
        return cache.incr(SEQUENCE_KEY)
    except ValueError:  # never set, or evicted: restart above any version handed out
        cache.add(SEQUENCE_KEY, time.time_ns() // 1000, timeout=None)
        return cache.incr(SEQUENCE_KEY)


def tags_versions(tags: Iterable[str]) -> dict[str, int | None]:
    """Return each tag's current version (None: never bumped, or evicted)."""
    tags = list(tags)
    found = store().get_many([TAG_KEY_PREFIX + tag for tag in tags])
    return {tag: found.get(TAG_KEY_PREFIX + tag) for tag in tags}


def tags_bump(tags: Iterable[str], *, purge: bool = True) -> None:
    """Make stale every cached page and fragment that depends on any of these tags, here
    and (with `purge`) in the front cache."""
    tags = set(tags)
    if not tags:
        return
    cache = store()
    version = _sequence_next(cache)
    cache.set_many({TAG_KEY_PREFIX + tag: version for tag in tags}, timeout=None)
    # And past it once the tags hold it: a freshness check that read the old versions
    # meanwhile noted the sequence at `version`, which no longer is (see entry_fresh).
    _sequence_next(cache)
    if purge:
        front_cache_purge(tags)


# Tags bumped inside a transaction are bumped again at commit, once per transaction.
_pending = threading.local()


def content_changed(tags: Iterable[str]) -> None:
    """Bump these tags now and again when the transaction commits (a page rendered from
    what was visible before the commit cannot outlive it)."""
    tags = set(tags)
    connection = transaction.get_connection()
    # The front cache is purged once the change is visible: a proxy refilled before the
    # commit would keep the old page.
    tags_bump(tags, purge=not connection.in_atomic_block)
    if not connection.in_atomic_block:
        return
    # Django replaces the list of commit hooks at every commit and rollback: a new list is a
    # new transaction, which needs its own hook.
    hooks = connection.run_on_commit
    if getattr(_pending, "hooks", None) is not hooks:
        _pending.hooks, _pending.tags = hooks, set()
        pending = _pending.tags
        transaction.on_commit(lambda: tags_bump(pending))
    _pending.tags.update(tags)


# --- what a write touches -----------------------------------------------------------------


_PARENTS: dict[type[Model], list] = {}
_REMEMBERED: dict[type[Model], tuple[str, ...]] = {}


def _parent_fields(model: type[Model]) -> list:
    """The foreign keys of `model` that point at watched records."""
    fields = _PARENTS.get(model)
    if fields is None:
        fields = _PARENTS[model] = [
            field
            for field in model._meta.concrete_fields
            if field.many_to_one or field.one_to_one
            if field.related_model in WATCHED
        ]
    return fields


def _remembered_attnames(model: type[Model]) -> tuple[str, ...]:
    names = _REMEMBERED.get(model)
    if names is None:
        names = tuple(
            dict.fromkeys(
                [
                    *(field.attname for field in _parent_fields(model)),
                    *LOOKUP_FIELDS.get(model, ()),
                    *LISTED_FIELDS.get(model, ()),
                ]
            )
        )
        _REMEMBERED[model] = names
    return names


def _on_init(sender, instance, **kwargs):
    """Note a loaded record for the pages rendering now, and remember the values a later
    save may move away from (the venue a source leaves, the slug a page gives up)."""
    names = _remembered_attnames(sender)
    if names:
        values = instance.__dict__
        instance._credence_loaded = {name: values[name] for name in names if name in values}
    stack = _collecting.get()
    if stack and instance.pk is not None:
        tag = record_tag(sender, instance.pk)
        for deps in stack:
            deps.add(tag)


def write_tags(instance: Model, *, updated: bool = False) -> set[str]:
    """The tags a save or delete of `instance` makes stale (`updated`: a save of a record
    that was there before, which reaches the lists only through their fields)."""
    model = type(instance)
    tags = {record_tag(model, instance.pk), kind_tag(model)}
    before = getattr(instance, "_credence_loaded", None)
    listed = not updated or _listed_change(model, instance, before)
    if listed:
        tags.add(listed_tag(model))
    before = before or {}
    # A parent's page lists its children by their listed fields (a child it shows follows
    # the child's own tag).
    for field in _parent_fields(model) if listed else ():
        for value in {getattr(instance, field.attname), before.get(field.attname)}:
            if value is not None:
                tags.add(record_tag(field.related_model, value))
    for name in LOOKUP_FIELDS.get(model, ()):
        for value in {getattr(instance, name), before.get(name)}:
            if value not in (None, ""):
                tags.add(lookup_tag(model, name, value))
    return tags


def _listed_change(model: type[Model], instance: Model, before: dict | None) -> bool:
    """Whether a listed field changed (or may have: the model declares none, or the record
    was not loaded with them)."""
    names = LISTED_FIELDS.get(model)
    if not names or before is None:
        return True
    return any(name not in before or before[name] != getattr(instance, name) for name in names)


def _on_write(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    content_changed(write_tags(instance, updated=kwargs.get("created") is False))
    if kwargs.get("created") is not None:  # saved: what it holds now is what was loaded
        names = _remembered_attnames(sender)
        if names:
            instance._credence_loaded = {name: getattr(instance, name) for name in names}


def _on_m2m_change(sender, instance, action, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    # Adding or removing nothing changes nothing: taggit's set() (every admin save of a
    # tagged record) sends post_add with an empty set when the tags stayed as they were.
    if action in ("post_add", "post_remove") and not pk_set:
        return
    owner = type(instance)
    if sender not in WATCHED and owner not in WATCHED:
        return
    tags = {record_tag(owner, instance.pk)}
    for kind in (owner, model, sender):
        tags.update((kind_tag(kind), listed_tag(kind)))
    tags.update(record_tag(model, pk) for pk in pk_set or ())
    content_changed(tags)


def _on_bulk_change(sender, pks=None, **kwargs):
    if sender not in WATCHED:
        return
    if pks is None:
        content_changed([EVERYTHING])
    else:
        content_changed(
            [
                kind_tag(sender),
                listed_tag(sender),
                *(record_tag(sender, pk) for pk in pks),
                *_row_tags(sender, pks),
            ]
        )


# Rows per look-up of bulk-written rows' parents (SQLite allows 999 parameters).
PARENT_LOOKUP_BATCH = 500


def _row_tags(model: type[Model], pks: list) -> set[str]:
    """The tags that rows written in bulk reach through their values: the records they point
    at (new key points refresh their source's page) and their look-up keys (new links to a
    slug refresh the page listing what links to it), in one query per 500 rows."""
    parents = _parent_fields(model)
    lookups = LOOKUP_FIELDS.get(model, ())
    if not (parents or lookups) or not pks:
        return set()
    tags = set()
    names = [field.attname for field in parents] + list(lookups)
    for start in range(0, len(pks), PARENT_LOOKUP_BATCH):
        rows = model._base_manager.filter(pk__in=pks[start : start + PARENT_LOOKUP_BATCH])
        for values in rows.values_list(*names):
            for field, value in zip(parents, values[: len(parents)], strict=True):
                if value is not None:
                    tags.add(record_tag(field.related_model, value))
            for name, value in zip(lookups, values[len(parents) :], strict=True):
                if value not in (None, ""):
                    tags.add(lookup_tag(model, name, value))
    return tags


def page_cache_watch(
    models,
    *,
    lookups: dict[type[Model], Iterable[str]] | None = None,
    listed: dict[type[Model], Iterable[str]] | None = None,
) -> None:
    """Make the pages that show rows of these models follow their saves, deletes and bulk
    writes; `lookups` names the fields pages find records by (for links to what is
    missing), `listed` the fields a kind's lists show, filter and sort by."""
    for model in models:
        if hasattr(model, "instance_type"):  # simple-history's rows: shown in the admin only
            continue
        WATCHED.add(model)
        uid = f"page-cache-{model._meta.label_lower}"
        post_init.connect(_on_init, sender=model, dispatch_uid=uid + "-init")
        post_save.connect(_on_write, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid + "-delete")
    for model, fields in (lookups or {}).items():
        LOOKUP_FIELDS[model] = tuple(fields)
    for model, fields in (listed or {}).items():
        LISTED_FIELDS[model] = tuple(model._meta.get_field(name).attname for name in fields)
    _PARENTS.clear()  # parents may have joined the watch
    _REMEMBERED.clear()
    m2m_changed.connect(_on_m2m_change, dispatch_uid="page-cache-m2m")
    bulk_changed.connect(_on_bulk_change, dispatch_uid="page-cache-bulk")


# --- cached values ------------------------------------------------------------------------


@dataclass
class Entry:
    value: Any
    versions: dict[str, int | None]
    etag: str = ""
    last_modified: int = 0
    # The sequence at which this process last found every tag at its version: until the
    # sequence moves, no tag can have (see entry_fresh). Kept on the process's own copy.
    checked_at: int | None = None


def entry_fresh(entry: Any) -> bool:
    """Whether every tag of `entry` is at the version it was stored with. A cache without
    the sequence (flushed, or evicted) has forgotten what changed: nothing there is fresh.

    An entry this process found fresh at the current sequence is still fresh: one key
    read instead of every tag's (a wiki page follows dozens). Every bump moves the
    sequence after its tags (`tags_bump`), so a check that read the tags before the bump
    landed read a sequence that the bump then leaves behind.
    """
    if not isinstance(entry, Entry):
        return False
    cache = store()
    # Only when the entry was checked at the latest sequence this process has read: else
    # the sequence has moved since, and reading it alone would cost a second round trip.
    if entry.checked_at is not None and entry.checked_at == _sequence_seen.value:
        _sequence_seen.value = cache.get(SEQUENCE_KEY)
        if _sequence_seen.value == entry.checked_at:
            return True
    keys = [TAG_KEY_PREFIX + tag for tag in entry.versions]
    found = cache.get_many([SEQUENCE_KEY, *keys])
    _sequence_seen.value = found.get(SEQUENCE_KEY)
    versions = zip(keys, entry.versions.values(), strict=True)
    fresh = SEQUENCE_KEY in found and all(found.get(key) == version for key, version in versions)
    entry.checked_at = found[SEQUENCE_KEY] if fresh else None
    return fresh


class _SequenceSeen:
    """The latest sequence this process read (threads share it: a stale value costs a
    round trip, never a stale page)."""

    value: int | None = None


_sequence_seen = _SequenceSeen()


def depends_on_children(*models: type[Model] | str) -> None:
    """Note that what is rendering now lists these kinds' rows as the children of a record
    it shows (a venue's sources), by their listed fields: it follows them through the
    parent's tag, which a child's listed change bumps, not row by row."""
    depends_on(*(kind_tag(model) + CHILDREN_SUFFIX for model in models))


def _is_kind_tag(tag: str) -> bool:
    # Record tags hold "#", listed and children tags ":", look-up tags "=".
    return tag != EVERYTHING and not any(mark in tag for mark in "#:=")


def dependencies_reduced(deps: set[str]) -> set[str]:
    """Drop the record tags of kinds the page shows as lists or as a record's children: a
    list shows listed fields only, and a change to those bumps the kind's listed tag and
    the parents' tags (so a summary rewritten leaves the lists that show its source
    cached). Drop those of kinds the page follows whole too: every write of a kind bumps
    its kind tag."""
    listed = {
        tag.rsplit(":", 1)[0] for tag in deps if tag.endswith((LISTED_SUFFIX, CHILDREN_SUFFIX))
    }
    listed |= {tag for tag in deps if _is_kind_tag(tag)}
    if not listed:
        return deps
    return {
        tag
        for tag in deps
        if not tag.endswith(CHILDREN_SUFFIX)
        and ("#" not in tag or tag.split("#", 1)[0] not in listed)
    }


def _entry_make(value, deps: set[str], started: int | None, **extra) -> Entry | None:
    """Return an entry recording the versions of `deps`, or None when one of them moved
    while the value was being made (it may show what was there before)."""
    versions = tags_versions(deps | {EVERYTHING})
    if any(v is not None and v > (started or 0) for v in versions.values()):
        return None
    store().add(SEQUENCE_KEY, time.time_ns() // 1000, timeout=None)  # see entry_fresh
    return Entry(value=value, versions=versions, **extra)


def cached(
    key: str,
    compute: Callable[[], Any],
    timeout: int,
    *,
    tags: Iterable[str] = (),
    exact: bool = False,
):
    """Return `compute()`, kept under `key` until a tag of what it loaded (and `tags`)
    moves; with `exact`, until one of `tags` moves (a count over a whole kind need not
    follow each row it read). The tags pass on to the page being rendered, computed or not."""
    cache = store()
    entry = cache.get(key)
    if entry_fresh(entry):
        depends_on(*entry.versions)
        return entry.value
    started = cache.get(SEQUENCE_KEY)
    with collecting() as deps:
        depends_on(*tags)
        value = compute()
    entry = _entry_make(value, set(tags) if exact else deps, started)
    if entry is not None:
        cache.set(key, entry, timeout)
    return value


def cache_depends_on_kinds(*models: type[Model] | str):
    """View decorator: the response follows every write of these kinds (a feed of the latest
    changed, a sitemap with each record's last change). Takes any callable view, a
    syndication `Feed` instance included."""

    def decorate(view):
        @functools.wraps(view, assigned=("__module__", "__name__", "__doc__"), updated=())
        def wrapped(request, *args, **kwargs):
            depends_on_kinds(*models)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def cache_depends_on_lists(*models: type[Model] | str, text_params: Iterable[str] = ()):
    """View decorator: the page lists or counts these kinds, so it changes with a write
    that reaches their lists; with any write of them when the request filters by text
    (`text_params`: a search box, "has a summary")."""
    text_params = tuple(text_params)

    def decorate(view):
        def wrapped(request, *args, **kwargs):
            if any(request.GET.get(param) for param in text_params):
                depends_on_kinds(*models)
            else:
                depends_on_lists(*models)
            return view(request, *args, **kwargs)

        wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
        wrapped.__module__, wrapped.__wrapped__ = view.__module__, view
        return wrapped

    return decorate


# --- the middleware ---------------------------------------------------------------------


class LocalPages:
    """The pages this process served last, in its own memory: a hit then costs one read of
    the shared cache (the tag versions, a few bytes each), not the page's transfer and
    unpickling. Freshness is always checked against the shared versions."""

    def __init__(self):
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def set(self, key: str, entry: Entry) -> None:
        limit = settings.CREDENCE_PAGE_CACHE_LOCAL_ENTRIES
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > limit:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


local_pages = LocalPages()


def _page_value(response) -> tuple:
    return (response.status_code, list(response.headers.items()), response.content)


def _page_response(value: tuple) -> HttpResponse:
    status, headers, content = value
    response = HttpResponse(content, status=status)
    for name, header in headers:
        response.headers[name] = header
    return response


def surrogate_keys(tags: Iterable[str]) -> list[str]:
    """The tags a proxy can purge this page by, within the header's length: record tags
    give way to their kind's tag, largest kind first, until they fit."""
    tags = sorted(set(tags))
    while len(" ".join(tags)) > SURROGATE_KEY_MAX_CHARS:
        kinds: dict[str, int] = {}
        for tag in tags:
            if "#" in tag:
                kinds[tag.split("#")[0]] = kinds.get(tag.split("#")[0], 0) + 1
        if not kinds:
            return [EVERYTHING]
        kind = max(kinds, key=kinds.get)
        tags = sorted({kind, *(tag for tag in tags if not tag.startswith(kind + "#"))})
    return tags


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _cacheable_request(self, request) -> bool:
        return (
            settings.CREDENCE_PAGE_CACHE_SECONDS > 0
            and request.method in {"GET", "HEAD"}
            and not request.path.startswith(UNCACHED_PREFIXES)
            # Cookies first: without a session cookie the user is known to be anonymous
            # without loading a session (the cache answers before most middleware).
            and not PERSONAL_COOKIES & set(request.COOKIES)
            and not request.user.is_authenticated
        )

    def __call__(self, request):
        if not self._cacheable_request(request):
            response = self.get_response(request)
            if request.user.is_authenticated:  # someone's own page: never in a shared cache
                patch_cache_control(response, private=True)
            return response
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"credence:page:{request.get_host()}:{digest}"
        cache = store()
        entry = local_pages.get(key)
        if not entry_fresh(entry):
            entry = cache.get(key)
            if entry_fresh(entry):
                local_pages.set(key, entry)
            else:
                entry = None
        if entry is not None:
            return self._answer(request, entry, "hit")
        started = cache.get(SEQUENCE_KEY)
        with collecting() as deps:
            response = self.get_response(request)
        if not self._cacheable_response(request, response):
            response["X-Cache"] = "miss"
            return response
        deps = dependencies_reduced(deps)
        self._headers(response, deps)
        response["Last-Modified"] = http_date(time.time())
        entry = _entry_make(
            _page_value(response),
            deps,
            started,
            etag=response["ETag"],
            last_modified=int(time.time()),
        )
        if entry is None:
            response["X-Cache"] = "miss"
            return response
        cache.set(key, entry, settings.CREDENCE_PAGE_CACHE_SECONDS)
        local_pages.set(key, entry)
        return self._answer(request, entry, "miss")

    @staticmethod
    def _answer(request, entry: Entry, outcome: str):
        response = _page_response(entry.value)
        response["X-Cache"] = outcome
        answer = get_conditional_response(
            request, etag=entry.etag, last_modified=entry.last_modified, response=response
        )
        if answer is not response:
            answer["X-Cache"] = outcome
        return answer

    @staticmethod
    def _headers(response, deps: set[str]) -> None:
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        # Browsers ask again each time (a 304 when nothing changed); shared caches keep the
        # page for s-maxage, or until purged by tag. A view's own policy stands.
        if "Cache-Control" not in response:
            patch_cache_control(
                response,
                public=True,
                max_age=0,
                s_maxage=settings.CREDENCE_SHARED_CACHE_SECONDS,
            )
        patch_vary_headers(response, ["Cookie"])
        keys = surrogate_keys(deps | {EVERYTHING})
        response["Surrogate-Key"] = " ".join(keys)
        response["Cache-Tag"] = ",".join(keys)

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
