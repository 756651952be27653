"""Bounds are database constraints as well as validation; these run on SQLite and PostgreSQL."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from sources.models import Source, Venue, VenueDomain
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from wiki.models import Citation, WikiPage

pytestmark = pytest.mark.django_db


def _rejected_by_database(update):
    """Run a write that skips validation and tell whether the database refused it."""
    try:
        with transaction.atomic():
            update()
    except (IntegrityError, DataError):  # PostgreSQL refuses an over-long value as DataError
        return True
    return False


@pytest.mark.parametrize("value", [0, 6])
def test_venue_credibility_out_of_range_is_refused_by_the_database(value):
    venue = VenueFactory()

    assert _rejected_by_database(
        lambda: Venue.objects.filter(pk=venue.pk).update(credibility=value)
    )
    venue.refresh_from_db()
    assert venue.credibility == 4


@pytest.mark.parametrize("value", [0, 6])
def test_source_override_out_of_range_is_refused_by_the_database(value):
    source = SourceFactory()

    assert _rejected_by_database(
        lambda: Source.objects.filter(pk=source.pk).update(credibility_override=value)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quality", 101),
        ("focus", 10.5),
        ("rigor", -1),
        ("actionability", 11),
        ("reader_importance", 100.5),
        ("research_importance", -0.5),
    ],
)
def test_page_bounds_are_enforced_by_the_database(field, value):
    page = WikiPageFactory()

    assert _rejected_by_database(
        lambda: WikiPage.objects.filter(pk=page.pk).update(**{field: value})
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("quality", 100), ("quality", 0), ("focus", 10), ("focus", 0), ("reader_importance", 100)],
)
def test_page_bounds_accept_their_limits(field, value):
    page = WikiPageFactory()

    assert not _rejected_by_database(
        lambda: WikiPage.objects.filter(pk=page.pk).update(**{field: value})
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quality", 101, "less than or equal to 100"),
        ("focus", 11, "less than or equal to 10"),
        ("research_importance", -1, "greater than or equal to 0"),
    ],
)
def test_page_bounds_are_validated_with_a_message(field, value, message):
    page = WikiPageFactory.build(**{field: value})

    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()

    assert message in excinfo.value.message_dict[field][0]


def test_venue_credibility_is_validated_with_a_message():
    venue = VenueFactory.build(credibility=7)

    with pytest.raises(ValidationError) as excinfo:
        venue.full_clean()

    assert "credibility" in excinfo.value.message_dict


@pytest.mark.parametrize("value", ["", "x" * 65])
def test_a_source_id_of_the_wrong_length_is_refused(value):
    source = SourceFactory()

    assert _rejected_by_database(lambda: Source.objects.filter(pk=source.pk).update(id=value))


def test_a_stable_id_without_prefix_is_refused():
    source = SourceFactory()

    assert _rejected_by_database(
        lambda: Source.objects.filter(pk=source.pk).update(stable_id="Xsa5pDhYPF1")
    )


def test_stable_ids_are_unique():
    first, second = SourceFactory(), SourceFactory()

    assert _rejected_by_database(
        lambda: Source.objects.filter(pk=second.pk).update(stable_id=first.stable_id)
    )


def test_a_date_without_precision_is_refused():
    source = SourceFactory()

    assert _rejected_by_database(
        lambda: Source.objects.filter(pk=source.pk).update(published_on=date(2024, 1, 1))
    )


def test_an_unknown_type_is_refused():
    source = SourceFactory()

    assert _rejected_by_database(lambda: Source.objects.filter(pk=source.pk).update(type="zine"))


def test_urls_are_unique():
    first, second = SourceFactory(), SourceFactory()

    assert _rejected_by_database(lambda: Source.objects.filter(pk=second.pk).update(url=first.url))


def test_domains_are_unique_across_venues():
    VenueDomain.objects.create(venue=VenueFactory(), domain="example.org")

    assert _rejected_by_database(
        lambda: VenueDomain.objects.create(venue=VenueFactory(), domain="example.org")
    )


def test_a_page_cites_a_source_once():
    citation = CitationFactory()

    assert _rejected_by_database(
        lambda: Citation.objects.create(page=citation.page, source=citation.source, position=9)
    )


def test_a_cited_source_cannot_be_deleted():
    citation = CitationFactory()

    with pytest.raises(Exception) as excinfo:
        with transaction.atomic():
            citation.source.delete()

    assert "protected" in str(excinfo.value).lower()
    assert Source.objects.filter(pk=citation.source.pk).exists()
