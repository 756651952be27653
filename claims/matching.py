"""The passage of a source's snapshot that best supports a claim, and how well.

The snapshot's passages (`passages.text_passages`) are ranked against the claim with BM25
(bm25s), and the best `CANDIDATES` are scored with fuzzy similarity (rapidfuzz): how much
of the claim's wording the passage holds (`partial_token_set_ratio`, word order and
extra words aside) and how many of the claim's content words it holds. The score (0-100)
decides the outcome: at least `SUPPORTED_AT` a supported passage found, at least
`WEAK_AT` a weak match, below it not found; with no snapshot text, nothing to check.
Numbers and quotations are checked on their own against the whole text (`checks`); a
claim with one the source lacks is at best a weak match.
The thresholds are set from the labelled claims (`claims.evaluation`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property

import bm25s
from django.db import models
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from .checks import (
    numbers_in,
    numbers_missing,
    numbers_said,
    quotes_haystack,
    quotes_in,
    quotes_missing,
)
from .passages import Passage, text_passages

# bm25s sets its own logger to DEBUG on import, so every index it builds logs a line to
# the console whatever LOG_LEVEL says: its warnings are what a worker's log wants.
logging.getLogger("bm25s").setLevel(logging.WARNING)

CANDIDATES = 5
# Set on the labelled set (tests/data/claims_labelled.json, `make bench-claims`): there
# unrelated claims score at most 62 (fuzzy wording finds a shared word or two) and
# paraphrases at least 65.
SUPPORTED_AT = 75
WEAK_AT = 63
# And each clause of a supported claim has at least this share of its content words in
# the passage: a claim whose first half the passage says and whose second half it does
# not ("..., and it recommended a licence") scores high on the whole, and is only weak.
CLAUSE_HELD_AT = 55
# Where a claim joins clauses: "and"/"but"/"while" before a new subject, or a semicolon.
CLAUSE_RE = re.compile(
    r",?\s+(?:and|but|while|whereas)\s+(?=(?:it|they|the|a|an|its|their|this|that|he|she"
    r"|[A-Z])\b)|;\s+"
)
WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# Words that say little of what a claim claims (bm25s drops its own list of these too).
STOPWORDS = frozenset(
    "a an and are as at be been but by for from had has have he her his i if in into is it "
    "its of on or our she so such than that the their them then there these they this to "
    "was we were what when which while who will with would you".split()
)


class Outcome(models.TextChoices):
    SUPPORTED = "supported", _("Supported passage found")
    WEAK = "weak", _("Weak match")
    NOT_FOUND = "not_found", _("Not found")
    UNCHECKED = "unchecked", _("No snapshot to check")


@dataclass
class ClaimMatch:
    outcome: str
    passage: Passage | None = None
    score: float = 0.0
    numbers_missing: list[str] = field(default_factory=list)
    quotes_missing: list[str] = field(default_factory=list)
    # The least share (0-100) of a clause's content words the passage holds.
    clauses_held: float = 0.0

    @property
    def flagged(self) -> bool:
        return bool(self.numbers_missing or self.quotes_missing)


def content_words(text: str) -> list[str]:
    return [word for word in WORD_RE.findall(text.casefold()) if word not in STOPWORDS]


def word_coverage(claim: str, passage: str) -> float:
    """The share (0-100) of the claim's content words the passage holds."""
    words = content_words(claim)
    if not words:
        return 0.0
    held = set(content_words(passage))
    return 100 * sum(word in held for word in words) / len(words)


def clauses_held(claim: str, passage: str) -> float:
    """The least word coverage of the claim's clauses: how much of its weakest part the
    passage says."""
    clauses = [part for part in CLAUSE_RE.split(claim) if content_words(part)]
    return min((word_coverage(part, passage) for part in clauses), default=0.0)


def passage_score(claim: str, passage: str) -> float:
    """How well a passage says a claim, 0-100: the mean of the claim's wording found in the
    passage (fuzzy) and the share of its content words the passage holds."""
    words = content_words(claim)
    if not words:
        return 0.0
    wording = fuzz.partial_token_set_ratio(" ".join(words), " ".join(content_words(passage)))
    return (word_coverage(claim, passage) + wording) / 2


class SnapshotIndex:
    """A snapshot's passages, indexed once for all the claims that cite it."""

    def __init__(self, text: str):
        self.text = text or ""
        self.passages = text_passages(self.text)
        self.retriever = None
        if self.passages:
            tokens = bm25s.tokenize(
                [p.text for p in self.passages], stopwords="en", show_progress=False
            )
            self.retriever = bm25s.BM25()
            self.retriever.index(tokens, show_progress=False)

    # Read from the whole text once, for all the claims (a 1 MB text took 0.1 s a claim).
    @cached_property
    def numbers_said(self) -> frozenset:
        return numbers_said(self.text)

    @cached_property
    def quotes_haystack(self) -> str:
        return quotes_haystack(self.text)

    def candidates(self, claim: str) -> list[Passage]:
        """The passages BM25 ranks best for the claim (those sharing no word left out)."""
        if self.retriever is None:
            return []
        query = bm25s.tokenize([claim], stopwords="en", show_progress=False)
        k = min(CANDIDATES, len(self.passages))
        results, scores = self.retriever.retrieve(query, k=k, show_progress=False)
        return [
            self.passages[int(index)]
            for index, score in zip(results[0], scores[0], strict=True)
            if score > 0
        ]

    def match(self, claim: str) -> ClaimMatch:
        """The best passage for a claim, its score and outcome, and the claim's numbers and
        quotations the source does not hold."""
        if not self.passages:
            return ClaimMatch(Outcome.UNCHECKED)
        # The whole text is read for numbers or quotations only once a claim has some.
        found = ClaimMatch(
            Outcome.NOT_FOUND,
            numbers_missing=(
                numbers_missing(claim, said=self.numbers_said) if numbers_in(claim) else []
            ),
            quotes_missing=(
                quotes_missing(claim, haystack=self.quotes_haystack) if quotes_in(claim) else []
            ),
        )
        for passage in self.candidates(claim):
            score = passage_score(claim, passage.text)
            if score > found.score:
                found.passage, found.score = passage, score
        if found.passage is not None:
            found.clauses_held = clauses_held(claim, found.passage.text)
        if is_supported(found):
            found.outcome = Outcome.SUPPORTED
        elif found.score >= WEAK_AT:
            # Here too a passage that says the claim but for a number, a quotation or a
            # clause: no support, a weak match (the flags say which number or quotation).
            found.outcome = Outcome.WEAK
        return found


def is_supported(match: ClaimMatch, supported_at: float = SUPPORTED_AT) -> bool:
    """A passage says the claim: it scores at least `supported_at`, holds each clause's
    words, and the source writes the claim's numbers and quotations."""
    return (
        match.passage is not None
        and match.score >= supported_at
        and match.clauses_held >= CLAUSE_HELD_AT
        and not match.flagged
    )
