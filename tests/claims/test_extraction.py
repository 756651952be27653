"""The claim behind each citation marker: sentences, list items, table cells, footnotes."""

from decimal import Decimal

import pytest

from claims.checks import numbers_in, numbers_missing, quotes_in, quotes_missing
from claims.extraction import Claim, ClaimKind, body_claims, claim_text, sentence_spans
from claims.passages import MAX_WORDS, MIN_WORDS, text_passages


def claims(body):
    return [(c.ref, c.text, c.kind) for c in body_claims(body)]


def test_a_marker_after_a_sentence_cites_that_sentence():
    body = (
        "Compute doubled in 2023.[[cite:a1]] Labs disagree on why. "
        "Most blame scaling [[cite:b2|in the report]] and cheap chips.[[cite:c3]][[cite:d4]]"
    )
    # A marker's own text is part of the sentence the reader reads.
    sentence = "Most blame scaling in the report and cheap chips."
    assert claims(body) == [
        ("a1", "Compute doubled in 2023.", ClaimKind.SENTENCE),
        ("b2", sentence, ClaimKind.SENTENCE),
        ("c3", sentence, ClaimKind.SENTENCE),
        ("d4", sentence, ClaimKind.SENTENCE),
    ]


def test_a_marker_opening_the_next_sentence_still_closes_the_last():
    body = "The model was released in May. [[cite:a1]] It was withdrawn in June."
    assert claims(body) == [("a1", "The model was released in May.", ClaimKind.SENTENCE)]


def test_abbreviations_do_not_end_a_sentence():
    body = "Some labs, e.g. Anthropic, publish evaluations.[[cite:a1]] Others do not."
    assert claims(body)[0][1] == "Some labs, e.g. Anthropic, publish evaluations."


def test_a_paragraph_over_several_lines_is_one_text():
    body = "The act applies\nto general-purpose models.[[cite:a1]]\n\nA new paragraph."
    assert claims(body) == [
        ("a1", "The act applies to general-purpose models.", ClaimKind.SENTENCE)
    ]


def test_a_list_item_is_its_own_claim():
    body = (
        "Findings:\n\n"
        "- Red teaming found 12 flaws.[[cite:a1]]\n"
        "- Evaluations were\n  run twice.[[cite:b2]]\n"
        "1. A numbered point [[cite:c3]]\n"
    )
    assert claims(body) == [
        ("a1", "Red teaming found 12 flaws.", ClaimKind.LIST_ITEM),
        ("b2", "Evaluations were run twice.", ClaimKind.LIST_ITEM),
        ("c3", "A numbered point", ClaimKind.LIST_ITEM),
    ]


def test_a_table_cell_is_its_own_claim():
    body = (
        "| Lab | Spend |\n"
        "|---|---:|\n"
        "| OpenAI | $7 billion [[cite:a1]] |\n"
        "| Anthropic `a|b` | 2 billion [[cite:b2]] |\n"
    )
    assert claims(body) == [
        ("a1", "$7 billion", ClaimKind.TABLE_CELL),
        ("b2", "2 billion", ClaimKind.TABLE_CELL),
    ]


def test_a_marker_in_a_footnote_cites_the_sentence_that_calls_the_footnote():
    body = (
        "Training runs cost $100 million.[^1] Few can pay.\n\n"
        "- Costs fall 40% a year.[^cost]\n\n"
        "[^1]: [[cite:a1|Epoch report]], p. 3.\n"
        "[^cost]: See [[cite:b2]] and\n    [[cite:c3]].\n"
    )
    assert [(c.ref, c.text, c.kind, c.footnote) for c in body_claims(body)] == [
        ("a1", "Training runs cost $100 million.", ClaimKind.SENTENCE, "1"),
        ("b2", "Costs fall 40% a year.", ClaimKind.LIST_ITEM, "cost"),
        ("c3", "Costs fall 40% a year.", ClaimKind.LIST_ITEM, "cost"),
    ]


def test_markers_in_code_are_not_citations():
    body = (
        "Write `[[cite:x1]]` to cite.[[cite:a1]]\n\n"
        "```markdown\nA claim.[[cite:y2]]\n```\n\n"
        "After the code.[[cite:b2]]"
    )
    assert [c.ref for c in body_claims(body)] == ["a1", "b2"]


def test_a_heading_holding_a_marker_is_its_claim():
    assert claims("## Compute grew tenfold [[cite:a1]]") == [
        ("a1", "Compute grew tenfold", ClaimKind.HEADING)
    ]


def test_claim_text_keeps_only_what_a_reader_reads():
    markdown = (
        '**Bold** and *italic* with [a link](https://example.org "t") and '
        "[[policy-page|a page]] and [[other-page]] and <abbr>HTML</abbr>.[[cite:a1]][^2]"
    )
    assert claim_text(markdown) == (
        "Bold and italic with a link and a page and other-page and HTML."
    )


