"""Load test: readers and editors together against gunicorn on PostgreSQL (`make loadtest`).

Readers browse lists, details and search; editors sign in, save sources in the admin and
propose rating changes. Bounded in time (--seconds, default 60) and requests. First a
read-only run (the same readers, no editors) as the baseline, then readers and editors
together; before each, every page a reader may ask for is asked for once, so that the
hit rate measures what the editors' writes leave cached rather than a cold start. At the
end: every response's status (no 5xx allowed), p50/p99 latency per kind, the readers'
page-cache hit rate and p50 in both runs, and a check that every acknowledged
save (a redirect after POST) is in the database: each save writes a unique token into a
source's summary, which its history row keeps even when a later save replaces it; each
acknowledged proposal must exist. Writes var/bench/loadtest.md.

Uses the database of `make bench` (credence_bench_pages) when it exists; otherwise builds
a smaller one (--sources, default 5,000).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages import Server, build, database_url, manage, shell_json  # noqa: E402
from tests.html_forms import form_data  # noqa: E402

EDITOR, PASSWORD = "loadtest-editor", "loadtest-password-not-secret"


def prepare() -> dict:
    code = f"""
import json
from django.contrib.auth.models import Group, User
from sources.models import Source
from wiki.models import WikiPage
user, _ = User.objects.get_or_create(username={EDITOR!r}, defaults={{"is_staff": True}})
user.set_password({PASSWORD!r}); user.is_staff = True; user.save()
user.groups.add(Group.objects.get(name="Editors"))
print(json.dumps({{
    "sources": list(Source.objects.order_by("id").values_list("id", flat=True)[:300]),
    "pages": list(WikiPage.objects.order_by("id").values_list("id", "slug")[:300]),
}}))
"""
    return shell_json(code)


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {}
        self.statuses: dict[int, int] = {}
        self.saved_tokens: list[str] = []
        self.proposal_tokens: list[str] = []
        self.refused_stale = 0
        self.cache: dict[str, int] = {}  # readers' X-Cache outcomes

    def exhausted(self, limit: int) -> bool:
        return sum(self.statuses.values()) >= limit

    def record(self, kind: str, started: float, status: int) -> None:
        with self.lock:
            self.latency.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            self.statuses[status] = self.statuses.get(status, 0) + 1


MAX_REQUESTS = 200_000


READER_WORDS = ["model", "governance", "oversight", "evaluation", "zettaflop", "risk"]


def reader(base, ids, rec: Recorder, stop: float, rng: random.Random) -> None:
    session = requests.Session()
    words = READER_WORDS
    while time.perf_counter() < stop and not rec.exhausted(MAX_REQUESTS):
        kind, path = rng.choice(
            [
                ("list", f"/sources/?page={rng.randint(1, 20)}"),
                ("list", "/wiki/?sort=-quality"),
                ("detail", f"/sources/{rng.choice(ids['sources'])}/"),
                ("detail", f"/wiki/{rng.choice(ids['pages'])[1]}/"),
                ("search", f"/search/?q={rng.choice(words)}"),
            ]
        )
        started = time.perf_counter()
        response = session.get(base + path, timeout=30)
        rec.record(kind, started, response.status_code)
        with rec.lock:
            outcome = response.headers.get("X-Cache", "none")
            rec.cache[outcome] = rec.cache.get(outcome, 0) + 1


def editor(base, ids, rec: Recorder, stop: float, rng: random.Random) -> None:
    session = requests.Session()
    session.get(base + "/admin/login/", timeout=30)
    started = time.perf_counter()
    login = session.post(
        base + "/admin/login/",
        data={
            "username": EDITOR,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "next": "/admin/",
        },
        headers={"Referer": base + "/admin/login/"},
        allow_redirects=False,
        timeout=30,
    )
    rec.record("login", started, login.status_code)
    if login.status_code != 302:
        raise RuntimeError(f"the editor could not sign in: HTTP {login.status_code}")
    while time.perf_counter() < stop and not rec.exhausted(MAX_REQUESTS):
        token = uuid.uuid4().hex
        if rng.random() < 0.7:
            url = f"{base}/admin/sources/source/{rng.choice(ids['sources'])}/change/"
            started = time.perf_counter()
            page = session.get(url, timeout=30)
            rec.record("admin form", started, page.status_code)
            if page.status_code != 200 or b'name="loaded_version"' not in page.content:
                continue  # not the change form (signed out?): nothing to save
            data = {**form_data(page.content), "summary": f"Load-test summary {token}"}
            data.pop("_addanother", None)
            data.pop("_continue", None)
            started = time.perf_counter()
            saved = session.post(
                url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=30
            )
            rec.record("save", started, saved.status_code)
            with rec.lock:
                if saved.status_code == 302:
                    rec.saved_tokens.append(token)
                elif b"after you opened it" in saved.content:
                    rec.refused_stale += 1
        else:
            page_id = rng.choice(ids["pages"])[0]
            url = f"{base}/admin/ratings/ratingproposal/propose/page/{page_id}/"
            form = session.get(url, timeout=30)
            data = {
                **form_data(form.content),
                "quality": str(rng.randint(1, 99)),
                "rationale": f"Load-test proposal {token}",
            }
            started = time.perf_counter()
            posted = session.post(
                url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=30
            )
            rec.record("proposal", started, posted.status_code)
            if posted.status_code == 302:
                with rec.lock:
                    rec.proposal_tokens.append(token)


VERIFY_CODE = """
import json
from sources.models import Source
from ratings.models import RatingProposal
rows = Source.history.filter(summary__startswith="Load-test summary ")
history = {summary.rsplit(" ", 1)[-1] for summary in rows.values_list("summary", flat=True)}
rows = RatingProposal.objects.filter(rationale__startswith="Load-test proposal ")
rationales = {r.rsplit(" ", 1)[-1] for r in rows.values_list("rationale", flat=True)}
lost = [t for t in SAVED if t not in history], [t for t in PROPOSED if t not in rationales]
print(json.dumps([len(lost[0]), len(lost[1])]))
"""


def verify(rec: Recorder) -> tuple[int, int]:
    """How many acknowledged saves and proposals are missing from the database."""
    tokens = f"SAVED = {rec.saved_tokens!r}\nPROPOSED = {rec.proposal_tokens!r}\n"
    lost_saves, lost_proposals = shell_json(tokens + VERIFY_CODE)
    return lost_saves, lost_proposals


def reader_paths(ids) -> list[str]:
    """Every page a reader may ask for."""
    return [
        *(f"/sources/?page={n}" for n in range(1, 21)),
        "/wiki/?sort=-quality",
        *(f"/sources/{source_id}/" for source_id in ids["sources"]),
        *(f"/wiki/{slug}/" for _pk, slug in ids["pages"]),
        *(f"/search/?q={word}" for word in READER_WORDS),
    ]


def warm(base: str, ids) -> None:
    """Ask for every reader's page once before the clock starts, so that the hit rate says
    what writes leave cached, not how many pages were never asked for yet."""
    session = requests.Session()
    for path in reader_paths(ids):
        session.get(base + path, timeout=60)


def run(ids, readers: int, editors: int, seconds: int, worker_threads: int) -> Recorder:
    server = Server(cache_on=True, extra={"GUNICORN_THREADS": str(worker_threads)})
    rec = Recorder()
    warm(server.base, ids)
    stop = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=reader, args=(server.base, ids, rec, stop, random.Random(n)))
        for n in range(readers)
    ] + [
        threading.Thread(target=editor, args=(server.base, ids, rec, stop, random.Random(100 + n)))
        for n in range(editors)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    return rec


READER_KINDS = ("list", "detail", "search")


def readers_summary(rec: Recorder) -> tuple[float, float]:
    """The readers' page-cache hit rate and p50 latency over every page they read."""
    times = sorted(t for kind in READER_KINDS for t in rec.latency.get(kind, []))
    answered = sum(rec.cache.values())
    return rec.cache.get("hit", 0) / answered if answered else 0.0, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="per worker (4: config/gunicorn.conf.py's)"
    )
    parser.add_argument("--sources", type=int, default=5000)
    parser.add_argument("--max-requests", type=int, default=200_000)
    args = parser.parse_args()
    global MAX_REQUESTS
    MAX_REQUESTS = args.max_requests
    try:
        shell_json("from sources.models import Source; print(Source.objects.count())")
    except subprocess.CalledProcessError:
        build(args.sources, args.sources // 10)
    manage("migrate", "--noinput", "-v", "0")
    # The database may come from an earlier `make bench` run in another checkout: the
    # production settings serve static files by their manifest, which this one must have.
    manage("collectstatic", "--noinput", "-v", "0")
    ids = prepare()
    baseline = run(ids, args.readers, 0, args.seconds, args.threads)
    rec = run(ids, args.readers, args.editors, args.seconds, args.threads)
    lost_saves, lost_proposals = verify(rec)
    total = sum(rec.statuses.values())
    errors = sum(n for status, n in rec.statuses.items() if status >= 500)
    lines = [
        f"Load test: {args.readers} readers and {args.editors} editors for {args.seconds} s "
        f"against gunicorn (3 workers x {args.threads} threads, production settings) on "
        "PostgreSQL, database "
        f"{database_url().rsplit('/', 1)[-1]}; {total:,} requests.",
        "",
        "| kind | requests | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for kind, values in sorted(rec.latency.items()):
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        lines.append(f"| {kind} | {len(values):,} | {statistics.median(values):.0f} | {p99:.0f} |")
    base_hits, base_p50 = readers_summary(baseline)
    hits, p50 = readers_summary(rec)
    lines += [
        "",
        "| readers | pages read | page-cache hit rate | p50 ms |",
        "|---|---:|---:|---:|",
        f"| read-only run (no editors) | {sum(baseline.cache.values()):,} | {base_hits:.1%} "
        f"| {base_p50:.1f} |",
        f"| with {args.editors} editors | {sum(rec.cache.values()):,} | {hits:.1%} | {p50:.1f} |",
        "",
        f"Readers' p50 with editors is {p50 / base_p50:.2f}x the read-only run's.",
        "",
        f"Statuses: {dict(sorted(rec.statuses.items()))}; 5xx: {errors}.",
        f"Acknowledged saves: {len(rec.saved_tokens)}, lost: {lost_saves}; saves refused as "
        f"stale (two editors on one source; nothing overwritten): {rec.refused_stale}.",
        f"Acknowledged proposals: {len(rec.proposal_tokens)}, lost: {lost_proposals}.",
    ]
    report = "\n".join(lines)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "loadtest.md").write_text(report + "\n")
    print(report)
    if errors or lost_saves or lost_proposals:
        sys.exit(1)


if __name__ == "__main__":
    main()
