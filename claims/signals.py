"""Queue claim checks when what they read changes: a page's body, a source's snapshots.

The save only queues (on commit, so a rolled-back save queues nothing); the check runs in
a worker, so a page or snapshot save never waits for it however long the snapshot."""

from __future__ import annotations

from django.conf import settings

from sources.models import FetchOutcome, Snapshot
from wiki.models import WikiPage

from . import tasks

BODY_SEEN = "_claims_body_seen"


def page_body_seen(sender, instance: WikiPage, **kwargs) -> None:
    # The body as loaded (a deferred body is not loaded for this).
    setattr(instance, BODY_SEEN, instance.__dict__.get("body"))


def page_saved(sender, instance: WikiPage, created: bool, update_fields=None, **kwargs) -> None:
    if not settings.CREDENCE_CLAIM_CHECKS_ON_SAVE or kwargs.get("raw"):
        return
    if update_fields is not None and "body" not in update_fields:
        return
    body = instance.__dict__.get("body")
    if not created and body == getattr(instance, BODY_SEEN, None):
        return
    setattr(instance, BODY_SEEN, body)
    tasks.page_claims_check_queue(instance.pk)


def snapshot_changed(sender, instance: Snapshot, **kwargs) -> None:
    if not settings.CREDENCE_CLAIM_CHECKS_ON_SAVE or kwargs.get("raw"):
        return
    if kwargs.get("created") is False:
        return  # seen again: the same content (snapshot_store writes a new row otherwise)
    if instance.outcome != FetchOutcome.OK:
        return  # a failed fetch leaves the latest good snapshot as it was
    tasks.source_claims_check_queue(instance.source_id)
