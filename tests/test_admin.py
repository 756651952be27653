"""The editors' admin: every model's pages respond, and ratings are moderators' alone."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from taggit.models import Tag

from ratings.models import DecisionOrigin, RatingDecision
from sources.models import EDITORS_GROUP, RATING_MODERATORS_GROUP, Source, Venue
from sources.services import source_create
from tests.factories import (
    CitationFactory,
    SourceFactory,
    VenueDomainFactory,
    VenueFactory,
    WikiPageFactory,
)
from wiki.models import Citation, WikiPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects():
    venue = VenueFactory(slug="carnegie", name="Carnegie Endowment", credibility=4)
    VenueDomainFactory(venue=venue, domain="carnegieendowment.org")
    source = SourceFactory(url="https://carnegieendowment.org/x", venue=venue)
    source.tags.add("ai-governance")
    page = WikiPageFactory(quality=57, focus=7)
    citation = CitationFactory(page=page, source=source)
    return {
        Venue: venue,
        Source: source,
        WikiPage: page,
        Citation: citation,
        Tag: Tag.objects.get(name="ai-governance"),
    }


def _admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [Venue, Source, WikiPage, Citation, Tag])
def test_each_model_admin_responds_for_an_editor(editor_client, objects, model):
    obj = objects[model]

    for url in (
        _admin_url(model, "changelist"),
        _admin_url(model, "add"),
        _admin_url(model, "change", obj.pk),
    ):
        response = editor_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Source, "credibility=4"),
        (Source, "credibility=none"),
        (Source, "origin=venue"),
        (Source, "cited=yes"),
        (Source, "type__exact=web"),
        (Source, "q=carnegie"),
        (Source, "o=4"),
        (Venue, "credibility__exact=4"),
        (Venue, "q=carnegieendowment"),
        (WikiPage, "band=adequate"),
        (WikiPage, "band=none"),
        (WikiPage, "status__exact=published"),
    ],
)
def test_filters_search_and_sorting_respond(editor_client, objects, model, query):
    response = editor_client.get(_admin_url(model, "changelist") + "?" + query)

    # The admin redirects an invalid filter to ?e=1 instead of answering 200.
    assert response.status_code == 200


def test_source_credibility_filter_selects_by_effective_rating(editor_client, objects):
    unrated = SourceFactory(title="Unrated essay", venue=None)

    rated = editor_client.get(_admin_url(Source, "changelist") + "?credibility=4")
    none = editor_client.get(_admin_url(Source, "changelist") + "?credibility=none")

    assert list(rated.context["cl"].result_list) == [objects[Source]]
    assert list(none.context["cl"].result_list) == [unrated]


def test_source_list_shows_credibility_origin_and_cited_by_count(editor_client, objects):
    response = editor_client.get(_admin_url(Source, "changelist"))

    content = response.content.decode()
    assert "4/5 High" in content
    assert "from venue" in content
    assert response.context["cl"].result_list[0].cited_by_count == 1


def test_source_list_query_count_does_not_grow_with_rows(
    editor_client, objects, django_assert_max_num_queries
):
    url = _admin_url(Source, "changelist")
    editor_client.get(url)
    with django_assert_max_num_queries(12) as few:
        editor_client.get(url)
    for _n in range(30):
        SourceFactory(venue=objects[Venue])
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get(url)


def test_page_list_query_count_does_not_grow_with_rows(
    editor_client, objects, django_assert_max_num_queries
):
    url = _admin_url(WikiPage, "changelist")
    with django_assert_max_num_queries(15) as few:
        editor_client.get(url)
    for _n in range(30):
        CitationFactory(source=objects[Source])
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get(url)


def test_venue_autocomplete_serves_the_source_picker(editor_client, objects):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "carn", "app_label": "sources", "model_name": "source", "field_name": "venue"},
    )

    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "Carnegie Endowment"


def _codenames(group_name):
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("codename", flat=True))


def test_groups_hold_the_rating_permissions_only_for_moderators():
    editors = set(
        Group.objects.get(name=EDITORS_GROUP).permissions.values_list("codename", flat=True)
    )
    moderators = set(
        Group.objects.get(name=RATING_MODERATORS_GROUP).permissions.values_list(
            "codename", flat=True
        )
    )

    rating = {"rate_venue", "rate_source", "rate_wikipage"}
    assert not rating & editors
    assert rating <= moderators
    assert editors <= moderators
    assert {"add_source", "change_source", "add_wikipage", "change_citation"} <= editors


def test_an_editor_sees_rating_fields_read_only(editor_client, objects):
    venue_form = editor_client.get(_admin_url(Venue, "change", objects[Venue].pk))
    page_form = editor_client.get(_admin_url(WikiPage, "change", objects[WikiPage].pk))
    source_form = editor_client.get(_admin_url(Source, "change", objects[Source].pk))

    assert 'name="credibility"' not in venue_form.content.decode()
    assert 'name="quality"' not in page_form.content.decode()
    assert 'name="focus"' not in page_form.content.decode()
    assert 'name="credibility_override"' not in source_form.content.decode()


def test_a_moderator_sees_rating_fields_editable(moderator_client, objects):
    venue_form = moderator_client.get(_admin_url(Venue, "change", objects[Venue].pk))
    page_form = moderator_client.get(_admin_url(WikiPage, "change", objects[WikiPage].pk))

    assert 'name="credibility"' in venue_form.content.decode()
    assert 'name="quality"' in page_form.content.decode()


def _venue_post(venue, **changes):
    data = {
        "name": venue.name,
        "slug": venue.slug,
        "type": venue.type,
        "website": "",
        "description": "Edited description",
        "credibility": "1",
        "credibility_rationale": "Sneaky",
        "credibility_reviewed_on": "",
        "domains-TOTAL_FORMS": "0",
        "domains-INITIAL_FORMS": "0",
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_an_editor_cannot_change_a_venue_rating(editor_client, objects):
    venue = objects[Venue]

    response = editor_client.post(_admin_url(Venue, "change", venue.pk), _venue_post(venue))

    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.description == "Edited description"
    assert venue.credibility == 4
    assert venue.credibility_rationale == ""


def test_a_moderator_changing_a_rating_directly_records_a_decision(
    moderator_client, moderator, objects
):
    venue = objects[Venue]
    data = _venue_post(venue, rating_rationale="Fabricated sources found.")

    response = moderator_client.post(_admin_url(Venue, "change", venue.pk), data)

    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.credibility == 1
    decision = RatingDecision.objects.get(venue=venue)
    assert (decision.old_values, decision.new_values) == ({"credibility": 4}, {"credibility": 1})
    assert decision.rationale == "Fabricated sources found."
    assert decision.decided_by == moderator and decision.origin == DecisionOrigin.DIRECT


def test_a_moderator_must_say_why_a_rating_changes(moderator_client, objects):
    venue = objects[Venue]

    response = moderator_client.post(_admin_url(Venue, "change", venue.pk), _venue_post(venue))

    assert response.status_code == 200
    assert "Say why the rating changes" in response.content.decode()
    venue.refresh_from_db()
    assert venue.credibility == 4
    assert not RatingDecision.objects.exists()


def test_a_moderator_editing_other_fields_records_no_decision(moderator_client, objects):
    venue = objects[Venue]
    data = _venue_post(venue, credibility="4", credibility_rationale="")

    response = moderator_client.post(_admin_url(Venue, "change", venue.pk), data)

    assert response.status_code == 302
    assert not RatingDecision.objects.exists()


def _page_post(page, **changes):
    data = {
        "title": page.title,
        "slug": page.slug,
        "type": page.type,
        "status": page.status,
        "last_edited": "",
        "tags": "",
        "description": "",
        "summary": "",
        "body": "Edited body",
        "quality": "99",
        "focus": "10",
        "reader_importance": "100",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_an_editor_cannot_change_page_ratings(editor_client, objects):
    page = objects[WikiPage]

    response = editor_client.post(_admin_url(WikiPage, "change", page.pk), _page_post(page))

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == "Edited body"
    assert (page.quality, page.focus, page.reader_importance) == (57, 7, None)


def test_an_editor_cannot_set_a_source_override(editor_client, objects):
    source = objects[Source]
    data = {
        "url": source.url,
        "title": "Edited title",
        "type": source.type,
        "published_on": "",
        "published_precision": "",
        "venue": str(source.venue_id),
        "credibility_override": "1",
        "summary": "",
        "review": "",
        "abstract": "",
        "tags": "ai-governance",
    }
    for prefix in ("authors", "key_points"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )

    response = editor_client.post(_admin_url(Source, "change", source.pk), data)

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.title == "Edited title"
    assert source.credibility_override is None


def test_an_editor_adding_a_source_gets_ids_and_an_inferred_venue(editor_client, objects):
    data = {
        "url": "https://www.carnegieendowment.org/research/new-piece",
        "title": "New piece",
        "type": "report",
        "published_on": "2025-10-01",
        "published_precision": "month",
        "venue": "",
        "summary": "",
        "review": "",
        "abstract": "",
        "tags": "",
        "authors-TOTAL_FORMS": "2",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "1000",
        "authors-0-name": "Second Author",
        "authors-0-position": "1",
        "authors-1-name": "First Author",
        "authors-1-position": "0",
        "key_points-TOTAL_FORMS": "0",
        "key_points-INITIAL_FORMS": "0",
        "key_points-MIN_NUM_FORMS": "0",
        "key_points-MAX_NUM_FORMS": "1000",
    }

    response = editor_client.post(_admin_url(Source, "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    source = Source.objects.get(title="New piece")
    assert source.venue == objects[Venue]
    assert source.stable_id.startswith("sid_")
    assert source.published_display == "October 2025"
    assert list(source.authors.values_list("name", flat=True)) == ["First Author", "Second Author"]


def test_an_editor_adding_a_url_whose_id_is_taken_sees_a_message(editor_client, objects):
    source = objects[Source]
    original_url = source.url
    source.url = original_url + "-moved"
    source.save()
    data = {
        "url": original_url,
        "title": "Again",
        "type": "web",
        "published_on": "",
        "published_precision": "",
        "venue": "",
        "summary": "",
        "review": "",
        "abstract": "",
        "tags": "",
    }
    for prefix in ("authors", "key_points"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = editor_client.post(_admin_url(Source, "add"), data)

    assert response.status_code == 200
    assert "Another source already has the id" in response.content.decode()
    assert Source.objects.count() == 1


@pytest.mark.parametrize("model", [Venue, Source, WikiPage])
def test_change_pages_link_to_the_public_page(editor_client, objects, model):
    obj = objects[model]

    response = editor_client.get(_admin_url(model, "change", obj.pk))

    assert "View on site" in response.content.decode()
    target = editor_client.get(obj.get_absolute_url())
    assert target.status_code == 200


def test_untitled_sources_say_so_and_sort_last_by_title(editor_client):
    source_create(url="https://example.org/no-title")
    source_create(url="https://example.org/b", title="Beta")
    source_create(url="https://example.org/a", title="Alpha")

    response = editor_client.get(reverse("admin:sources_source_changelist") + "?o=1")

    listed = [s.url for s in response.context["cl"].result_list]
    assert listed == [
        "https://example.org/a",
        "https://example.org/b",
        "https://example.org/no-title",
    ]
    assert "Untitled:</span> https://example.org/no-title" in response.content.decode()
