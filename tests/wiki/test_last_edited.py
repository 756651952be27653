"""A page's "Last edited" moves on every save that changes what readers read (body,
description, summary), so an edit shows as today's and under "Recently edited"."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.html_forms import form_data
from wiki.models import WikiPage
from wiki.services import wiki_page_create, wiki_page_update

pytestmark = pytest.mark.django_db

LONG_AGO = date(2026, 1, 30)


@pytest.fixture
def page():
    return wiki_page_create(
        slug="pause", title="Pause", body="Old text.", summary="Old.", last_edited=LONG_AGO
    )


def _edit(client, page, **changes):
    url = reverse("admin:wiki_wikipage_change", args=[page.pk])
    response = client.post(url, {**form_data(client.get(url).content), **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    return WikiPage.objects.get(pk=page.pk)


@pytest.mark.parametrize("field", ["body", "description", "summary"])
def test_an_edit_of_what_readers_read_is_dated_today(editor_client, page, field):
    edited = _edit(editor_client, page, **{field: "New words."})

    assert edited.last_edited == timezone.localdate()


def test_the_edited_page_leads_recently_edited_on_the_home_page(editor_client, client, page):
    wiki_page_create(slug="other", title="Other", last_edited=date(2026, 6, 1))
    _edit(editor_client, page, body="New words.")

    home = client.get("/")

    assert home.context["summary"].recent_pages[0] == WikiPage.objects.get(slug="pause")
    assert timezone.localdate().strftime("%-d %b %Y") in home.content.decode()


def test_an_edit_that_leaves_the_text_alone_keeps_the_date(editor_client, page):
    edited = _edit(editor_client, page, title="Pause (renamed)", status="published")

    assert edited.last_edited == LONG_AGO


def test_a_date_typed_in_the_form_stands(editor_client, page):
    edited = _edit(editor_client, page, body="New words.", last_edited="2026-03-04")

    assert edited.last_edited == date(2026, 3, 4)


def test_a_revert_is_an_edit(editor_client, page):
    first = page.history.earliest("history_date")
    wiki_page_update(page=page, body="Vandalised.", last_edited=LONG_AGO)
    url = reverse("admin:wiki_wikipage_simple_history", args=[page.pk, first.history_id])

    response = editor_client.post(
        url, {**form_data(editor_client.get(url).content), "revert_reason": "Undo."}
    )

    reverted = WikiPage.objects.get(pk=page.pk)
    assert response.status_code == 302
    assert (reverted.body, reverted.last_edited) == ("Old text.", timezone.localdate())


def test_the_service_dates_text_edits_unless_given_a_date(page):
    wiki_page_update(page=page, quality=40)
    assert page.last_edited == LONG_AGO

    wiki_page_update(page=page, summary="Old.")  # the same text: no edit
    assert page.last_edited == LONG_AGO

    wiki_page_update(page=page, body="Imported.", last_edited=date(2026, 2, 2))
    assert page.last_edited == date(2026, 2, 2)

    wiki_page_update(page=page, description="Edited.")
    assert WikiPage.objects.get(pk=page.pk).last_edited == timezone.localdate()
