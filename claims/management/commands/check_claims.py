"""Check the claims of every page (or of the pages named), here, with a progress bar."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from claims.models import ClaimCheck
from claims.services import page_claims_check
from core.progress import Progress
from wiki.models import WikiPage


class Command(BaseCommand):
    help = (
        "Check each citation marker's claim against its source's latest good snapshot, for "
        "every page or the pages named by slug. Pages and checks unchanged are left as they "
        "are, so running it again writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="only these pages (by slug)")

    def handle(self, *args, slugs, **options):
        pages = WikiPage.objects.order_by("pk").only("pk", "slug", "body")
        if slugs:
            pages = pages.filter(slug__in=slugs)
            missing = sorted(set(slugs) - set(pages.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"No page has the slug(s): {', '.join(missing)}.")
        ids = list(pages.values_list("pk", flat=True))
        progress = Progress.for_command(self)
        totals = Counter()
        done = 0
        try:
            for done, page_id in enumerate(ids, start=1):
                page = WikiPage.objects.filter(pk=page_id).first()
                if page is not None:
                    run = page_claims_check(page)
                    totals.update(
                        created=run.created,
                        updated=run.updated,
                        deleted=run.deleted,
                        cleared=run.verdicts_cleared,
                    )
                progress("pages", done, len(ids))
        except KeyboardInterrupt:
            raise CommandError(
                f"Interrupted after {done - 1} of {len(ids)} page(s); each page done is kept."
            ) from None
        finally:
            progress.close()
        outcomes = Counter(
            ClaimCheck.objects.filter(page_id__in=ids).values_list("outcome", flat=True)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {len(ids)} page(s): {totals['created']} check(s) new, "
                f"{totals['updated']} changed, {totals['deleted']} removed, "
                f"{totals['cleared']} person's verdict(s) cleared by a change. Outcomes: "
                + (", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())) or "none")
                + "."
            )
        )
