"""Create sources from a BibTeX, RIS or CSL-JSON file (Zotero, Mendeley, EndNote...)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.citations.errors import FormatError
from interchange.citations.importing import (
    READERS,
    citation_format_guess,
    citations_import,
    citations_plan,
    entry_summary,
    import_summary,
)


class Command(BaseCommand):
    help = (
        "Create sources from a reference manager's file. Entries matching a stored source by "
        "DOI, arXiv id, ISBN or address are reported as duplicates and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--format", choices=sorted(READERS), help="default: from the file's extension"
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would happen")

    def handle(self, *args, path, format, dry_run, **options):
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text (byte {error.start}).") from None
        try:
            format_name = format or citation_format_guess(path, text)
            plan = citations_plan(text, format_name)
            for entry in plan.entries:
                self.stdout.write(entry_summary(entry))
            if dry_run:
                summary = import_summary(len(plan.to_create), len(plan.duplicates), written=False)
                self.stdout.write(f"{summary} Nothing was written.")
                return
            created = citations_import(plan)
        except FormatError as error:
            raise CommandError(f"{path}: {error.messages[0]} Nothing was written.") from None
        self.stdout.write(
            self.style.SUCCESS(import_summary(len(created), len(plan.duplicates), written=True))
        )
