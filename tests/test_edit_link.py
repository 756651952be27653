"""Staff see an "Edit" link on public pages; readers never do, cached or not."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    venue = VenueFactory()
    return {
        "wiki_wikipage": WikiPageFactory(),
        "sources_source": SourceFactory(venue=venue),
        "sources_venue": venue,
    }


@pytest.mark.parametrize("admin_name", ["wiki_wikipage", "sources_source", "sources_venue"])
def test_staff_who_may_change_a_record_get_an_edit_link(editor_client, records, admin_name):
    record = records[admin_name]

    html = editor_client.get(record.get_absolute_url()).content.decode()

    edit = reverse(f"admin:{admin_name}_change", args=[record.pk])
    assert f'<a class="edit-link" href="{edit}">Edit' in html


@pytest.mark.parametrize("admin_name", ["wiki_wikipage", "sources_source", "sources_venue"])
def test_readers_never_get_the_edit_link_even_after_staff_viewed_the_page(
    editor_client, records, admin_name
):
    url = records[admin_name].get_absolute_url()
    reader = Client()  # editor_client is pytest-django's `client`, signed in

    editor_client.get(url)
    first = reader.get(url)
    second = reader.get(url)

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    for response in (first, second):
        assert "edit-link" not in response.content.decode()


def test_signed_in_users_without_the_permission_get_no_edit_link(client, django_user_model):
    page = WikiPageFactory()
    reader = django_user_model.objects.create_user("reader", password="pw", is_staff=False)
    client.force_login(reader)

    assert "edit-link" not in client.get(page.get_absolute_url()).content.decode()
