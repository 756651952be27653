"""The MDX converter's cost on hostile page files: each scan is linear, so 200 KB of the
shapes that made the import quadratic (30-70 s each) converts within a second, in both
directions, and in about four times the time of a quarter of it (not sixteen)."""

import gc
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interchange.longterm_wiki import mdx
from interchange.longterm_wiki.mdx import markdown_to_mdx, mdx_to_markdown, refs_sub
from tests.wiki.test_markup_bounds import DEADLINE, SECONDS, SIZE, deadline, repeated

HOSTILE = {
    # References whose text never closes, closes with one bracket, or closes at the end.
    "[[a|": ("[[a|", ""),
    "[[cite:a|": ("[[cite:a|", ""),
    "[[a| ... ]": ("[[a|", "]"),
    "[[a| ... ]]": ("[[a|", "]]"),
    # Comments never closed, or closed once at the end or badly.
    "<!--": ("<!--", ""),
    "<!-- ... -->": ("<!--", "-->"),
    "{/*": ("{/*", ""),
    "{/* ... */": ("{/*", "*/"),
    # Many comments on one line, and inside reference text.
    "<!--a-->": ("<!--a-->", ""),
    "<!--a-->x": ("<!--a-->x", ""),
    "[[a|<!--": ("[[a|<!--", ""),
    # Backticks that never close in one long paragraph.
    "``a`": ("``a`", ""),
    "`a": ("`a", ""),
}
# Components never closed, or whose attributes never close: each one asked whether anything
# further on closes it. Each costs a note and an escaped copy, so they get a looser bound.
UNCLOSED_COMPONENTS = {
    "<F>": ("<F>", ""),
    "<Aside>x": ("<Aside>x", ""),
    "</F>": ("</F>", ""),
    '<F a="': ('<F a="', ""),
    "<F a={": ("<F a={", ""),
    "<F a={`": ("<F a={`", ""),
    "<F a={`${": ("<F a={`${", ""),
    "{`": ("{`", ""),
}
COMPONENT_SECONDS = 5.0


def best_time(convert, text: str, runs: int = 2) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()  # a collection owed by earlier work is not charged to this one
        with deadline(DEADLINE):
            start = time.process_time()
            convert(text)
            best = min(best, time.process_time() - start)
    return best


CONVERSIONS = {"MDX to Markdown": mdx_to_markdown, "Markdown to MDX": markdown_to_mdx}


# Linear work on a quarter of a body takes a quarter of the time; quadratic, a sixteenth.
# Below this, times are too short to compare (the one-second bound still holds).
MEASURABLE = 0.05
# Linear is 4x, quadratic 16x: the bound is halfway on a log scale.
LINEAR_RATIO = 8
LINEAR_RETRIES = 2


@pytest.mark.timing
@pytest.mark.parametrize("direction", CONVERSIONS)
@pytest.mark.parametrize("shape", HOSTILE)
def test_a_hostile_page_converts_in_time_linear_in_its_size(shape, direction):
    assert_linear(CONVERSIONS[direction], HOSTILE[shape], SECONDS, f"{shape}, {direction}")


@pytest.mark.timing
@pytest.mark.parametrize("direction", CONVERSIONS)
@pytest.mark.parametrize("shape", UNCLOSED_COMPONENTS)
def test_a_page_of_unclosed_components_converts_in_time_linear_in_its_size(shape, direction):
    label = f"{shape}, {direction}"
    assert_linear(CONVERSIONS[direction], UNCLOSED_COMPONENTS[shape], COMPONENT_SECONDS, label)


def assert_linear(convert, shape: tuple[str, str], bound: float, label: str) -> None:
    """The whole body within the bound, and in under twice the time linear work would take
    over a quarter of it (quadratic work takes four times that).

    The quarter is the same shape, its closing tail too: a prefix would lack the tail and
    take another path. Times on a shared machine jitter by more than 2x at these lengths
    (page faults on fresh memory, a neighbour's load), so each is the best of several runs,
    measured again up to twice while the ratio is over: jitter only ever adds time, and
    quadratic work stays over however often it is measured."""
    unit, tail = shape
    body, quarter_body = repeated(unit, tail), repeated(unit, tail, size=SIZE // 4)
    seconds = best_time(convert, body)

    assert seconds < bound, f"{label}: {seconds:.2f} s"
    if seconds < MEASURABLE:
        return
    quarter = best_time(convert, quarter_body, runs=3)
    for _ in range(LINEAR_RETRIES):
        if seconds / quarter < LINEAR_RATIO:
            break
        seconds = min(seconds, best_time(convert, body))
        quarter = min(quarter, best_time(convert, quarter_body, runs=3))
    assert seconds / quarter < LINEAR_RATIO, f"{label}: {seconds / quarter:.1f} × a quarter"


@pytest.mark.timing
@pytest.mark.parametrize(
    "unit, closing",
    [("<F>", "</F>"), ("<Aside>x", "</Aside>"), ("<F><G>", "</G></F>"), ("<F>\n", "</F>")],
)
def test_nested_unclosed_components_closed_once_take_no_exponential_time(unit, closing):
    # Each unclosed tag made its parent read its children again: 20 levels took 19 s and
    # each further level doubled it. Now a tag read to the end without its closing tag is
    # not read again, and 30 levels take milliseconds.
    body = unit * 30 + closing
    with deadline(DEADLINE):
        start = time.process_time()
        result = mdx_to_markdown(body)
        seconds = time.process_time() - start

    assert seconds < SECONDS, f"{unit!r} × 30: {seconds:.2f} s"
    # The innermost one is closed; every other one is kept as text, with a note each.
    unclosed = [note for note in result.notes if note.message.startswith("unclosed <")]
    assert len(unclosed) >= 29


class Forgetful(mdx._ScanMemo):
    """The converter's memo remembering nothing: every question read afresh."""

    def find(self, needle, start):
        return self.text.find(needle, start)

    def search(self, pattern, start, end):
        return pattern.search(self.text, start, end)

    def braces(self, end):
        return {}

    def failing(self, closing, end, dedent):
        return set()


PIECES = ["<F>", "</F>", "<G>", "</G>", "<Aside>", "</Aside>", "<F a={", "<F a=\"", '"', "}",
          "{", "`", "``", "${", ">", "/>", "x", " ", "\n", "\n\n", "<!--", "-->"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_remembered_answers_convert_as_reading_afresh_would(pieces):
    # Closing tags, quotes, braces, paragraph ends and failed searches are remembered; a
    # body converts exactly as it does when every question is read again from its place.
    body = "".join(pieces)
    remembered = mdx_to_markdown(body)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mdx, "_ScanMemo", Forgetful)
        afresh = mdx_to_markdown(body)

    assert remembered == afresh
    assert markdown_to_mdx(remembered.markdown) == markdown_to_mdx(afresh.markdown)


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
