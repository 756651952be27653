"""Possible duplicate sources: the key an address is compared by, and the groups."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.changes import records_changed
from sources.duplicates import source_url_key
from sources.models import Source
from sources.selectors import possible_duplicate_groups, possible_duplicate_keys
from sources.services import source_create, source_update
from tests.factories import SourceFactory

SAME_DOCUMENT = [
    # scheme
    ("http://example.org/report", "https://example.org/report"),
    # www. and the host's case
    ("https://www.Example.org/report", "https://example.org/report"),
    # trailing slash, the root's included
    ("https://example.org/report/", "https://example.org/report"),
    ("https://example.org/", "https://example.org"),
    # default ports and user info
    ("https://example.org:443/report", "https://example.org/report"),
    ("http://example.org:80/report", "https://example.org/report"),
    ("https://reader@example.org/report", "https://example.org/report"),
    # tracking parameters, and the order of the others
    ("https://example.org/report?utm_source=x&utm_medium=email", "https://example.org/report"),
    ("https://example.org/report?fbclid=abc&id=4", "https://example.org/report?id=4"),
    ("https://example.org/r?b=2&gclid=1&a=1", "https://example.org/r?a=1&b=2"),
    # the fragment
    ("https://example.org/report#section-2", "https://example.org/report"),
    # arXiv's forms and versions
    ("https://arxiv.org/pdf/2401.02843", "https://arxiv.org/abs/2401.02843"),
    ("https://arxiv.org/pdf/2401.02843v3.pdf", "https://arxiv.org/abs/2401.02843"),
    ("https://arxiv.org/html/2401.02843v1", "https://arxiv.org/abs/2401.02843v2"),
    ("http://export.arxiv.org/abs/2401.02843", "https://www.arxiv.org/abs/2401.02843/"),
    ("https://arxiv.org/abs/hep-th/9901001v2", "https://arxiv.org/pdf/hep-th/9901001"),
    # DOI addresses
    ("https://dx.doi.org/10.1038/NPHYS1170", "https://doi.org/10.1038/nphys1170"),
    ("https://doi.org/10.1038%2Fnphys1170", "http://doi.org/10.1038/nphys1170"),
]

DIFFERENT_DOCUMENTS = [
    ("https://example.org/report", "https://example.org/Report"),  # paths keep their case
    ("https://example.org/report?id=4", "https://example.org/report?id=5"),
    ("https://example.org/report", "https://example.org/report.pdf"),
    ("https://example.org:8443/report", "https://example.org/report"),
    ("https://blog.example.org/report", "https://example.org/report"),
    ("https://arxiv.org/abs/2401.02843", "https://arxiv.org/abs/2401.02844"),
    ("https://arxiv.org/list/cs.AI/recent", "https://arxiv.org/list/cs.LG/recent"),
]


@pytest.mark.parametrize(("one", "other"), SAME_DOCUMENT)
def test_each_rule_gives_two_addresses_of_one_document_one_key(one, other):
    assert source_url_key(one) == source_url_key(other)


@pytest.mark.parametrize(("one", "other"), DIFFERENT_DOCUMENTS)
def test_what_tells_documents_apart_is_kept(one, other):
    assert source_url_key(one) != source_url_key(other)


def test_arxiv_and_doi_addresses_become_their_identifier():
    assert source_url_key("https://arxiv.org/pdf/2401.02843v3") == "arxiv:2401.02843"
    assert source_url_key("https://doi.org/10.1038/NPHYS1170") == "doi:10.1038/nphys1170"
    assert source_url_key("https://example.org/a/?x=1#top") == "example.org/a?x=1"


def test_a_malformed_port_keeps_the_address_as_written():
    assert source_url_key("https://example.org:http/report") == "example.org:http/report"


@pytest.mark.django_db
def test_every_write_path_stores_the_key():
    created = source_create(url="http://www.example.org/a/?utm_source=feed")
    assert Source.objects.get(pk=created.pk).url_key == "example.org/a"

    source_update(source=created, url="https://example.org/b#x")
    assert Source.objects.get(pk=created.pk).url_key == "example.org/b"

    created.url = "https://example.org/c"
    created.save(update_fields=["url"])
    assert Source.objects.get(pk=created.pk).url_key == "example.org/c"

    Source.objects.bulk_create(
        [Source(id="bulk1", stable_id="sid_Bulk1abcdef", url="https://arxiv.org/pdf/2101.00001v1")]
    )
    records_changed(Source, ["bulk1"])
    assert Source.objects.get(pk="bulk1").url_key == "arxiv:2101.00001"


@pytest.mark.django_db
def test_groups_gather_addresses_and_identifiers_of_one_document():
    abs_form = SourceFactory(url="https://arxiv.org/abs/2401.02843")
    pdf_form = SourceFactory(url="https://arxiv.org/pdf/2401.02843v2")
    http = SourceFactory(url="http://example.org/paper")
    https = SourceFactory(url="https://www.example.org/paper/")
    by_doi = SourceFactory(url="https://journal.example.com/article/7", doi="10.5555/abc")
    doi_address = SourceFactory(url="https://doi.org/10.5555/ABC")
    by_arxiv_id = SourceFactory(url="https://papers.example.com/x", arxiv_id="2301.00007")
    arxiv_address = SourceFactory(url="https://arxiv.org/abs/2301.00007v4")
    SourceFactory(url="https://example.org/another-paper")
    SourceFactory(url="https://arxiv.org/abs/2401.02844")

    keys = possible_duplicate_keys()
    groups = {group.key: {s.pk for s in group.sources} for group in possible_duplicate_groups(keys)}

    assert groups == {
        "arxiv:2401.02843": {abs_form.pk, pdf_form.pk},
        "example.org/paper": {http.pk, https.pk},
        "doi:10.5555/abc": {by_doi.pk, doi_address.pk},
        "arxiv:2301.00007": {by_arxiv_id.pk, arxiv_address.pk},
    }


@pytest.mark.django_db
def test_a_source_whose_own_identifier_is_its_address_is_no_duplicate():
    SourceFactory(url="https://arxiv.org/abs/2301.00007", arxiv_id="2301.00007")
    SourceFactory(url="https://doi.org/10.5555/abc", doi="10.5555/abc")

    assert possible_duplicate_groups(possible_duplicate_keys()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("groups", [1, 20])
def test_groups_cost_the_same_queries_however_many(groups):
    for n in range(groups):
        SourceFactory(url=f"http://example.org/p{n}")
        SourceFactory(url=f"https://example.org/p{n}/")
    with CaptureQueriesContext(connection) as queries:
        found = possible_duplicate_groups(possible_duplicate_keys())
        [source.venue for group in found for source in group.sources]

    assert len(found) == groups
    assert len(queries) == 4  # keys: shared, DOI, arXiv; then the members
