"""Shared fixtures, and the rules for suites that need something the machine may lack.

A suite that needs a resource the machine lacks is skipped with a one-line reason;
with CREDENCE_REQUIRE_ALL=1 (as in .ci/run) every such skip is a failure instead.
"""

import os

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from core.page_cache import local_pages
from sources.models import EDITORS_GROUP, RATING_MODERATORS_GROUP
from tests.local_web import LocalWeb
from tests.write_announcements import WriteAnnouncements

REQUIRE_ALL = os.environ.get("CREDENCE_REQUIRE_ALL") == "1"
# .ci/run names the database each pass is meant to run on, so a mistyped DATABASE_URL
# cannot quietly turn the PostgreSQL pass into a second SQLite pass.
EXPECTED_DB = os.environ.get("CREDENCE_EXPECT_DB", "")


def require(condition: bool, reason: str) -> None:
    """Skip the test for a missing resource, or fail when every suite is required."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (CREDENCE_REQUIRE_ALL=1: no suite may be skipped)")
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _database_is_the_expected_one(django_db_setup, django_db_blocker):
    if EXPECTED_DB and connection.vendor != EXPECTED_DB:
        pytest.exit(
            f"CREDENCE_EXPECT_DB={EXPECTED_DB} but the tests run on {connection.vendor}: "
            "check DATABASE_URL.",
            returncode=3,
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages cached by one test (whose rows were
    rolled back) must not answer another."""
    cache.clear()
    local_pages.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test whose code wrote in bulk without saying what changed (see
    tests/write_announcements.py): the page cache and the search index would miss it."""
    with WriteAnnouncements().watching() as writes:
        result = yield
    unannounced = writes.unannounced()
    if unannounced:
        lines = "\n".join(f"  {write}" for write in unannounced)
        pytest.fail(
            "A bulk write did not say what it changed (call core.changes.records_changed):\n"
            + lines,
            pytrace=False,
        )
    return result


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        reason = "PostgreSQL-only behaviour: runs when DATABASE_URL names a PostgreSQL database"
        if EXPECTED_DB == "sqlite":
            # This pass is the SQLite one on purpose; the PostgreSQL pass runs the test.
            pytest.skip(reason)
        require(False, reason)


def _group(name: str) -> Group:
    group = Group.objects.filter(name=name).first()
    if group is None:
        # A transactional test before this one emptied every table, the migration-made
        # groups included: run the group migrations again.
        call_command("migrate", "wiki", "0001", verbosity=0)
        call_command("migrate", verbosity=0)
        group = Group.objects.get(name=name)
    return group


def _staff_user(django_user_model, username: str, group_name: str | None):
    user = django_user_model.objects.create_user(
        username=username, password="pw-" + username, is_staff=True
    )
    if group_name:
        user.groups.add(_group(group_name))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _staff_user(django_user_model, "edna", EDITORS_GROUP)


@pytest.fixture
def moderator(db, django_user_model):
    return _staff_user(django_user_model, "morgan", RATING_MODERATORS_GROUP)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def web():
    """A web server on loopback (tests.local_web), closed after the test."""
    server = LocalWeb()
    yield server
    server.close()
