import pytest

from sources.models import (
    Credibility,
    CredibilityOrigin,
    Source,
    credibility_resolve,
)
from sources.selectors import source_list_annotated
from tests.factories import SourceFactory, VenueFactory


def test_every_level_has_a_label_and_a_description():
    assert [level.value for level in Credibility] == [1, 2, 3, 4, 5]
    assert Credibility(5).label == "Gold standard"
    assert Credibility(4).label == "High"
    for level in Credibility:
        assert level.description and level.description != level.label


def test_resolve_prefers_the_override():
    rating = credibility_resolve(2, 4)

    assert rating.level == Credibility.MIXED
    assert rating.origin == CredibilityOrigin.SOURCE


def test_resolve_inherits_the_venue_rating():
    rating = credibility_resolve(None, 4)

    assert rating.level == Credibility.HIGH
    assert rating.origin == CredibilityOrigin.VENUE


def test_resolve_without_either_is_none():
    rating = credibility_resolve(None, None)

    assert rating.level is None
    assert rating.origin == CredibilityOrigin.NONE


@pytest.fixture
def three_sources(db):
    venue = VenueFactory(credibility=4)
    return {
        "override": SourceFactory(venue=venue, credibility_override=2),
        "inherited": SourceFactory(venue=venue),
        "none": SourceFactory(venue=None),
        "unrated_venue": SourceFactory(venue=VenueFactory(credibility=None)),
    }


def test_per_object_credibility(three_sources):
    assert three_sources["override"].credibility.level == 2
    assert three_sources["override"].credibility.origin == CredibilityOrigin.SOURCE
    assert three_sources["inherited"].credibility.level == 4
    assert three_sources["inherited"].credibility.origin == CredibilityOrigin.VENUE
    assert three_sources["none"].credibility.level is None
    assert three_sources["unrated_venue"].credibility.origin == CredibilityOrigin.NONE


def test_annotation_agrees_with_the_per_object_rule(three_sources):
    annotated = {s.pk: s for s in Source.objects.with_computed_credibility()}

    for source in three_sources.values():
        row = annotated[source.pk]
        assert row.computed_credibility == source.credibility.level
        assert row.computed_origin == source.credibility.origin
        assert row.effective_credibility == row.computed_credibility
        assert row.credibility == Source.objects.get(pk=source.pk).credibility


def test_stored_credibility_filters_and_sorts(three_sources):
    qs = Source.objects.all()

    assert set(qs.filter(effective_credibility__gte=3)) == {three_sources["inherited"]}
    assert set(qs.filter(effective_credibility__isnull=True)) == {
        three_sources["none"],
        three_sources["unrated_venue"],
    }
    ordered = [
        s.pk
        for s in qs.filter(effective_credibility__isnull=False).order_by("-effective_credibility")
    ]
    assert ordered == [three_sources["inherited"].pk, three_sources["override"].pk]


def test_annotated_list_needs_one_query(three_sources, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(source_list_annotated())
        levels = [row.credibility.level for row in rows]
        venues = [row.venue for row in rows]

    assert sorted(filter(None, levels)) == [2, 4]
    assert len(venues) == 4
