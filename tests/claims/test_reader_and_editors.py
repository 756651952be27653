"""What readers see of the claim checks (under each reference, on each marker, in the
snapshot) and the editors' list with a person's verdict."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.matching import Outcome
from claims.models import ClaimCheck, Verdict
from claims.services import claim_check_verdict_set, page_claims_check
from sources.models import FetchOutcome, Snapshot
from tests.claims.test_checks import SUPPORTED, UNRELATED, WRONG_NUMBER, snapshot
from tests.factories import SourceFactory, VenueFactory
from wiki.services import wiki_page_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    source = SourceFactory(title="Compute report", venue=VenueFactory())
    snapshot(source)
    return source


def checked_page(body, slug="p"):
    page = wiki_page_create(slug=slug, title="Page", body=body, status="published")
    page_claims_check(page)
    return page


def page_html(client, page) -> str:
    response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_under_the_reference_the_source_says_with_a_link_to_the_place_and_date(client, report):
    page = checked_page(f"{SUPPORTED}[[cite:{report.id}]]")
    check = ClaimCheck.objects.get()
    html = page_html(client, page)

    references = html[html.index('id="references-heading"') :]
    assert "The source says:" in references
    assert "the authors surveyed 58% of the largest laboratories" in references
    link = reverse("sources:snapshot_detail", args=[report.id, check.snapshot_id])
    assert f"{link}?from={check.passage_start}&amp;to={check.passage_end}#passage" in references
    date = check.snapshot.fetched_at.strftime("%-d %b %Y")
    assert "snapshot of <time" in references and date in references
    # A supported marker carries no state.
    assert '<sup class="cite" id="cite-1-1">' in html


@pytest.mark.parametrize(
    "claim, css, shape, words",
    [
        (UNRELATED, "cite-not-found", "✗", "not found in the source"),
        (None, "cite-unchecked", "○", "no snapshot to check"),
    ],
)
def test_a_marker_shows_its_state_as_a_shape_and_words(client, report, claim, css, shape, words):
    source = report if claim else SourceFactory(title="Never fetched")
    page = checked_page(f"{claim or 'A claim.'}[[cite:{source.id}]]")
    html = page_html(client, page)

    marker = re.search(r'<sup class="cite [^"]*" id="cite-1-1">.*?</sup>', html).group(0)
    assert css in marker
    assert f'<span aria-hidden="true">{shape}</span>' in marker
    assert f'<span class="visually-hidden"> ({words})</span>' in marker


def test_a_weak_match_shows_on_its_marker(client, report):
    page = checked_page(f"{SUPPORTED}[[cite:{report.id}]]")
    ClaimCheck.objects.update(outcome=Outcome.WEAK)  # the state comes from the stored outcome
    html = page_html(client, page)

    assert '<sup class="cite cite-weak" id="cite-1-1">' in html
    assert "A weak match." in html


def test_numbers_and_quotations_the_source_lacks_are_named(client, report):
    page = checked_page(f"{WRONG_NUMBER}[[cite:{report.id}]]")
    html = page_html(client, page)

    assert "Numbers not in the source: 72%." in html


def test_snapshot_text_is_escaped_under_the_reference_and_in_the_snapshot(client):
    source = SourceFactory(title="Hostile")
    text = (
        "The laboratories surveyed <script>alert(1)</script> mostly lacked incident "
        "reporting processes, the authors found after a long survey."
    )
    snap = snapshot(source, text=text)
    page = checked_page(
        f"Most laboratories lacked incident reporting processes.[[cite:{source.id}]]"
    )
    check = ClaimCheck.objects.get()
    assert "<script>" in check.passage

    html = page_html(client, page)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    url = reverse("sources:snapshot_detail", args=[source.id, snap.pk])
    shown = client.get(url, {"from": check.passage_start, "to": check.passage_end})
    content = shown.content.decode()
    assert '<mark id="passage">' in content
    assert "<script>alert(1)</script>" not in content


@pytest.mark.parametrize(
    "start, end", [("", ""), ("5", "2"), ("0", "999999"), ("x", "3"), ("-1", "4")]
)
def test_a_snapshot_link_with_no_passage_in_range_shows_the_text_unmarked(
    client, report, start, end
):
    snap = report.snapshots.get()
    url = reverse("sources:snapshot_detail", args=[report.id, snap.pk])
    response = client.get(url, {"from": start, "to": end})

    assert response.status_code == 200
    assert "<mark" not in response.content.decode()
    assert "surveyed 58% of the largest laboratories" in response.content.decode()


def test_a_persons_verdict_stands_above_the_machines(client, report, editor):
    page = checked_page(f"{SUPPORTED}[[cite:{report.id}]]")
    claim_check_verdict_set(
        check=ClaimCheck.objects.get(),
        verdict=Verdict.NOT_SUPPORTED,
        note="The survey counted labs, not processes.",
        user=editor,
    )
    html = page_html(client, page)

    references = html[html.index('id="references-heading"') :]
    verdict = references.index("Checked by a person: not supported")
    assert verdict < references.index("The source says:")
    assert "The survey counted labs, not processes." in references
    assert '<sup class="cite cite-not-supported" id="cite-1-1">' in html


def test_a_new_check_shows_on_the_cached_page(client, report):
    page = wiki_page_create(
        slug="p", title="Page", body=f"{UNRELATED}[[cite:{report.id}]]", status="published"
    )
    assert "The source says:" not in page_html(client, page)  # cached now, no checks yet
    Snapshot.objects.create(
        source=report, requested_url=report.url, outcome=FetchOutcome.OK, text=UNRELATED * 3
    )
    page_claims_check(page)

    assert "The source says:" in page_html(client, page)


def test_the_page_query_count_is_the_same_for_one_citation_and_fifty(client):
    sources = [SourceFactory(venue=VenueFactory()) for _ in range(50)]
    for source in sources:
        snapshot(source)
    small = checked_page(f"{SUPPORTED}[[cite:{sources[0].id}]]", slug="small")
    large = checked_page(
        " ".join(f"{SUPPORTED}[[cite:{s.id}]] {UNRELATED}[[cite:{s.id}]]" for s in sources),
        slug="large",
    )
    assert ClaimCheck.objects.filter(page=large).count() == 100

    counts = []
    for page in (small, large):
        with CaptureQueriesContext(connection) as queries:
            html = page_html(client, page)
        counts.append(len(queries))
        assert "The source says:" in html
    assert counts[0] == counts[1]


# --- the editors' list ------------------------------------------------------------------


def test_editors_list_checks_filtered_by_outcome_page_and_source(editor_client, report):
    other = SourceFactory(title="Never fetched")
    one = checked_page(f"{SUPPORTED}[[cite:{report.id}]] Else.[[cite:{other.id}]]", slug="one")
    two = checked_page(f"{UNRELATED}[[cite:{report.id}]]", slug="two")
    url = reverse("admin:claims_claimcheck_changelist")

    def listed(**params):
        response = editor_client.get(url, params)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    every = set(ClaimCheck.objects.all())
    assert listed() == every
    assert listed(outcome__exact=Outcome.NOT_FOUND) == {ClaimCheck.objects.get(page=two)}
    assert listed(page__id__exact=one.pk) == set(ClaimCheck.objects.filter(page=one))
    assert listed(source__id__exact=other.pk) == {ClaimCheck.objects.get(source=other)}
    assert listed(outcome__exact=Outcome.UNCHECKED) == {ClaimCheck.objects.get(source=other)}


def test_an_editor_gives_a_verdict_and_a_refused_one_says_why(editor_client, editor, report):
    checked_page(f"{UNRELATED}[[cite:{report.id}]]")
    check = ClaimCheck.objects.get()
    url = reverse("admin:claims_claimcheck_change", args=[check.pk])

    refused = editor_client.post(url, {"verdict": Verdict.NOT_SUPPORTED, "verdict_note": ""})
    assert refused.status_code == 200
    assert "Say why, in a note" in refused.content.decode()
    check.refresh_from_db()
    assert check.verdict == ""

    saved = editor_client.post(
        url, {"verdict": Verdict.NOT_SUPPORTED, "verdict_note": "Nothing on penguins."}
    )
    assert saved.status_code == 302
    check.refresh_from_db()
    assert (check.verdict, check.verdict_note, check.verdict_by) == (
        Verdict.NOT_SUPPORTED,
        "Nothing on penguins.",
        editor,
    )
    assert check.verdict_at is not None


def test_checks_are_not_added_by_hand(editor_client):
    response = editor_client.get(reverse("admin:claims_claimcheck_add"))
    assert response.status_code == 403


def test_a_source_with_no_snapshot_is_said_once_under_its_reference(client):
    source = SourceFactory(title="Never fetched")
    page = checked_page(" ".join(f"Claim {n}.[[cite:{source.id}]]" for n in range(3)))
    html = page_html(client, page)

    references = html[html.index('id="references-heading"') :]
    assert references.count("No snapshot to check yet.") == 1
    assert html.count('class="cite cite-unchecked"') == 3


def test_editors_list_checks_with_a_number_or_quotation_the_source_lacks(editor_client, report):
    checked_page(f"{WRONG_NUMBER}[[cite:{report.id}]] {SUPPORTED}[[cite:{report.id}]]")
    url = reverse("admin:claims_claimcheck_changelist")

    numbers = editor_client.get(url, {"flagged": "numbers"}).context["cl"].result_list
    quotes = editor_client.get(url, {"flagged": "quotes"}).context["cl"].result_list

    assert [check.claim for check in numbers] == [WRONG_NUMBER]
    assert list(quotes) == []
