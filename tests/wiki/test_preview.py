"""The editor's live preview and "show changes": POST only, staff with the permission,
rendered and sanitized exactly as the public page, in a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sources.services import source_create, venue_create
from tests.test_security import PAYLOADS, assert_safe
from wiki.models import WikiPage
from wiki.services import wiki_page_create

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:wiki_wikipage_preview")


@pytest.fixture
def sources():
    venue = venue_create(slug="gold", name="Gold Venue", type="academic_journal", credibility=5)
    return [
        source_create(url=f"https://example.org/{n}", title=f"Source {n}", venue=venue)
        for n in range(3)
    ]


def _body_and_references(html: str) -> str:
    """The rendered body and references, as the public page and the preview show them."""
    start = html.index('<div class="body">')
    end = html.index("</section>", html.index('<section class="references"')) + len("</section>")
    return re.sub(r"\s+", " ", html[start:end])


def test_the_preview_is_the_public_page_for_the_same_body(editor_client, sources):
    body = (
        f"## Claims\n\nFirst [[cite:{sources[1].id}]], then [[cite:{sources[0].id}]] "
        f"and [[cite:{sources[1].id}]] again.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    page = wiki_page_create(slug="same", title="Same", body=body)

    preview = editor_client.post(PREVIEW, {"body": body, "page": page.pk})
    public = Client().get(page.get_absolute_url())

    assert preview.status_code == 200
    assert _body_and_references(preview.content.decode()) == _body_and_references(
        public.content.decode()
    )
    assert 'href="#ref-1"' in preview.content.decode()
    assert "5/5" in preview.content.decode()  # the source's credibility badge


def test_the_preview_numbers_an_unsaved_body_and_names_broken_markers(editor_client, sources):
    body = f"New [[cite:{sources[2].id}]] and [[cite:ffffffffffffffff]] and [[no-such-page]]."

    html = editor_client.post(PREVIEW, {"body": body}).content.decode()

    assert "Source 2" in html and 'id="ref-1"' in html
    assert "[[cite:ffffffffffffffff]] names no source" in html
    assert "[[no-such-page]] names no page" in html
    assert not WikiPage.objects.exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_preview_is_sanitized(editor_client, payload):
    assert_safe(editor_client.post(PREVIEW, {"body": payload}).content.decode())


def test_the_preview_needs_post_staff_and_the_permission(client, editor_client, django_user_model):
    page = wiki_page_create(slug="p", title="P", body="x")
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer_client = Client()
    viewer_client.force_login(viewer)

    assert editor_client.get(PREVIEW).status_code == 405
    assert Client().post(PREVIEW, {"body": "x"}).status_code == 302  # to the login page
    assert viewer_client.post(PREVIEW, {"body": "x", "page": page.pk}).status_code == 403
    assert editor_client.post(PREVIEW, {"body": "x", "page": "999999"}).status_code == 404
    assert editor_client.post(PREVIEW, {"body": "x", "page": "1'"}).status_code == 404


def test_the_preview_needs_the_csrf_token(editor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    assert browser.post(PREVIEW, {"body": "x"}).status_code == 403


def test_the_preview_costs_the_same_queries_for_one_citation_or_many(editor_client, sources):
    def queries(body):
        with CaptureQueriesContext(connection) as captured:
            editor_client.post(PREVIEW, {"body": body})
        return len(captured)

    one = queries(f"[[cite:{sources[0].id}]] [[page-0]]")
    many = queries(" ".join(f"[[cite:{s.id}]] [[page-{n}]]" for n, s in enumerate(sources)))

    assert many == one


def test_show_changes_lists_the_changed_lines(editor_client):
    page = wiki_page_create(slug="c", title="C", body="One\nTwo\nThree\n")
    url = reverse("admin:wiki_wikipage_changes", args=[page.pk])

    changed = editor_client.post(url, {"body": "One\r\nTwo <b>2</b>\r\nThree\r\n"}).content.decode()
    same = editor_client.post(url, {"body": "One\r\nTwo\r\nThree\r\n"}).content.decode()

    assert '<tr class="diff-removed">' in changed and "<code>Two</code>" in changed
    assert "<code>Two &lt;b&gt;2&lt;/b&gt;</code>" in changed
    assert "No changes to the body since it was saved." in same
    assert editor_client.get(url).status_code == 405
