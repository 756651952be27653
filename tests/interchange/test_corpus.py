"""The import on the real Longterm Wiki corpus, read from ../shared/corpus at test time.

Expected figures are worked out here from the files themselves, independently of the
importer, so the tests check the importer rather than repeat it.
"""

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db.models import Count
from taggit.models import Tag

from claims.models import ClaimCheck
from core.text import plain_text
from interchange.citations.export import sources_export, sources_for_export
from interchange.citations.importing import citations_import, citations_plan, url_key
from interchange.longterm_wiki.importer import longterm_wiki_import
from interchange.models import ImportedFile, ImportedRecord
from ratings.models import RatingDecision
from sources.models import Source, Venue
from sources.selectors import possible_duplicate_groups, possible_duplicate_keys
from tests.conftest import require
from tests.interchange.kb_builder import database_state
from tests.interchange.leftovers import leftovers
from tests.test_data_safety import checksums
from wiki.models import Citation, WikiLink, WikiPage
from wiki.selectors import wiki_page_detail

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(
    os.environ.get("CREDENCE_CORPUS", ROOT.parent / "shared" / "corpus" / "longterm-wiki")
)

pytestmark = pytest.mark.corpus


def _yaml(path):
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class Files:
    """The corpus as plain data, read with no help from the importer."""

    def __init__(self, root: Path):
        self.venues = _yaml(root / "publications.yaml")
        self.snapshot = json.loads((root / "resources-snapshot.json").read_text())
        self.resources = []
        for path in sorted((root / "resources").glob("*.yaml")):
            self.resources += _yaml(path)
        self.pages = sorted((root / "pages").glob("**/*.mdx"))
        self.entities = []
        for path in sorted((root / "entities").glob("*.yaml")):
            self.entities += _yaml(path)

    def source_ids_after_merge(self) -> set[str]:
        """Ids that stay: one per id, and one per URL (the first id to claim it)."""
        owner = {}
        for record in self.snapshot + self.resources:
            owner.setdefault(record["url"], record["id"])
        return set(owner.values())

    def r_refs(self) -> list[str]:
        """Return the ids of <R> tags outside code (fenced blocks and code spans)."""
        refs = []
        for path in self.pages:
            text = re.sub(r"^(```|~~~).*?^\1", "", path.read_text(), flags=re.S | re.M)
            text = re.sub(r"`[^`\n]*`", "", text)
            refs += re.findall(r'<R id="([^"]+)"', text)
        return refs


@pytest.fixture(scope="module")
def files():
    require(CORPUS.is_dir(), f"the corpus tests need {CORPUS} (set CREDENCE_CORPUS)")
    return Files(CORPUS)


def _wipe():
    """Leave the database as the module found it: rows, their history, their decisions,
    and what the import stored to skip them next time."""
    ImportedFile.objects.all().delete()
    ImportedRecord.objects.all().delete()
    RatingDecision.objects.all().delete()
    Citation.objects.all().delete()
    WikiPage.objects.all().delete()
    Source.objects.all().delete()
    Venue.objects.all().delete()
    Tag.objects.all().delete()
    for model in (Citation, WikiPage, Source, Venue):
        model.history.all().delete()


