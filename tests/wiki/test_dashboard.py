"""The editors' dashboard on the admin index: each count matches the list it links to."""

import re

import pytest
from django.urls import reverse

from ratings.services import rating_proposal_approve, rating_proposal_create
from sources.models import FetchOutcome, Source
from tests.factories import SourceFactory, VenueFactory
from wiki import selectors
from wiki.models import WikiPage
from wiki.services import wiki_page_create

pytestmark = pytest.mark.django_db


def _lines(client) -> dict[str, tuple[int, str]]:
    html = client.get(reverse("admin:index")).content.decode()
    block = re.search(r'<div class="module" id="editor-dashboard">.*?</div>', html, re.S)[0]
    return {
        label.strip(): (int(count), url.replace("&amp;", "&"))
        for url, count, label in re.findall(
            r'<a href="([^"]+)"><strong class="dashboard-count">(\d+)</strong>([^<]+)</a>', block
        )
    }


def _listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


@pytest.fixture
def work(editor, moderator, django_user_model):
    other = django_user_model.objects.create_user("other", is_staff=True)
    other.groups.set(moderator.groups.all())
    venues = [VenueFactory(credibility=level) for level in (4, 3, 2)]
    rating_proposal_create(target=venues[0], values={"credibility": 3}, rationale="a", user=editor)
    rating_proposal_create(target=venues[1], values={"credibility": 2}, rationale="b", user=editor)
    rating_proposal_create(
        target=venues[2], values={"credibility": 3}, rationale="c", user=moderator
    )
    lowering = rating_proposal_create(
        target=VenueFactory(credibility=2), values={"credibility": 1}, rationale="d", user=other
    )
    rating_proposal_approve(proposal=lowering, user=moderator)  # the first of two approvals
    wiki_page_create(slug="broken", title="Broken", body="Cites [[cite:0000000000000000]].")
    wiki_page_create(slug="missing", title="Missing", body="Says so.[^1]")
    wiki_page_create(slug="fine", title="Fine", body="Nothing to fix.")
    SourceFactory(fetch_outcome=FetchOutcome.DEAD)
    Source.objects.filter(fetched_at__isnull=True).update(fetched_at="2026-01-01T00:00Z")
    SourceFactory()  # never fetched


def test_an_editor_sees_their_open_proposals_and_what_needs_fixing(editor_client, work):
    lines = _lines(editor_client)

    assert lines["My open rating proposals"][0] == 2
    assert "Rating proposals awaiting my decision" not in lines
    assert lines["Pages citing unknown sources or linking missing pages"][0] == 1
    assert lines["Pages with references whose data is missing"][0] == 1
    assert lines["Sources with a dead link"][0] == 1
    assert lines["Sources never fetched (no snapshot)"][0] == 1
    for count, url in lines.values():
        assert _listed(editor_client, url) == count, url


def test_a_moderator_sees_what_awaits_their_decision(moderator_client, work):
    lines = _lines(moderator_client)

    # Not their own proposal, nor the one they gave the first approval.
    assert lines["Rating proposals awaiting my decision"][0] == 2
    assert lines["My open rating proposals"][0] == 1
    for count, url in lines.values():
        assert _listed(moderator_client, url) == count, url


def test_the_dashboard_costs_a_fixed_number_of_queries(
    moderator_client, work, django_assert_max_num_queries
):
    _lines(moderator_client)  # the broken-reference count is kept until something changes
    for n in range(5):
        wiki_page_create(slug=f"more-{n}", title=f"More {n}", body="[[cite:0000000000000001]]")
    with django_assert_max_num_queries(25):
        lines = _lines(moderator_client)
    assert lines["Pages citing unknown sources or linking missing pages"][0] == 6


def test_checking_every_page_for_broken_references_parses_only_changed_bodies(monkeypatch):
    pages = [
        wiki_page_create(slug=f"p{n}", title=f"P{n}", body=f"Body {n} [[cite:000000000000000{n}]]")
        for n in range(4)
    ]
    parsed = []
    real = selectors.body_references
    monkeypatch.setattr(
        selectors, "body_references", lambda body: parsed.append(body) or real(body)
    )

    first = selectors.wiki_pages_broken_references(WikiPage.objects.all())
    pages[0].body = "Changed [[cite:ffffffffffffffff]]"
    pages[0].save()
    second = selectors.wiki_pages_broken_references(WikiPage.objects.all())

    assert len(first) == len(second) == 4
    assert len(parsed) == 5  # four bodies, then the one that changed
