"""One announcement for bulk writes (core.changes), and the check that catches a forgotten one."""

from pathlib import Path

import pytest

from core.changes import records_changed
from core.page_cache import record_tag, tags_versions
from search.ranking import search_filter
from sources.models import Source
from sources.services import source_create, source_key_points_set
from tests.core import forgetful
from tests.write_announcements import WriteAnnouncements

pytestmark = pytest.mark.django_db

HELPER = (str(Path(forgetful.__file__)),)


def test_a_bulk_write_that_does_not_say_what_changed_is_caught():
    source = source_create(url="https://example.org/a", title="Before")
    with WriteAnnouncements(project_code=HELPER).watching() as writes:
        forgetful.source_titles_set_silently([source.pk], "After")

    [write] = writes.unannounced()
    assert write.table == "sources_source"
    assert write.sql.startswith("UPDATE")
    assert write.sent_from.startswith("tests/core/forgetful.py:")


def test_a_bulk_write_that_says_what_changed_passes():
    source = source_create(url="https://example.org/a", title="Before")
    with WriteAnnouncements(project_code=HELPER).watching() as writes:
        forgetful.source_titles_set([source.pk], "After")

    assert writes.unannounced() == []


def test_saves_announce_themselves():
    with WriteAnnouncements().watching() as writes:
        source = source_create(url="https://example.org/a", title="One", key_points=["k"])
        source.title = "Two"
        source.save()
        source.delete()

    assert writes.unannounced() == []


def test_the_index_and_the_page_cache_hear_of_a_bulk_write_through_records_changed():
    source = source_create(url="https://example.org/a", title="Before")
    tag = record_tag(Source, source.pk)
    version = tags_versions([tag])[tag] or 0

    forgetful.source_titles_set([source.pk], "Zanzibar")

    assert tags_versions([tag])[tag] > version
    assert list(search_filter(Source.objects.all(), "sources", "zanzibar")) == [source]


def test_a_bulk_write_of_parts_refreshes_the_record_they_belong_to():
    source = source_create(url="https://example.org/a", title="A source")

    source_key_points_set(source=source, points=["Quokka"])  # inserted in bulk

    assert list(search_filter(Source.objects.all(), "sources", "quokka")) == [source]


def test_announcing_every_row_rebuilds_the_kind():
    source = source_create(url="https://example.org/a", title="Before")
    Source.objects.filter(pk=source.pk).update(title="Wombat")

    records_changed(Source)

    assert list(search_filter(Source.objects.all(), "sources", "wombat")) == [source]


def test_updates_of_the_search_columns_alone_are_the_index_own():
    source = source_create(url="https://example.org/a", title="Before")
    with WriteAnnouncements(project_code=HELPER).watching() as writes:
        forgetful.source_merit_set([source.pk], 40)

    assert writes.unannounced() == []
