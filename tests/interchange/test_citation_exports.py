"""Downloads for reference managers and "Cite this": one source, a page's references, a
source list under its filters (capped, and said so), the whole knowledge base."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interchange.citations.bibtex import bibtex_read
from interchange.citations.csljson import csljson_read
from interchange.citations.ris import ris_read
from sources.models import Source, SourceAuthor
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db


def test_a_source_page_offers_citations_in_four_styles_and_downloads(client):
    source = SourceFactory(
        title="Managing extreme AI risks",
        type="paper",
        venue=VenueFactory(name="Science"),
        published_on="2024-05-01",
        published_precision="month",
        doi="10.1126/science.adn0117",
    )
    SourceAuthor.objects.create(source=source, name="Yoshua Bengio", position=0)

    page = client.get(source.get_absolute_url()).content.decode()

    assert "Cite this source" in page
    for style in ("<dt>APA</dt>", "<dt>Chicago</dt>", "<dt>MLA</dt>", "<dt>IEEE</dt>"):
        assert style in page
    # APA as the style file formats it: family name, initial, year, title, journal in italics.
    assert "Bengio, Y. (2024). Managing extreme AI risks. <i>Science</i>." in page
    for name in ("bibtex", "ris", "csljson"):
        assert reverse("interchange:source_cite", args=[source.pk, name]) in page


def test_a_citation_shows_markup_in_a_title_as_text(client):
    source = SourceFactory(title="<script>alert(1)</script> & AT&T")

    page = client.get(source.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; AT&amp;T" in page


@pytest.mark.parametrize(
    ("name", "reader", "content_type", "extension"),
    [
        ("bibtex", bibtex_read, "application/x-bibtex", "bib"),
        ("ris", ris_read, "application/x-research-info-systems", "ris"),
        ("csljson", csljson_read, "application/vnd.citationstyles.csl+json", "json"),
    ],
)
def test_one_source_downloads_in_each_format(client, name, reader, content_type, extension):
    source = SourceFactory(title="One source")

    response = client.get(reverse("interchange:source_cite", args=[source.pk, name]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert f'filename="source-{source.pk}.{extension}"' in response["Content-Disposition"]
    [item] = reader(response.content.decode())
    assert item["title"] == "One source"


def test_an_unknown_format_or_source_is_a_404(client):
    source = SourceFactory()
    assert client.get(f"/sources/{source.pk}/cite/docx/").status_code == 404
    assert client.get("/sources/nosuchsource/cite/ris/").status_code == 404


def test_a_page_s_references_download_in_reference_order(client):
    first, second = SourceFactory(title="Cited first"), SourceFactory(title="Cited second")
    page = WikiPageFactory(
        body=f"A.[[cite:{first.pk}]] B.[[cite:{second.pk}]] C.[[cite:{first.pk}]]"
    )
    CitationFactory(page=page, source=first, position=0, in_body=True)
    CitationFactory(page=page, source=second, position=1, in_body=True)

    detail = client.get(page.get_absolute_url()).content.decode()
    url = reverse("interchange:page_references", args=[page.slug, "csljson"])
    items = json.loads(client.get(url).content)

    assert url in detail
    assert [item["title"] for item in items] == ["Cited first", "Cited second"]


def test_a_source_list_downloads_under_its_filters(client):
    SourceFactory(title="A paper", type="paper")
    SourceFactory(title="A book", type="book")

    listing = client.get(reverse("sources:source_list"), {"type": "book"}).content.decode()
    url = reverse("interchange:source_list_export", args=["csljson"])
    response = client.get(url, {"type": "book"})

    assert f"{url}?type=book" in listing
    assert "Download these sources" in listing
    assert [item["title"] for item in json.loads(response.content)] == ["A book"]
    assert response["X-Credence-Export"] == "complete"


def test_a_long_source_list_downloads_its_first_rows_and_says_so(client, settings):
    settings.CREDENCE_EXPORT_MAX_SOURCES = 3
    for i in range(5):
        SourceFactory(title=f"Source {i}")

    listing = client.get(reverse("sources:source_list")).content.decode()
    response = client.get(reverse("interchange:source_list_export", args=["ris"]))

    assert "Download the first 3 of these sources" in listing
    assert len(ris_read(response.content.decode())) == 3
    assert response["X-Credence-Export"] == "first 3 sources of more"


def test_invalid_list_filters_are_a_400_that_says_which(client):
    response = client.get(
        reverse("interchange:source_list_export", args=["ris"]), {"credibility": "nine"}
    )
    assert response.status_code == 400
    assert "credibility" in response.content.decode()


def test_a_list_download_runs_as_many_queries_for_one_source_as_for_fifty(client):
    url = reverse("interchange:source_list_export", args=["bibtex"])

    def add(n):
        for i in range(n):
            source = SourceFactory(venue=VenueFactory())
            SourceAuthor.objects.create(source=source, name=f"Author {i}", position=0)
            source.tags.add(f"tag-{i}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    add(1)
    one = queries()
    add(49)
    assert queries() == one


def test_the_snapshots_of_a_source_called_export_are_still_reached(client):
    source = Source.objects.create(id="export", url="https://example.org/export")
    assert client.get(f"/sources/{source.pk}/snapshots/").status_code == 200


@pytest.mark.parametrize(
    ("name", "reader"), [("bibtex", bibtex_read), ("ris", ris_read), ("csljson", csljson_read)]
)
def test_the_command_writes_every_source(tmp_path, name, reader, monkeypatch):
    monkeypatch.setattr("interchange.citations.export.EXPORT_BATCH", 2)
    for i in range(5):
        SourceFactory(title=f"Source {i}")
    output = tmp_path / f"all.{name}"

    call_command("export_citations", format=name, output=str(output))

    items = reader(output.read_text())
    assert sorted(item["title"] for item in items) == [f"Source {i}" for i in range(5)]


def test_the_search_page_s_sources_tab_downloads_its_results(client):
    SourceFactory(title="Interpretability of transformers")
    SourceFactory(title="Compute governance")

    page = client.get(reverse("search:search"), {"q": "interpretability", "kind": "sources"})
    url = reverse("interchange:source_list_export", args=["csljson"])

    assert f"{url}?q=interpretability" in page.content.decode()
    items = json.loads(client.get(url, {"q": "interpretability"}).content)
    assert [item["title"] for item in items] == ["Interpretability of transformers"]
