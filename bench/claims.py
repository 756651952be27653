"""Benchmark: the claim checks' accuracy on the labelled set, and their throughput.

Accuracy: every pair of tests/data/claims_labelled.json checked against its document;
precision and recall of "supported passage found" (right only with the passage holding
the pair's evidence) and of the number and quotation flags, at the thresholds in
`claims.matching`, with the precision and recall of "supported" at other thresholds
beside them (how the threshold was chosen). Throughput: `page_claims_check` (claims read
from the body, snapshots read from the database, passages indexed and matched, checks
written) on pages of 10 and 100 citations whose sources have snapshots of 20 KB and
1 MB, in a scratch SQLite database: checks per second, best of three. Prints Markdown,
also written to var/bench/claims.md. Usage: `make bench-claims` (or python
bench/claims.py [--runs N]).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LABELLED = ROOT / "tests" / "data" / "claims_labelled.json"
SWEEP = (60, 65, 70, 75, 80, 85, 90)
SIZES = {"20 KB": 20_000, "1 MB": 1_000_000}
CITATIONS = (10, 100)
# Our own vocabulary for synthetic snapshots: the throughput does not depend on the words.
WORDS = (
    "model evaluation compute governance safety audit incident report policy laboratory "
    "training threshold export control accelerator survey risk deployment oversight "
    "benchmark capability alignment interpretability regulator standard licence disclosure"
).split()


def django_setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["CREDENCE_CLAIM_CHECKS_ON_SAVE"] = "0"  # measured here, not queued
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def accuracy() -> list[str]:
    from claims import evaluation
    from claims.matching import SUPPORTED_AT, WEAK_AT

    documents, pairs = evaluation.labelled_set_load(LABELLED)
    matches = evaluation.labelled_matches(documents, pairs)
    supported = evaluation.supported_rates(pairs, matches)
    numbers = evaluation.flag_rates(pairs, matches, "wrong_number")
    quotes = evaluation.flag_rates(pairs, matches, "wrong_quote")
    lines = [
        f"Labelled set: {len(pairs)} pairs over {len(documents)} documents; thresholds: "
        f"supported at {SUPPORTED_AT}, weak at {WEAK_AT}.",
        "",
        "| prediction | precision | recall | counts (right / said / actual) |",
        "|---|---|---|---|",
    ]
    for label, rates in (
        ("supported passage found", supported),
        ("wrong number flagged", numbers),
        ("wrong quotation flagged", quotes),
    ):
        lines.append(
            f"| {label} | {rates.precision:.3f} | {rates.recall:.3f} | "
            f"{rates.true_positives} / {rates.predicted} / {rates.actual} |"
        )
    lines += ["", "| supported at | precision | recall |", "|---|---|---|"]
    for threshold in SWEEP:
        rates = evaluation.supported_rates(pairs, matches, threshold)
        lines.append(f"| {threshold} | {rates.precision:.3f} | {rates.recall:.3f} |")
    table = evaluation.outcomes_by_category(pairs, matches)
    outcomes = ("supported", "weak", "not_found")
    lines += ["", "| category | " + " | ".join(outcomes) + " |", "|---" * 4 + "|"]
    for category, row in table.items():
        lines.append(f"| {category} | " + " | ".join(str(row.get(o, 0)) for o in outcomes) + " |")
    return lines


def synthetic_text(size: int, rng: random.Random) -> str:
    paragraphs, length = [], 0
    while length < size:
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(rng.randint(3, 6))
        ]
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def throughput(runs: int) -> list[str]:
    from claims.services import page_claims_check
    from sources.models import FetchOutcome, Snapshot, Source
    from wiki.models import WikiPage

    rng = random.Random(21)
    lines = [
        "| citations | snapshot | checks/s | seconds per page |",
        "|---|---|---|---|",
    ]
    for size_label, size in SIZES.items():
        for count in CITATIONS:
            tag = f"{count}-{size}"
            sources = [
                Source.objects.create(url=f"https://example.org/{tag}/{n}", title=f"S {n}")
                for n in range(count)
            ]
            for source in sources:
                Snapshot.objects.create(
                    source=source,
                    requested_url=source.url,
                    outcome=FetchOutcome.OK,
                    text=synthetic_text(size, rng),
                )
            body = "\n\n".join(
                " ".join(rng.choice(WORDS) for _ in range(14)).capitalize()
                + f".[[cite:{source.id}]]"
                for source in sources
            )
            page = WikiPage.objects.create(slug=f"bench-{tag}", title=tag, body=body)
            best = float("inf")
            for _run in range(runs):
                page.claim_checks.all().delete()  # each run checks everything afresh
                start = time.perf_counter()
                page_claims_check(page)
                best = min(best, time.perf_counter() - start)
            lines.append(f"| {count} | {size_label} | {count / best:.1f} | {best:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        django_setup(Path(scratch) / "bench.sqlite3")
        lines = [
            f"Claim checks, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPU(s).",
            "",
            *accuracy(),
            "",
            *throughput(args.runs),
        ]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "var" / "bench" / "claims.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)


if __name__ == "__main__":
    main()
