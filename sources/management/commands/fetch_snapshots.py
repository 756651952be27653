"""Queue (or run here) snapshot fetches for the sources that are due."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from core.progress import Progress, non_negative
from sources.models import FetchOutcome, Source
from sources.snapshots import snapshot_take, sources_due_for_fetch
from sources.tasks import snapshots_enqueue


class Command(BaseCommand):
    help = (
        "Fetch snapshots of sources never fetched, or with --stale-days N also of those last "
        "fetched more than N days ago. Queues background tasks (run `manage.py db_worker`); "
        "--run fetches here instead, with a progress bar."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-days", type=non_negative, help="also refetch sources older than this many days"
        )
        parser.add_argument("--limit", type=non_negative, help="at most this many sources")
        parser.add_argument(
            "--run", action="store_true", help="fetch in this process instead of queueing"
        )

    def handle(self, *args, stale_days, limit, run, **options):
        ids = list(
            sources_due_for_fetch(stale_days=stale_days, limit=limit).values_list("pk", flat=True)
        )
        if not ids:
            self.stdout.write(self.style.SUCCESS("No source is due for a fetch."))
            return
        if not run:
            count = snapshots_enqueue(ids)
            self.stdout.write(
                self.style.SUCCESS(f"Queued {count} fetch(es); `manage.py db_worker` runs them.")
            )
            return
        self._run(ids)

    def _run(self, ids):
        progress = Progress.for_command(self)
        outcomes = Counter()
        try:
            for done, source_id in enumerate(ids, start=1):
                source = Source.objects.filter(pk=source_id).first()
                if source is not None:
                    outcomes[snapshot_take(source=source).outcome] += 1
                progress("sources", done, len(ids))
        except KeyboardInterrupt:
            raise CommandError(
                f"Interrupted after {sum(outcomes.values())} fetch(es); each one done is kept."
            ) from None
        finally:
            progress.close()
        summary = ", ".join(
            f"{outcomes[o]} {FetchOutcome(o).label.lower()}" for o in FetchOutcome if outcomes[o]
        )
        self.stdout.write(self.style.SUCCESS(f"Fetched {len(ids)} source(s): {summary}."))
