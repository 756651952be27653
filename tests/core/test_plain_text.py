"""Titles, summaries and descriptions are plain text: entities decoded, Markdown escapes
removed, on every path that writes them (services, admin, import, snapshots, migration)."""

import importlib
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.changes import records_changed
from core.text import plain_text
from interchange.longterm_wiki.importer import longterm_wiki_import
from ratings.models import RatingDecision
from search.ranking import search_filter
from sources.fetching import Extracted, FetchResult
from sources.models import FetchOutcome, Source, Venue
from sources.services import source_create, source_update, venue_create
from sources.snapshots import snapshot_store
from tests.interchange.kb_builder import ALPHA, PUBLICATIONS, SNAPSHOT, write_kb
from wiki.models import WikiPage
from wiki.services import wiki_page_create

# The shapes the Longterm Wiki's files carry (our own words).
RAW_TITLE = "Why labs didn&#x27;t disclose \\$700B+ &amp; more"
CLEAN_TITLE = "Why labs didn't disclose $700B+ & more"
RAW_SUMMARY = "Spending rose to \\$1B\\_total.\n\nA second paragraph &mdash; kept."
CLEAN_SUMMARY = "Spending rose to $1B_total.\n\nA second paragraph — kept."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("didn&#x27;t", "didn't"),
        ("didn&#39;t", "didn't"),
        ("A &amp; B &lt;C&gt;", "A & B <C>"),
        ("double &amp;#x27;encoded&amp;amp;", "double 'encoded&"),
        ("\\$700B+", "$700B+"),
        ("snake\\_case \\*not emphasis\\*", "snake_case *not emphasis*"),
        ("C:\\Users and \\n stay", "C:\\Users and \\n stay"),
        ("an escaped backslash \\\\ then text", "an escaped backslash \\ then text"),
        ("R&D, AT&T, ?a=1&b=2", "R&D, AT&T, ?a=1&b=2"),
        ("&notit; is no entity", "&notit; is no entity"),
        ("  a title\n  on two lines\t ", "a title on two lines"),
        ("**Future of Humanity Institute**", "Future of Humanity Institute"),
        ("The __EU AI Office__ and **its** staff", "The EU AI Office and its staff"),
        (
            "f**k stays, a ** b stays, snake__case__x stays",
            "f**k stays, a ** b stays, snake__case__x stays",
        ),
        ("", ""),
    ],
)
def test_plain_text_of_one_line(value, expected):
    assert plain_text(value) == expected


def test_plain_text_keeps_paragraphs_when_multiline():
    value = "  First line \r\nsecond line\r\n\r\n\r\n\r\nNext paragraph \\$5.  \n"

    assert plain_text(value, multiline=True) == "First line\nsecond line\n\nNext paragraph $5."


@given(st.text(alphabet=st.sampled_from("a &#;x27amp\\$_* \n\r\t")), st.booleans())
def test_plain_text_is_a_fixed_point(value, multiline):
    once = plain_text(value, multiline=multiline)

    assert plain_text(once, multiline=multiline) == once


@pytest.mark.django_db
def test_a_source_created_and_updated_through_the_service_is_plain_text():
    source = source_create(
        url="https://example.org/a",
        title=RAW_TITLE,
        summary=RAW_SUMMARY,
        authors=["Ada &amp; Ben"],
        key_points=["Costs \\$5 &ndash; or less"],
    )
    source = Source.objects.get(pk=source.pk)

    assert (source.title, source.summary) == (CLEAN_TITLE, CLEAN_SUMMARY)
    assert [a.name for a in source.authors.all()] == ["Ada & Ben"]
    assert [p.text for p in source.key_points.all()] == ["Costs $5 – or less"]


@pytest.mark.django_db
def test_the_same_raw_values_again_change_nothing():
    raw = {"title": RAW_TITLE, "summary": RAW_SUMMARY}
    source = source_create(url="https://example.org/a", authors=["Ada &amp; Ben"], **raw)
    versions = source.history.count()

    changed = source_update(
        source=Source.objects.prefetch_related("authors").get(pk=source.pk),
        authors=["Ada &amp; Ben"],
        **raw,
    )

    assert changed == []
    assert source.history.count() == versions


@pytest.mark.django_db
def test_venues_and_pages_are_plain_text():
    venue = venue_create(
        slug="v",
        name="Lab &amp; Co",
        description=RAW_SUMMARY,
        credibility_rationale="Named \\*authors\\*",
    )
    page = wiki_page_create(
        slug="p", title=RAW_TITLE, description=RAW_SUMMARY, summary=RAW_SUMMARY, body="\\$5"
    )
    venue.refresh_from_db()
    page.refresh_from_db()

    assert (venue.name, venue.description, venue.credibility_rationale) == (
        "Lab & Co",
        CLEAN_SUMMARY,
        "Named *authors*",
    )
    assert (page.title, page.description, page.summary) == (
        CLEAN_TITLE,
        CLEAN_SUMMARY,
        CLEAN_SUMMARY,
    )
    assert page.body == "\\$5"  # Markdown: the escape is the author's


