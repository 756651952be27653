"""A second import does work in proportion to what changed since the first, and says so."""

from collections import Counter
from hashlib import sha256
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interchange.longterm_wiki.importer import longterm_wiki_import
from interchange.models import ImportedFile, ImportedRecord
from merging.services import source_merge
from sources.models import Source
from sources.services import source_authors_set, source_update
from tests.interchange.kb_builder import write_kb
from wiki.models import Citation, WikiPage
from wiki.services import wiki_page_update

pytestmark = pytest.mark.django_db

FILES = 8  # the files write_kb writes
RECORDS = {"venues": 2, "sources": 4, "pages": 4}


@pytest.fixture
def kb(tmp_path):
    return write_kb(tmp_path / "kb")


@pytest.fixture
def imported(kb):
    return longterm_wiki_import(kb)


def stamps() -> dict:
    return {
        "sources": dict(Source.objects.values_list("id", "updated_at")),
        "pages": dict(WikiPage.objects.values_list("slug", "updated_at")),
    }


def skipped(report) -> dict:
    return {kind: report.counts[kind]["skipped"] for kind in RECORDS}


def lines(report) -> list[str]:
    return [str(issue) for issue in report.reported]


def bigger_kb(root, n: int):
    """Return the test knowledge base with n more sources and n more pages citing them."""
    sources = "".join(
        f'- id: "{i:016x}"\n  url: https://more.example.org/{i}\n  title: More {i}\n'
        f"  type: web\n  authors: [Author {i}]\n  tags: [more]\n  cited_by: [more-{i}]\n"
        for i in range(n)
    )
    pages = {
        f"pages/more/more-{i}.mdx": f"---\ntitle: More {i}\nnumericId: M{i}\n---\n"
        f'More {i} cites <R id="{i:016x}">it</R> and links <EntityLink id="E1">alpha'
        "</EntityLink>.\n"
        for i in range(n)
    }
    return write_kb(root, **{"resources/b.yaml": sources, **pages})


# -- nothing changed ---------------------------------------------------------------------


def test_a_second_import_skips_every_file_and_record(kb, imported):
    before = stamps()

    again = longterm_wiki_import(kb)

    assert (again.files_found, again.files_read) == (FILES, 0)
    assert skipped(again) == RECORDS
    assert not again.changed
    assert stamps() == before


def test_a_second_import_reports_what_a_full_import_reports(kb, imported):
    again = longterm_wiki_import(kb)
    full = longterm_wiki_import(kb, full=True)

    assert lines(again) == lines(full) == lines(imported)
    assert again.notes == full.notes
    assert again.missing_references == full.missing_references
    for kind in ("citations", "tags"):
        assert again.counts[kind] == full.counts[kind]


def test_a_no_change_import_runs_the_same_queries_whatever_the_size(tmp_path):
    counts = []
    for n in (3, 30):
        kb = bigger_kb(tmp_path / f"kb-{n}", n)
        longterm_wiki_import(kb)
        with CaptureQueriesContext(connection) as queries:
            report = longterm_wiki_import(kb)
        assert report.records_skipped == sum(RECORDS.values()) + 2 * n
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    assert counts[0] < 40, counts


def test_a_dry_run_stores_nothing(kb):
    longterm_wiki_import(kb, dry_run=True)

    assert not ImportedFile.objects.exists() and not ImportedRecord.objects.exists()
    assert skipped(longterm_wiki_import(kb)) == dict.fromkeys(RECORDS, 0)


# -- what changed is imported, and only that ---------------------------------------------


def test_a_changed_page_updates_exactly_its_record(kb, imported):
    before = stamps()
    beta = kb / "pages/models/beta.mdx"
    beta.write_text(beta.read_text() + "\nBeta grew a second paragraph.\n")

    again = longterm_wiki_import(kb)

    assert again.files_read == 1
    assert again.counts["pages"]["updated"] == 1
    assert skipped(again) == {**RECORDS, "pages": RECORDS["pages"] - 1}
    assert "second paragraph" in WikiPage.objects.get(slug="beta").body
    assert not any("in the database since the last import" in line for line in lines(again))
    after = stamps()
    assert after["sources"] == before["sources"]
    assert {slug for slug, at in after["pages"].items() if at != before["pages"][slug]} == {"beta"}


