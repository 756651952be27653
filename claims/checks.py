"""Numbers and quotations in a claim, each checked on its own against a source's text.

A number is found in the source when the source writes the same quantity of the same
kind: `58%`, `58 percent` and `58 per cent` are one percentage; `1,200`, `1200` and
`1.2 thousand` one count; `$3.5 billion` and `3,500 million` one amount. A share written
as a fraction (`0.58`) is not taken for a percentage: the issue is whether the source
says what the claim says. Years count as numbers. A quotation (in “…” or "…", at least
`QUOTE_MIN_WORDS` words) is found when the source holds the same words in order,
ignoring case, the style of quotes, dashes and apostrophes, and spacing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

QUOTE_MIN_WORDS = 3
MULTIPLIERS = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "m": 10**6,
    "mn": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
}
NUMBER_RE = re.compile(
    r"(?<![\w.,])(?P<value>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<percent>%|percent\b|per\s+cent\b|percentage\s+points?\b)"
    r"|\s*(?P<multiplier>thousand|million|billion|trillion|bn|mn|tn|k|m|b)\b)?",
    re.IGNORECASE,
)
QUOTE_RE = re.compile(r"“([^”]{3,}?)”|\"([^\"\n]{3,}?)\"|«([^»]{3,}?)»")


class NumberKind:
    PERCENT = "percent"
    PLAIN = "number"


@dataclass(frozen=True)
class Number:
    written: str
    value: Decimal
    kind: str


def numbers_in(text: str) -> list[Number]:
    """Every number a text writes, with its value and kind."""
    found = []
    for match in NUMBER_RE.finditer(text or ""):
        try:
            value = Decimal(match.group("value").replace(",", ""))
        except InvalidOperation:
            continue
        kind = NumberKind.PERCENT if match.group("percent") else NumberKind.PLAIN
        multiplier = (match.group("multiplier") or "").lower()
        if multiplier:
            value *= MULTIPLIERS[multiplier]
        found.append(Number(match.group(0).strip(), value, kind))
    return found


def numbers_said(text: str) -> frozenset[tuple[Decimal, str]]:
    """The quantities a text writes, each with its kind: what claims are checked against."""
    return frozenset((number.value, number.kind) for number in numbers_in(text))


def numbers_missing(
    claim: str, source_text: str = "", *, said: frozenset | None = None
) -> list[str]:
    """The numbers of the claim the source does not write (as the claim wrote them);
    `said` is `numbers_said(source_text)` when already known (a snapshot's, for all the
    claims citing it)."""
    numbers = numbers_in(claim)
    if not numbers:
        return []
    said = numbers_said(source_text) if said is None else said
    return [n.written for n in numbers if (n.value, n.kind) not in said]


def _folded(text: str) -> str:
    """Text as quotations are compared: case, quote and dash styles and spacing aside."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[‘’ʼ`´]", "'", text)
    text = re.sub(r"[“”„«»]", '"', text)
    # Dashes and hyphens separate words as spaces do (`know—yet`, `know - yet`).
    text = re.sub(r"[‐‑‒–—―-]", " ", text)
    text = re.sub(r"[^\w'%$]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def quotes_in(claim: str) -> list[str]:
    """The quotations of a claim: quoted runs of at least QUOTE_MIN_WORDS words (a quoted
    word or two is a term, not a quotation)."""
    quotes = []
    for match in QUOTE_RE.finditer(claim or ""):
        quote = next(group for group in match.groups() if group is not None).strip()
        if len(quote.split()) >= QUOTE_MIN_WORDS:
            quotes.append(quote)
    return quotes


def quotes_haystack(text: str) -> str:
    """A text as quotations are looked for in it."""
    return f" {_folded(text)} "


def quotes_missing(claim: str, source_text: str = "", *, haystack: str | None = None) -> list[str]:
    """The quotations of the claim the source does not hold, word for word; `haystack` is
    `quotes_haystack(source_text)` when already known."""
    quotes = quotes_in(claim)
    if not quotes:
        return []
    haystack = quotes_haystack(source_text) if haystack is None else haystack
    return [quote for quote in quotes if f" {_folded(quote)} " not in haystack]
