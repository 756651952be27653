"""Benchmark: cached pages through Varnish in front of gunicorn, purged by tag (`make bench-proxy`).

Uses the database of `make bench` (credence_bench_pages). Serves it with gunicorn as
`make bench` does, with the front-cache purge hook pointed at a Varnish started here
(bench/varnish.vcl: pages kept for s-maxage, purged by the tags in their Surrogate-Key
header). Drives each main page with wrk through Varnish and straight at gunicorn (page
cache on), then checks that an edit shows through Varnish on the next request. Writes
var/bench/proxy.md. Needs Varnish (apt-get install varnish) and wrk.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench.pages as pages  # noqa: E402
from bench.pages import Server, free_port, page_urls, shell_json, wrk  # noqa: E402

EDIT_CODE = """
import json
from sources.models import Source
source = Source.objects.get(pk=PK)
source.title = TITLE
source.save()
print(json.dumps(source.get_absolute_url()))
"""


class Varnish:
    def __init__(self, port: int, backend_port: int):
        self.port = port
        workdir = ROOT / "var" / "bench" / "varnish"
        workdir.mkdir(parents=True, exist_ok=True)
        vcl = workdir / "credence.vcl"
        vcl.write_text(
            (ROOT / "bench" / "varnish.vcl").read_text().replace("BACKEND_PORT", str(backend_port))
        )
        vcl.chmod(0o644)
        self.process = subprocess.Popen(
            [
                "varnishd",
                "-F",
                "-a",
                f"127.0.0.1:{self.port}",
                "-f",
                str(vcl),
                "-s",
                "malloc,256m",
                "-n",
                str(workdir / "instance"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urlopen(self.base + "/bench/constant/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("varnish did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sources", type=int, default=pages.DEFAULT_SOURCES, help="the size `make bench` built"
    )
    args = parser.parse_args()
    pages.bench_database_for(args.sources)
    if not shutil.which("varnishd") or not shutil.which("wrk"):
        sys.exit("varnish or wrk is missing: apt-get install varnish wrk")
    urls = page_urls()
    # gunicorn's purge hook names Varnish's port, and Varnish gunicorn's: the first is
    # chosen before either starts.
    varnish_port = free_port()
    purge = {"CREDENCE_FRONT_CACHE_PURGE_URL": f"http://127.0.0.1:{varnish_port}/"}
    server = Server(cache_on=True, extra=purge)
    varnish = None
    rows = []
    try:
        varnish = Varnish(varnish_port, server.port)
        constant = wrk(server.base + "/bench/constant/")
        for name, path in urls.items():
            direct = wrk(server.base + path)
            through = wrk(varnish.base + path)
            rows.append((name, direct, through))
        fresh = edit_shows_through(varnish, urls["source detail"], purge)
    finally:
        if varnish:
            varnish.stop()
        server.stop()
    lines = [
        "Cached pages through Varnish 7 (purged by tag) and straight from gunicorn's page "
        f"cache (wrk 8 connections x 8 s); the constant view without the page cache: "
        f"{constant['rps']:.0f} req/s.",
        "",
        "| page | gunicorn req/s | ratio to constant view | Varnish req/s | Varnish p50 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, direct, through in rows:
        lines.append(
            f"| {name} | {direct['rps']:.0f} | {direct['rps'] / constant['rps']:.2f}x | "
            f"{through['rps']:.0f} | {through['p50']:.2f} |"
        )
    lines += ["", f"An edit shows through Varnish on the next request: {fresh}."]
    report = "\n".join(lines)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "proxy.md").write_text(report + "\n")
    print(report)
    if not fresh:
        sys.exit(1)


def edit_shows_through(varnish: Varnish, path: str, purge: dict) -> bool:
    """Edit the source behind `path` (the purge hook tells Varnish) and read it again."""
    pk = path.rstrip("/").rsplit("/", 1)[-1]
    title = f"Retitled for the proxy check {time.time_ns()}"
    shell_json(EDIT_CODE.replace("PK", repr(pk)).replace("TITLE", repr(title)), **purge)
    with urlopen(varnish.base + path, timeout=30) as answer:
        return title in answer.read().decode()


if __name__ == "__main__":
    main()
