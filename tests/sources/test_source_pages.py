"""The public source list and source page."""

from datetime import date

import pytest
from django.urls import reverse

from sources.models import DatePrecision, SourceAuthor, SourceKeyPoint
from sources.services import source_create
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from wiki.models import WikiPage
from wiki.services import citation_ensure, wiki_page_create

pytestmark = pytest.mark.django_db

LIST = reverse("sources:source_list")


def listed(client, query=""):
    response = client.get(LIST + query)
    assert response.status_code == 200
    return [source.pk for source in response.context["page_obj"].object_list]


@pytest.fixture
def catalogue():
    think_tank = VenueFactory(slug="carnegie", name="Carnegie", credibility=4)
    blogs = VenueFactory(slug="blogs", name="Blogs", credibility=2)
    rows = {
        "report": SourceFactory(
            title="Alpha report", type="report", venue=think_tank, summary="On chips"
        ),
        "paper": SourceFactory(
            title="Beta paper", type="paper", venue=blogs, credibility_override=5
        ),
        "post": SourceFactory(title="Gamma post", type="blog", venue=blogs),
        "loose": SourceFactory(title="Delta essay", type="web", venue=None),
    }
    rows["report"].tags.add("compute")
    CitationFactory(source=rows["post"])
    return rows


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?type=report", ["report"]),
        ("?venue=blogs", ["paper", "post"]),
        ("?credibility=2", ["post"]),
        ("?credibility=5", ["paper"]),
        ("?min_credibility=4", ["report", "paper"]),
        ("?tag=compute", ["report"]),
        ("?has_summary=yes", ["report"]),
        ("?has_summary=no", ["paper", "post", "loose"]),
        ("?cited=yes", ["post"]),
        ("?cited=no", ["report", "paper", "loose"]),
        ("?q=gamma", ["post"]),
        ("?q=chips", ["report"]),
        ("?q=docs.example.net", ["report", "paper", "post", "loose"]),
        ("?venue=blogs&min_credibility=3", ["paper"]),
    ],
)
def test_the_list_filters(client, catalogue, query, expected):
    assert set(listed(client, query)) == {catalogue[key].pk for key in expected}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["report", "paper", "loose", "post"]),
        ("-credibility", ["paper", "report", "post", "loose"]),
        ("credibility", ["post", "report", "paper", "loose"]),
        ("-cited", ["post", "report", "paper", "loose"]),
    ],
)
def test_the_list_sorts_with_unrated_last(client, catalogue, sort, expected):
    assert listed(client, f"?sort={sort}") == [catalogue[key].pk for key in expected]


def test_the_list_sorts_by_published_date(client):
    old = SourceFactory(published_on=date(2001, 1, 1), published_precision=DatePrecision.YEAR)
    new = SourceFactory(published_on=date(2024, 5, 1), published_precision=DatePrecision.MONTH)
    undated = SourceFactory()

    assert listed(client, "?sort=-published") == [new.pk, old.pk, undated.pk]
    assert listed(client, "?sort=published") == [old.pk, new.pk, undated.pk]


def test_the_list_sorts_by_date_added(client):
    first, second = SourceFactory(), SourceFactory()

    assert listed(client, "?sort=-added") == [second.pk, first.pk]


def test_an_invalid_filter_is_explained_and_the_rest_applies(client, catalogue):
    response = client.get(LIST + "?credibility=9&type=report")

    assert "Some filters were not understood" in response.content.decode()
    assert [s.pk for s in response.context["page_obj"].object_list] == [catalogue["report"].pk]


def test_the_page_size_is_selectable_and_pages_keep_the_filters(client):
    for n in range(60):
        SourceFactory(title=f"Report {n:02}", type="report")

    response = client.get(LIST + "?type=report&per_page=50&page=2")

    assert len(response.context["page_obj"].object_list) == 10
    assert 'href="?type=report&amp;per_page=50&amp;page=1"' in response.content.decode()
    assert len(listed(client, "?per_page=7")) == 25


def test_the_list_shows_the_promised_columns(client, catalogue):
    content = client.get(LIST).content.decode()

    for heading in ("Title", "Type", "Venue", "Credibility", "Cited by", "Published"):
        assert f'<th scope="col">{heading}</th>' in content
    assert "4/5 High" in content and "5/5 Gold standard" in content


def test_the_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    venue = VenueFactory()
    SourceFactory(venue=venue).tags.add("t")
    with django_assert_max_num_queries(8):
        client.get(LIST + "?per_page=50")
    for _n in range(49):
        source = SourceFactory(venue=VenueFactory())
        CitationFactory(source=source)
    with django_assert_max_num_queries(8):
        response = client.get(LIST + "?per_page=50")
    assert len(response.context["page_obj"].object_list) == 50


