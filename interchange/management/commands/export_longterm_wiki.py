"""Export the database in the Longterm Wiki's layout."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.longterm_wiki.exporter import ExportError, longterm_wiki_export


class Command(BaseCommand):
    help = "Write venues, sources, pages and citations under PATH in the Longterm Wiki layout."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            counts = longterm_wiki_export(path)
        except (ExportError, OSError) as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Exported {summary} to {path}."))
