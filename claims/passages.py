"""A snapshot's text cut into passages a claim can be found in: its paragraphs, long ones
cut at sentence ends into pieces of about `TARGET_WORDS`, short ones joined to the next.
Each passage keeps where it starts and ends in the text, so that a reader can be taken to
that place in the snapshot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .extraction import sentence_spans

TARGET_WORDS = 60
MAX_WORDS = 120
MIN_WORDS = 8
PARAGRAPH_RE = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")  # a run of lines, none blank
WORD_RE = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(WORD_RE.findall(self.text))


def _words(text: str) -> int:
    return len(WORD_RE.findall(text))


def _trimmed(text: str, start: int, end: int, offset: int) -> Passage:
    """The passage of text[start:end] without surrounding spaces, placed in the whole text."""
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip())
    end = start + len(piece.strip())
    return Passage(offset + start, offset + end, text[start:end])


def _pieces(text: str, offset: int) -> list[Passage]:
    """A long paragraph cut at sentence ends into pieces of about TARGET_WORDS (a sentence
    longer than MAX_WORDS is cut between words)."""
    spans: list[tuple[int, int]] = []
    start = end = None
    for s, e in sentence_spans(text):
        if start is not None and _words(text[start:e]) > TARGET_WORDS:
            spans.append((start, end))
            start = None
        if start is None:
            start = s
        end = e
    if start is not None:
        spans.append((start, end))
    cut: list[Passage] = []
    for s, e in spans:
        words = list(WORD_RE.finditer(text, s, e))
        if len(words) <= MAX_WORDS:
            cut.append(_trimmed(text, s, e, offset))
            continue
        for first in range(0, len(words), TARGET_WORDS):
            chunk = words[first : first + TARGET_WORDS]
            cut.append(_trimmed(text, chunk[0].start(), chunk[-1].end(), offset))
    return cut


def text_passages(text: str) -> list[Passage]:
    """The passages of a snapshot's text, in order, covering all of its words."""
    passages: list[Passage] = []
    pending: Passage | None = None
    for match in PARAGRAPH_RE.finditer(text or ""):
        paragraph = match.group(0)
        found = (
            _pieces(paragraph, match.start())
            if _words(paragraph) > MAX_WORDS
            else [_trimmed(paragraph, 0, len(paragraph), match.start())]
        )
        for passage in found:
            if pending is not None:
                passage = Passage(pending.start, passage.end, text[pending.start : passage.end])
                pending = None
            if passage.words < MIN_WORDS:
                pending = passage  # a heading or a short line: it belongs with what follows
                continue
            passages.append(passage)
    if pending is not None:
        passages.append(pending)
    return passages