@pytest.fixture(scope="module")
def imported(files, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        report = longterm_wiki_import(CORPUS)
        yield report
        _wipe()


@pytest.fixture
def lines(imported):
    return [str(issue) for issue in imported.reported]


def test_counts_match_the_files_once_duplicates_are_merged(imported, files, db):
    assert Venue.objects.count() == len({v["id"] for v in files.venues})
    assert set(Source.objects.values_list("id", flat=True)) == files.source_ids_after_merge()
    assert WikiPage.objects.count() == len(files.pages)
    assert Tag.objects.exists()


def test_every_r_citation_resolves_or_is_reported(imported, files, db, lines):
    known = set(Source.objects.values_list("id", flat=True))
    known |= {s.removeprefix("sid_") for s in Source.objects.values_list("stable_id", flat=True)}
    aliases = {r["id"] for r in files.snapshot + files.resources} - known
    unknown = {ref for ref in files.r_refs() if ref not in known and ref not in aliases}
    reported = {m.group(1) for line in lines if (m := re.search(r"<R id='([^']+)'> names", line))}
    assert reported == unknown
    in_body = Citation.objects.filter(in_body=True).count()
    assert in_body > 0.9 * len(set(files.r_refs()))


def test_unknown_publication_ids_are_reported(imported, files, db, lines):
    venue_ids = {v["id"] for v in files.venues}
    expected = {
        r["publication_id"]
        for r in files.snapshot + files.resources
        if r.get("publication_id") and r["publication_id"] not in venue_ids
    }
    reported = {m.group(1) for line in lines if (m := re.search(r"publication_id '([^']+)'", line))}
    assert expected and reported == expected


def test_cited_by_slugs_naming_no_page_are_reported(imported, files, db, lines):
    slugs = set(WikiPage.objects.values_list("slug", flat=True))
    expected = {
        slug for r in files.resources for slug in r.get("cited_by") or [] if slug not in slugs
    }
    reported = {m.group(1) for line in lines if (m := re.search(r"cited_by names '([^']+)'", line))}
    assert expected and reported == expected


def test_duplicate_ids_and_urls_claimed_twice_are_reported(imported, files, db, lines):
    per_file = Counter()
    for path in sorted((CORPUS / "resources").glob("*.yaml")):
        per_file.update((path.name, r["id"]) for r in _yaml(path))
    duplicates = {source_id for (_f, source_id), n in per_file.items() if n > 1}
    ids_per_url = {}
    for record in files.snapshot + files.resources:
        ids_per_url.setdefault(record["url"], set()).add(record["id"])
    claimed_twice = {url for url, ids in ids_per_url.items() if len(ids) > 1}

    assert duplicates and all(
        any(f"duplicate id {d}" in line for line in lines) for d in duplicates
    )
    assert claimed_twice
    assert all(any(f"URL {url} is claimed by" in line for line in lines) for url in claimed_twice)


def test_colliding_file_names_get_a_rule_and_a_report_line(imported, files, db, lines):
    names = Counter(path.name for path in files.pages)
    colliding = [p for p in files.pages if names[p.name] > 1]

    assert colliding
    for path in colliding:
        assert any(str(path.relative_to(CORPUS)) in line and "is used by" in line for line in lines)
    assert WikiPage.objects.filter(slug="risks").exists()  # pages/risks/index.mdx


def test_chosen_sources_match_the_files_field_by_field(imported, files, db):
    in_snapshot = {s["id"] for s in files.snapshot}
    urls = Counter(r["url"] for r in files.snapshot + files.resources)
    only_in_yaml = [
        r
        for r in files.resources
        if r["id"] not in in_snapshot and urls[r["url"]] == 1 and r.get("title")
    ][:3]
    snapshot_only = [s for s in files.snapshot if s.get("title")][:3]
    assert len(only_in_yaml) == 3
    for record in only_in_yaml + snapshot_only:
        source = Source.objects.get(pk=record["id"])
        assert source.url == record["url"]
        assert source.type == record["type"]
        if record in snapshot_only:
            assert source.stable_id == "sid_" + record["stable_id"]
        if record in only_in_yaml:
            # Stored as plain text: entities decoded, Markdown escapes removed.
            assert source.title == plain_text(record["title"])
            assert source.summary == plain_text(record.get("summary") or "", multiline=True)
            assert [a.name for a in source.authors.all()] == [
                plain_text(a) for a in record.get("authors") or []
            ]
            assert [p.text for p in source.key_points.all()] == [
                plain_text(p, multiline=True) for p in record.get("key_points") or []
            ]
            assert {t.lower() for t in source.tags.names()} >= {
                t.lower() for t in record.get("tags") or []
            }
            if record.get("publication_id"):
                assert source.venue.slug == record["publication_id"]


def test_chosen_pages_match_their_front_matter_and_entity(imported, files, db):
    entities = {e["id"]: e for e in files.entities}
    chosen = [p for p in files.pages if p.stem in entities and p.stem != "index"][:4]
    assert chosen
    for path in chosen:
        text = path.read_text()
        front = yaml.safe_load(text.split("---\n")[1])
        page = WikiPage.objects.get(slug=path.stem)
        entity = entities[path.stem]
        # Stored as plain text: entities decoded, Markdown escapes removed.
        assert page.title == plain_text(entity["title"])
        assert page.description == plain_text(front.get("description") or "", multiline=True)
        assert page.quality == front.get("quality")
        assert page.summary == plain_text(front.get("llmSummary") or "", multiline=True)
        for name, value in (front.get("ratings") or {}).items():
            assert float(getattr(page, name)) == float(value)
        if front.get("readerImportance") is not None:
            assert float(page.reader_importance) == float(front["readerImportance"])
        assert sorted(t.lower() for t in page.tags.names()) == sorted(
            c.lower() for c in front.get("clusters") or []
        )
        assert "<R " not in page.body and "<EntityLink" not in page.body
        assert not re.search(r"^import ", page.body, re.M)


def _kind(label: str) -> str:
    prefix = label.split("-", 1)[0]
    return prefix if "-" in label and prefix in ("rc", "cr", "kb") else "other"


def _undefined_footnotes_in_files(files) -> dict[str, set[str]]:
    """Return, per page file, the footnote labels it refers to but never defines."""
    found = {}
    for path in files.pages:
        text = re.sub(r"^(```|~~~).*?^\1", "", path.read_text(), flags=re.S | re.M)
        text = re.sub(r"`[^`\n]*`", "", text)
        defined = set(re.findall(r"^\[\^([^\]\s]+)\]:", text, re.M))
        uses = re.sub(r"^\[\^[^\]\s]+\]:", "", text, flags=re.M)  # definitions are not uses
        found[path] = set(re.findall(r"\[\^([^\]\s]+)\]", uses)) - defined
    return found


def test_references_whose_data_is_missing_are_counted_per_kind(imported, files, db):
    undefined = _undefined_footnotes_in_files(files)
    expected = Counter(_kind(label) for labels in undefined.values() for label in labels)

    assert expected["rc"] > 5000
    # Every counted reference is undefined in its file, and nearly every undefined one is
    # counted: the rest sit in table cells beyond the table's columns, which no reader sees.
    for kind, n in imported.missing_references.items():
        assert expected[kind] * 0.99 <= n <= expected[kind], kind
    assert WikiPage.objects.filter(missing_reference_count__gt=0).count() == (
        imported.pages_with_missing_references
    )
    assert imported.pages_with_missing_references == sum(bool(v) for v in undefined.values())


def test_every_page_reads_without_leftovers(imported, db, client):
    """Read every page as an anonymous reader: no markup that was meant to be rendered."""
    problems = []
    for slug in WikiPage.objects.order_by("slug").values_list("slug", flat=True):
        response = client.get(f"/wiki/{slug}/")
        assert response.status_code == 200, slug
        html = response.content.decode()
        article = html[html.index("<article") : html.index("</article>")]
        problems += [f"{slug}: {kind}: {excerpt}" for kind, excerpt in leftovers(article)]

    assert not problems, f"{len(problems)} leftover(s):\n" + "\n".join(problems[:60])


def test_a_second_import_changes_nothing(imported, db):
    stamps = dict(Source.objects.values_list("id", "updated_at"))

    again = longterm_wiki_import(CORPUS)

    assert not again.changed
    assert dict(Source.objects.values_list("id", "updated_at")) == stamps


def test_a_second_import_skips_every_file_and_record_and_writes_nothing(imported, db):
    before = checksums()

    again = longterm_wiki_import(CORPUS)

    assert not again.changed
    assert again.files_read == 0 and again.files_skipped == again.files_found > 500
    counts = {kind: again.counts[kind] for kind in ("venues", "sources", "pages")}
    assert counts == {
        "venues": {"skipped": Venue.objects.count()},
        "sources": {"skipped": Source.objects.count()},
        "pages": {"skipped": WikiPage.objects.count()},
    }
    assert [str(issue) for issue in again.reported] == [str(i) for i in imported.reported]
    assert checksums() == before


def test_the_round_trip_holds(imported, db, tmp_path):
    before = database_state()
    call_command("export_longterm_wiki", str(tmp_path / "export"), verbosity=0)
    _wipe()

    longterm_wiki_import(tmp_path / "export")

    after = database_state()
    for key in before:
        assert after[key] == before[key], key


@pytest.mark.parametrize("format_name", ["bibtex", "ris", "csljson"])
def test_the_corpus_sources_come_back_from_each_reference_manager_format(imported, db, format_name):
    """Exported, removed (rolled back with the test) and imported again: each source keeps
    what the format carries; its venue, where the export named one (an unnamed venue is
    inferred from the address on the way in, as for any new source). Imported again
    over the corpus, the file creates nothing."""

    def fields(source):
        abstract = source.abstract
        authors = [a.name for a in source.authors.all()]
        if format_name == "ris":
            # RIS joins a field's lines with spaces, and reads "A, B" as family, given: a
            # stored name holding a comma (one corpus source lists five people as one) does
            # not come back as written.
            abstract = " ".join(abstract.split())
            authors = [name for name in authors if "," not in name]
        return (
            source.title,
            source.type,
            authors,
            source.published_on,
            source.published_precision,
            abstract,
            sorted(t.name.lower() for t in source.tags.all()),
        )

    sources = list(sources_for_export(Source.objects.all()))
    before = {s.url: (fields(s), s.venue.name if s.venue_id else None) for s in sources}
    text = sources_export(sources, format_name)
    assert citations_plan(text, format_name).to_create == []  # all there: nothing to add

    RatingDecision.objects.filter(source__isnull=False).delete()
    Citation.objects.all().delete()
    Source.objects.all().delete()
    plan = citations_plan(text, format_name)
    created = citations_import(plan)

    # The corpus holds a few addresses twice under two spellings (http and https, a
    # trailing slash): the second is a repeat of the first and is not created again.
    repeats = {entry.fields.url: entry for entry in plan.duplicates}
    assert all(entry.duplicate_in_file for entry in repeats.values())
    for entry in repeats.values():
        earlier = plan.entries[entry.duplicate_in_file - 1]
        assert url_key(earlier.fields.url) == url_key(entry.fields.url)
    assert len(repeats) < 20
    assert len(created) == len(before) - len(repeats)
    after = sources_for_export(Source.objects.all())
    expected = {url: f for url, (f, _v) in before.items() if url not in repeats}
    assert {s.url: fields(s) for s in after} == expected
    named = {url: venue for url, (_f, venue) in before.items() if venue and url not in repeats}
    assert {s.url: s.venue.name for s in after if s.url in named} == named


def test_the_evidence_profile_of_the_most_cited_page_matches_the_database(imported, db, client):
    page = WikiPage.objects.annotate(n=Count("citations")).order_by("-n", "slug").first()
    cited = Source.objects.filter(citations__page=page)
    levels = dict(cited.values_list("effective_credibility").annotate(n=Count("pk")).order_by())

    html = client.get(page.get_absolute_url()).content.decode()

    section = html[html.index('<section class="evidence"') :]
    section = section[: section.index("</section>")]
    shown = dict(
        re.findall(
            r'<th scope="row">.*?</span>(\d|Not rated).*?</th><td class="num">(\d+)</td>', section
        )
    )
    expected = {str(level): str(levels.get(level, 0)) for level in (5, 4, 3, 2, 1)}
    expected["Not rated"] = str(levels.get(None, 0))
    assert shown == expected
    total = cited.count()
    assert f"{total} source{'s' if total != 1 else ''} cited;" in section
    peer = cited.filter(venue__peer_reviewed=True).count()
    assert f"From peer-reviewed venues</dt><dd>{peer} (" in section


def test_every_stored_page_link_is_named_by_its_page_s_body(imported, db):
    links = list(WikiLink.objects.select_related("page"))

    assert links, "the corpus's pages link to each other"
    for link in links:
        body = link.page.body
        assert f"[[{link.target_slug}" in body or f"](/wiki/{link.target_slug}" in body, link


# Addresses of one document that the corpus's files give as separate sources (found by
# reading the files: arXiv's abs, pdf and html forms, http and https, #fragments).
KNOWN_DUPLICATES = [
    {
        "https://arxiv.org/abs/2401.02843",
        "https://arxiv.org/html/2401.02843v1",
        "https://arxiv.org/html/2401.02843v3",
        "https://arxiv.org/pdf/2401.02843",
    },
    {"https://arxiv.org/abs/2403.13793", "https://arxiv.org/pdf/2403.13793"},
    {"https://arxiv.org/html/2503.02857v1", "https://arxiv.org/html/2503.02857v2"},
    {
        "http://selfawaresystems.com/2007/11/30/paper-on-the-basic-ai-drives/",
        "https://selfawaresystems.com/2007/11/30/paper-on-the-basic-ai-drives/",
    },
    {
        "https://www.anthropic.com/research",
        "https://www.anthropic.com/research#interpretability",
        "https://www.anthropic.com/research#safety",
    },
]


def test_the_duplicate_list_finds_the_corpus_s_known_duplicate_addresses(imported, db):
    groups = possible_duplicate_groups(possible_duplicate_keys())
    found = [{source.url for source in group.sources} for group in groups]

    for urls in KNOWN_DUPLICATES:
        assert Source.objects.filter(url__in=urls).count() == len(urls), urls
        assert urls in found, urls
    # Every group is a real duplicate by its own rule: its sources' URLs share the key.
    assert len(groups) >= 20
    for group in groups:
        assert len({source.pk for source in group.sources}) == len(group.sources) > 1


def test_every_marker_a_reader_sees_has_its_claim_check(imported, db):
    # The import queued each page's check (run at once by the tests' task backend). On every
    # page, each reference's markers in the rendered body are its checks, one for one: the
    # claims are read in the order and by the rules the renderer uses (tables' escaped
    # pipes and widths, footnotes once).
    misaligned = []
    for slug in WikiPage.objects.order_by("slug").values_list("slug", flat=True):
        rendered = wiki_page_detail(slug)
        markers = Counter(
            int(number) for number in re.findall(r'id="cite-(\d+)-\d+"', rendered.body_html)
        )
        numbers = {c.source_id: n for n, c in enumerate(rendered.references, start=1)}
        checks = Counter(
            numbers.get(source_id)
            for source_id in ClaimCheck.objects.filter(page=rendered.page).values_list(
                "source_id", flat=True
            )
        )
        if markers != checks:
            misaligned.append(f"{slug}: markers {dict(markers)}, checks {dict(checks)}")

    assert ClaimCheck.objects.count() > 4000
    assert not misaligned, f"{len(misaligned)} page(s):\n" + "\n".join(misaligned[:20])