def test_sentences_split_at_ends_followed_by_a_capital_or_digit():
    text = 'It said "Stop." Then 3 labs agreed. Done'
    assert [text[s:e].strip() for s, e in sentence_spans(text)] == [
        'It said "Stop."',
        "Then 3 labs agreed.",
        "Done",
    ]


def test_claims_are_a_frozen_record():
    assert Claim("a", "b", ClaimKind.SENTENCE) == Claim("a", "b", ClaimKind.SENTENCE)


# -- passages -------------------------------------------------------------------------------


def test_passages_are_paragraphs_with_their_place_in_the_text():
    text = (
        "Introduction\n\n"
        + "The report finds that training compute doubled every six months in 2023. " * 2
        + "\n\nA second paragraph says something else entirely about chips and export rules."
    )
    passages = text_passages(text)
    assert len(passages) == 2
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
    # A heading too short to stand alone joins the paragraph after it.
    assert passages[0].text.startswith("Introduction\n\nThe report finds")


def test_a_long_paragraph_is_cut_at_sentence_ends():
    sentence = "Each sentence here has exactly ten words in it, see. "
    text = sentence * 30  # 300 words
    passages = text_passages(text)
    assert len(passages) > 2
    assert all(p.words <= MAX_WORDS for p in passages)
    assert all(p.text.endswith("see.") for p in passages)
    assert " ".join(p.text for p in passages).split() == text.split()


def test_a_sentence_longer_than_a_passage_is_cut_between_words():
    text = " ".join(f"w{i}" for i in range(500))
    passages = text_passages(text)
    assert all(p.words <= MAX_WORDS for p in passages)
    assert " ".join(p.text for p in passages).split() == text.split()
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text


def test_no_text_no_passages():
    assert text_passages("") == []
    assert len(text_passages("Short.")) == 1 and MIN_WORDS > 1


# -- numbers and quotations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("58% of labs", "fifty-eight: 58 percent of labs"),
        ("58 percent", "58%"),
        ("58 per cent", "58 percent"),
        ("1,200 models", "1200 models"),
        ("1.2 thousand", "1,200"),
        ("$3.5 billion", "3,500 million dollars"),
        ("in 2023", "during 2023,"),
        ("7bn", "7 billion"),
    ],
)
def test_a_number_written_otherwise_is_found(claim, source):
    assert numbers_missing(claim, source) == []


@pytest.mark.parametrize(
    ("claim", "source", "missing"),
    [
        ("58% of labs", "0.58 of labs", ["58%"]),  # a fraction is not taken for a percentage
        ("58% of labs", "58 labs", ["58%"]),
        ("costs $7 billion", "costs $7 million", ["7 billion"]),
        ("in 2023 and 2024", "in 2023", ["2024"]),
        ("grew 3.5x", "grew 3.6x", ["3.5"]),
    ],
)
def test_a_number_the_source_does_not_write_is_named(claim, source, missing):
    assert numbers_missing(claim, source) == missing


def test_numbers_carry_their_kind_and_value():
    found = numbers_in("About 40 percent, 1,000,000 people and 2.5m users")
    assert [(n.value, n.kind) for n in found] == [
        (Decimal(40), "percent"),
        (Decimal(1_000_000), "number"),
        (Decimal(2_500_000), "number"),
    ]


def test_quotations_of_three_words_or_more_are_checked():
    claim = 'The CEO called it “a race to the bottom” and "dangerous".'
    assert quotes_in(claim) == ["a race to the bottom"]
    assert quotes_missing(claim, "He said it was A Race To The  Bottom, twice.") == []
    assert quotes_missing(claim, "He said it was a race to the top.") == ["a race to the bottom"]


def test_quotation_styles_dashes_and_apostrophes_do_not_matter():
    claim = "She wrote: “we don’t know—yet”."
    assert quotes_missing(claim, "we don't know - yet") == []
    assert quotes_missing(claim, "we do not know yet") == ["we don’t know—yet"]


def test_a_marker_with_an_escaped_pipe_in_a_cell_is_a_marker():
    body = "| finding | source |\n|---|---|\n| Labs lack reporting | [[cite:x\\|The survey]] |"
    assert body_claims(body) == [Claim("x", "The survey", ClaimKind.TABLE_CELL)]


def test_cells_past_the_tables_width_are_dropped_as_the_renderer_drops_them():
    body = (
        "| finding | source |\n|---|---|\n"
        "| Labs lack reporting [[cite:a]] | b | c [[cite:dropped]] |\n"
        "Reporting lags.[[cite:b]] |"
    )
    assert [claim.ref for claim in body_claims(body)] == ["a", "b"]
