"""What links here, pages citing the same sources, related pages with their weights, and the
sources cited alongside a source: kept from bodies as they are saved."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from tests.factories import CitationFactory, SourceFactory, WikiPageFactory
from wiki.markup import body_linked_slugs
from wiki.models import WikiLink
from wiki.selectors import (
    CITING_SAME_SHOWN,
    LINKED_FROM_SHOWN,
    RELATED_WEIGHT_LINK,
    RELATED_WEIGHT_SHARED_SOURCE,
    RELATED_WEIGHT_SHARED_TAG,
    source_cited_alongside,
    wiki_page_connections,
)
from wiki.services import wiki_page_create, wiki_page_update

pytestmark = pytest.mark.django_db


def links_of(page) -> set[str]:
    return set(WikiLink.objects.filter(page=page).values_list("target_slug", flat=True))


def test_a_body_s_links_are_its_page_references_and_wiki_addresses_outside_code():
    body = (
        "See [[alignment]] and [[cite:abc123]], [the pause](/wiki/pause/) and "
        "[again](/wiki/pause/#history), [[alignment|twice]], [elsewhere](https://x.org/wiki/y/)"
        " and `[[in-code]]`.\n\n```\n[[also-code]]\n```\n"
    )

    assert body_linked_slugs(body) == ["alignment", "pause"]


def test_saving_a_page_keeps_its_links_in_step_with_its_body():
    page = wiki_page_create(slug="here", title="Here", body="[[one]] and [[two]] and [[here]]")
    assert links_of(page) == {"one", "two"}  # not itself

    wiki_page_update(page=page, body="[[two]] and [[three]]")

    assert links_of(page) == {"two", "three"}


def test_what_links_here_lists_the_pages_linking_to_a_page(client):
    target = WikiPageFactory(slug="target", title="Target")
    wiki_page_create(slug="b", title="Bravo", body="About [[target]].")
    wiki_page_create(slug="a", title="Alpha", body="[Target](/wiki/target/)")
    wiki_page_create(slug="c", title="Charlie", body="Nothing.")

    connections = wiki_page_connections(target)

    assert [page.title for page in connections.linked_from] == ["Alpha", "Bravo"]
    html = client.get(target.get_absolute_url()).content.decode()
    section = html[
        html.index('id="links-here-heading"') : html.index(
            "</ul>", html.index('id="links-here-heading"')
        )
    ]
    assert "Alpha" in section and "Bravo" in section and "Charlie" not in section


def test_a_new_link_refreshes_the_cached_page_it_names(client):
    target = WikiPageFactory(slug="target", title="Target")
    assert "What links here" not in client.get(target.get_absolute_url()).content.decode()

    wiki_page_create(slug="new", title="Newcomer", body="[[target]]")

    html = client.get(target.get_absolute_url()).content.decode()
    assert "What links here" in html and "Newcomer" in html


@pytest.fixture
def web(db):
    """`main` shares two sources with `twin`, one with `cousin`; `linker` links to main,
    main links to `linked`; `tagged` shares two tags."""
    s1, s2, s3 = SourceFactory(), SourceFactory(), SourceFactory()
    main = wiki_page_create(slug="main", title="Main", body="Read [[linked]].", tags=["x", "y"])
    twin = WikiPageFactory(slug="twin", title="Twin")
    cousin = WikiPageFactory(slug="cousin", title="Cousin")
    for n, source in enumerate((s1, s2, s3)):
        CitationFactory(page=main, source=source, position=n)
    CitationFactory(page=twin, source=s1, position=0)
    CitationFactory(page=twin, source=s2, position=1)
    CitationFactory(page=cousin, source=s3, position=0)
    wiki_page_create(slug="linker", title="Linker", body="See [[main]].")
    WikiPageFactory(slug="linked", title="Linked")
    tagged = WikiPageFactory(slug="tagged", title="Tagged")
    tagged.tags.add("x", "y")
    return {"main": main, "sources": (s1, s2, s3)}


def test_related_pages_are_weighed_by_shared_sources_links_and_tags(web):
    connections = wiki_page_connections(web["main"])

    weights = {entry.page.slug: entry.weight for entry in connections.related}
    assert weights == {
        "twin": 2 * RELATED_WEIGHT_SHARED_SOURCE,
        "cousin": RELATED_WEIGHT_SHARED_SOURCE,
        "linker": RELATED_WEIGHT_LINK,
        "linked": RELATED_WEIGHT_LINK,
        "tagged": 2 * RELATED_WEIGHT_SHARED_TAG,
    }
    assert [entry.page.slug for entry in connections.related][:2] == ["twin", "cousin"]
    assert [(e.page.slug, e.shared_sources) for e in connections.citing_same] == [
        ("twin", 2),
        ("cousin", 1),
    ]
    linked = next(e for e in connections.related if e.page.slug == "linked")
    assert linked.links_to and not linked.linked_from


def test_the_page_says_why_each_page_is_related(client, web):
    html = client.get(web["main"].get_absolute_url()).content.decode()

    assert 'Twin</a> <span class="muted">(2 shared sources)' in html
    assert 'Linker</a> <span class="muted">(links here)' in html
    assert 'Linked</a> <span class="muted">(linked from this page)' in html
    assert 'Tagged</a> <span class="muted">(2 shared tags)' in html


def test_connections_cost_the_same_queries_however_many_pages_connect(web):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            wiki_page_connections(web["main"])
        return len(captured)

    one = queries()
    for n in range(20):
        other = wiki_page_create(slug=f"more-{n}", title=f"More {n}", body="[[main]]", tags=["x"])
        CitationFactory(page=other, source=web["sources"][0])

    assert queries() == one


def test_a_source_page_lists_the_sources_most_often_cited_alongside_it(client, web):
    s1, s2, s3 = web["sources"]

    alongside = source_cited_alongside(s1)

    assert [(source.pk, source.together) for source in alongside] == [(s2.pk, 2), (s3.pk, 1)]
    html = client.get(s1.get_absolute_url()).content.decode()
    assert "Often cited with" in html and "(cited together by 2 pages)" in html


def test_the_source_page_follows_a_new_citation_alongside_it(client, web):
    s1 = web["sources"][0]
    client.get(s1.get_absolute_url())
    newcomer = SourceFactory(title="A newcomer cited with it")

    CitationFactory(page=web["main"], source=newcomer, position=9)

    assert "A newcomer cited with it" in client.get(s1.get_absolute_url()).content.decode()


def test_a_link_taken_out_leaves_the_cached_page_it_named(client):
    target = WikiPageFactory(slug="target", title="Target")
    linker = wiki_page_create(slug="linker", title="Linker", body="[[target]]")
    assert "Linker" in client.get(target.get_absolute_url()).content.decode()

    wiki_page_update(page=linker, body="No link now.")

    assert "Linker" not in client.get(target.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_stores_the_links_of_every_existing_body():
    before = [("wiki", "0013_search_ranking")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldPage = executor.loader.project_state(before).apps.get_model("wiki", "WikiPage")
    for slug, body in (("a", "[[b]] and [[c]] and [[a]]"), ("b", "[back](/wiki/a/)"), ("c", "")):
        OldPage.objects.create(slug=slug, title=slug.upper(), type="concept", body=body)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = set(WikiLink.objects.values_list("page__slug", "target_slug"))
    assert stored == {("a", "b"), ("a", "c"), ("b", "a")}


def test_a_hub_page_lists_the_first_connections_and_says_how_many_more(client):
    hub = WikiPageFactory(slug="hub", title="Hub")
    source = SourceFactory()
    CitationFactory(page=hub, source=source)
    for n in range(LINKED_FROM_SHOWN + 3):
        other = wiki_page_create(slug=f"spoke-{n:02d}", title=f"Spoke {n:02d}", body="[[hub]]")
        if n < CITING_SAME_SHOWN + 2:
            CitationFactory(page=other, source=source)

    connections = wiki_page_connections(hub)

    assert len(connections.linked_from) == LINKED_FROM_SHOWN
    assert connections.linked_from_more == 3
    assert len(connections.citing_same) == CITING_SAME_SHOWN and connections.citing_same_more == 2
    html = client.get(hub.get_absolute_url()).content.decode()
    assert "and 3 more." in html and "and 2 more with fewer in common." in html
