"""Venue and tag filters on the admin lists search as you type instead of listing every
record; the chosen one filters the list and keeps the other filters."""

import pytest
from django.urls import reverse

from sources.services import source_create, venue_create
from wiki.services import wiki_page_create

pytestmark = pytest.mark.django_db

SOURCES = reverse("admin:sources_source_changelist")


@pytest.fixture
def venues():
    made = [
        venue_create(slug=f"venue-{n}", name=f"Venue number {n}", type="think_tank")
        for n in range(30)
    ]
    for n, venue in enumerate(made[:3]):
        source_create(url=f"https://example.org/{n}", title=f"Source {n}", venue=venue, tags=["ai"])
    return made


def test_the_venue_filter_lists_no_venue_until_one_is_chosen(editor_client, venues):
    html = editor_client.get(SOURCES).content.decode()

    assert 'class="autocomplete-filter"' in html
    assert "Venue number 29" not in html  # not one link per venue
    assert 'data-field-name="venue"' in html and 'data-field-name="tags"' in html
    assert "select2" in html  # the admin's autocomplete is loaded on the list


def test_choosing_a_venue_filters_the_list_and_keeps_other_filters(editor_client, venues):
    chosen = venues[1]

    response = editor_client.get(SOURCES, {"venue__id__exact": chosen.pk, "type__exact": "web"})

    assert [s.venue_id for s in response.context["cl"].result_list] == [chosen.pk]
    html = response.content.decode()
    assert f'<option value="{chosen.pk}" selected>Venue number 1</option>' in html
    assert '<input type="hidden" name="type__exact" value="web">' in html


def test_a_hostile_filter_value_is_no_error(editor_client, venues):
    for value in ("abc", "1\x00", "9" * 30):
        assert editor_client.get(SOURCES, {"venue__id__exact": value}).status_code < 500


@pytest.mark.parametrize(
    ("model_name", "field", "term", "expected"),
    [("source", "venue", "number 2", "Venue number 2"), ("source", "tags", "a", "ai")],
)
def test_the_boxes_search_as_an_editor_types(
    editor_client, venues, model_name, field, term, expected
):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "sources", "model_name": model_name, "field_name": field, "term": term},
    )

    assert response.status_code == 200
    assert expected in [result["text"] for result in response.json()["results"]]


def test_the_page_list_filters_by_tag_the_same_way(editor_client):
    wiki_page_create(slug="tagged", title="Tagged", tags=["governance"])
    wiki_page_create(slug="plain", title="Plain")
    changelist = reverse("admin:wiki_wikipage_changelist")

    listing = editor_client.get(changelist).content.decode()
    tag_id = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "wiki", "model_name": "wikipage", "field_name": "tags", "term": "gov"},
    ).json()["results"][0]["id"]
    filtered = editor_client.get(changelist, {"tags__id__exact": tag_id})

    assert 'data-field-name="tags"' in listing
    assert [p.slug for p in filtered.context["cl"].result_list] == ["tagged"]
