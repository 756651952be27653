"""Benchmark: pages, search and query counts at scale, as ratios measured in one run.

1. Builds a PostgreSQL database (`credence_bench_pages`) with `generate_synthetic`
   (default 100,000 sources and 10,000 pages; --sources/--pages for other sizes).
2. Serves it with gunicorn and the production settings (Redis cache), pinned to one core,
   and drives each main page with wrk pinned to the other (when two cores exist): requests
   per second and p50/p99 latency under load (8 connections), cached (anonymous, page
   cache on) and uncached (page cache off), each as a ratio to a constant-response Django
   view that never goes through the page cache, on the same server in the same run; a
   conditional GET answered 304 (If-None-Match, cached run); and p50 single-client (one
   connection, not under load), cached and uncached.
3. Times search for a rare, a medium and a common word: the search page's All view (every
   kind's count and tiers, the top 20 records with snippets), the top 20 sources alone,
   the header box's suggestions for the word's first four letters (uncached), and a plain
   `icontains` scan of the same data for the same word, against the targets.
4. Counts database queries of list and detail pages at 1 row and at 50 rows.

Prints a Markdown table and writes it to var/bench/pages.md. Usage: `make bench`.
Needs PostgreSQL, Redis and wrk (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "credence_bench_pages"  # the 100,000-source default; other sizes add theirs
SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/7"
SECRET = "bench-" + "k" * 60
WRK_SECONDS = 8
WRK_CONNECTIONS = 8
SINGLE_SECONDS = 4
DEFAULT_SOURCES = 100_000


def bench_database_for(sources: int) -> None:
    """Use a database of its own for each size, so that the sizes can be compared."""
    global BENCH_DB
    BENCH_DB = "credence_bench_pages" if sources == DEFAULT_SOURCES else f"credence_bench_{sources}"


def database_url() -> str:
    return SERVER_URL.rsplit("/", 1)[0] + "/" + BENCH_DB


def env(**extra) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",  # plain HTTP on loopback: no TLS to require
        "CREDENCE_BENCH_VIEWS": "1",
        "REDIS_URL": REDIS_URL,
        **extra,
    }


def manage(*args: str, settings: str = "config.settings.prod") -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env(DJANGO_SETTINGS_MODULE=settings),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def shell_json(code: str, **extra_env) -> object:
    """Run code in a Django shell on the bench database; return the JSON it prints last."""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env(DJANGO_SETTINGS_MODULE="config.settings.prod", **extra_env),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def build(sources: int, pages: int) -> float:
    import psycopg

    with psycopg.connect(SERVER_URL.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        c.execute(f"CREATE DATABASE {BENCH_DB}")
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", "-v", "0")
    started = time.perf_counter()
    manage("generate_synthetic", "--sources", str(sources), "--pages", str(pages))
    elapsed = time.perf_counter() - started
    subprocess.run(
        ["psql", database_url(), "-c", "VACUUM ANALYZE"], check=True, capture_output=True
    )
    return elapsed


def cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def pinned(command: list[str], core: int | None) -> list[str]:
    if core is None or not shutil.which("taskset"):
        return command
    return ["taskset", "-c", str(core), *command]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, cache_on: bool, extra: dict | None = None):
        self.port = free_port()
        available = cores()
        server_core = available[0] if len(available) > 1 else None
        # Steady state: no worker recycling in the middle of a measurement. One thread per
        # worker, as the README's figures were measured (the production default is four:
        # `make loadtest` measures that, and says so).
        extra = {"GUNICORN_MAX_REQUESTS": "0", "GUNICORN_THREADS": "1", **(extra or {})}
        if not cache_on:
            extra["CREDENCE_PAGE_CACHE_SECONDS"] = "0"
        self.process = subprocess.Popen(
            pinned(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "-c",
                    "config/gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "3",
                    "--access-logfile",
                    "/dev/null",
                ],
                server_core,
            ),
            cwd=ROOT,
            env=env(DJANGO_SETTINGS_MODULE="config.settings.prod", **extra),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urlopen(self.base + "/bench/constant/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def etag_of(url: str) -> str:
    with urlopen(url, timeout=30) as answer:
        answer.read()
        return answer.headers["ETag"]


def wrk(
    url: str, *, connections: int = WRK_CONNECTIONS, seconds: int = WRK_SECONDS, headers=()
) -> dict:
    available = cores()
    client_core = available[1] if len(available) > 1 else None
    for _ in range(3):  # warm up: the first hit of each page fills the cache
        urlopen(url, timeout=30).read()
    header_args = [arg for header in headers for arg in ("-H", header)]
    out = subprocess.run(
        pinned(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                *header_args,
                url,
            ],
            client_core,
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)

    def ms(percent):
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": rps,
        "p50": ms(50),
        "p99": ms(99),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def page_urls() -> dict[str, str]:
    """One URL per main page, picked from the data (in a Django shell)."""
    code = (
        "import json;"
        "from sources.models import Source, Venue;"
        "from wiki.models import WikiPage;"
        "s = Source.objects.filter(citing_pages__isnull=False).order_by('id').first();"
        "v = Venue.objects.order_by('id').first();"
        "p = WikiPage.objects.exclude(body='').order_by('id').first();"
        "print(json.dumps({'source': s.get_absolute_url(), 'venue': v.get_absolute_url(),"
        " 'page': p.get_absolute_url()}))"
    )
    picked = shell_json(code)
    return {
        "home": "/",
        "source list (filtered)": "/sources/?min_credibility=4&sort=-published",
        "source detail": picked["source"],
        "venue detail": picked["venue"],
        "wiki list": "/wiki/?type=risk",
        "wiki detail": picked["page"],
        "search": "/search/?q=oversight+evaluation",
    }


def measure_pages() -> list[dict]:
    urls = page_urls()
    rows = []
    for cache_on in (True, False):
        server = Server(cache_on)
        try:
            constant = wrk(server.base + "/bench/constant/")
            for name, path in urls.items():
                url = server.base + path
                result = wrk(url)
                single = wrk(url, connections=1, seconds=SINGLE_SECONDS)
                row = {"page": name, "cached": cache_on, **result, "constant": constant}
                row["single_p50"] = single["p50"]
                if cache_on:
                    not_modified = wrk(url, headers=[f"If-None-Match: {etag_of(url)}"])
                    row["rps_304"] = not_modified["rps"]
                rows.append(row)
        finally:
            server.stop()
    return rows


SEARCH_CODE = r"""
import json, statistics, time
from django.db.models import Q
from django.http import QueryDict
from sources.models import Source
from search.ranking import KindSearch, search_filter, search_suggest
from search.selectors import search_page