@pytest.fixture
def full_source():
    venue = VenueFactory(slug="carnegie", name="Carnegie Endowment", credibility=4)
    source = SourceFactory(
        title="How China views AI risks",
        url="https://carnegieendowment.org/research/2025/10/how-china-views-ai-risks",
        type="web",
        venue=venue,
        published_on=date(2025, 10, 16),
        published_precision=DatePrecision.DAY,
        summary="Summary text.",
        review="First paragraph.\n\nSecond paragraph.",
        abstract="Abstract text.",
    )
    SourceAuthor.objects.create(source=source, name="Matt Sheehan", position=0)
    SourceAuthor.objects.create(source=source, name="Scott Singer", position=1)
    SourceKeyPoint.objects.create(source=source, text="Point one", position=0)
    source.tags.add("ai-governance")
    for title, kind, quality in [
        ("China AI Regulatory Framework", "policy", 57),
        ("Pause Advocacy", "approach", 91),
        ("AI Proliferation", "risk", 60),
    ]:
        CitationFactory(
            source=source, page=WikiPageFactory(title=title, type=kind, quality=quality)
        )
    return source


def test_the_source_page_shows_its_sections_in_the_seed_order(client, full_source):
    content = client.get(full_source.get_absolute_url()).content.decode()

    order = [
        "How China views AI risks",
        "Web page",
        "Carnegie Endowment",
        "Matt Sheehan, Scott Singer",
        "16 October 2025",
        "carnegieendowment.org/research/2025/10/how-china-views-ai-risks",
        "Credibility rating",
        "4/5",
        "An established institution with editorial oversight",
        "Rating inherited from publication venue:",
        "Summary text.",
        "<p>First paragraph.</p>",
        "<p>Second paragraph.</p>",
        "Point one",
        "Abstract text.",
        "Cited by 3 pages",
        "Pause Advocacy",
        "ai-governance",
        f"Resource ID: <code>{full_source.id}</code>",
        f"Stable ID: <code>{full_source.stable_id}</code>",
    ]
    main = content[content.index("<main") :]
    positions = [main.index(text) for text in order]
    assert positions == sorted(positions)


def test_the_cited_by_table_lists_page_type_and_quality(client, full_source):
    content = client.get(full_source.get_absolute_url()).content.decode()

    assert (
        '<td data-label="Type">Approach</td><td class="num" data-label="Quality">91</td>' in content
    )


def test_empty_sections_are_left_out(client):
    source = SourceFactory(title="Bare", venue=None)

    content = client.get(source.get_absolute_url()).content.decode()

    main = content.split('<main id="main"', 1)[1]  # the header links to all tags
    for heading in ("Summary", "Review", "Key points", "Abstract", "Cited by", "Tags", "Author"):
        assert f">{heading}" not in main, heading
    assert "Not rated" in content
    assert "docs.example.net" in content  # the URL's domain stands in for the venue


def test_a_source_with_its_own_rating_says_so(client):
    source = SourceFactory(venue=VenueFactory(credibility=4), credibility_override=2)

    content = client.get(source.get_absolute_url()).content.decode()

    assert "Rating set for this source." in content
    assert "2/5" in content and "inherited" not in content


def test_a_stable_id_redirects_permanently_to_the_id_url(client, full_source):
    for ref in (full_source.stable_id, full_source.stable_id.removeprefix("sid_")):
        response = client.get(reverse("sources:source_detail", args=[ref]))
        assert response.status_code == 301
        assert response["Location"] == full_source.get_absolute_url()


@pytest.mark.parametrize("ref", ["ffffffffffffffff", "sid_nothing00000", "nothing"])
def test_an_unknown_source_is_a_404(client, ref):
    assert client.get(reverse("sources:source_detail", args=[ref])).status_code == 404


def test_the_source_page_query_count_does_not_grow_with_citing_pages(
    client, full_source, django_assert_max_num_queries
):
    url = full_source.get_absolute_url()
    # Seven for the source and its citing pages, one for the sources cited alongside it.
    with django_assert_max_num_queries(8):
        client.get(url)
    for _n in range(47):
        CitationFactory(source=full_source)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert "Cited by 50 pages" in response.content.decode()


def test_the_source_form_shows_the_pages_citing_it_and_its_snapshot_status(editor_client):
    source = source_create(url="https://example.org/cited", title="Cited")
    lonely = source_create(url="https://example.org/lonely", title="Lonely")
    for slug, title in (("beta", "Beta <b>page</b>"), ("alpha", "Alpha page")):
        page = wiki_page_create(slug=slug, title=title, type="risk", quality=55)
        citation_ensure(page=page, source=source)

    form = editor_client.get(reverse("admin:sources_source_change", args=[source.pk]))
    empty = editor_client.get(reverse("admin:sources_source_change", args=[lonely.pk]))

    html = form.content.decode()
    alpha, beta = WikiPage.objects.get(slug="alpha"), WikiPage.objects.get(slug="beta")
    assert html.index("Alpha page") < html.index("Beta &lt;b&gt;page&lt;/b&gt;")
    assert reverse("admin:wiki_wikipage_change", args=[alpha.pk]) in html
    assert f'href="{beta.get_absolute_url()}"' in html
    assert "Risk · quality 55" in html
    assert "Never fetched." in html
    assert "No page cites this source yet." in empty.content.decode()
