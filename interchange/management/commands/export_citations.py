"""Write every source of the knowledge base as BibTeX, RIS or CSL-JSON."""

import sys

from django.core.management.base import BaseCommand, CommandError

from interchange.citations.export import FORMATS, sources_export_all


class Command(BaseCommand):
    help = "Write every source as BibTeX, RIS or CSL-JSON (for Zotero, Mendeley, EndNote...)."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument(
            "--output", default="-", help="file to write (default: standard output)"
        )

    def handle(self, *args, format, output, **options):
        try:
            stream = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        try:
            count = sources_export_all(format, stream.write)
        finally:
            if stream is not sys.stdout:
                stream.close()
        if output != "-":
            label = FORMATS[format].label
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} sources as {label} to {output}."))