total = Source.objects.count()
results = {}

def p50(fn, n):
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)

for label, term in TERMS.items():
    matches = search_filter(Source.objects.all(), "sources", term + " ").count()
    def run_all():  # the search page's All view: counts, tiers, top 20 records, snippets
        page = search_page(QueryDict(f"q={term}"))
        assert page.results, term
    def run_sources():  # the top 20 sources by the ranking rule
        KindSearch("sources", Source.objects.all(), term + " ").top(20)
    def run_suggest():  # the header box's suggestions for the first letters typed
        search_suggest(term[:4], limit=8)
    def run_scan():
        list(Source.objects.filter(Q(title__icontains=term) | Q(summary__icontains=term)
             | Q(review__icontains=term) | Q(abstract__icontains=term))
             .order_by("id").values_list("id", flat=True)[:20])
    results[label] = {"term": term, "matches": matches, "share": matches / total,
                      "all_ms": p50(run_all, 25), "search_ms": p50(run_sources, 25),
                      "suggest_ms": p50(run_suggest, 25), "scan_ms": p50(run_scan, 5)}
print(json.dumps(results))
"""


def measure_search() -> dict:
    # Terms by frequency: one of the generator's rare words (well under 1% of rows), a
    # middling word of its vocabulary, and its most common one.
    code = (
        "from interchange.synthetic import RARE, VOCABULARY\n"
        "TERMS = {'rare': RARE[0], 'medium': VOCABULARY[40], 'common': VOCABULARY[0]}\n"
        + SEARCH_CODE
    )
    return shell_json(code)


QUERY_CODE = r"""
import json
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from sources.models import Source, Venue
from wiki.models import Citation, WikiPage

