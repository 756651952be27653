"""Two editors saving the same record from the same starting version: the second is told,
and nothing is silently overwritten."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sources.models import Venue
from tests.conftest import _staff_user
from tests.factories import VenueFactory
from tests.html_forms import form_data


def change_url(venue):
    return reverse("admin:sources_venue_change", args=[venue.pk])


def opened_form(client, venue) -> dict:
    return form_data(client.get(change_url(venue)).content)


@pytest.mark.django_db
def test_a_stale_form_is_refused_with_who_saved_in_between(django_user_model):
    venue = VenueFactory(description="Original")
    alice, bob = Client(), Client()
    alice.force_login(_staff_user(django_user_model, "alice", "Editors"))
    bob.force_login(_staff_user(django_user_model, "bob", "Editors"))
    alices_form, bobs_form = opened_form(alice, venue), opened_form(bob, venue)

    first = bob.post(change_url(venue), {**bobs_form, "description": "Bob's text"})
    second = alice.post(change_url(venue), {**alices_form, "description": "Alice's text"})

    assert first.status_code == 302
    assert second.status_code == 200
    message = second.content.decode()
    assert "bob saved this record at" in message and "Nothing of yours was saved" in message
    assert Venue.objects.get(pk=venue.pk).description == "Bob's text"
    assert venue.history.filter(description="Alice's text").count() == 0


@pytest.mark.django_db
def test_a_fresh_form_saves_as_before(editor_client):
    venue = VenueFactory(description="Original")
    form = opened_form(editor_client, venue)

    assert editor_client.post(change_url(venue), {**form, "description": "New"}).status_code == 302
    form = opened_form(editor_client, venue)  # the next edit starts from the new version
    assert (
        editor_client.post(change_url(venue), {**form, "description": "Newer"}).status_code == 302
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_one_wins_and_the_other_is_told(django_user_model):
    venue = VenueFactory(description="Original")
    users = [_staff_user(django_user_model, name, "Editors") for name in ("alice", "bob")]
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append((client, opened_form(client, venue)))
    barrier = threading.Barrier(2)
    statuses = {}

    def save(index):
        client, form = clients[index]
        barrier.wait()
        try:
            response = client.post(change_url(venue), {**form, "description": f"Text {index}"})
            statuses[index] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses.values()) == [200, 302]
    winner = next(i for i, status in statuses.items() if status == 302)
    assert Venue.objects.get(pk=venue.pk).description == f"Text {winner}"
    assert venue.history.filter(history_type="~").count() == 1
