"""A list's filter by venue or tag: every one offered while there are few, a box that takes a
name beyond (`core.filters.NamedChoiceFilter`), with suggestions from a JSON endpoint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.core.test_page_cache_tags import get, outcome, warm
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db

SOURCES = "/sources/"


@pytest.fixture
def venues():
    made = {
        name: VenueFactory(name=name, slug=slug)
        for name, slug in [
            ("RAND Corporation", "rand"),
            ("Brandeis Review", "brandeis"),
            ("Epoch AI", "epoch"),
        ]
    }
    for name, venue in made.items():
        SourceFactory(title=f"Report of {name}", venue=venue)
    return made


@pytest.fixture
def typed(settings):
    """Fewer venues offered than there are: the filter is a box that takes a name."""
    settings.CREDENCE_FILTER_CHOICES_MAX = 2


def titles(response) -> list[str]:
    return sorted(source.title for source in response.context["page_obj"].object_list)


def test_few_venues_are_offered_as_a_list(client, venues):
    html = client.get(SOURCES).content.decode()

    assert '<select name="venue"' in html
    assert '<option value="epoch">Epoch AI</option>' in html
    assert "data-options-url" not in html


def test_beyond_the_cap_the_filter_is_a_box_that_takes_a_name(client, venues, typed):
    html = client.get(SOURCES).content.decode()

    assert '<select name="venue"' not in html
    assert 'name="venue"' in html and 'type="text"' in html
    assert f'data-options-url="{reverse("sources:filter_options", args=["venue"])}"' in html
    assert "Epoch AI</option>" not in html  # no option per venue


@pytest.mark.parametrize("cap", [200, 2])
@pytest.mark.parametrize("value", ["rand", "RAND Corporation", "rand corporation"])
def test_a_venue_is_found_by_its_slug_or_its_name_in_any_case(client, venues, settings, cap, value):
    settings.CREDENCE_FILTER_CHOICES_MAX = cap

    response = client.get(SOURCES, {"venue": value})

    assert titles(response) == ["Report of RAND Corporation"]
    html = response.content.decode()
    if cap == 2:  # the box shows the venue's name and keeps its slug for the script
        assert 'value="RAND Corporation" data-value="' in html
    else:
        assert '<option value="rand" selected>RAND Corporation</option>' in html


def test_a_name_no_venue_has_is_said_and_kept_in_the_box(client, venues, typed):
    response = client.get(SOURCES, {"venue": "Nowhere Institute"})

    html = response.content.decode()
    assert "no venue is named “Nowhere Institute”" in html
    assert 'value="Nowhere Institute"' in html  # what was typed is still there to correct
    assert len(titles(response)) == 3  # the filter was ignored, as the message says


def test_the_typed_filter_costs_no_more_queries_than_the_list(client, venues, settings):
    settings.CREDENCE_PAGE_CACHE_SECONDS = 0  # every request renders

    def count(cap):
        settings.CREDENCE_FILTER_CHOICES_MAX = cap
        with CaptureQueriesContext(connection) as queries:
            assert titles(client.get(SOURCES, {"venue": "rand"})) == ["Report of RAND Corporation"]
        return len(queries)

    assert 0 < count(2) <= count(200)


def test_suggestions_are_names_containing_the_text_those_starting_with_it_first(client, venues):
    response = client.get(reverse("sources:filter_options", args=["venue"]), {"q": "ran"})

    assert response.json()["options"] == [
        {"value": "rand", "label": "RAND Corporation"},
        {"value": "brandeis", "label": "Brandeis Review"},
    ]


def test_tag_suggestions_are_the_tags_of_the_lists_own_records(client):
    SourceFactory().tags.add("governance")
    WikiPageFactory().tags.add("government")

    sources = client.get(reverse("sources:filter_options", args=["tag"]), {"q": "gov"}).json()
    pages = client.get(reverse("wiki:filter_options", args=["tag"]), {"q": "gov"}).json()

    assert [option["label"] for option in sources["options"]] == ["governance"]
    assert [option["label"] for option in pages["options"]] == ["government"]


@pytest.mark.parametrize("name", ["type", "nothing", "credibility"])
def test_only_a_typed_filter_has_suggestions(client, name):
    response = client.get(reverse("sources:filter_options", args=[name]), {"q": "ab"})

    assert response.status_code == 404


def test_a_typed_tag_filters_the_page_list(client, typed):
    tagged = WikiPageFactory(title="Tagged page")
    tagged.tags.add("Compute Governance")
    for n in range(3):
        WikiPageFactory(title=f"Other {n}").tags.add(f"tag {n}")

    response = client.get(reverse("wiki:page_list"), {"tag": "compute governance"})

    assert [page.title for page in response.context["page_obj"].object_list] == ["Tagged page"]


def test_suggestions_follow_a_new_venue(client, venues):
    url = reverse("sources:filter_options", args=["venue"]) + "?q=rabb"
    warm(client, url)
    assert get(client, url).json()["options"] == []

    VenueFactory(name="Rabbit Hole Quarterly", slug="rabbit")

    assert outcome(client, url) == "miss"
    assert [o["value"] for o in get(client, url).json()["options"]] == ["rabbit"]
