"""Benchmark: does the default search land on what the reader names?

Imports the Longterm Wiki corpus into a fresh SQLite and PostgreSQL database, then, for
every wiki page title and venue name, asks the search page (as a reader's browser would,
with no kind chosen) three queries: the title exactly, lower-cased, and with one letter
dropped from its longest word. A query succeeds at k when the record is among the first
k results of the page it opens. Prints success at 1 and 3 and the mean reciprocal rank
(over the first 10 results) per family and database, also written to
var/bench/relevance.md. Usage: `make bench-relevance` (or python bench/search_relevance.py
[--corpus PATH] [--postgres URL]).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from import_corpus import (
    DEFAULT_CORPUS,
    DEFAULT_POSTGRES,
    ROOT,
    manage,
    postgres_database,
    report,
)

BENCH_DB = "credence_bench_relevance"
FAMILIES = ("exact", "lower-cased", "dropped letter")

# Runs inside `manage.py shell`: every query through the search page, ranks as JSON.
MEASURE = r"""
import json, re
from django.test import Client
from django.test.utils import setup_test_environment
from sources.models import Venue
from wiki.models import WikiPage

setup_test_environment()
client = Client(HTTP_HOST="localhost")

def dropped(text):
    words = re.findall(r"[^\W\d_]{4,}", text)
    if not words:
        return None
    word = max(words, key=len)
    middle = len(word) // 2
    return text.replace(word, word[:middle] + word[middle + 1:], 1)

def rank(query, record):
    results = client.get("/search/", {"q": query}).context["results"][:10]
    for position, result in enumerate(results, start=1):
        if result["object"] == record:
            return position
    return None

targets = [(p, p.title) for p in WikiPage.objects.order_by("pk")]
targets += [(v, v.name) for v in Venue.objects.order_by("pk")]
out = []
for record, title in targets:
    kind = "page" if isinstance(record, WikiPage) else "venue"
    for family, query in (("exact", title), ("lower-cased", title.lower()),
                          ("dropped letter", dropped(title))):
        if query:
            out.append([kind, family, rank(query, record)])
print("RESULT " + json.dumps(out))
"""


def measure(database_url: str, corpus: Path) -> list:
    manage(database_url, "migrate", "--noinput")
    manage(database_url, "import_longterm_wiki", str(corpus))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "CREDENCE_PAGE_CACHE_SECONDS": "0",  # every query reaches the search
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", MEASURE],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def summary(rows: list) -> list[tuple[str, str, int, float, float, float]]:
    table = []
    for kind in ("page", "venue"):
        for family in FAMILIES:
            ranks = [r for k, f, r in rows if k == kind and f == family]
            if not ranks:
                continue
            n = len(ranks)
            at1 = sum(r == 1 for r in ranks) / n
            at3 = sum(r is not None and r <= 3 for r in ranks) / n
            mrr = sum(1 / r for r in ranks if r) / n
            table.append((kind, family, n, at1, at3, mrr))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"No corpus at {args.corpus}: give --corpus PATH.")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        results.append(("SQLite", measure(f"sqlite:///{scratch}/bench.sqlite3", args.corpus)))
    pg_url = postgres_database(args.postgres, BENCH_DB)
    if pg_url:
        results.append(("PostgreSQL", measure(pg_url, args.corpus)))
    lines = [
        "| database | record | query | queries | success at 1 | success at 3 | MRR |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for database, rows in results:
        for kind, family, n, at1, at3, mrr in summary(rows):
            lines.append(
                f"| {database} | {kind} | {family} | {n} | {at1:.1%} | {at3:.1%} | {mrr:.3f} |"
            )
    report(lines, "relevance.md", postgres=None if pg_url else args.postgres)


if __name__ == "__main__":
    main()
