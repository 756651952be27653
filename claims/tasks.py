"""Background tasks (Django's tasks API): claim checks off the request path. A page or
snapshot save only queues them (on commit); a worker (`manage.py db_worker`) runs them."""

from functools import partial

from django.conf import settings
from django.db import transaction
from django_tasks import task

from sources.models import Source
from wiki.models import WikiPage

from .services import page_claims_check, pages_citing

CLAIMS_QUEUE = "default"


@task(queue_name=CLAIMS_QUEUE)
def page_claims_check_task(page_id: int) -> str:
    """Check one page's claims; say what changed (a page deleted since is skipped)."""
    page = WikiPage.objects.filter(pk=page_id).first()
    if page is None:
        return "gone"
    run = page_claims_check(page)
    return f"{run.created} new, {run.updated} updated, {run.deleted} removed"


@task(queue_name=CLAIMS_QUEUE)
def source_claims_check_task(source_id: str) -> int:
    """Check again the claims of every page citing a source whose snapshots changed; return
    how many pages."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return 0
    pages = list(pages_citing(source))
    for page in pages:
        page_claims_check(page)
    return len(pages)


def page_claims_check_queue(page_id: int) -> None:
    """Queue a page's check for when the transaction commits (nothing if it rolls back)."""
    if settings.CREDENCE_CLAIM_CHECKS_ON_SAVE:
        transaction.on_commit(partial(page_claims_check_task.enqueue, page_id))


def source_claims_check_queue(source_id: str) -> None:
    """Queue a check of the pages citing a source, on commit."""
    if settings.CREDENCE_CLAIM_CHECKS_ON_SAVE:
        transaction.on_commit(partial(source_claims_check_task.enqueue, source_id))
