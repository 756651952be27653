"""Reads to a replica, writes to the primary, when DATABASE_REPLICA_URL names a replica.

A replica lags the primary a little. So that nobody sees their own change missing, reads
go to the primary inside a transaction on it, and for the rest of any request that is not
an anonymous GET or HEAD (editors, moderators, forms): `PrimaryPinMiddleware` pins those.
Anonymous readers, who are most of the traffic and are cached anyway, read the replica.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_pinned: ContextVar[bool] = ContextVar("credence_primary_pinned", default=False)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if not has_replica() or _pinned.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PrimaryPinMiddleware:
    """Read from the primary for the whole of a staff request or a form submission."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pin = request.method not in {"GET", "HEAD"} or request.user.is_authenticated
        token = _pinned.set(pin)
        try:
            return self.get_response(request)
        finally:
            _pinned.reset(token)
