"""How well the claim checks do on a labelled set (tests/data/claims_labelled.json).

Each pair is a claim and the document it cites, labelled by what the claim does with it:
`supported` and `paraphrased` claims are supported by the paragraph holding `evidence`;
`wrong_number`, `wrong_quote`, `partial` and `unrelated` ones are not. A "supported
passage found" counts as right only when the claim is supported and the passage found
holds the evidence. The flags are measured on their own: a wrong number should be
flagged as a number the source lacks, a wrong quotation as a quotation it lacks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .matching import SUPPORTED_AT, ClaimMatch, SnapshotIndex, is_supported

SUPPORTED_CATEGORIES = frozenset({"supported", "paraphrased"})
CATEGORIES = ("supported", "paraphrased", "wrong_number", "wrong_quote", "partial", "unrelated")


@dataclass(frozen=True)
class Pair:
    id: str
    document: str
    category: str
    claim: str
    evidence: str

    @property
    def supported(self) -> bool:
        return self.category in SUPPORTED_CATEGORIES


@dataclass(frozen=True)
class Rates:
    """Precision and recall of one prediction, with the counts behind them."""

    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 1.0


def labelled_set_load(path: Path) -> tuple[dict[str, str], list[Pair]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    pairs = [Pair(**{k: p[k] for k in Pair.__dataclass_fields__}) for p in data["pairs"]]
    return data["documents"], pairs


def labelled_matches(documents: dict[str, str], pairs: list[Pair]) -> list[ClaimMatch]:
    """Each pair's match, each document indexed once."""
    indexes = {name: SnapshotIndex(text) for name, text in documents.items()}
    return [indexes[pair.document].match(pair.claim) for pair in pairs]


def found_supported(match: ClaimMatch, supported_at: float = SUPPORTED_AT) -> bool:
    """The outcome `matching` gives, at a given threshold."""
    return is_supported(match, supported_at)


def supported_rates(
    pairs: list[Pair], matches: list[ClaimMatch], supported_at: float = SUPPORTED_AT
) -> Rates:
    predicted = [found_supported(m, supported_at) for m in matches]
    right = [
        said and pair.supported and pair.evidence in match.passage.text
        for pair, match, said in zip(pairs, matches, predicted, strict=True)
    ]
    return Rates(sum(right), sum(predicted), sum(pair.supported for pair in pairs))


def flag_rates(pairs: list[Pair], matches: list[ClaimMatch], category: str) -> Rates:
    """How the flag for this category (`wrong_number` or `wrong_quote`) does."""
    attribute = "numbers_missing" if category == "wrong_number" else "quotes_missing"
    flagged = [bool(getattr(match, attribute)) for match in matches]
    actual = [pair.category == category for pair in pairs]
    right = sum(f and a for f, a in zip(flagged, actual, strict=True))
    return Rates(right, sum(flagged), sum(actual))


def outcomes_by_category(pairs: list[Pair], matches: list[ClaimMatch]) -> dict[str, dict]:
    """Per category, how many pairs got each outcome."""
    table: dict[str, dict] = {category: {} for category in CATEGORIES}
    for pair, match in zip(pairs, matches, strict=True):
        row = table.setdefault(pair.category, {})
        row[match.outcome] = row.get(match.outcome, 0) + 1
    return table
