"""The tag list: every tag in use, with how many sources and pages carry it."""

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from sources.services import tags_set
from tests.factories import SourceFactory, WikiPageFactory

pytestmark = pytest.mark.django_db

TAGS = reverse("wiki:tag_list")


@pytest.fixture
def tagged():
    for n in range(3):
        tags_set(instance=SourceFactory(), names=["compute", "policy"] if n else ["compute"])
    tags_set(instance=WikiPageFactory(), names=["compute", "evals"])
    tags_set(instance=WikiPageFactory(), names=["evals", "audits"])
    Tag.objects.create(name="unused")


def rows(response):
    tree = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    return [
        ["".join(cell.itertext()).strip() for cell in row.iter("td")]
        for row in tree.find(".//tbody").iter("tr")
    ]


def test_tags_are_listed_with_counts_most_used_first_then_by_name(client, tagged):
    response = client.get(TAGS)

    assert response.status_code == 200
    assert rows(response) == [
        # tag, sources, pages, total
        ["compute", "3", "1", "4"],
        ["evals", "0", "2", "2"],
        ["policy", "2", "0", "2"],
        ["audits", "0", "1", "1"],
    ]


def test_each_tag_links_to_its_page(client, tagged):
    content = client.get(TAGS).content.decode()

    assert f'<a href="{reverse("wiki:tag_detail", args=["compute"])}">compute</a>' in content


def test_a_tag_on_nothing_is_not_listed(client, tagged):
    assert "unused" not in client.get(TAGS).content.decode()


def test_the_page_is_well_formed_html5_with_a_title_and_heading(client, tagged):
    content = client.get(TAGS).content.decode()

    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)
    assert "<title>Tags · Credence</title>" in content
    assert "<h1>Tags</h1>" in content
    assert '<table class="list stack">' in content


def test_the_header_links_to_the_tags_and_marks_them_current(client, tagged):
    content = client.get(TAGS).content.decode()

    assert f'<a href="{TAGS}" aria-current="page">Tags</a>' in content
    assert f'<a href="{TAGS}">Tags</a>' in client.get(reverse("wiki:home")).content.decode()


def test_nothing_tagged_says_so(client):
    assert "No source or page carries a tag yet." in client.get(TAGS).content.decode()


def test_the_query_count_does_not_grow_with_tags(client):
    tags_set(instance=SourceFactory(), names=["only"])
    with CaptureQueriesContext(connection) as one:
        client.get(TAGS)
    tags_set(instance=SourceFactory(), names=[f"tag-{n}" for n in range(50)])
    tags_set(instance=WikiPageFactory(), names=[f"tag-{n}" for n in range(0, 50, 2)])

    with CaptureQueriesContext(connection) as fifty:
        response = client.get(TAGS)

    assert len(rows(response)) == 51
    assert len(fifty.captured_queries) == len(one.captured_queries)
