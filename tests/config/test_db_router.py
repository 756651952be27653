"""The database router: reads to the replica, writes and staff to the primary."""

import pytest
from django.db import transaction
from django.test import RequestFactory

from config.db_router import PrimaryPinMiddleware, PrimaryReplicaRouter
from sources.models import Source

router = PrimaryReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    # As if DATABASE_REPLICA_URL were set (the settings test below checks that part).
    monkeypatch.setattr("config.db_router.has_replica", lambda: True)


def test_without_a_replica_everything_uses_the_primary():
    assert router.db_for_read(Source) == "default"
    assert router.db_for_write(Source) == "default"


def test_with_a_replica_reads_go_there_and_writes_to_the_primary(with_replica):
    assert router.db_for_read(Source) == "replica"
    assert router.db_for_write(Source) == "default"
    assert router.allow_relation(Source(), Source())


def test_migrations_run_on_the_primary_only(with_replica):
    assert router.allow_migrate("default", "sources")
    assert not router.allow_migrate("replica", "sources")


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_use_the_primary(with_replica):
    with transaction.atomic():
        assert router.db_for_read(Source) == "default"
    assert router.db_for_read(Source) == "replica"


@pytest.mark.parametrize(
    "method, signed_in, expected",
    [
        ("GET", False, "replica"),
        ("HEAD", False, "replica"),
        ("GET", True, "default"),
        ("POST", False, "default"),
    ],
)
def test_staff_requests_and_posts_read_from_the_primary(with_replica, method, signed_in, expected):
    from django.contrib.auth.models import AnonymousUser, User

    request = RequestFactory().generic(method, "/")
    request.user = User(username="x") if signed_in else AnonymousUser()
    seen = []

    def view(request):
        seen.append(router.db_for_read(Source))
        return None

    PrimaryPinMiddleware(view)(request)

    assert seen == [expected]
    assert router.db_for_read(Source) == "replica"  # the pin ends with the request


def test_a_replica_url_adds_a_mirrored_replica(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica.internal:5432/credence")
    try:
        reloaded = importlib.reload(base)
        replica = reloaded.DATABASES["replica"]
        assert replica["HOST"] == "replica.internal" and replica["USER"] == "reader"
        assert replica["TEST"] == {"MIRROR": "default"}
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        importlib.reload(base)
