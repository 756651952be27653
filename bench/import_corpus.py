"""Benchmark: import the Longterm Wiki corpus on SQLite and PostgreSQL.

Runs `migrate` and `import_longterm_wiki` in a fresh database of each kind, then the same
import again (which must change nothing), and prints a Markdown table, also written to
var/bench/import.md. Usage: `make bench-import` (or python bench/import_corpus.py
[--corpus PATH] [--postgres URL]). PostgreSQL is skipped with a note if unreachable.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# As the corpus tests find it: CREDENCE_CORPUS, else beside the project.
DEFAULT_CORPUS = Path(
    os.environ.get("CREDENCE_CORPUS", ROOT.parent / "shared" / "corpus" / "longterm-wiki")
)
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "credence_bench_import"


def manage(database_url: str, *args: str) -> float:
    """Run a manage.py command against a database; return its wall-clock seconds."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def run(database_url: str, corpus: Path) -> tuple[float, float]:
    manage(database_url, "migrate", "--noinput")
    first = manage(database_url, "import_longterm_wiki", str(corpus))
    again = manage(database_url, "import_longterm_wiki", str(corpus))
    return first, again


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
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"No corpus at {args.corpus}: give --corpus PATH.")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        sqlite_url = f"sqlite:///{scratch}/bench.sqlite3"
        rows.append(("SQLite", *run(sqlite_url, args.corpus)))
    pg_url = postgres_database(args.postgres)
    if pg_url:
        rows.append(("PostgreSQL", *run(pg_url, args.corpus)))
    lines = [
        f"Import of the Longterm Wiki corpus ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}):",
        "",
        "| database | first import | second import (no changes) |",
        "|---|---:|---:|",
        *[f"| {name} | {first:.1f} s | {again:.1f} s |" for name, first, again in rows],
    ]
    report(lines, "import.md", postgres=None if pg_url else args.postgres)


if __name__ == "__main__":
    main()