@pytest.mark.django_db
def test_a_source_saved_in_the_admin_is_plain_text(editor_client):
    data = {
        "url": "https://example.org/from-the-admin",
        "title": RAW_TITLE,
        "type": "report",
        "summary": RAW_SUMMARY,
        "review": "",
        "abstract": "",
        "tags": "",
        "venue": "",
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "1000",
        "authors-0-name": "Ada &amp; Ben",
        "authors-0-position": "0",
        "key_points-TOTAL_FORMS": "0",
        "key_points-INITIAL_FORMS": "0",
        "key_points-MIN_NUM_FORMS": "0",
        "key_points-MAX_NUM_FORMS": "1000",
    }

    response = editor_client.post(reverse("admin:sources_source_add"), data)

    assert response.status_code == 302
    source = Source.objects.get(url=data["url"])
    assert (source.title, source.summary) == (CLEAN_TITLE, CLEAN_SUMMARY)
    assert [a.name for a in source.authors.all()] == ["Ada & Ben"]


@pytest.mark.django_db
def test_a_title_filled_in_from_a_snapshot_is_plain_text():
    source = source_create(url="https://example.org/untitled")
    result = FetchResult(
        requested_url=source.url,
        outcome=FetchOutcome.OK,
        http_status=200,
        content_type="text/html",
        body=b"<html></html>",
        extracted=Extracted(title="Fetched &amp;#x27;title&#x27;", authors=["Ada \\_Lovelace"]),
    )

    snapshot_store(source=source, result=result)
    source.refresh_from_db()

    assert source.title == "Fetched 'title'"
    assert [a.name for a in source.authors.all()] == ["Ada _Lovelace"]


def _escaped_kb(root):
    snapshot = json.loads(json.dumps(SNAPSHOT))
    snapshot[0]["title"] = RAW_TITLE
    snapshot[0]["summary"] = "Summary with \\$26 Billion &amp; more"
    alpha = ALPHA.replace(
        "description: The alpha page, for tests.",
        'description: "Alpha costs \\\\$5 &amp; more"',
    ).replace("llmSummary: A summary of alpha.", 'llmSummary: "didn&#x27;t \\\\$1B+"')
    publications = PUBLICATIONS.replace(
        "description: A think tank invented for tests.",
        "description: Think &amp; do \\$ tank",
    )
    return write_kb(
        root,
        **{
            "resources-snapshot.json": json.dumps(snapshot),
            "pages/alpha-page.mdx": alpha,
            "publications.yaml": publications,
        },
    )


@pytest.mark.django_db
def test_an_import_stores_plain_text(tmp_path):
    longterm_wiki_import(_escaped_kb(tmp_path / "kb"))

    source = Source.objects.get(pk="1111111111111111")
    page = WikiPage.objects.get(slug="alpha-page")
    assert (source.title, source.summary) == (CLEAN_TITLE, "Summary with $26 Billion & more")
    assert (page.description, page.summary) == ("Alpha costs $5 & more", "didn't $1B+")
    assert Venue.objects.get(slug="think").description == "Think & do $ tank"


@pytest.mark.django_db
def test_a_second_import_of_the_same_files_changes_nothing(tmp_path):
    kb = _escaped_kb(tmp_path / "kb")
    longterm_wiki_import(kb)
    versions = (Source.history.count(), WikiPage.history.count(), Venue.history.count())

    report = longterm_wiki_import(kb)

    assert not report.changed
    assert report.counts["sources"]["updated"] == report.counts["pages"]["updated"] == 0
    assert (Source.history.count(), WikiPage.history.count(), Venue.history.count()) == versions


@pytest.mark.django_db
def test_the_migration_makes_stored_rows_plain_text_and_searchable():
    source = source_create(url="https://example.org/old", title="placeholder")
    page = wiki_page_create(slug="old", title="placeholder")
    # Rows stored before plain text was enforced, indexed as they were.
    Source.objects.filter(pk=source.pk).update(title="Chips &amp; compute didn&#x27;t")
    WikiPage.objects.filter(pk=page.pk).update(summary="Chips \\$5 &amp; up")
    records_changed(Source, [source.pk])
    records_changed(WikiPage, [page.pk])
    if connection.vendor == "sqlite":
        # FTS5 indexes the entity's letters; PostgreSQL's parser already skips entities.
        assert search_filter(Source.objects.all(), "sources", "amp").exists()
    schema_editor = SimpleNamespace(connection=connection)

    importlib.import_module("sources.migrations.0008_plain_text").make_plain(apps, schema_editor)
    importlib.import_module("wiki.migrations.0011_plain_text").make_plain(apps, schema_editor)

    assert Source.objects.get(pk=source.pk).title == "Chips & compute didn't"
    assert WikiPage.objects.get(pk=page.pk).summary == "Chips $5 & up"
    assert not search_filter(Source.objects.all(), "sources", "amp").exists()
    assert not search_filter(WikiPage.objects.all(), "pages", "amp").exists()
    assert search_filter(WikiPage.objects.all(), "pages", "chips").get() == page


@pytest.mark.django_db
def test_a_rationale_sent_back_with_browser_line_breaks_is_no_rating_change(moderator_client):
    venue = venue_create(
        slug="v", name="V", credibility=4, credibility_rationale="First.\n\nSecond."
    )
    data = {
        "name": "V",
        "slug": "v",
        "type": venue.type,
        "website": "",
        "description": "Edited description",
        "credibility": "4",
        # Browsers send a textarea's line breaks as CRLF.
        "credibility_rationale": "First.\r\n\r\nSecond.",
        "credibility_reviewed_on": "",
        "domains-TOTAL_FORMS": "0",
        "domains-INITIAL_FORMS": "0",
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
    }

    response = moderator_client.post(reverse("admin:sources_venue_change", args=[venue.pk]), data)

    assert response.status_code == 302
    venue.refresh_from_db()
    assert (venue.description, venue.credibility_rationale) == (
        "Edited description",
        "First.\n\nSecond.",
    )
    assert not RatingDecision.objects.exists()
