"""Publishers' notices from a Retraction Watch data file: matched by DOI, summed up per
source, shown to readers, warned about to editors, listed for maintenance."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sources.models import NoticeNature, NoticeStatus, Source, SourceNotice
from sources.retractions import RetractionFileError, notice_status, retractions_import
from tests.factories import CitationFactory, SourceFactory, WikiPageFactory
from wiki.evidence import citation_warning_reasons
from wiki.selectors import wiki_page_list_annotated, wiki_pages_needing_care

pytestmark = pytest.mark.django_db

# The published layout: every column Crossref's retraction_watch.csv has, in its order.
HEADER = (
    "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,ArticleType,"
    "RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,OriginalPaperDOI,"
    "OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes"
)


def row(record, doi, nature, date="3/14/2023 0:00", notice_doi="10.5555/notice", reason=""):
    title = f'"A paper, record {record}"'
    return (
        f"{record},{title},(BLS) Biology;,Some Institute,A Journal,A Publisher,France,"
        f"A. Author;B. Author,,Research Article;,{date},{notice_doi},0,1/2/2020 0:00,{doi},0,"
        f'{nature},"{reason}",No,'
    )


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def papers():
    return {
        "retracted": SourceFactory(title="Retracted study", doi="10.1000/retracted"),
        "concern": SourceFactory(doi="10.1000/concern"),
        "corrected": SourceFactory(doi="10.1000/corrected"),
        "reinstated": SourceFactory(doi="10.1000/reinstated"),
        "clean": SourceFactory(doi="10.1000/clean"),
    }


FILE = csv_bytes(
    row(
        1,
        "10.1000/RETRACTED",
        "Retraction",
        reason="+Concerns/Issues About Data;+Fake Peer Review;",
    ),
    row(2, "10.1000/concern", "Expression of concern"),
    row(3, "10.1000/corrected", "Correction"),
    row(4, "10.1000/reinstated", "Retraction", date="1/1/2021 0:00"),
    row(5, "10.1000/reinstated", "Reinstatement", date="6/1/2022 0:00"),
    row(6, "10.9999/not-ours", "Retraction"),
    row(7, "unavailable", "Retraction"),
)


def test_each_row_about_a_source_held_here_becomes_its_notice(papers):
    report = retractions_import(FILE)

    assert (report.rows, report.without_doi, report.matched, report.created) == (7, 1, 5, 5)
    statuses = dict(Source.objects.values_list("doi", "notice_status"))
    assert statuses == {
        "10.1000/retracted": NoticeStatus.RETRACTED,
        "10.1000/concern": NoticeStatus.CONCERN,
        "10.1000/corrected": NoticeStatus.CORRECTED,
        "10.1000/reinstated": NoticeStatus.REINSTATED,
        "10.1000/clean": "",
    }
    notice = SourceNotice.objects.get(record_id="1")
    assert notice.source == papers["retracted"]
    assert notice.nature == NoticeNature.RETRACTION
    assert str(notice.noticed_on) == "2023-03-14"
    assert notice.reason_list == ["Concerns/Issues About Data", "Fake Peer Review"]
    assert notice.notice_url == "https://doi.org/10.5555/notice"
    assert not SourceNotice.objects.filter(record_id="6").exists()


def test_a_second_import_of_the_same_file_changes_nothing(papers):
    retractions_import(FILE)
    before = list(SourceNotice.objects.values())
    history = Source.history.count()

    again = retractions_import(FILE)

    assert (again.created, again.updated, again.sources_changed) == (0, 0, [])
    assert list(SourceNotice.objects.values()) == before
    assert Source.history.count() == history


def test_a_status_change_is_in_the_source_s_history(papers):
    retractions_import(FILE)

    latest = papers["retracted"].history.first()
    assert latest.notice_status == NoticeStatus.RETRACTED
    assert "Retraction Watch" in latest.history_change_reason


@pytest.mark.parametrize(
    ("natures", "status"),
    [
        ([], ""),
        ([NoticeNature.CORRECTION], NoticeStatus.CORRECTED),
        ([NoticeNature.CORRECTION, NoticeNature.CONCERN], NoticeStatus.CONCERN),
        ([NoticeNature.CONCERN, NoticeNature.RETRACTION], NoticeStatus.RETRACTED),
        ([NoticeNature.RETRACTION, NoticeNature.REINSTATEMENT], NoticeStatus.REINSTATED),
        ([NoticeNature.REINSTATEMENT], NoticeStatus.REINSTATED),
        ([NoticeNature.REINSTATEMENT, NoticeNature.RETRACTION], NoticeStatus.RETRACTED),
    ],
)
def test_what_notices_add_up_to_in_their_order(natures, status):
    notices = [
        SourceNotice(nature=nature, noticed_on=date(2020 + i, 1, 1), record_id=str(i))
        for i, nature in enumerate(natures)
    ]
    assert notice_status(notices) == status


def test_malformed_rows_are_reported_with_their_line_and_nothing_else_is_written(papers):
    data = csv_bytes(
        row(1, "10.1000/retracted", "Retraction"),
        row(2, "not a doi", "Retraction"),
        row(3, "10.1000/concern", "Withdrawal"),
        row(4, "10.1000/corrected", "Correction", date="14/03/2023"),
        "5,too,few,columns",
        row("", "10.1000/clean", "Retraction"),
    )

    report = retractions_import(data)

    assert report.problems == [
        "line 3: OriginalPaperDOI 'not a doi' is not a DOI; row skipped",
        "line 4: RetractionNature 'Withdrawal' is not a kind of notice; row skipped",
        "line 5: the date '14/03/2023' is not month/day/year; row skipped",
        "line 6: it does not have the file's columns (a stray comma or quote?); row skipped",
        "line 7: Record ID is empty; row skipped",
    ]
    assert list(SourceNotice.objects.values_list("record_id", flat=True)) == ["1"]
    assert set(Source.objects.exclude(notice_status="").values_list("pk", flat=True)) == {
        papers["retracted"].pk
    }


def test_a_file_without_the_columns_is_refused_whole(papers):
    with pytest.raises(RetractionFileError) as error:
        retractions_import(b"doi,what\n10.1000/retracted,Retraction\n")
    assert "“Record ID”" in str(error.value) and "Nothing was written" in str(error.value)
    assert not SourceNotice.objects.exists()


def test_the_command_reports_and_a_dry_run_writes_nothing(papers, tmp_path):
    path = tmp_path / "retraction_watch.csv"
    path.write_bytes(FILE + row(9, "bad", "Retraction").encode() + b"\n")
    out, err = StringIO(), StringIO()

    call_command("import_retractions", str(path), "--dry-run", stdout=out, stderr=err)
    assert "5 about sources held here: 5 notices new" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert "line 9: OriginalPaperDOI 'bad' is not a DOI" in err.getvalue()
    assert not SourceNotice.objects.exists()

    call_command("import_retractions", str(path), stdout=StringIO(), stderr=StringIO())
    assert SourceNotice.objects.count() == 5
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_retractions", str(tmp_path / "missing.csv"))


def test_bytes_that_are_not_utf8_are_read_replaced_and_said(papers):
    data = FILE.replace(b"Some Institute", b"Soci\xe9t\xe9 Institute", 1)
    report = retractions_import(data)
    assert report.undecodable_lines == 1
    assert report.created == 5


def test_readers_see_the_notice_on_the_source_and_every_citing_reference(papers, client):
    retractions_import(FILE)
    page = WikiPageFactory()
    CitationFactory(page=page, source=papers["retracted"])

    source_page = client.get(papers["retracted"].get_absolute_url()).content.decode()
    assert '<span class="badge notice-retracted"' in source_page
    assert '<h2 id="notices-heading">Publisher\'s notices</h2>' in source_page
    assert "Concerns/Issues About Data; Fake Peer Review" in source_page
    assert 'href="https://doi.org/10.5555/notice"' in source_page

    wiki_page = client.get(page.get_absolute_url()).content.decode()
    references = wiki_page[wiki_page.index('id="references-heading"') :]
    assert '<span class="badge notice-retracted"' in references
    listing = client.get(reverse("sources:source_list")).content.decode()
    assert listing.count('class="badge notice-retracted"') == 1


def test_citing_a_retracted_source_warns_and_a_maintenance_list_finds_the_page(papers, settings):
    retractions_import(FILE)
    papers["retracted"].refresh_from_db()
    papers["concern"].refresh_from_db()
    assert "its publisher retracted it" in citation_warning_reasons(papers["retracted"])
    assert "its publisher issued an expression of concern" in citation_warning_reasons(
        papers["concern"]
    )
    settings.CREDENCE_CITATION_WARN_RETRACTED = False
    assert "its publisher retracted it" not in citation_warning_reasons(papers["retracted"])

    citing, other = WikiPageFactory(), WikiPageFactory()
    CitationFactory(page=citing, source=papers["retracted"])
    CitationFactory(page=other, source=papers["corrected"])
    found = wiki_pages_needing_care(wiki_page_list_annotated(), "retracted")
    assert list(found) == [citing]


def test_the_source_page_reads_notices_only_for_a_source_that_has_them(papers, client):
    retractions_import(FILE)
    url = papers["clean"].get_absolute_url()
    client.get(url)  # the first answer fills the caches the count should not include
    with_notices = papers["reinstated"].get_absolute_url()
    client.get(with_notices)
    with CaptureQueriesContext(connection) as clean:
        client.get(url, {"fresh": 1})
    with CaptureQueriesContext(connection) as noticed:
        page = client.get(with_notices, {"fresh": 1}).content.decode()
    assert len(noticed) == len(clean) + 1
    assert "Reinstatement" in page and "Retraction" in page
    assert '<span class="badge notice-corrected" title="Retracted, then reinstated' in page
