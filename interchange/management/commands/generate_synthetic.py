"""Fill the database with realistic synthetic data for scale tests and benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from core.progress import Progress, non_negative
from interchange.synthetic import synthetic_generate
from sources.models import Source


class Command(BaseCommand):
    help = (
        "Add N synthetic sources and M synthetic wiki pages (with venues, authors, key "
        "points, tags, Markdown bodies and citations), in bulk, with history and search index."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sources", type=non_negative, required=True, help="how many sources")
        parser.add_argument("--pages", type=non_negative, required=True, help="how many wiki pages")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")

    def handle(self, *args, sources, pages, seed, **options):
        if pages and not sources and not self._any_source():
            raise CommandError("Pages cite sources: add --sources, or load some first.")
        progress = Progress.for_command(self)
        try:
            made = synthetic_generate(sources=sources, pages=pages, seed=seed, progress=progress)
        finally:
            progress.close()
        summary = ", ".join(f"{n} {kind}" for kind, n in made.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {summary}."))

    @staticmethod
    def _any_source() -> bool:
        return Source.objects.exists()
