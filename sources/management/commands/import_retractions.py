"""Import publishers' notices from a Retraction Watch data file (a path; nothing is fetched)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sources.retractions import RetractionFileError, retractions_import


class Command(BaseCommand):
    help = (
        "Mark sources retracted, corrected or under an expression of concern from the "
        "Retraction Watch data file (retraction_watch.csv, as Crossref publishes it), "
        "matched by DOI. Rows that cannot be read are reported with their line and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )

    def handle(self, path: Path, dry_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            report = retractions_import(path.read_bytes(), dry_run=dry_run)
        except RetractionFileError as error:
            raise CommandError(f"{path}: {error}") from None
        for problem in report.problems:
            self.stderr.write(f"{path}, {problem}")
        if report.undecodable_lines:
            self.stderr.write(
                f"{path}: {report.undecodable_lines} lines hold bytes that are not UTF-8; "
                "they were read with those characters replaced (�)."
            )
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"{report.rows} rows read ({report.without_doi} without a DOI, "
            f"{len(report.problems)} skipped as unreadable); {report.matched} about sources "
            f"held here: {report.created} notices new, {report.updated} updated; "
            f"{len(report.sources_changed)} sources' status {verb}."
            + (" Dry run: nothing was written." if dry_run else "")
        )
