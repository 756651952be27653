"""Memos of facts about a long text: keyed by the text object, so another copy of the same
text is never compared with the one remembered, character by character, on every question."""

import pytest

from core.memo import text_memo
from interchange.longterm_wiki import mdx
from wiki import markup_blocks


class Counted(str):
    """A text that counts how often it is compared for equality."""

    comparisons = 0

    def __eq__(self, other):
        Counted.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


@pytest.fixture
def counted():
    Counted.comparisons = 0
    return lambda text: Counted(text)


def memo_counting_calls(maxsize=4):
    calls = []

    @text_memo(maxsize=maxsize)
    def length(text, extra=0):
        calls.append((text, extra))
        return len(text) + extra

    return length, calls


def test_the_same_text_is_answered_once():
    length, calls = memo_counting_calls()
    text = "x" * 1000

    assert [length(text) for _ in range(5)] == [1000] * 5
    assert len(calls) == 1


def test_a_copy_of_the_text_is_answered_afresh_without_comparing_the_two(counted):
    length, calls = memo_counting_calls()
    first, copy = counted("x" * 1000), counted("x" * 1000)
    length(first)

    assert [length(copy) for _ in range(5)] == [1000] * 5
    assert len(calls) == 2
    assert Counted.comparisons == 0


def test_further_arguments_are_part_of_the_key():
    length, calls = memo_counting_calls()
    text = "abc"

    assert (length(text, 1), length(text, 2), length(text, 1)) == (4, 5, 4)
    assert calls == [("abc", 1), ("abc", 2)]


def test_the_oldest_entry_leaves_when_the_memo_is_full():
    length, calls = memo_counting_calls(maxsize=2)
    texts = ["a" * 10, "b" * 10, "c" * 10]
    for text in texts:
        length(text)

    length(texts[2])
    length(texts[1])
    assert len(calls) == 3
    length(texts[0])
    assert len(calls) == 4


def test_a_memo_holds_its_texts_so_their_ids_are_not_reused():
    length, calls = memo_counting_calls(maxsize=1)
    # Built at run time: each is a new object, freed once nothing holds it.
    texts = ["".join(["y", str(size)]) for size in range(50)]
    answers = [length(text) for text in texts]

    assert answers == [len(text) for text in texts]
    assert len(calls) == 50


def test_a_memo_holds_at_least_one_entry():
    with pytest.raises(ValueError, match="at least one"):
        text_memo(maxsize=0)


def test_the_converter_and_renderer_scans_never_compare_a_copy_with_an_earlier_text(counted):
    # The MDX converter's reference and comment scans and the renderer's stop index ask
    # once per opener; with an equality-keyed cache, each question about a second copy of a
    # body compared it with the first in full, so reading a hostile body again was quadratic.
    body = "[[a|<!--" * 2000 + "]] -->"
    first, copy = counted(body), counted(body)
    for text in (first, copy):
        for pos in range(0, 4000, 8):
            mdx.ref_at(text, pos)
            mdx.comment_match(mdx.HTML_COMMENT_RE, text, pos)
            markup_blocks.next_stop(text, "]", pos)

    assert Counted.comparisons == 0
