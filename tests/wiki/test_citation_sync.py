"""A page's citations follow the markers in its body; hand-added citations stay."""

import pytest
from django.urls import reverse

from tests.factories import SourceFactory, VenueFactory, WikiPageFactory
from wiki.models import Citation
from wiki.selectors import wiki_pages_broken_references
from wiki.services import citation_add, wiki_page_citations_sync, wiki_page_create

pytestmark = pytest.mark.django_db


def cited(page):
    return [(c.source_id, c.in_body) for c in page.citations.order_by("position")]


def test_markers_create_citations_in_order_of_first_appearance():
    first, second = SourceFactory(), SourceFactory()

    page = wiki_page_create(
        slug="p",
        title="P",
        body=f"[[cite:{second.stable_id}]] then [[cite:{first.id}]] and [[cite:{second.id}]]",
    )

    assert cited(page) == [(second.id, True), (first.id, True)]


def test_removing_a_marker_removes_its_citation_but_hand_added_ones_stay():
    body_source, hand_source = SourceFactory(), SourceFactory()
    page = wiki_page_create(slug="p", title="P", body=f"[[cite:{body_source.id}]]")
    citation_add(page=page, source=hand_source, note="added by hand")

    page.body = "No markers any more."
    page.save()
    wiki_page_citations_sync(page=page)

    assert cited(page) == [(hand_source.id, False)]
    assert Citation.objects.get(source=hand_source).note == "added by hand"


def test_body_citations_come_before_hand_added_ones():
    hand, body = SourceFactory(), SourceFactory()
    page = wiki_page_create(slug="p", title="P")
    citation_add(page=page, source=hand)

    page.body = f"Now cited: [[cite:{body.id}]]"
    page.save()
    wiki_page_citations_sync(page=page)

    assert cited(page) == [(body.id, True), (hand.id, False)]


def test_a_hand_added_citation_later_marked_in_the_body_is_kept_when_the_marker_goes():
    source = SourceFactory()
    page = wiki_page_create(slug="p", title="P")
    citation_add(page=page, source=source, note="keep me")
    page.body = f"[[cite:{source.id}]]"
    page.save()
    wiki_page_citations_sync(page=page)

    page.body = ""
    page.save()
    wiki_page_citations_sync(page=page)

    assert cited(page) == [(source.id, False)]


def test_unknown_sources_and_missing_pages_are_reported_not_cited():
    page = wiki_page_create(
        slug="p", title="P", body="[[cite:ffffffffffffffff]] and [[no-such-page]]"
    )

    assert not page.citations.exists()
    broken = [str(b) for b in wiki_pages_broken_references([page])[page.pk]]
    assert broken == [
        "[[cite:ffffffffffffffff]] names no source",
        "[[no-such-page]] names no page",
    ]


def test_saving_in_the_admin_syncs_citations_and_lists_broken_references(moderator_client):
    source = SourceFactory(venue=VenueFactory(credibility=4))  # rated: no warning to answer
    page = WikiPageFactory(slug="p", title="P", type="concept", status="draft")
    data = {
        "title": "P",
        "slug": "p",
        "type": "concept",
        "status": "draft",
        "last_edited": "",
        "tags": "",
        "description": "",
        "summary": "",
        "body": f"Cites [[cite:{source.id}]] and [[cite:0000000000000000]].",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    url = reverse("admin:wiki_wikipage_change", args=[page.pk])

    response = moderator_client.post(url, data)

    assert response.status_code == 302
    assert cited(page) == [(source.id, True)]
    form = moderator_client.get(url).content.decode()
    assert "[[cite:0000000000000000]] names no source" in form
    listing = moderator_client.get(reverse("admin:wiki_wikipage_changelist") + "?broken=yes")
    assert list(listing.context["cl"].result_list) == [page]
