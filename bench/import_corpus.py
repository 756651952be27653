"""Benchmark: import the Longterm Wiki corpus on SQLite and PostgreSQL.

Runs `migrate` and `import_longterm_wiki` in a fresh database of each kind, then three
imports more: one that changes nothing (every file and record skipped as unchanged), one
after one page was touched (a paragraph added: one file read, one page written), and a
`--full` one that changes nothing but compares everything. It prints a Markdown table,
also written to var/bench/import.md, with the user CPU seconds beside the wall-clock ones
(a busy machine stretches the second more than the first). The corpus is copied to a
scratch folder first, so the page is touched there. Usage: `make bench-import` (or python
bench/import_corpus.py [--corpus PATH] [--postgres URL]). PostgreSQL is skipped with a
note if unreachable.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# As the corpus tests find it: CREDENCE_CORPUS, else beside the project.
DEFAULT_CORPUS = Path(
    os.environ.get("CREDENCE_CORPUS", ROOT.parent / "shared" / "corpus" / "longterm-wiki")
)
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "credence_bench_import"
# The page the third import finds changed: a page of the corpus, touched in the copy.
TOUCHED_PAGE = Path("pages") / "directory.mdx"
SKIPPED = re.compile(r"^(Skipped as unchanged.*|Full import.*)$", re.M)
# The runs whose summary line the report quotes.
LABELS = ((1, "no changes"), (2, "one page touched"))


@dataclass
class Run:
    wall: float
    cpu: float
    said: str  # what the import said it skipped

    def __str__(self) -> str:
        return f"{self.wall:.1f} s ({self.cpu:.1f} s CPU)"


def manage(database_url: str, *args: str) -> Run:
    """Run a manage.py command against a database; return its wall-clock and CPU seconds."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        # As in production: with DEBUG on, Django keeps the SQL and time of every query,
        # which is the benchmark's overhead, not the import's.
        "DJANGO_DEBUG": "0",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    said = SKIPPED.search(done.stdout)
    return Run(wall, cpu, said.group(1) if said else "")


def run(database_url: str, corpus: Path) -> list[Run]:
    """Return the first import, the no-change one, the one-page one and the full one."""
    manage(database_url, "migrate", "--noinput")
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "corpus"
        shutil.copytree(corpus, copy)
        first = manage(database_url, "import_longterm_wiki", str(copy))
        again = manage(database_url, "import_longterm_wiki", str(copy))
        page = copy / TOUCHED_PAGE
        page.write_text(page.read_text() + "\nA paragraph the import benchmark added.\n")
        touched = manage(database_url, "import_longterm_wiki", str(copy))
        full = manage(database_url, "import_longterm_wiki", "--full", str(copy))
    return [first, again, touched, full]


def postgres_database(server_url: str, name: str = BENCH_DB) -> str | None:
    """Create an empty benchmark database on the server; return its URL, or None."""
    import psycopg

    try:
        with psycopg.connect(
            server_url.replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError:
        return None
    return server_url.rsplit("/", 1)[0] + "/" + name


def report(lines: list[str], name: str, *, postgres: str | None = None) -> None:
    """Print a benchmark's table and write it to var/bench/<name>; `postgres` names a
    server that could not be reached, so that the table says what was not measured."""
    if postgres:
        lines = [*lines, f"\nPostgreSQL at {postgres} was not reachable: not measured."]
    table = "\n".join(lines)
    print(table)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(table + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument(
        "--postgres-database", default=BENCH_DB, help="the scratch database (dropped first)"
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"No corpus at {args.corpus}: give --corpus PATH.")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        sqlite_url = f"sqlite:///{scratch}/bench.sqlite3"
        rows.append(("SQLite", run(sqlite_url, args.corpus)))
    pg_url = postgres_database(args.postgres, args.postgres_database)
    if pg_url:
        rows.append(("PostgreSQL", run(pg_url, args.corpus)))
    lines = [
        f"Import of the Longterm Wiki corpus ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}):",
        "",
        "| database | first import | again, no changes | again, one page touched "
        "| again, `--full` |",
        "|---|---:|---:|---:|---:|",
        *[f"| {name} | " + " | ".join(str(r) for r in runs) + " |" for name, runs in rows],
        "",
        *[f"- {name}, {label}: {runs[i].said}" for name, runs in rows for i, label in LABELS],
    ]
    report(lines, "import.md", postgres=None if pg_url else args.postgres)


if __name__ == "__main__":
    main()
