"""Data safety: a failure half-way through an import or a bulk command leaves the database
exactly as it was; a re-run creates no duplicates; backups round-trip; migrations reverse."""

import hashlib
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from interchange.longterm_wiki.importer import longterm_wiki_import
from sources.models import Source
from tests.interchange.kb_builder import write_kb

ROOT = Path(__file__).resolve().parents[1]
APPS = {"ratings", "sources", "wiki", "taggit"}


def checksums() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every table of our apps (history too)."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        rows = [
            json.dumps(row, default=str, sort_keys=True)
            for row in model._default_manager.order_by("pk").values()
        ]
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        state[model._meta.label] = (len(rows), digest)
    return state


@pytest.mark.django_db
def test_an_import_failing_half_way_leaves_everything_as_it_was(tmp_path, monkeypatch):
    longterm_wiki_import(write_kb(tmp_path / "first"))
    before = checksums()

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    # Citations are imported after venues, sources and pages: half-way and more.
    monkeypatch.setattr("interchange.longterm_wiki.importer.citations_add_missing", fail)
    changed = write_kb(
        tmp_path / "second",
        **{"publications.yaml": (tmp_path / "first/publications.yaml").read_text() + "\n"},
    )
    with pytest.raises(RuntimeError):
        longterm_wiki_import(changed)

    assert checksums() == before


@pytest.mark.django_db
def test_a_rerun_creates_no_duplicates(tmp_path):
    kb = write_kb(tmp_path)
    longterm_wiki_import(kb)
    after_first = checksums()

    report = longterm_wiki_import(kb)

    assert not report.changed
    assert checksums() == after_first


@pytest.mark.django_db
def test_a_bulk_command_failing_half_way_leaves_everything_as_it_was(monkeypatch):
    call_command("generate_synthetic", "--sources", "30", "--pages", "3", stdout=StringIO())
    before = checksums()

    def fail(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr("interchange.synthetic._pages", fail)  # after the sources are written
    with pytest.raises(RuntimeError):
        call_command("generate_synthetic", "--sources", "30", "--pages", "3", "--seed", "9")

    assert checksums() == before


# -- backups ---------------------------------------------------------------------------


def make(target: str, **env) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        ["make", "-s", target],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def manage(url: str, *args: str) -> str:
    import os

    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def scratch_database(tmp_path) -> str:
    """A database of the kind under test, outside the test database: `make` reaches it."""
    from django.conf import settings

    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'backup-check.sqlite3'}"
    import psycopg

    db = settings.DATABASES["default"]
    server = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        # FORCE: a connection left by an earlier run must not stop the drop.
        conn.execute("DROP DATABASE IF EXISTS credence_backup_check WITH (FORCE)")
        conn.execute("CREATE DATABASE credence_backup_check")
    return server.rsplit("/", 1)[0] + "/credence_backup_check"


CHECKSUMS = (
    "import json; from tests.test_data_safety import checksums; print(json.dumps(checksums()))"
)


def test_backup_and_restore_round_trip_a_populated_database(tmp_path):
    url = scratch_database(tmp_path)
    manage(url, "migrate", "--noinput", "-v", "0")
    manage(url, "generate_synthetic", "--sources", "40", "--pages", "4")
    before = manage(url, "shell", "-c", CHECKSUMS).strip().splitlines()[-1]
    backup = tmp_path / "credence.backup"

    done = make("backup", DATABASE_URL=url, BACKUP=str(backup))
    assert done.returncode == 0, done.stderr
    manage(url, "flush", "--noinput")
    emptied = manage(url, "shell", "-c", CHECKSUMS).strip().splitlines()[-1]
    restored = make("restore", DATABASE_URL=url, BACKUP=str(backup))
    after = manage(url, "shell", "-c", CHECKSUMS).strip().splitlines()[-1]

    assert restored.returncode == 0, restored.stderr
    assert emptied != before
    assert json.loads(after) == json.loads(before)
    assert json.loads(before)["sources.Source"][0] == 40


# -- migrations ------------------------------------------------------------------------


@pytest.mark.django_db
def test_migrations_are_in_step_with_the_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_latest_migrations_reverse_cleanly_on_a_populated_database():
    call_command("generate_synthetic", "--sources", "20", "--pages", "2", stdout=StringIO())
    before = checksums()

    call_command("migrate", "sources", "0004", verbosity=0)
    call_command("migrate", "wiki", "0008", verbosity=0)
    call_command("migrate", verbosity=0)

    after = checksums()
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    # Search works again after the index was dropped and rebuilt from the rows.
    from search.ranking import search_filter

    assert search_filter(Source.objects.all(), "sources", "model ").exists()
