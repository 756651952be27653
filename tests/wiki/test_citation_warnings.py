"""Warnings when citing weak evidence: each reason, the thresholds in settings, the preview,
and a save that newly cites such a source, refused without a reason and kept with one
(the reason recorded with the page's version)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sources.models import FetchOutcome
from tests.core.test_history import revert_in_admin
from tests.factories import SourceFactory, VenueFactory
from tests.html_forms import form_data
from wiki.evidence import citation_warning_reasons
from wiki.models import WikiPage
from wiki.services import wiki_page_create, wiki_page_update

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:wiki_wikipage_preview")


@pytest.mark.parametrize(
    ("made", "reasons"),
    [
        ({"credibility_override": 1}, ["rated 1 of 5 (Low)"]),
        ({"credibility_override": 2}, ["rated 2 of 5 (Mixed)"]),
        ({"credibility_override": 3}, []),
        ({}, ["not rated"]),
        (
            {"credibility_override": 4, "fetch_outcome": FetchOutcome.DEAD},
            ["its link is dead (at the last fetch)"],
        ),
        (
            {"fetch_outcome": FetchOutcome.PAYWALLED},
            ["not rated", "it is paywalled (at the last fetch)"],
        ),
        ({"credibility_override": 5, "fetch_outcome": FetchOutcome.OK}, []),
    ],
)
def test_each_reason_to_warn(made, reasons):
    assert list(citation_warning_reasons(SourceFactory(**made))) == reasons


def test_the_thresholds_are_settings(settings):
    low, unrated = SourceFactory(credibility_override=2), SourceFactory()
    settings.CREDENCE_CITATION_WARN_AT_MOST = 1
    settings.CREDENCE_CITATION_WARN_UNRATED = False

    assert citation_warning_reasons(low) == () and citation_warning_reasons(unrated) == ()
    settings.CREDENCE_CITATION_WARN_AT_MOST = 3
    assert citation_warning_reasons(SourceFactory(credibility_override=3)) == (
        "rated 3 of 5 (Good)",
    )


def test_the_preview_names_each_source_with_a_warning_and_why(editor_client):
    weak = SourceFactory(title="A rumour mill", credibility_override=1)
    good = SourceFactory(title="A careful study", venue=VenueFactory(credibility=5))

    html = editor_client.post(
        PREVIEW, {"body": f"[[cite:{weak.id}]] and [[cite:{good.id}]]"}
    ).content.decode()

    warnings = html[html.index('class="preview-warnings"') : html.index("</div>")]
    assert f"“A rumour mill” ({weak.id}): rated 1 of 5 (Low)" in warnings
    assert "A careful study" not in warnings


@pytest.fixture
def page():
    return wiki_page_create(slug="claims", title="Claims", body="Nothing cited yet.")


def _post(client, page, **changes):
    url = reverse("admin:wiki_wikipage_change", args=[page.pk])
    return client.post(url, {**form_data(client.get(url).content), **changes})


def test_saving_a_new_citation_of_a_weak_source_asks_for_a_reason(editor_client, page):
    weak = SourceFactory(title="A rumour mill", credibility_override=1)

    response = _post(editor_client, page, body=f"It is said [[cite:{weak.id}]].")

    assert response.status_code == 200  # the form again, with the error
    error = response.context["adminform"].form.errors["citation_warning_reason"][0]
    assert error.startswith("The body newly cites sources with warnings: “A rumour mill”")
    assert "rated 1 of 5 (Low)" in error
    assert WikiPage.objects.get(pk=page.pk).body == "Nothing cited yet."


def test_with_a_reason_the_citation_is_kept_and_the_reason_recorded(editor_client, page):
    weak = SourceFactory(title="A rumour mill", credibility_override=1)

    response = _post(
        editor_client,
        page,
        body=f"It is said [[cite:{weak.id}]].",
        citation_warning_reason="The only record of the statement.",
    )

    assert response.status_code == 302
    saved = WikiPage.objects.get(pk=page.pk)
    assert saved.citations.get().source == weak
    reason = saved.history.first().history_change_reason
    assert "The only record of the statement." in reason
    assert "A rumour mill" in reason and "rated 1 of 5 (Low)" in reason


def test_an_edit_keeping_a_weak_source_already_cited_asks_nothing(editor_client):
    weak = SourceFactory(credibility_override=1)
    page = wiki_page_create(slug="old", title="Old", body=f"Said [[cite:{weak.id}]].")

    response = _post(editor_client, page, body=f"Still said [[cite:{weak.id}]].")

    assert response.status_code == 302
    assert WikiPage.objects.get(pk=page.pk).body == f"Still said [[cite:{weak.id}]]."


def test_a_new_page_citing_a_weak_source_asks_for_a_reason_too(editor_client):
    weak = SourceFactory(credibility_override=2)
    url = reverse("admin:wiki_wikipage_add")
    data = form_data(editor_client.get(url).content)
    data.update(title="Fresh", slug="fresh", type="concept", status="draft")
    data["body"] = f"[[cite:{weak.id}]]"

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "citation_warning_reason" in response.context["adminform"].form.errors
    assert not WikiPage.objects.filter(slug="fresh").exists()


def test_a_revert_bringing_a_weak_citation_back_needs_only_its_own_reason(editor_client):
    weak = SourceFactory(credibility_override=1)
    page = wiki_page_create(slug="undo", title="Undo", body=f"Said [[cite:{weak.id}]].")
    cited_version = page.history.first()
    wiki_page_update(page=page, body="Nothing now.")

    response = revert_in_admin(editor_client, cited_version, reason="The edit was vandalism.")

    assert response.status_code == 302
    assert WikiPage.objects.get(pk=page.pk).citations.get().source == weak


def _row(source) -> dict:
    """The citation inline's first (extra) row, citing `source`."""
    return {"citations-0-source": source.pk, "citations-0-position": "1"}


def test_a_citation_row_added_by_hand_warns_as_a_marker_does(editor_client, page):
    weak = SourceFactory(title="A rumour mill", credibility_override=1)

    response = _post(editor_client, page, **_row(weak))

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert errors[0].startswith("The citations added here cite sources with warnings: “A rumour")
    assert "rated 1 of 5 (Low)" in errors[0]
    assert not page.citations.exists()

    response = _post(
        editor_client, page, **_row(weak), citation_warning_reason="Quoted, not relied on."
    )

    assert response.status_code == 302
    assert page.citations.get().source == weak
    reason = WikiPage.objects.get(pk=page.pk).history.first().history_change_reason
    assert "Quoted, not relied on." in reason and "A rumour mill" in reason


def test_a_citation_row_of_a_sound_source_asks_nothing(editor_client, page):
    sound = SourceFactory(credibility_override=5, fetch_outcome=FetchOutcome.OK)

    response = _post(editor_client, page, **_row(sound))

    assert response.status_code == 302
    assert page.citations.get().source == sound


def test_a_weak_source_the_page_already_cites_by_hand_asks_nothing(editor_client, page):
    weak = SourceFactory(credibility_override=1)
    _post(editor_client, page, **_row(weak), citation_warning_reason="Kept on purpose.")

    response = _post(editor_client, page, description="Only the description changes.")

    assert response.status_code == 302
    assert WikiPage.objects.get(pk=page.pk).description == "Only the description changes."