client = Client()
def count(url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)

rows = {}
with transaction.atomic():
    # Records with exactly 1 and exactly 50 related rows, made here and rolled back.
    one_venue = Venue.objects.create(slug="bench-one", name="Quixotic bench venue", type="think_tank")
    lone = Source.objects.create(url="https://bench-one.example.org/x", title="Quixotic bench lone source", venue=one_venue)
    fifty_venue = Venue.objects.order_by("id").first()
    page_one = WikiPage.objects.create(slug="bench-page-one", title="Quixotic bench page", body="One.")
    Citation.objects.create(page=page_one, source=lone, position=0)
    sources50 = list(Source.objects.exclude(pk=lone.pk).order_by("id")[:50])
    page_fifty = WikiPage.objects.create(slug="bench-page-fifty", title="Bench page fifty", body="Fifty.")
    Citation.objects.bulk_create(Citation(page=page_fifty, source=s, position=i) for i, s in enumerate(sources50))
    pages50 = list(WikiPage.objects.exclude(pk__in=[page_one.pk, page_fifty.pk]).order_by("id")[:50])
    cited50 = Source.objects.create(url="https://bench-one.example.org/y", title="Bench cited fifty", venue=one_venue)
    Citation.objects.bulk_create(Citation(page=p, source=cited50, position=99) for p in pages50)
    from core.changes import records_changed
    records_changed(Citation)
    rows = {
        "source list": (count("/sources/?q=quixotic&per_page=50"), count("/sources/?q=model&per_page=50")),
        "wiki list": (count("/wiki/?q=quixotic&per_page=50"), count("/wiki/?q=model&per_page=50")),
        "search": (count("/search/?q=quixotic&per_page=50"), count("/search/?q=model&per_page=50")),
        "venue detail": (count(f"/venues/{one_venue.slug}/?per_page=50"), count(f"/venues/{fifty_venue.slug}/?per_page=50")),
        "source detail (citing pages)": (count(lone.get_absolute_url()), count(cited50.get_absolute_url())),
        "wiki detail (references)": (count(page_one.get_absolute_url()), count(page_fifty.get_absolute_url())),
    }
    transaction.set_rollback(True)
