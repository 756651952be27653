"""The claim checks held to their targets on the labelled set written for the project
(tests/data/claims_labelled.json): "supported passage found" is right at least 9 times in
10, and at least 9 in 10 wrong numbers and wrong quotations are flagged."""

from pathlib import Path

import pytest

from claims import evaluation

LABELLED = Path(__file__).resolve().parents[1] / "data" / "claims_labelled.json"


@pytest.fixture(scope="module")
def measured():
    documents, pairs = evaluation.labelled_set_load(LABELLED)
    return documents, pairs, evaluation.labelled_matches(documents, pairs)


def test_the_set_has_150_pairs_or_more_of_every_category(measured):
    documents, pairs, _matches = measured
    assert len(pairs) >= 150
    counts = {category: 0 for category in evaluation.CATEGORIES}
    for pair in pairs:
        counts[pair.category] += 1
    assert set(counts) == set(evaluation.CATEGORIES)  # no category misspelt
    assert min(counts.values()) >= 20, counts
    for pair in pairs:
        assert pair.document in documents, pair.id
        assert (
            (pair.evidence in documents[pair.document])
            if pair.evidence
            else (pair.category == "unrelated")
        ), pair.id


def test_a_supported_passage_found_is_right_nine_times_in_ten(measured):
    _documents, pairs, matches = measured
    rates = evaluation.supported_rates(pairs, matches)
    assert rates.precision >= 0.9, rates
    # And it finds a fair share of them (paraphrases sharing few words are weak matches).
    assert rates.recall >= 0.5, rates


@pytest.mark.parametrize("category", ["wrong_number", "wrong_quote"])
def test_nine_in_ten_wrong_numbers_and_quotations_are_flagged(measured, category):
    _documents, pairs, matches = measured
    rates = evaluation.flag_rates(pairs, matches, category)
    assert rates.recall >= 0.9, rates


def test_no_unrelated_claim_is_found_supported(measured):
    _documents, pairs, matches = measured
    wrongly = [
        pair.id
        for pair, match in zip(pairs, matches, strict=True)
        if pair.category == "unrelated" and evaluation.found_supported(match)
    ]
    assert wrongly == []
