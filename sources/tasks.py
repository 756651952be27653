"""Background tasks (Django's tasks API): fetching snapshots off the request path."""

from django_tasks import task

from .models import Source
from .snapshots import snapshot_take

SNAPSHOT_QUEUE = "snapshots"


@task(queue_name=SNAPSHOT_QUEUE)
def source_snapshot_fetch(source_id: str) -> str:
    """Fetch one source's snapshot; return its outcome (a source deleted since is skipped)."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return "gone"
    return snapshot_take(source=source).outcome


def snapshots_enqueue(source_ids) -> int:
    """Queue a fetch for each source; return how many were queued."""
    count = 0
    for source_id in source_ids:
        source_snapshot_fetch.enqueue(source_id)
        count += 1
    return count
