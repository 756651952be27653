import pytest

from sources.domains import VenueMatcher, domain_normalize
from sources.selectors import venue_for_url
from sources.services import source_create, venue_create

NATURE, NATURE_ARTICLES, EXAMPLE, BLOG = 1, 2, 3, 4

MATCHER = VenueMatcher(
    [
        ("nature.com", NATURE),
        ("nature.com/articles", NATURE_ARTICLES),
        ("example.org", EXAMPLE),
        ("blog.example.org", BLOG),
    ]
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/report", EXAMPLE),
        ("https://www.example.org/report", EXAMPLE),
        ("http://EXAMPLE.org:8080/x", EXAMPLE),
        ("https://news.example.org/2024/post", EXAMPLE),
        ("https://deep.news.example.org/post", EXAMPLE),
        ("https://blog.example.org/post", BLOG),
        ("https://www.blog.example.org/post", BLOG),
        ("https://x.blog.example.org/post", BLOG),
        ("https://www.nature.com/articles/s41586-024-0001", NATURE_ARTICLES),
        ("https://nature.com/articles", NATURE_ARTICLES),
        ("https://www.nature.com/news/some-story", NATURE),
        ("https://www.nature.com/articlesxyz", NATURE),
    ],
)
def test_longest_matching_domain_wins(url, expected):
    assert MATCHER.match_id(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://notexample.org/x",
        "https://example.org.evil.net/x",
        "https://other.net/",
        "not a url",
        "",
    ],
)
def test_no_match_gives_none(url):
    assert MATCHER.match_id(url) is None


def test_path_prefixed_domain_alone_matches_only_under_its_path():
    matcher = VenueMatcher([("nature.com/articles", NATURE_ARTICLES)])

    assert matcher.match_id("https://nature.com/articles/abc") == NATURE_ARTICLES
    assert matcher.match_id("https://nature.com/news/abc") is None
    assert matcher.match_id("https://nature.com/") is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Example.ORG", "example.org"),
        ("https://www.example.org/", "example.org"),
        ("http://nature.com/articles/", "nature.com/articles"),
        ("www.nature.com/Articles", "nature.com/articles"),
    ],
)
def test_domains_are_stored_normalized(typed, stored):
    assert domain_normalize(typed) == stored


@pytest.mark.django_db
def test_a_source_saved_without_venue_gets_the_inferred_one():
    venue = venue_create(slug="carnegie", name="Carnegie", domains=["carnegieendowment.org"])

    source = source_create(url="https://www.carnegieendowment.org/research/2025/10/x")

    assert source.venue == venue


@pytest.mark.django_db
def test_inference_prefers_the_path_prefixed_venue_in_the_database():
    venue_create(slug="springer", name="Springer Nature", domains=["nature.com"])
    journal = venue_create(slug="nature", name="Nature", domains=["nature.com/articles"])

    assert venue_for_url("https://www.nature.com/articles/d41586-1") == journal
    assert venue_for_url("https://www.nature.com/news").slug == "springer"


@pytest.mark.django_db
def test_a_subdomain_source_inherits_the_parent_domain_venue():
    venue = venue_create(slug="example", name="Example", domains=["example-org.org"])

    source = source_create(url="https://blog.example-org.org/2024/post")

    assert source.venue == venue


@pytest.mark.django_db
def test_an_explicit_venue_is_kept():
    venue_create(slug="carnegie", name="Carnegie", domains=["carnegieendowment.org"])
    other = venue_create(slug="other", name="Other")

    source = source_create(url="https://carnegieendowment.org/x", venue=other)

    assert source.venue == other


@pytest.mark.django_db
def test_a_url_matching_no_domain_leaves_the_venue_empty():
    venue_create(slug="carnegie", name="Carnegie", domains=["carnegieendowment.org"])

    source = source_create(url="https://someones-homepage.net/essay")

    assert source.venue is None