def test_a_changed_source_updates_only_that_source(kb, imported):
    before = stamps()
    resources = kb / "resources/a.yaml"
    resources.write_text(resources.read_text().replace("A blog post", "A renamed blog post"))

    again = longterm_wiki_import(kb)

    # The source files are read together (a source is merged across them): two files.
    assert again.files_read == 2
    assert again.counts["sources"]["updated"] == 1
    assert skipped(again) == {**RECORDS, "sources": RECORDS["sources"] - 1}
    assert Source.objects.get(pk="3333333333333333").title == "A renamed blog post"
    changed = {pk for pk, at in stamps()["sources"].items() if at != before["sources"][pk]}
    assert changed == {"3333333333333333"}


def test_a_page_is_imported_again_when_its_entity_changes(kb, imported):
    entities = kb / "entities/e.yaml"
    entities.write_text(entities.read_text().replace("Alpha Policy", "Alpha Policies"))

    again = longterm_wiki_import(kb)

    assert WikiPage.objects.get(slug="alpha-page").title == "Alpha Policies"
    assert again.counts["pages"]["updated"] == 1
    assert again.counts["pages"]["skipped"] == RECORDS["pages"] - 1


def test_a_page_is_converted_again_when_an_entity_it_names_appears(tmp_path):
    linking = '---\ntitle: Linking\n---\nSee <EntityLink id="E9">the new page</EntityLink>.\n'
    kb = write_kb(tmp_path, **{"pages/linking.mdx": linking})
    longterm_wiki_import(kb)
    assert "[[" not in WikiPage.objects.get(slug="linking").body

    (kb / "pages/newcomer.mdx").write_text("---\ntitle: Newcomer\nnumericId: E9\n---\nNew.\n")
    again = longterm_wiki_import(kb)

    assert "[[newcomer|the new page]]" in WikiPage.objects.get(slug="linking").body
    assert again.counts["pages"]["created"] == 1 and again.counts["pages"]["updated"] == 1


def test_a_new_source_is_cited_by_the_unchanged_pages_that_link_its_url(tmp_path):
    gamma = "---\ntitle: Gamma\n---\nSee [a report](https://new.example.org/report).\n"
    kb = write_kb(tmp_path, **{"pages/gamma.mdx": gamma})
    longterm_wiki_import(kb)
    (kb / "resources/b.yaml").write_text(
        '- id: "5555555555555555"\n  url: https://new.example.org/report\n  type: report\n'
    )

    again = longterm_wiki_import(kb)

    assert again.counts["pages"]["skipped"] == RECORDS["pages"] + 1
    assert Citation.objects.filter(page__slug="gamma", source_id="5555555555555555").exists()


def test_a_full_import_compares_everything(kb, imported):
    full = longterm_wiki_import(kb, full=True)

    assert full.files_read == FILES
    assert skipped(full) == dict.fromkeys(RECORDS, 0)
    assert {kind: full.counts[kind]["unchanged"] for kind in RECORDS} == RECORDS
    assert not full.changed


def test_a_full_import_writes_what_changed_and_tells_edits_apart(kb, imported):
    beta = kb / "pages/models/beta.mdx"
    beta.write_text(beta.read_text() + "\nBeta grew a second paragraph.\n")
    source_update(source=Source.objects.get(pk="2222222222222222"), title="An editor's title")

    full = longterm_wiki_import(kb, full=True)

    assert full.counts["pages"]["updated"] == full.counts["sources"]["updated"] == 1
    edited = [line for line in lines(full) if "in the database since the last import" in line]
    assert len(edited) == 1 and "source '2222222222222222'" in edited[0]


def test_the_importers_code_is_part_of_every_hash(kb, imported, monkeypatch):
    monkeypatch.setattr(
        "interchange.longterm_wiki.importer.importer_version", lambda limits: "another importer"
    )

    again = longterm_wiki_import(kb)

    assert again.files_read == FILES and again.records_skipped == 0


# -- edits made in the database since ----------------------------------------------------


def test_an_edited_page_gets_the_files_values_back_and_the_report_says_so(kb, imported):
    alpha = WikiPage.objects.get(slug="alpha-page")
    wiki_page_update(page=alpha, title="Alpha, as an editor put it")

    again = longterm_wiki_import(kb)

    alpha.refresh_from_db()
    assert alpha.title == "Alpha Policy"
    assert "Alpha, as an editor put it" in alpha.history.values_list("title", flat=True)
    assert (
        "pages/alpha-page.mdx: page 'alpha-page' was changed in the database since the last "
        "import; the file's values were written back (the edit is in its history)"
    ) in lines(again)
    assert again.counts["pages"]["skipped"] == RECORDS["pages"] - 1


