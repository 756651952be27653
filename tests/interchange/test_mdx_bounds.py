"""The MDX converter's cost on hostile page files: each scan is linear, so 200 KB of the
shapes that made the import quadratic (30-70 s each) converts within a second, in both
directions, and in about four times the time of a quarter of it (not sixteen)."""

import time

import pytest

from interchange.longterm_wiki.mdx import markdown_to_mdx, mdx_to_markdown, refs_sub
from tests.wiki.test_markup_bounds import DEADLINE, SECONDS, deadline, repeated

HOSTILE = {
    # References whose text never closes, closes with one bracket, or closes at the end.
    "[[a|": repeated("[[a|"),
    "[[cite:a|": repeated("[[cite:a|"),
    "[[a| ... ]": repeated("[[a|", "]"),
    "[[a| ... ]]": repeated("[[a|", "]]"),
    # Comments never closed, or closed once at the end or badly.
    "<!--": repeated("<!--"),
    "<!-- ... -->": repeated("<!--", "-->"),
    "{/*": repeated("{/*"),
    "{/* ... */": repeated("{/*", "*/"),
    # Many comments on one line, and inside reference text.
    "<!--a-->": repeated("<!--a-->"),
    "<!--a-->x": repeated("<!--a-->x"),
    "[[a|<!--": repeated("[[a|<!--"),
}


def best_time(convert, text: str, runs: int = 2) -> float:
    best = float("inf")
    for _ in range(runs):
        with deadline(DEADLINE):
            start = time.process_time()
            convert(text)
            best = min(best, time.process_time() - start)
    return best


CONVERSIONS = {"MDX to Markdown": mdx_to_markdown, "Markdown to MDX": markdown_to_mdx}


# Linear work on a quarter of a body takes a quarter of the time; quadratic, a sixteenth.
# Below this, times are too short to compare (the one-second bound still holds).
MEASURABLE = 0.05


@pytest.mark.parametrize("direction", CONVERSIONS)
@pytest.mark.parametrize("shape", HOSTILE)
def test_a_hostile_page_converts_in_time_linear_in_its_size(shape, direction):
    convert, body = CONVERSIONS[direction], HOSTILE[shape]
    seconds = best_time(convert, body)

    assert seconds < SECONDS, f"{shape}, {direction}: {seconds:.2f} s"
    if seconds >= MEASURABLE:
        quarter = best_time(convert, body[: len(body) // 4], runs=3)
        assert seconds / quarter < 8, f"{shape}, {direction}: {seconds / quarter:.1f} × a quarter"


@pytest.mark.parametrize(
    "text",
    [
        "a [[x|y]] b [[cite:z]] c",
        "[[a|[[b|c]] d",
        "[[a\\|b]] [[a|b\\]] [[|x]] [[a|\n]]",
        "[[a|b]][[c]]",
        "x [[ y",
    ],
)
def test_linear_reference_replacement_matches_the_regex(text):
    from interchange.longterm_wiki.mdx import REF_ANY_RE

    def show(ref):
        return f"<{ref['ref']}:{ref['text']}>"

    assert refs_sub(show, text) == REF_ANY_RE.sub(show, text)
