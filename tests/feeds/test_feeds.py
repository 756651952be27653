"""Atom feeds, read as a feed reader reads them (feedparser): recently changed pages, new
sources, rating decisions and one tag's records; linked from the pages they follow."""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.changes import records_changed
from ratings.models import DecisionOrigin
from ratings.services import rating_change_apply, rating_proposal_create
from sources.models import Source, SourceAuthor
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db

PAGES, SOURCES, RATINGS = (reverse(f"feeds:{name}") for name in ("pages", "sources", "ratings"))


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def stamp(model, pk, *, created=None, updated=None):
    """Set a row's times (auto_now fields cannot be set through save())."""
    fields = {"created_at": created, "updated_at": updated}
    model.objects.filter(pk=pk).update(**{k: v for k, v in fields.items() if v is not None})


NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_the_pages_feed_lists_pages_changed_last_first(client):
    old = WikiPageFactory(title="Older", description="Written first.")
    new = WikiPageFactory(title="Risks & rewards", description="Costs <b>and</b> benefits.")
    new.tags.add("governance", "compute")
    stamp(WikiPage, old.pk, created=NOW - timedelta(days=9), updated=NOW - timedelta(days=5))
    stamp(WikiPage, new.pk, created=NOW - timedelta(days=20), updated=NOW - timedelta(days=1))

    feed = read(client, PAGES)

    assert feed.feed.title == "Credence: recently changed pages"
    assert [entry.title for entry in feed.entries] == ["Risks & rewards", "Older"]
    first = feed.entries[0]
    assert first.link == f"http://testserver{new.get_absolute_url()}"
    assert first.updated_parsed[:3] == (2026, 10, 31)
    assert first.published_parsed[:3] == (2026, 10, 12)
    assert sorted(term.term for term in first.tags) == ["compute", "governance"]
    # Text is escaped: markup in a description is shown, not obeyed.
    assert "Costs &lt;b&gt;and&lt;/b&gt; benefits." in first.summary
    assert "Concept" in first.summary
    assert feed.feed.updated_parsed[:3] == (2026, 10, 31)


def test_the_sources_feed_lists_new_sources_with_credibility_and_authors(client):
    venue = VenueFactory(name="Institute", credibility=4)
    rated = SourceFactory(title="Rated report", venue=venue, summary="What it found.")
    SourceAuthor.objects.create(source=rated, name="Ada Lovelace", position=0)
    SourceAuthor.objects.create(source=rated, name="Alan Turing", position=1)
    unrated = SourceFactory(title="A blog post")
    stamp(Source, rated.pk, created=NOW)
    stamp(Source, unrated.pk, created=NOW - timedelta(days=3))

    feed = read(client, SOURCES)

    assert [entry.title for entry in feed.entries] == ["Rated report", "A blog post"]
    rated_entry, unrated_entry = feed.entries
    assert rated_entry.author == "Ada Lovelace, Alan Turing"
    assert "4 of 5 (High), inherited from publication venue" in rated_entry.summary
    assert "Institute" in rated_entry.summary and "What it found." in rated_entry.summary
    assert "Credibility: not rated" in unrated_entry.summary
    assert rated_entry.link == f"http://testserver{rated.get_absolute_url()}"


def test_the_ratings_feed_lists_decisions_and_links_each_to_its_row(client, moderator, editor):
    venue = VenueFactory(name="Think tank", credibility=4)
    decision = rating_change_apply(
        target=venue,
        values={"credibility": 2},
        rationale="Two retractions this year.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )
    # A proposal waiting for a decision is not news yet.
    rating_proposal_create(
        target=venue, values={"credibility": 1}, rationale="Worse still.", user=editor
    )

    feed = read(client, RATINGS)

    [entry] = feed.entries
    assert entry.title == "Think tank: credibility 4 → 2"
    assert (
        entry.link == f"http://testserver{venue.get_absolute_url()}#rating-decision-{decision.pk}"
    )
    assert "Two retractions this year." in entry.summary
    assert entry.author == decision.decided_by_display
    assert moderator.username not in feed.entries[0].author
    assert "Worse still." not in client.get(RATINGS).content.decode()
    venue_page = client.get(venue.get_absolute_url()).content.decode()
    assert f'id="rating-decision-{decision.pk}"' in venue_page


def test_a_tag_feed_lists_what_carries_the_tag_and_nothing_else(client):
    page = WikiPageFactory(title="Tagged page")
    source = SourceFactory(title="Tagged source")
    other = SourceFactory(title="Untagged source")
    page.tags.add("interpretability")
    source.tags.add("interpretability")
    other.tags.add("policy")

    feed = read(client, reverse("feeds:tag", args=["interpretability"]))

    assert feed.feed.title == "Credence: tagged “interpretability”"
    assert sorted(entry.title for entry in feed.entries) == ["Tagged page", "Tagged source"]
    assert client.get(reverse("feeds:tag", args=["no-such-tag"])).status_code == 404


def test_pages_name_the_feeds_that_follow_them(client):
    SourceFactory().tags.add("evals")

    home = client.get(reverse("wiki:home")).content.decode()
    tag_page = client.get(reverse("wiki:tag_detail", args=["evals"])).content.decode()

    for url in (PAGES, SOURCES, RATINGS):
        assert '<link rel="alternate" type="application/atom+xml" title="Credence: ' in home
        assert f'href="{url}"' in home
    tag_feed = reverse("feeds:tag", args=["evals"])
    assert f'type="application/atom+xml" title="Credence: tagged “evals”" href="{tag_feed}"' in (
        tag_page
    )
    assert read(client, tag_feed).entries


def test_a_feed_holds_at_most_fifty_entries(client):
    rows = Source.objects.bulk_create(
        Source(id=f"bulk{i:03d}", stable_id=f"sid_bulk{i:06d}", url=f"https://b.example/{i}")
        for i in range(55)
    )
    records_changed(Source, [row.pk for row in rows])

    assert len(read(client, SOURCES).entries) == 50


@pytest.mark.parametrize("url", [PAGES, SOURCES, RATINGS, "tag"])
def test_a_feed_runs_as_many_queries_for_one_entry_as_for_forty(client, moderator, url):
    def add(n):
        for i in range(n):
            venue = VenueFactory(credibility=3)
            source = SourceFactory(venue=venue)
            page = WikiPageFactory()
            SourceAuthor.objects.create(source=source, name=f"Author {i}", position=0)
            source.tags.add("shared", f"own-{i}")
            page.tags.add("shared", f"own-{i}")
            rating_change_apply(
                target=venue,
                values={"credibility": 2},
                rationale="Checked.",
                user=moderator,
                origin=DecisionOrigin.DIRECT,
            )

    address = reverse("feeds:tag", args=["shared"]) if url == "tag" else url

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            read(client, address)
        return len(captured.captured_queries)

    add(1)
    one = queries()
    add(39)
    assert queries() == one


def test_a_cached_feed_shows_a_new_source_on_the_next_request(client):
    SourceFactory(title="First")
    read(client, SOURCES)
    assert client.get(SOURCES)["X-Cache"] == "hit"

    SourceFactory(title="Second")

    assert [entry.title for entry in read(client, SOURCES).entries][0] == "Second"
