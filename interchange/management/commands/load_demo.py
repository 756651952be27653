"""Load the demo knowledge base into an empty database."""

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.history import history_context
from interchange.demo import demo_knowledge_base_load
from sources.models import Source, Venue
from wiki.models import WikiPage

DEMO_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "demo_knowledge_base.yaml"


def database_is_empty() -> bool:
    """Tell whether the database holds no venue, source or page yet."""
    return not (Venue.objects.exists() or Source.objects.exists() or WikiPage.objects.exists())


class Command(BaseCommand):
    help = "Load the demo knowledge base (written for Credence) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEMO_FILE, help="the YAML file to load")

    def handle(self, *args, file: Path, **options):
        if not database_is_empty():
            raise CommandError(
                "The database already holds venues, sources or pages; the demo is loaded only "
                "into an empty database, so nothing was changed."
            )
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"Cannot read the demo file {file}: {exc}") from exc
        try:
            with history_context(reason=f"Loaded by load_demo from {file.name}"):
                counts = demo_knowledge_base_load(data=data)
        except ValidationError as exc:
            raise CommandError(f"{file}: {'; '.join(exc.messages)} Nothing was loaded.") from exc
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo knowledge base: {summary}."))
