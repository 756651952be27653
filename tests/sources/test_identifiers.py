"""DOI, arXiv id and ISBN: every form people paste is written one way, malformed ones are
refused with what was wrong, each is unique where given, and readers see them linked."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sources.identifiers import (
    arxiv_normalize,
    doi_normalize,
    isbn_display,
    isbn_normalize,
)
from sources.models import Source
from sources.services import source_create
from tests.factories import SourceFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "pasted",
    [
        "10.1038/nphys1170",
        "10.1038/NPHYS1170",
        "doi:10.1038/nphys1170",
        "DOI: 10.1038/nphys1170",
        "DOI 10.1038/nphys1170",
        "https://doi.org/10.1038/nphys1170",
        "http://dx.doi.org/10.1038/nphys1170",
        "doi.org/10.1038/nphys1170",
        "  https://doi.org/10.1038%2Fnphys1170 ",
    ],
)
def test_doi_forms_are_written_one_way(pasted):
    assert doi_normalize(pasted) == "10.1038/nphys1170"


def test_a_doi_keeps_the_punctuation_of_its_suffix():
    assert doi_normalize("10.1002/(SICI)1097-4636(199706)35:4<399::AID-JBM1>3.0.CO;2-B") == (
        "10.1002/(sici)1097-4636(199706)35:4<399::aid-jbm1>3.0.co;2-b"
    )


@pytest.mark.parametrize(
    "bad", ["10.1038", "11.1038/x", "10.12/x", "doi:", "nphys1170", "10.1038/has space"]
)
def test_a_malformed_doi_is_refused_naming_it(bad):
    with pytest.raises(ValidationError) as error:
        doi_normalize(bad)
    assert error.value.code == "invalid_doi"
    assert f"“{bad}” is not a DOI" in error.value.messages[0]


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("2101.00001", "2101.00001"),
        ("2101.00001v3", "2101.00001"),
        ("arXiv:2101.00001v2", "2101.00001"),
        ("arxiv:0706.0001", "0706.0001"),
        ("https://arxiv.org/abs/2101.00001v2", "2101.00001"),
        ("https://arxiv.org/pdf/2101.00001v2.pdf", "2101.00001"),
        ("https://arxiv.org/pdf/2101.00001", "2101.00001"),
        ("http://export.arxiv.org/abs/2101.00001", "2101.00001"),
        ("arxiv.org/abs/1501.0001", "1501.0001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("HEP-TH/9901001v2", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.gt/0309136", "math.GT/0309136"),
    ],
)
def test_arxiv_forms_name_the_paper_not_a_version(pasted, stored):
    assert arxiv_normalize(pasted) == stored


@pytest.mark.parametrize("bad", ["2101.001", "arXiv:", "https://arxiv.org/list/cs.AI", "12345"])
def test_a_malformed_arxiv_id_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        arxiv_normalize(bad)
    assert error.value.code == "invalid_arxiv"


@pytest.mark.parametrize(
    "pasted",
    [
        "978-0-306-40615-7",
        "9780306406157",
        "0-306-40615-2",
        "ISBN 0306406152",
        "ISBN-13: 978 0 306 40615 7",
        "isbn:0306406152",
    ],
)
def test_isbn_forms_become_the_isbn_13(pasted):
    assert isbn_normalize(pasted) == "9780306406157"


def test_an_isbn_10_ending_in_x_converts():
    assert isbn_normalize("0-8044-2957-X") == "9780804429573"


@pytest.mark.parametrize("bad", ["978-0-306-40615-8", "0306406153", "12345", "97803064061"])
def test_an_isbn_with_a_wrong_check_digit_or_length_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        isbn_normalize(bad)
    assert error.value.code == "invalid_isbn"


def test_an_isbn_is_shown_hyphenated_as_printed():
    assert isbn_display("9780306406157") == "978-0-306-40615-7"


def test_blank_identifiers_stay_blank():
    assert doi_normalize("  ") == arxiv_normalize("") == isbn_normalize(None) == ""


# -- on the model -----------------------------------------------------------------------


def test_a_source_stores_identifiers_normalised():
    source = source_create(
        url="https://example.org/paper",
        doi="https://doi.org/10.1038/NPHYS1170",
        arxiv_id="https://arxiv.org/pdf/2101.00001v2.pdf",
        isbn="0-306-40615-2",
    )

    source.refresh_from_db()
    assert (source.doi, source.arxiv_id, source.isbn) == (
        "10.1038/nphys1170",
        "2101.00001",
        "9780306406157",
    )


def test_bad_identifiers_are_all_refused_at_once_with_their_fields():
    with pytest.raises(ValidationError) as error:
        source_create(url="https://example.org/x", doi="nope", arxiv_id="nope", isbn="123")

    assert set(error.value.message_dict) == {"doi", "arxiv_id", "isbn"}
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("field", "first", "again"),
    [
        ("doi", "10.1000/abc", "https://doi.org/10.1000/ABC"),
        ("arxiv_id", "2101.00001", "arXiv:2101.00001v4"),
        ("isbn", "9780306406157", "0-306-40615-2"),
    ],
)
def test_an_identifier_another_source_has_is_refused_naming_that_source(field, first, again):
    holder = SourceFactory(title="The first", **{field: first})

    with pytest.raises(ValidationError) as error:
        source_create(url="https://example.org/other", **{field: again})

    [message] = error.value.message_dict[field]
    assert f"Source “The first” ({holder.pk}) already has this" in message


def test_sources_without_identifiers_do_not_clash():
    SourceFactory()
    SourceFactory()
    assert Source.objects.filter(doi="").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("doi", "10.1000/abc"), ("arxiv_id", "2101.00001"), ("isbn", "9780306406157")],
)
def test_the_database_keeps_identifiers_unique(field, value):
    SourceFactory(**{field: value})
    duplicate = SourceFactory.build(**{field: value})
    duplicate.assign_ids()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.bulk_create([duplicate])


@pytest.mark.parametrize(
    ("field", "value"),
    [("doi", "10.1000/ABC"), ("doi", "https://doi.org/10.1/x"), ("isbn", "0306406152")],
)
def test_the_database_refuses_identifiers_not_in_their_stored_shape(field, value):
    source = SourceFactory.build(**{field: value})
    source.assign_ids()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.bulk_create([source])


def test_readers_see_the_identifiers_linked(client):
    source = SourceFactory(doi="10.1038/nphys1170", arxiv_id="2101.00001", isbn="9780306406157")

    page = client.get(source.get_absolute_url()).content.decode()

    assert '<a href="https://doi.org/10.1038/nphys1170"' in page
    assert '<a href="https://arxiv.org/abs/2101.00001"' in page
    assert ">978-0-306-40615-7</a>" in page


def test_the_admin_takes_a_pasted_address_and_stores_the_id(editor_client):
    source = SourceFactory()
    url = f"/admin/sources/source/{source.pk}/change/"
    data = form_data(editor_client.get(url).content.decode(), "source_form")
    data.update(isbn="ISBN 978-0-306-40615-7", doi="https://doi.org/10.1038/NPHYS1170")

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    source.refresh_from_db()
    assert (source.doi, source.isbn) == ("10.1038/nphys1170", "9780306406157")