print(json.dumps(rows))
"""


def measure_queries() -> dict:
    return shell_json(
        QUERY_CODE, CREDENCE_PAGE_CACHE_SECONDS="0", DJANGO_ALLOWED_HOSTS="testserver"
    )


# Issue 13's targets: the top 20 of any query, and the suggestions while typing.
SEARCH_TARGET_MS = 25
SUGGEST_TARGET_MS = 10


def mark(value: float, target: float) -> str:
    return "" if value <= target else " (over)"


def table(args, build_seconds, pages, search, queries) -> str:
    lines = [
        f"Pages and search at {args.sources:,} sources and {args.pages:,} pages "
        f"(PostgreSQL, gunicorn 3 workers, wrk {WRK_CONNECTIONS} connections x {WRK_SECONDS} s; "
        f"{platform.machine()}, {len(cores())} cores, Python {platform.python_version()}; "
        f"generated in {build_seconds:.0f} s).",
        "",
        "| page | cache | req/s | ratio to constant view | p50 ms | p99 ms "
        "| single-client p50 ms | 304 req/s (ratio) | uncached / cached, single-client |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cached_single = {r["page"]: r["single_p50"] for r in pages if r["cached"]}
    for r in pages:
        constant = r["constant"]["rps"]
        slow = "" if r["cached"] else f"{r['single_p50'] / cached_single[r['page']]:.1f}x"
        not_modified = (
            f"{r['rps_304']:.0f} ({r['rps_304'] / constant:.2f}x)" if "rps_304" in r else ""
        )
        lines.append(
            f"| {r['page']} | {'cached' if r['cached'] else 'uncached'} | {r['rps']:.0f} | "
            f"{r['rps'] / constant:.2f}x | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['single_p50']:.1f} | {not_modified} | {slow} |"
        )
    constant = {r["cached"]: r["constant"] for r in pages}
    lines.append(
        f"| constant view, no page cache | (both runs) | {constant[True]['rps']:.0f} / "
        f"{constant[False]['rps']:.0f} | 1.00x | {constant[True]['p50']:.1f} | "
        f"{constant[True]['p99']:.1f} | | | |"
    )
    lines += [
        "",
        f"| search term | matching sources | All view p50 ms (target {SEARCH_TARGET_MS}) "
        f"| top-20 sources p50 ms | suggestions p50 ms (target {SUGGEST_TARGET_MS}) "
        "| icontains scan p50 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in search.items():
        lines.append(
            f"| {label} (`{r['term']}`) | {r['matches']:,} "
            f"({r['share']:.1%}) | {r['all_ms']:.1f}{mark(r['all_ms'], SEARCH_TARGET_MS)} | "
            f"{r['search_ms']:.1f} | {r['suggest_ms']:.1f}{mark(r['suggest_ms'], SUGGEST_TARGET_MS)} "
            f"| {r['scan_ms']:.1f} |"
        )
    lines += ["", "| page | queries at 1 row | queries at 50 rows |", "|---|---:|---:|"]
    for name, (one, fifty) in queries.items():
        lines.append(f"| {name} | {one} | {fifty} |")
    errors = sum(r["errors"] for r in pages)
    lines += ["", f"Non-2xx responses during the load: {errors}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a past run")
    parser.add_argument(
        "--build-only", action="store_true", help="build the database and stop (then --reuse)"
    )
    parser.add_argument(
        "--compare",
        metavar="SIZES",
        help="print the single-client p50 of past runs side by side (e.g. 10000,100000,1000000)",
    )
    args = parser.parse_args()
    if args.compare:
        print(sizes_table([int(size) for size in args.compare.split(",")]))
        return
    bench_database_for(args.sources)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    built = ROOT / "var" / "bench" / f"build-{args.sources}.txt"
    if args.reuse:
        build_seconds = float(built.read_text()) if built.exists() else 0.0
        manage("migrate", "--noinput")  # a database built before the latest migrations
    else:
        build_seconds = build(args.sources, args.pages)
        built.parent.mkdir(parents=True, exist_ok=True)
        built.write_text(f"{build_seconds:.0f}")
    if args.build_only:
        return
    pages = measure_pages()
    search = measure_search()
    queries = measure_queries()
    report = table(args, build_seconds, pages, search, queries)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pages.md").write_text(report + "\n")
    (out / f"pages-{args.sources}.json").write_text(json.dumps(pages))
    print(report)


def sizes_table(sizes: list[int]) -> str:
    """Uncached and cached single-client p50 at each size, from past runs' JSON."""
    runs = {
        size: json.loads((ROOT / "var" / "bench" / f"pages-{size}.json").read_text())
        for size in sizes
    }
    first, last = sizes[0], sizes[-1]
    lines = [
        "| page | "
        + " | ".join(f"uncached p50 ms at {size:,}" for size in sizes)
        + f" | growth {first:,} to {last:,} | "
        + " | ".join(f"cached p50 ms at {size:,}" for size in sizes)
        + " |",
        "|---|" + "---:|" * (2 * len(sizes) + 1),
    ]
    by_size = {
        size: {(r["page"], r["cached"]): r["single_p50"] for r in rows}
        for size, rows in runs.items()
    }
    for page in dict.fromkeys(r["page"] for r in runs[first]):
        uncached = [by_size[size][(page, False)] for size in sizes]
        cached = [by_size[size][(page, True)] for size in sizes]
        lines.append(
            f"| {page} | "
            + " | ".join(f"{value:.1f}" for value in uncached)
            + f" | {uncached[-1] / uncached[0]:.2f}x | "
            + " | ".join(f"{value:.1f}" for value in cached)
            + " |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
