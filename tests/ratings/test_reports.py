"""Readers report a rating they think is wrong; moderators see the reports."""

import re

import pytest
from django.core.cache import cache
from django.templatetags.static import static
from django.urls import reverse

from ratings.models import RatingReport, ReportStatus
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory

pytestmark = pytest.mark.django_db

REPORT = {"what": "The credibility is too high", "why": "It republishes press releases."}


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def report_url(kind, ref):
    return reverse("ratings:rating_report", args=[kind, ref])


@pytest.mark.parametrize("kind", ["venue", "source", "page"])
def test_a_reader_reports_from_any_rated_page(client, kind):
    target, ref = {
        "venue": lambda: (v := VenueFactory(), v.slug),
        "source": lambda: (s := SourceFactory(), s.pk),
        "page": lambda: (p := WikiPageFactory(), p.slug),
    }[kind]()
    page = client.get(target.get_absolute_url()).content.decode()
    assert report_url(kind, ref) in page

    response = client.post(report_url(kind, ref), {**REPORT, "email": "r@example.org"})

    assert response.status_code == 302 and response["Location"] == target.get_absolute_url()
    report = RatingReport.objects.get()
    assert report.target == target
    assert (report.what, report.email, report.status) == (
        REPORT["what"],
        "r@example.org",
        ReportStatus.OPEN,
    )
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_the_form_works_without_javascript_and_labels_every_field(client):
    venue = VenueFactory()

    content = client.get(report_url("venue", venue.slug)).content.decode()

    # The only script on the page is the header box's suggestions, which the form does not need.
    assert re.findall(r"<script[^>]*>", content) == [
        f'<script src="{static("js/search-suggest.js")}" defer>'
    ]
    for name in ("what", "why", "email", "website"):
        assert f'<label for="id_{name}">' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_a_missing_reason_is_explained_and_the_text_kept(client):
    venue = VenueFactory()

    response = client.post(report_url("venue", venue.slug), {"what": "Too high", "why": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert 'value="Too high"' in response.content.decode()
    assert not RatingReport.objects.exists()


def test_the_honeypot_catches_bots_without_telling_them(client):
    venue = VenueFactory()

    response = client.post(
        report_url("venue", venue.slug), {**REPORT, "website": "http://spam.example"}
    )

    assert response.status_code == 302
    assert not RatingReport.objects.exists()


def test_reports_are_rate_limited_per_client(client, settings):
    settings.CREDENCE_REPORTS_PER_HOUR = 2
    venue = VenueFactory()
    url = report_url("venue", venue.slug)

    statuses = [client.post(url, REPORT).status_code for _n in range(3)]
    other = client.post(url, REPORT, REMOTE_ADDR="10.9.8.7")

    assert statuses == [302, 302, 429]
    assert other.status_code == 302
    assert RatingReport.objects.count() == 3


def test_the_report_limit_holds_however_full_the_cache_gets(client, settings):
    """The counter is not in the cache: pages filling (or a clear of) the local-memory
    cache once evicted it, and more reports got through."""
    settings.CREDENCE_REPORTS_PER_HOUR = 2
    url = report_url("venue", VenueFactory().slug)

    statuses = [client.post(url, REPORT).status_code for _n in range(2)]
    cache.clear()
    statuses.append(client.post(url, REPORT).status_code)

    assert statuses == [302, 302, 429]


def test_the_report_limit_counts_the_forwarded_client_behind_the_proxy(client, settings):
    settings.CREDENCE_REPORTS_PER_HOUR = 1
    settings.CREDENCE_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    url = report_url("venue", VenueFactory().slug)

    first = client.post(url, REPORT, HTTP_X_FORWARDED_FOR="203.0.113.9")
    again = client.post(url, REPORT, HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = client.post(url, REPORT, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert (first.status_code, again.status_code, other.status_code) == (302, 429, 302)


def test_an_oversized_report_is_refused(client):
    venue = VenueFactory()

    response = client.post(report_url("venue", venue.slug), {**REPORT, "why": "x" * 20_000})

    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not RatingReport.objects.exists()


def test_a_report_longer_than_the_limit_is_explained(client):
    venue = VenueFactory()

    response = client.post(report_url("venue", venue.slug), {**REPORT, "why": "x" * 2001})

    assert "at most 2000 characters" in response.content.decode()
    assert not RatingReport.objects.exists()


def test_the_form_needs_a_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    venue = VenueFactory()

    response = strict.post(report_url("venue", venue.slug), REPORT)

    assert response.status_code == 403
    assert not RatingReport.objects.exists()


def test_moderators_see_and_close_reports(client, moderator_client):
    venue = VenueFactory()
    client.post(report_url("venue", venue.slug), REPORT)
    report = RatingReport.objects.get()

    index = moderator_client.get(reverse("admin:index")).content.decode()
    moderator_client.post(
        reverse("admin:ratings_ratingreport_changelist"),
        {"action": "mark_resolved", "_selected_action": [report.pk]},
    )

    assert "1 reader report open" in index
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED


def test_editors_do_not_see_reports(editor_client):
    response = editor_client.get(reverse("admin:ratings_ratingreport_changelist"))

    assert response.status_code == 403
