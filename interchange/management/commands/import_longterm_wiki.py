"""Import a Longterm Wiki knowledge base folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.progress import Progress
from interchange.longterm_wiki.importer import ImportFailed, longterm_wiki_import


class Command(BaseCommand):
    help = (
        "Import publications.yaml, resources/*.yaml, resources-snapshot.json, entities/*.yaml "
        "and pages/**/*.mdx from PATH (any subset). Bad input writes nothing. Files and "
        "records unchanged since the last import are skipped; --full compares everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report without writing"
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="read every file and compare every record, even those unchanged since the "
            "last import",
        )

    def handle(self, *args, path: Path, dry_run: bool, full: bool, verbosity: int, **options):
        progress = Progress.for_command(self)
        try:
            report = longterm_wiki_import(path, dry_run=dry_run, full=full, progress=progress)
        except ImportFailed as exc:
            progress.close()
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(
                f"{len(exc.issues)} problem(s) in the files above; nothing was written."
            ) from None
        progress.close()
        if report.reported:
            self.stdout.write(f"Reported ({len(report.reported)}): what could not be linked")
            for issue in report.reported:
                self.stdout.write(f"  {issue}")
        if report.notes:
            self.stdout.write(
                f"{len(report.notes)} MDX component(s) and fix(es) converted to Markdown structures"
                + (":" if verbosity >= 2 else " (-v 2 lists them).")
            )
            if verbosity >= 2:
                for note in report.notes:
                    self.stdout.write(f"  {note}")
        if report.missing_references:
            kinds = ", ".join(
                f"{kind} {n}" for kind, n in sorted(report.missing_references.items())
            )
            self.stdout.write(
                f"References whose data is not in the files ({kinds}) on "
                f"{report.pages_with_missing_references} page(s): shown as notes that say so, "
                "and listed for editors to map to sources."
            )
        self.stdout.write(report.table())
        self.stdout.write(report.skipped_summary())
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        elif not report.changed:
            self.stdout.write(self.style.SUCCESS("Nothing changed: the database already matched."))
        else:
            self.stdout.write(self.style.SUCCESS("Import complete."))
