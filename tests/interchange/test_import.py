"""Importing and exporting the Longterm Wiki format, on small hand-written folders."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from interchange.longterm_wiki.importer import ImportFailed, longterm_wiki_import
from sources.models import Source, Venue
from tests.interchange.kb_builder import database_state, write_kb
from wiki.models import Citation, WikiPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(tmp_path):
    return write_kb(tmp_path / "kb")


@pytest.fixture
def imported(kb):
    return longterm_wiki_import(kb)


def reported(report):
    return [str(issue) for issue in report.reported]


def test_counts_after_import(imported):
    assert Venue.objects.count() == 2
    assert Source.objects.count() == 4  # the second id of the blog post is merged
    assert WikiPage.objects.count() == 4
    assert imported.counts["sources"]["created"] == 4


def more_sources(n: int) -> str:
    return "".join(
        f'- id: "{i:016x}"\n  url: https://more.example.org/{i}\n  title: More {i}\n'
        f"  type: web\n  authors: [Author {i}]\n  key_points: [Point {i}]\n"
        f"  tags: [more, governance]\n  credibility_override: 3\n"
        for i in range(n)
    )


def test_a_first_import_stores_new_sources_in_bulk(tmp_path):
    counts = {}
    for n in (3, 63):
        kb = write_kb(tmp_path / f"kb-{n}", **{"resources/b.yaml": more_sources(n)})
        with transaction.atomic():  # rolled back: the next folder's sources are new again
            with CaptureQueriesContext(connection) as queries:
                report = longterm_wiki_import(kb)
            assert report.counts["sources"]["created"] == 4 + n
            assert Source.objects.get(pk=f"{n - 1:016x}").tags.count() == 2
            counts[n] = len(queries)
            transaction.set_rollback(True)

    # Stored one at a time, each source took about ten queries (600 more for 60); in bulk,
    # a few more where Django splits an INSERT to keep within SQLite's limit on parameters.
    assert counts[63] - counts[3] <= 10, counts


def test_ids_and_stable_ids_from_the_files_are_kept(imported):
    compute = Source.objects.get(pk="1111111111111111")
    assert compute.stable_id == "sid_AbCdE12345"
    assert Source.objects.by_stable_id("AbCdE12345").get() == compute


def test_merged_fields_never_replace_a_value_by_an_empty_one(imported):
    compute = Source.objects.get(pk="1111111111111111")
    article = Source.objects.get(pk="2222222222222222")

    assert compute.title == "Compute report"  # the snapshot's, read first
    assert compute.summary == "How compute shapes policy."  # only the YAML has one
    assert [p.text for p in compute.key_points.all()] == [
        "Compute is measurable.",
        "Thresholds are contested.",
    ]
    assert sorted(compute.tags.names()) == ["compute", "policy"]
    assert [a.name for a in compute.authors.all()] == ["Ada Author", "Ben Writer"]
    assert compute.published_display == "March 2024"
    assert article.summary == "The article's summary."  # snapshot's empty one gave way
    assert article.published_on == date(2023, 7, 12)


def test_venues_come_from_publication_id_else_from_the_url(imported):
    assert Source.objects.get(pk="1111111111111111").venue.slug == "think"
    assert Source.objects.get(pk="2222222222222222").venue.slug == "journal"
    assert Source.objects.get(pk="3333333333333333").venue is None


def test_pages_take_type_and_title_from_their_entity(imported):
    alpha = WikiPage.objects.get(slug="alpha-page")
    beta = WikiPage.objects.get(slug="beta")

    assert (alpha.title, alpha.type, alpha.status) == ("Alpha Policy", "policy", "published")
    assert (beta.title, beta.type, beta.status) == ("Beta Model", "model", "stub")


def test_front_matter_maps_onto_the_page(imported):
    alpha = WikiPage.objects.get(slug="alpha-page")

    assert alpha.description == "The alpha page, for tests."
    assert alpha.summary == "A summary of alpha."
    assert alpha.quality == 57
    assert alpha.reader_importance == Decimal("72")
    assert alpha.research_importance == Decimal("64.5")
    assert alpha.last_edited == date(2026, 3, 2)
    assert (alpha.focus, alpha.rigor, alpha.novelty) == (Decimal("7"), Decimal("6.5"), None)
    assert sorted(alpha.tags.names()) == ["compute", "governance"]


def test_the_body_becomes_our_markdown(imported):
    body = WikiPage.objects.get(slug="alpha-page").body

    assert "import " not in body
    assert "[[cite:AbCdE12345|a compute report]]" in body
    assert "[[beta|the beta model]]" in body


def test_citations_come_from_markers_cited_by_lists_and_links(imported):
    alpha = WikiPage.objects.get(slug="alpha-page")

    cited = {c.source_id: c.in_body for c in alpha.citations.all()}
    assert cited == {
        "1111111111111111": True,  # <R> marker (and cited_by)
        "2222222222222222": False,  # cited_by only
        "4444444444444444": False,  # a Markdown link to its URL, without www. and /
    }


def test_colliding_file_names_get_folder_slugs_and_a_report_line(imported):
    assert set(WikiPage.objects.values_list("slug", flat=True)) == {
        "alpha-page",
        "beta",
        "one",
        "two",
    }
    assert any("pages/one/index.mdx" in line and "'one'" in line for line in reported(imported))


@pytest.mark.parametrize(
    "expected",
    [
        "resources/a.yaml:23: publication_id 'ghost-venue' names no venue",
        "URL https://blog.example.net/post is claimed by ids 3333333333333333 and "
        "kb-3333333333333333",
        "cited_by names 'no-such-page': no such page",
        "pages/alpha-page.mdx:18: <R id='ffffffffffffffff'> names no source",
    ],
)
def test_what_cannot_be_linked_is_reported_and_the_rest_imported(imported, expected):
    assert any(expected in line for line in reported(imported)), reported(imported)


def test_a_duplicate_id_in_one_file_is_reported(tmp_path):
    from tests.interchange import kb_builder

    twice = kb_builder.RESOURCES + (
        '- id: "4444444444444444"\n  url: https://www.linked.example.org/page/\n'
        "  title: Linked only\n  type: web\n  summary: Second record.\n"
    )
    report = longterm_wiki_import(write_kb(tmp_path, **{"resources/a.yaml": twice}))

    assert any("duplicate id 4444444444444444" in line for line in reported(report))
    assert Source.objects.get(pk="4444444444444444").summary == "Second record."


def test_a_second_import_changes_nothing_and_says_so(kb, imported):
    stamps = dict(Source.objects.values_list("id", "updated_at"))
    page_stamps = dict(WikiPage.objects.values_list("slug", "updated_at"))
    citations = set(Citation.objects.values_list("page_id", "source_id", "in_body", "position"))

    again = longterm_wiki_import(kb)

    assert not again.changed
    for kind in ("venues", "sources", "pages", "citations", "tags"):
        assert again.counts[kind]["created"] == 0 and again.counts[kind]["updated"] == 0, kind
    assert dict(Source.objects.values_list("id", "updated_at")) == stamps
    assert dict(WikiPage.objects.values_list("slug", "updated_at")) == page_stamps
    assert set(Citation.objects.values_list("page_id", "source_id", "in_body", "position")) == (
        citations
    )


def test_a_dry_run_writes_nothing(kb):
    report = longterm_wiki_import(kb, dry_run=True)

    assert report.counts["sources"]["created"] == 4
    assert not Source.objects.exists() and not Venue.objects.exists()


def test_any_subset_of_the_files_may_be_present(tmp_path):
    only_venues = write_kb(
        tmp_path,
        **{
            "resources-snapshot.json": None,
            "resources/a.yaml": None,
            "entities/e.yaml": None,
            "pages/alpha-page.mdx": None,
            "pages/models/beta.mdx": None,
            "pages/one/index.mdx": None,
            "pages/two/index.mdx": None,
        },
    )

    longterm_wiki_import(only_venues)

    assert Venue.objects.count() == 2 and not Source.objects.exists()


def test_export_then_import_into_an_empty_database_holds_the_same(imported, tmp_path):
    before = database_state()
    out = tmp_path / "export"
    call_command("export_longterm_wiki", str(out), stdout=StringIO())
    Citation.objects.all().delete()
    WikiPage.objects.all().delete()
    Source.objects.all().delete()
    Venue.objects.all().delete()

    longterm_wiki_import(out)

    assert database_state() == before


def test_export_refuses_a_folder_that_holds_files(imported, tmp_path):
    (tmp_path / "x.txt").write_text("keep me")

    with pytest.raises(CommandError, match="already holds files"):
        call_command("export_longterm_wiki", str(tmp_path), stdout=StringIO())
    assert (tmp_path / "x.txt").read_text() == "keep me"


BAD_INPUTS = {
    "malformed YAML": (
        {"publications.yaml": "- id: think\n  name: [unclosed\n"},
        "publications.yaml:",
    ),
    "malformed JSON": (
        {"resources-snapshot.json": '[{"id": "1111111111111111", "url": }]'},
        "resources-snapshot.json:1: malformed JSON",
    ),
    "credibility out of range": (
        {"publications.yaml": "- id: think\n  name: Think\n  type: think_tank\n  credibility: 7\n"},
        "publications.yaml:4: credibility:",
    ),
    "quality out of range": (
        {"pages/alpha-page.mdx": "---\ntitle: Alpha\nquality: 150\n---\nBody.\n"},
        "pages/alpha-page.mdx:3: quality:",
    ),
    "invalid URL": (
        {"resources/a.yaml": '- id: "5555555555555555"\n  url: not a url\n  type: web\n'},
        "resources/a.yaml:2: url:",
    ),
    "missing required field": (
        {"publications.yaml": "- id: think\n  type: think_tank\n"},
        "publications.yaml:1: name: required field missing",
    ),
    "unknown source type": (
        {"resources/a.yaml": '- id: "5555555555555555"\n  url: https://x.example/\n  type: zine\n'},
        "resources/a.yaml:3: type:",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_names_file_line_and_field_and_writes_nothing(tmp_path, case):
    overrides, expected = BAD_INPUTS[case]
    kb = write_kb(tmp_path, **overrides)

    with pytest.raises(ImportFailed) as excinfo:
        longterm_wiki_import(kb)

    assert any(expected in str(issue) for issue in excinfo.value.issues), excinfo.value.issues
    assert not Venue.objects.exists()
    assert not Source.objects.exists()
    assert not WikiPage.objects.exists()


def test_bad_input_leaves_an_existing_database_as_it_was(kb, imported, tmp_path):
    before = database_state()
    bad = write_kb(
        tmp_path / "bad",
        **{"pages/alpha-page.mdx": "---\ntitle: Alpha\nquality: 150\n---\nBody changed.\n"},
    )

    with pytest.raises(ImportFailed):
        longterm_wiki_import(bad)

    assert database_state() == before


def test_the_command_prints_a_summary_and_fails_on_bad_input(kb, tmp_path):
    out = StringIO()
    call_command("import_longterm_wiki", str(kb), stdout=out, stderr=StringIO())
    assert "| sources | 4 | 0 | 0 |" in out.getvalue()

    out = StringIO()
    call_command("import_longterm_wiki", str(kb), stdout=out, stderr=StringIO())
    assert "Nothing changed" in out.getvalue()

    bad = write_kb(tmp_path / "bad", **{"publications.yaml": "- id: x\n  type: news\n"})
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_longterm_wiki", str(bad), stdout=StringIO(), stderr=err)
    assert "publications.yaml:1: name: required field missing" in err.getvalue()


def test_the_command_dry_run_says_so(kb):
    out = StringIO()
    call_command("import_longterm_wiki", str(kb), "--dry-run", stdout=out, stderr=StringIO())

    assert "Dry run: nothing was written." in out.getvalue()
    assert not Source.objects.exists()


def test_plain_progress_lines_when_not_on_a_terminal(kb):
    err = StringIO()
    call_command("import_longterm_wiki", str(kb), stdout=StringIO(), stderr=err)

    assert "sources: 4/4" in err.getvalue()


def test_imported_ratings_start_their_trail_with_a_decision(imported, kb):
    from ratings.models import DecisionOrigin, RatingDecision

    decision = RatingDecision.objects.get(venue__slug="think")
    assert decision.new_values == {"credibility": 4}
    assert decision.rationale == "Imported from publications.yaml"
    assert decision.origin == DecisionOrigin.IMPORT and decision.decided_by is None
    page_decision = RatingDecision.objects.get(page__slug="alpha-page")
    assert page_decision.new_values["quality"] == 57
    assert page_decision.rationale == "Imported from pages/alpha-page.mdx"
    count = RatingDecision.objects.count()

    longterm_wiki_import(kb)

    assert RatingDecision.objects.count() == count
