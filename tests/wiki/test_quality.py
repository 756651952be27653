"""The quality formula pinned on worked examples, worked out by hand in the comments."""

import pytest

from tests.factories import CitationFactory, WikiPageFactory
from wiki.markup import prose_word_count
from wiki.models import PageStatus, PageType, WikiPage
from wiki.quality import QualityBand, quality_band, quality_derive
from wiki.selectors import wiki_page_derived_quality, wiki_page_list_annotated

SUBSCORES = {
    "focus": 8,
    "novelty": 6,
    "rigor": 7,
    "completeness": 5,
    "objectivity": 9,
    "concreteness": 4,
    "actionability": 6,
}


def derive(subscores=None, page_type=PageType.CONCEPT, is_stub=False, words=0, citations=0):
    return quality_derive(
        subscores=subscores or {},
        page_type=page_type,
        is_stub=is_stub,
        words=words,
        citations=citations,
    )


def test_missing_subscores_count_as_five():
    # mean 5 -> 40; 1200 words -> 2; 10 citations -> 3.5; 45.5 rounds half up to 46.
    assert derive(words=1200, citations=10) == 46


def test_analysis_pages_use_their_own_weights():
    # weights 1.5, 1.5, 1.0, 0.8, 1.2, 1.5, 1.2 (sum 8.7); weighted sum 56.0;
    # 56 / 8.7 * 8 = 51.49; + min(8, 6000/600) 8 + min(7, 30*0.35) 7 = 66.49 -> 66.
    assert derive(SUBSCORES, PageType.ANALYSIS, words=6000, citations=30) == 66


def test_other_pages_use_the_default_weights():
    # weights 1.0, 0.8, 1.5, 1.5, 1.0, 0.5, 1.0 (sum 7.3); weighted sum 47.8;
    # 47.8 / 7.3 * 8 = 52.38; + 8 + 7 = 67.38 -> 67.
    assert derive(SUBSCORES, PageType.POLICY, words=6000, citations=30) == 67


def test_length_and_citation_points_are_capped():
    # 80 + min(8, 60000/600) + min(7, 100 * 0.35) = 95, the formula's ceiling.
    all_tens = dict.fromkeys(SUBSCORES, 10)
    assert derive(all_tens, words=60_000, citations=100) == 95


def test_stubs_are_capped_at_35():
    # 80 + 3000/600 = 85, capped.
    assert derive(dict.fromkeys(SUBSCORES, 10), is_stub=True, words=3000) == 35


def test_bodies_under_100_words_are_capped_at_40():
    all_tens = dict.fromkeys(SUBSCORES, 10)
    assert derive(all_tens, words=99) == 40
    assert derive(all_tens, words=100) == 80


def test_rounding_is_half_up():
    # 40 + 300/600 = 40.5: half-up gives 41 where Python's round() would give 40.
    assert derive(words=300) == 41


def test_fractional_subscores_count():
    # rigor 2.5 instead of 5 (weight 1.5 of 7.3): 5 - 3.75/7.3 = 4.4863; * 8 = 35.89 -> 36.
    assert derive({"rigor": 2.5}, words=100) == 36


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100, QualityBand.COMPREHENSIVE),
        (80, QualityBand.COMPREHENSIVE),
        (79, QualityBand.GOOD),
        (60, QualityBand.GOOD),
        (59, QualityBand.ADEQUATE),
        (40, QualityBand.ADEQUATE),
        (39, QualityBand.DRAFT),
        (20, QualityBand.DRAFT),
        (19, QualityBand.STUB),
        (0, QualityBand.STUB),
        (None, None),
    ],
)
def test_bands(score, band):
    assert quality_band(score) == band


def test_band_bounds_cover_the_scale_without_gaps():
    bands = sorted(QualityBand, key=lambda b: b.floor)
    assert bands[0].floor == 0 and bands[-1].ceiling == 100
    for lower, upper in zip(bands, bands[1:], strict=False):
        assert lower.ceiling + 1 == upper.floor


BODY = """
# Heading words count

A paragraph with [a link](https://example.org) and `inline code` here.

| table | words |
| ----- | ----- |
| do not | count |

```python
code_words = "do not count"
```

<div>raw html</div>

- A list item cites [[cite:4f75d2d6d47e8531]] and [[cite:sid_Xsa5pDhYPF|the framework]].
- See [[pause-advocacy|the pause page]] and [[ai-proliferation]].
"""


def test_prose_words_leave_out_tables_code_html_and_markup():
    # "Heading words count" 3; "A paragraph with a link and here" 7;
    # "A list item cites and the framework" 7; "See the pause page and ai proliferation" 7.
    assert prose_word_count(BODY) == 24


@pytest.mark.django_db
def test_saving_a_page_records_its_prose_word_count():
    page = WikiPageFactory(body="one two three\n\n```\nnot these\n```")

    assert page.word_count == 3
    page.body = "one two"
    page.save(update_fields=["body"])
    page.refresh_from_db()
    assert page.word_count == 2


@pytest.mark.django_db
def test_a_page_derives_its_quality_from_its_citations_and_words():
    page = WikiPageFactory(status=PageStatus.PUBLISHED, body="word " * 1200, **SUBSCORES)
    for _n in range(10):
        CitationFactory(page=page)

    # default weights: 52.38 + 2 + 3.5 = 57.88 -> 58.
    assert wiki_page_derived_quality(page) == 58
    annotated = wiki_page_list_annotated().get(pk=page.pk)
    assert annotated.citation_count == 10
    assert wiki_page_derived_quality(annotated) == 58


@pytest.mark.django_db
def test_pages_filter_by_quality_band():
    good = WikiPageFactory(quality=60)
    WikiPageFactory(quality=59)
    WikiPageFactory(quality=None)

    assert list(WikiPage.objects.in_quality_band(QualityBand.GOOD)) == [good]
