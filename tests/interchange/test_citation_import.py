"""Sources in from reference managers: duplicates by identifier or address change nothing,
a bad file writes nothing and names entry and field, the admin previews before it writes,
and the demo knowledge base comes back from each format with what the format carries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from interchange.citations.export import sources_export, sources_for_export
from interchange.citations.importing import (
    Outcome,
    citations_import,
    citations_plan,
    import_summary,
    url_spellings,
)
from ratings.models import RatingDecision
from sources.models import Source, Venue
from tests.factories import SourceFactory, VenueDomainFactory, VenueFactory
from tests.html_forms import form_data
from wiki.models import Citation

pytestmark = pytest.mark.django_db

ONE = """@article{new1, title = {A new paper}, url = {https://example.org/new},
  author = {Doe, Jane}, year = 2023, journal = {Known Journal}, keywords = {evals}}
"""


def test_url_spellings_cover_scheme_www_slash_and_tracking():
    written = "https://www.Example.org/a/?utm_source=x&id=3&fbclid=y#top"
    spellings = url_spellings(written) - {written}  # as written, it matches itself
    assert "http://example.org/a?id=3" in spellings
    assert "https://www.example.org/a/?id=3" in spellings
    assert all("utm_" not in s and "fbclid" not in s and "#" not in s for s in spellings)
    # Parameters stay as written, escapes and all.
    assert "https://eur-lex.europa.eu/x?uri=CELEX:32024R1689&a=%20" in url_spellings(
        "https://eur-lex.europa.eu/x?uri=CELEX:32024R1689&a=%20&utm_medium=y"
    )
    # A host is matched as written too (a stored address keeps its case).
    assert "https://www.frontiermodeIforum.org/" in url_spellings("https://frontiermodeIforum.org")
    # A bare host is stored with or without its slash.
    assert {"https://claude.ai", "https://claude.ai/"} <= url_spellings("https://claude.ai")


def test_an_entry_becomes_a_source_through_the_services():
    venue = VenueFactory(name="Known Journal")

    plan = citations_plan(ONE, "bibtex")
    [source] = citations_import(plan)

    assert (source.title, source.venue, source.published_display) == ("A new paper", venue, "2023")
    assert [a.name for a in source.authors.all()] == ["Jane Doe"]
    assert [t.name for t in source.tags.all()] == ["evals"]


def test_without_a_named_venue_the_address_picks_it():
    venue = VenueFactory(name="Domain venue")
    VenueDomainFactory(venue=venue, domain="example.org")

    [source] = citations_import(citations_plan(ONE.replace("Known Journal", "Unknown"), "bibtex"))

    assert source.venue == venue


@pytest.mark.parametrize(
    ("stored", "entry"),
    [
        ({"url": "http://www.example.org/new/"}, ""),
        ({"doi": "10.1000/abc"}, "doi = {https://doi.org/10.1000/ABC},"),
        ({"arxiv_id": "2101.00001"}, "eprint = {2101.00001v3}, eprinttype = {arxiv},"),
        ({"isbn": "9780306406157"}, "isbn = {0-306-40615-2},"),
    ],
)
def test_an_entry_matching_a_stored_source_is_a_duplicate_and_changes_nothing(stored, entry):
    holder = SourceFactory(title="Already here", **stored)
    text = ONE.replace(
        "url = {https://example.org/new},", "url = {https://example.org/new}, " + entry
    )
    before = holder.updated_at

    plan = citations_plan(text, "bibtex")
    created = citations_import(plan)

    [duplicate] = plan.duplicates
    assert duplicate.duplicate_of == holder and created == []
    holder.refresh_from_db()
    assert (holder.title, holder.updated_at) == ("Already here", before)


def test_an_entry_repeating_an_earlier_one_of_the_file_is_a_duplicate():
    text = ONE + ONE.replace("new1", "new2").replace(
        "https://example.org/new", "http://example.org/new/"
    )

    plan = citations_plan(text, "bibtex")

    assert [e.outcome for e in plan.entries] == [Outcome.CREATE, Outcome.DUPLICATE]
    assert plan.entries[1].duplicate_in_file == 1
    assert len(citations_import(plan)) == 1


def test_an_entry_with_only_a_doi_gets_the_doi_address():
    plan = citations_plan('[{"id": "x", "type": "book", "DOI": "10.1000/xyz"}]', "csljson")

    [source] = citations_import(plan)

    assert (source.url, source.doi) == ("https://doi.org/10.1000/xyz", "10.1000/xyz")


BAD_SECOND_ENTRY = (
    ONE
    + """@article{bad, title = {Bad}, url = {https://example.org/bad},
  isbn = {978-0-306-40615-8}}
"""
)


def test_a_file_with_a_bad_entry_writes_nothing_and_names_entry_and_field(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BAD_SECOND_ENTRY)

    with pytest.raises(CommandError) as error:
        call_command("import_citations", str(path))

    message = str(error.value)
    assert "Entry 2 (“bad”), field “isbn”" in message and "check digit" in message
    assert "Nothing was written." in message
    assert not Source.objects.exists()


def test_the_command_says_what_it_did_and_a_dry_run_writes_nothing(tmp_path, capsys):
    SourceFactory(url="https://example.org/new")
    path = tmp_path / "refs.ris"
    path.write_text(
        "TY  - JOUR\nTI  - Fresh\nUR  - https://example.org/fresh\nER  - \n"
        "TY  - JOUR\nTI  - Old\nUR  - https://www.example.org/new\nER  - \n"
    )

    call_command("import_citations", str(path), dry_run=True)
    assert "Would create 1 source; 1 duplicate. Nothing was written." in capsys.readouterr().out
    assert Source.objects.count() == 1

    call_command("import_citations", str(path))
    out = capsys.readouterr().out
    assert "Created 1 source; skipped 1 duplicate." in out
    assert "is a duplicate of source" in out
    assert Source.objects.filter(title="Fresh").exists()


def test_the_command_refuses_a_file_it_cannot_read(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@article{a, title = {\xff\xfe}}")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_citations", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_citations", str(tmp_path / "missing.bib"))


# -- the admin -----------------------------------------------------------------------------

IMPORT = reverse("citations_import")


def test_the_admin_previews_then_creates_on_confirmation(editor_client):
    SourceFactory(title="Already here", url="https://example.org/old")
    upload = SimpleUploadedFile(
        "refs.bib",
        (ONE + ONE.replace("new1", "old1").replace("/new", "/old")).encode(),
    )

    preview = editor_client.post(IMPORT, {"file": upload})

    page = preview.content.decode()
    assert "1 source will be created; 1 entry is a duplicate and changes nothing." in page
    assert "Duplicate of" in page and "Already here" in page
    assert Source.objects.count() == 1  # nothing yet

    confirmed = editor_client.post(
        IMPORT, form_data(page, None) | {"payload": preview.context["payload"]}
    )

    assert confirmed.status_code == 302
    assert Source.objects.filter(title="A new paper").exists()
    assert Source.objects.count() == 2


def test_the_admin_names_the_bad_entry_and_writes_nothing(editor_client):
    upload = SimpleUploadedFile("refs.bib", BAD_SECOND_ENTRY.encode())

    page = editor_client.post(IMPORT, {"file": upload}).content.decode()

    assert "refs.bib: Entry 2 (“bad”), field “isbn”" in page
    assert "Nothing was written." in page
    assert not Source.objects.exists()


def test_a_tampered_preview_is_refused(editor_client):
    response = editor_client.post(IMPORT, {"payload": "forged"})
    assert "upload the file again" in response.content.decode()
    assert not Source.objects.exists()


def test_only_staff_who_may_add_sources_import(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403


def test_the_source_list_links_the_import(editor_client):
    page = editor_client.get(reverse("admin:sources_source_changelist")).content.decode()
    assert f'href="{IMPORT}"' in page


# -- round trips ---------------------------------------------------------------------------

# What each format cannot carry back: RIS joins an abstract's lines with spaces.
LOST = {"bibtex": set(), "ris": {"abstract_breaks"}, "csljson": set()}


def _fields(source: Source, format_name: str) -> dict:
    abstract = source.abstract
    if "abstract_breaks" in LOST[format_name]:
        abstract = " ".join(abstract.split())
    return {
        "title": source.title,
        "type": source.type,
        "authors": [a.name for a in source.authors.all()],
        "published": (source.published_on, source.published_precision),
        "abstract": abstract,
        "venue": source.venue_id,
        "ids": (source.doi, source.arxiv_id, source.isbn),
        "tags": sorted(t.name.lower() for t in source.tags.all()),
    }


def _empty_of_sources():
    """Sources gone (venues stay: an entry names its venue, which must exist)."""
    RatingDecision.objects.filter(source__isnull=False).delete()
    Citation.objects.all().delete()
    Source.objects.all().delete()


@pytest.mark.parametrize("format_name", ["bibtex", "ris", "csljson"])
def test_the_demo_knowledge_base_comes_back_from_each_format(format_name):
    call_command("load_demo")
    sources = list(sources_for_export(Source.objects.all()))
    assert len(sources) > 10 and Venue.objects.exists()
    before = {source.url: _fields(source, format_name) for source in sources}
    text = sources_export(sources, format_name)

    _empty_of_sources()
    created = citations_import(citations_plan(text, format_name))

    assert len(created) == len(before)
    after = sources_for_export(Source.objects.all())
    assert {source.url: _fields(source, format_name) for source in after} == before
    again = citations_plan(text, format_name)
    assert again.to_create == [] and len(again.duplicates) == len(before)


@pytest.mark.parametrize(
    "created, duplicates, written, said",
    [
        (1, 1, True, "Created 1 source; skipped 1 duplicate."),
        (2, 0, True, "Created 2 sources; skipped 0 duplicates."),
        (0, 3, False, "Would create 0 sources; 3 duplicates."),
    ],
)
def test_an_import_says_what_it_did_in_the_singular_where_a_count_is_one(
    created, duplicates, written, said
):
    assert import_summary(created, duplicates, written=written) == said
