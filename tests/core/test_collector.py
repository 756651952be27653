"""Bulk jobs run with Python's collector relaxed, and give the thresholds back after."""

import gc
from io import StringIO

import pytest
from django.core.management import call_command

from core.collector import BULK_THRESHOLDS, collections_relaxed
from interchange.longterm_wiki import exporter
from interchange.longterm_wiki.importer import ImportFailed, longterm_wiki_import
from interchange.synthetic import synthetic_generate
from tests.interchange.kb_builder import write_kb


@pytest.fixture
def thresholds():
    """Known thresholds before the test, and the real ones put back after it."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def test_the_block_collects_less_often_and_the_thresholds_come_back(thresholds):
    with collections_relaxed():
        inside = gc.get_threshold()

    assert inside == BULK_THRESHOLDS and inside[0] > thresholds[0]
    assert gc.get_threshold() == thresholds


def test_the_thresholds_come_back_when_the_block_fails(thresholds):
    with pytest.raises(RuntimeError), collections_relaxed():
        raise RuntimeError("half-way")

    assert gc.get_threshold() == thresholds


@pytest.mark.django_db
def test_an_import_runs_with_the_collector_relaxed(tmp_path, thresholds):
    seen = []
    write_kb(tmp_path)

    longterm_wiki_import(tmp_path, progress=lambda *step: seen.append(gc.get_threshold()))

    assert seen and set(seen) == {BULK_THRESHOLDS}
    assert gc.get_threshold() == thresholds


@pytest.mark.django_db
def test_a_failed_import_gives_the_thresholds_back(tmp_path, thresholds):
    bad_url = '- id: "5555555555555555"\n  url: not a url\n  type: web\n'
    write_kb(tmp_path, **{"resources/a.yaml": bad_url})

    with pytest.raises(ImportFailed):  # found while importing, inside the relaxed block
        longterm_wiki_import(tmp_path)

    assert gc.get_threshold() == thresholds


@pytest.mark.django_db
def test_a_synthetic_build_runs_with_the_collector_relaxed(thresholds):
    seen = []

    synthetic_generate(sources=30, pages=3, progress=lambda *step: seen.append(gc.get_threshold()))
    call_command(
        "generate_synthetic", "--sources", "5", "--pages", "0", "--seed", "2", stdout=StringIO()
    )

    assert seen and set(seen) == {BULK_THRESHOLDS}
    assert gc.get_threshold() == thresholds


@pytest.mark.django_db
def test_an_export_runs_with_the_collector_relaxed(tmp_path, thresholds, monkeypatch):
    longterm_wiki_import(write_kb(tmp_path / "in"))
    seen = []
    cited_by = exporter._cited_by

    def watched():
        seen.append(gc.get_threshold())
        return cited_by()

    monkeypatch.setattr(exporter, "_cited_by", watched)
    counts = exporter.longterm_wiki_export(tmp_path / "out")

    assert counts["pages"] > 0
    assert seen == [BULK_THRESHOLDS]
    assert gc.get_threshold() == thresholds
