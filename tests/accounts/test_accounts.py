"""Accounts: login throttling, no hint whether an account exists, sessions that rotate at
login and die at logout."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture
def staffer(django_user_model):
    return django_user_model.objects.create_user(
        "staffer", password="correct horse battery", is_staff=True
    )


def attempt(client, username, password="wrong password"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_repeated_failures_lock_the_login_out_even_with_the_right_password(client, staffer):
    for _ in range(4):
        assert attempt(client, "staffer").status_code == 200  # the form again, with an error
    assert attempt(client, "staffer").status_code == 429  # the fifth failure locks

    locked = attempt(client, "staffer", "correct horse battery")

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_reveal_whether_the_account_exists(staffer):
    responses = {}
    for username in ("staffer", "nobody-by-this-name"):
        client = Client()
        for _ in range(4):
            failed = attempt(client, username)
        responses[username] = (failed.status_code, attempt(client, username).status_code)
        failed_text = failed.content.decode().replace(username, "USER")
        responses[username] += (failed_text.count("errornote"),)

    assert responses["staffer"] == responses["nobody-by-this-name"] == (200, 429, 1)


def test_other_people_are_not_locked_out_by_someone_elses_failures(client, staffer):
    for _ in range(5):
        attempt(client, "somebody-else")

    assert attempt(client, "staffer", "correct horse battery").status_code == 302


def test_the_session_key_changes_at_login_and_the_old_one_is_dead_after_logout(staffer):
    client = Client()
    client.get(LOGIN)  # an anonymous session may exist before
    client.cookies["sessionid"] = "anonymous-session-key-planted-by-an-attacker"
    assert attempt(client, "staffer", "correct horse battery").status_code == 302
    session_cookie = client.cookies["sessionid"].value
    assert session_cookie != "anonymous-session-key-planted-by-an-attacker"
    assert client.get(reverse("admin:index")).status_code == 200

    client.post(reverse("admin:logout"))

    replay = Client()
    replay.cookies["sessionid"] = session_cookie
    response = replay.get(reverse("admin:index"))
    assert response.status_code == 302 and LOGIN in response["Location"]


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP"])
def test_behind_the_proxy_failures_lock_the_forwarded_client_not_everyone(
    settings, staffer, header
):
    """Every request comes from the proxy's address; the client's is in the header."""
    settings.CREDENCE_CLIENT_IP_HEADER = header
    attacker, colleague = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        attacker.post(
            LOGIN,
            {"username": "staffer", "password": "wrong", "next": "/admin/"},
            **{header: "203.0.113.9"},
        )
    locked = attacker.post(
        LOGIN,
        {"username": "staffer", "password": "correct horse battery", "next": "/admin/"},
        **{header: "203.0.113.9"},
    )
    colleague_login = colleague.post(
        LOGIN,
        {"username": "staffer", "password": "correct horse battery", "next": "/admin/"},
        **{header: "198.51.100.7"},
    )

    assert locked.status_code == 429
    assert colleague_login.status_code == 302