def test_an_edited_source_gets_the_files_values_back(kb, imported):
    source = Source.objects.get(pk="2222222222222222")
    source_update(source=source, title="Retitled by an editor")

    again = longterm_wiki_import(kb)

    assert Source.objects.get(pk="2222222222222222").title == "A journal article"
    assert again.counts["sources"]["updated"] == 1
    assert any("source '2222222222222222' was changed in the database" in x for x in lines(again))


def test_authors_changed_without_a_save_are_seen_too(kb, imported):
    # As a snapshot fills in authors: the child rows change, the source row does not.
    source = Source.objects.get(pk="2222222222222222")
    source_authors_set(source=source, names=["Filled In"])

    longterm_wiki_import(kb)

    assert not Source.objects.get(pk="2222222222222222").authors.exists()


def test_a_deleted_page_is_created_again_and_the_report_says_so(kb, imported):
    WikiPage.objects.get(slug="beta").delete()

    again = longterm_wiki_import(kb)

    assert WikiPage.objects.filter(slug="beta").exists()
    assert again.counts["pages"]["created"] == 1
    assert any("page 'beta' was deleted in the database" in line for line in lines(again))


def test_a_deleted_citation_is_added_again_as_a_full_import_does(kb, imported):
    Citation.objects.filter(page__slug="alpha-page", source_id="2222222222222222").delete()

    again = longterm_wiki_import(kb)

    assert Citation.objects.filter(page__slug="alpha-page", source_id="2222222222222222").exists()
    assert again.counts["citations"]["created"] == 1


def test_a_wiped_database_is_imported_in_full_again(kb, imported):
    Citation.objects.all().delete()
    WikiPage.objects.all().delete()
    Source.objects.all().delete()

    again = longterm_wiki_import(kb)

    assert {kind: again.counts[kind]["created"] for kind in ("sources", "pages")} == {
        "sources": RECORDS["sources"],
        "pages": RECORDS["pages"],
    }
    assert again.counts["citations"]["created"] == imported.counts["citations"]["created"]


# -- the summary -------------------------------------------------------------------------


def test_the_command_says_how_many_files_and_records_were_skipped(kb):
    call_command("import_longterm_wiki", str(kb), stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("import_longterm_wiki", str(kb), stdout=out, stderr=StringIO())

    assert "| sources | 0 | 0 | 0 | 4 | 2 |" in out.getvalue()
    assert (
        "Skipped as unchanged since the last import: 8 of 8 files not read; 10 records not "
        "compared (2 venues, 4 sources, 4 pages)."
    ) in out.getvalue()
    assert "Nothing changed" in out.getvalue()


def test_the_command_full_option_compares_everything(kb):
    call_command("import_longterm_wiki", str(kb), stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("import_longterm_wiki", str(kb), "--full", stdout=out, stderr=StringIO())

    assert "| sources | 0 | 0 | 4 | 0 | 2 |" in out.getvalue()
    assert "Full import: all 8 files read and every record compared." in out.getvalue()


def test_the_state_holds_a_hash_of_each_files_bytes_and_of_each_record(kb, imported):
    stored = dict(ImportedFile.objects.values_list("path", "sha256"))
    records = Counter(ImportedRecord.objects.values_list("kind", flat=True))

    assert len(stored) == FILES
    publications = (kb / "publications.yaml").read_bytes()
    assert stored["publications.yaml"] == sha256(publications).hexdigest()
    assert records == {"venue": 2, "source": 4, "page": 4}


# -- sources merged in Credence ----------------------------------------------------------


@pytest.mark.parametrize("full", [False, True])
def test_a_source_merged_here_is_not_imported_again(kb, imported, editor, full):
    survivor = Source.objects.get(pk="1" * 16)
    duplicate = Source.objects.get(pk="2" * 16)
    source_merge(survivor=survivor, duplicate=duplicate, user=editor, reason="One report")

    again = longterm_wiki_import(kb, full=full)

    assert not Source.objects.filter(pk="2" * 16).exists()
    assert Citation.objects.filter(page__slug="alpha-page", source_id="1" * 16).exists()
    if full:
        assert any(
            f"source {'2' * 16} was merged into {'1' * 16} in Credence" in line
            for line in lines(again)
        ), lines(again)
