"""A claim against a snapshot's passages: each outcome, and the flags."""

from claims.matching import SUPPORTED_AT, Outcome, SnapshotIndex, passage_score

SNAPSHOT = """Compute trends

The amount of compute used to train frontier models has doubled roughly every six months
since 2010, according to our analysis of 300 models.

Export controls on advanced chips were tightened in October 2022. The rules restrict sales
of high-end accelerators to several countries.

The authors write that "scaling alone will not deliver reliable systems" and call for
more research on evaluations.
"""


def test_a_claim_the_source_states_finds_its_passage():
    match = SnapshotIndex(SNAPSHOT).match(
        "Training compute for frontier models has doubled every six months since 2010."
    )
    assert match.outcome == Outcome.SUPPORTED
    assert match.score >= SUPPORTED_AT
    assert "doubled roughly every six months" in match.passage.text
    assert SNAPSHOT[match.passage.start : match.passage.end] == match.passage.text
    assert not match.flagged


def test_a_paraphrase_sharing_little_wording_is_at_most_weak():
    match = SnapshotIndex(SNAPSHOT).match(
        "Chip sales to some countries became more restricted in late 2022."
    )
    assert match.outcome in (Outcome.WEAK, Outcome.SUPPORTED)
    assert "Export controls" in match.passage.text


def test_an_unrelated_claim_is_not_found():
    match = SnapshotIndex(SNAPSHOT).match("Penguins migrate across Antarctica each winter.")
    assert match.outcome == Outcome.NOT_FOUND
    assert match.passage is None


def test_no_snapshot_text_is_nothing_to_check():
    assert SnapshotIndex("").match("Anything at all.").outcome == Outcome.UNCHECKED


def test_a_wrong_number_is_flagged_even_where_the_passage_is_found():
    match = SnapshotIndex(SNAPSHOT).match(
        "Compute for frontier models has doubled every six months, across 500 models."
    )
    assert match.passage is not None and "300 models" in match.passage.text
    assert match.numbers_missing == ["500"]
    assert match.flagged
    # The passage says it but for the number: no support, a weak match.
    assert match.score >= SUPPORTED_AT
    assert match.outcome == Outcome.WEAK


def test_a_wrong_quotation_is_flagged():
    match = SnapshotIndex(SNAPSHOT).match(
        'The authors say "scaling alone will deliver reliable systems".'
    )
    assert match.quotes_missing == ["scaling alone will deliver reliable systems"]
    right = SnapshotIndex(SNAPSHOT).match(
        'The authors say "scaling alone will not deliver reliable systems".'
    )
    assert right.quotes_missing == []


def test_the_score_is_zero_for_a_claim_of_stopwords_only():
    assert passage_score("it is what it is", "anything") == 0.0


def test_a_snapshot_is_read_for_numbers_and_quotations_once_for_all_its_claims(monkeypatch):
    from claims import matching

    calls = []
    for name in ("numbers_said", "quotes_haystack"):
        real = getattr(matching, name)
        monkeypatch.setattr(
            matching, name, lambda text, real=real, name=name: calls.append(name) or real(text)
        )
    index = SnapshotIndex(SNAPSHOT)
    index.match("Training compute for frontier models has doubled every six months.")
    assert calls == []  # no number, no quotation: the whole text is not read for them

    for claim in ("Compute doubled since 2010.", 'They say "scaling alone will not deliver".'):
        index.match(claim)
        index.match(claim + " Again in 2010.")
    assert sorted(calls) == ["numbers_said", "quotes_haystack"]
