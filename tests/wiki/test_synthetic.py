"""generate_synthetic: realistic, consistent data at any size, searchable at once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sources.models import Source, SourceAuthor, Venue
from sources.search import search_filter
from wiki.markup import body_references
from wiki.models import Citation, WikiPage

pytestmark = pytest.mark.django_db


def test_it_fills_every_kind_with_consistent_rows():
    out = StringIO()

    call_command("generate_synthetic", "--sources", "120", "--pages", "15", stdout=out)

    assert "Generated 20 venues, 120 sources, 15 pages." in out.getvalue()
    assert Source.objects.count() == 120 and WikiPage.objects.count() == 15
    assert Venue.objects.count() == 20 and SourceAuthor.objects.exists()
    assert Source.objects.filter(tags__isnull=False).exists()
    # Every body marker is a citation, in order; the database constraints all held.
    for page in WikiPage.objects.all():
        markers = list(dict.fromkeys(r.ref for r in body_references(page.body) if r.is_citation))
        assert list(page.citations.values_list("source_id", flat=True)) == markers
        assert page.word_count > 0
    assert Citation.objects.count() > 15
    assert Source.history.count() == 120  # history rows too
    for source in Source.objects.select_related("venue")[:20]:
        assert source.venue.domains.get().domain in source.url  # venue matches its URL


def test_generated_data_is_searchable_at_once():
    call_command("generate_synthetic", "--sources", "50", "--pages", "5", stdout=StringIO())

    common = search_filter(Source.objects.all(), "sources", "model ").count()
    assert 0 < common <= 50
    assert search_filter(WikiPage.objects.all(), "pages", "risk or model").exists()


def test_the_same_seed_gives_the_same_data_and_runs_add_up():
    def generate(seed, pages="0"):
        args = ["--sources", "10", "--pages", pages, "--seed", str(seed)]
        call_command("generate_synthetic", *args, stdout=StringIO())

    generate(5)
    first = sorted(Source.objects.values_list("url", "title"))
    Source.objects.all().delete()
    Venue.objects.all().delete()
    generate(5)
    again = sorted(Source.objects.values_list("url", "title"))
    generate(6, pages="2")

    assert first == again
    assert Source.objects.count() == 20 and WikiPage.objects.count() == 2


def test_pages_without_any_source_are_refused():
    with pytest.raises(CommandError, match="Pages cite sources"):
        call_command("generate_synthetic", "--sources", "0", "--pages", "3")
