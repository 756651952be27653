"""The history of every record: entries from the admin, imports and commands; compare; revert;
and the staff's "Recent changes" list."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interchange.longterm_wiki.importer import longterm_wiki_import
from ratings.models import DecisionOrigin, ProposalStatus, RatingDecision, RatingProposal
from ratings.services import rating_proposal_approve, rating_proposal_create
from sources.models import Source, Venue
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from tests.html_forms import form_data
from tests.interchange.kb_builder import write_kb
from wiki.models import Citation, WikiPage
from wiki.services import wiki_page_create, wiki_page_update

pytestmark = pytest.mark.django_db


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def edit_in_admin(client, obj, **changes):
    """Open the record's admin form and save it with some fields changed."""
    url = admin_url(type(obj), "change", obj.pk)
    data = {**form_data(client.get(url).content), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    return response


def revert_in_admin(client, record, reason="Vandalism.", **changes):
    """Open a historical version's revert form and submit it with a reason."""
    model = record.instance_type
    url = admin_url(model, "simple_history", record.instance.pk, record.history_id)
    data = {**form_data(client.get(url).content), "revert_reason": reason, **changes}
    return client.post(url, data)


# -- entries ---------------------------------------------------------------------------


def test_an_admin_edit_records_who_changed_what(editor_client, editor):
    venue = VenueFactory(description="Before")

    edit_in_admin(editor_client, venue, description="After")

    latest, created = venue.history.all()[:2]
    assert (latest.history_type, latest.history_user, latest.description) == ("~", editor, "After")
    assert created.history_type == "+" and created.description == "Before"
    assert [c.field for c in latest.diff_against(created).changes] == ["description"]


def test_an_admin_delete_is_recorded_and_the_record_can_still_be_seen(
    admin_client, admin_user, editor_client
):
    source = SourceFactory(title="Short-lived")

    admin_client.post(admin_url(Source, "delete", source.pk), {"post": "yes"})

    deleted = Source.history.filter(id=source.pk).first()
    assert (deleted.history_type, deleted.history_user) == ("-", admin_user)
    page = editor_client.get(admin_url(Source, "history", source.pk))
    assert page.status_code == 200 and "Short-lived" in page.content.decode()


def test_citations_made_by_a_page_body_have_history_with_the_editor(editor_client, editor):
    source = SourceFactory(venue=VenueFactory(credibility=4))  # rated: no warning to answer
    page = WikiPageFactory(body="No citations yet.")

    edit_in_admin(editor_client, page, body=f"Claim.[[cite:{source.pk}|1]]")
    edit_in_admin(editor_client, page, body="Claim withdrawn.")

    rows = Citation.history.filter(page_id=page.pk).order_by("history_date", "history_id")
    assert [(r.history_type, r.history_user) for r in rows] == [("+", editor), ("-", editor)]


def test_proposals_have_history_through_their_decision(editor, moderator):
    venue = VenueFactory(credibility=4)
    proposal = rating_proposal_create(
        target=venue, values={"credibility": 3}, rationale="Lapsed.", user=editor
    )
    rating_proposal_approve(proposal=proposal, user=moderator, comment="Agreed.")

    statuses = [r.status for r in proposal.history.order_by("history_date", "history_id")]
    assert statuses[0] == ProposalStatus.PENDING
    assert statuses[-1] == ProposalStatus.APPROVED


def test_an_import_records_history_naming_the_file(tmp_path):
    longterm_wiki_import(write_kb(tmp_path))

    venue_rows = Venue.history.all()
    source_rows = Source.history.all()
    page_rows = WikiPage.history.all()
    assert venue_rows and source_rows and page_rows
    assert all(r.history_user is None for r in [*venue_rows, *source_rows, *page_rows])
    assert "Imported from resources/a.yaml" in {r.history_change_reason for r in source_rows}
    assert "Imported from pages/alpha-page.mdx" in {r.history_change_reason for r in page_rows}
    assert all(r.history_change_reason.startswith("Imported from") for r in venue_rows)
    assert Citation.history.exists()
    assert all(r.history_change_reason.startswith("Imported from") for r in Citation.history.all())


def test_a_dry_run_import_leaves_no_history(tmp_path):
    longterm_wiki_import(write_kb(tmp_path), dry_run=True)

    assert not Venue.history.exists() and not Source.history.exists()


def test_the_demo_loader_records_its_reason():
    call_command("load_demo", stdout=open("/dev/null", "w"))

    reasons = {r.history_change_reason for r in WikiPage.history.all()}
    assert reasons == {"Loaded by load_demo from demo_knowledge_base.yaml"}


# -- compare ---------------------------------------------------------------------------


def test_any_two_versions_compare_field_by_field(editor_client):
    page = WikiPageFactory(title="First", body="line one\nline two\nline three")
    edit_in_admin(editor_client, page, title="Second")
    edit_in_admin(editor_client, page, body="line one\nline 2\nline three")
    first, _second, third = page.history.order_by("history_date", "history_id")

    response = editor_client.get(
        admin_url(WikiPage, "history_compare", page.pk),
        {"old": first.history_id, "new": third.history_id},
    )

    content = response.content.decode()
    assert response.status_code == 200
    changed = {row.name for row in response.context["rows"] if row.changed}
    assert changed == {"title", "body", "last_edited"}  # an edit of the body dates the page
    body = next(row for row in response.context["rows"] if row.name == "body")
    assert ("-", "line two") in body.diff and ("+", "line 2") in body.diff
    assert 'data-field="title"' in content and "First" in content and "Second" in content


def test_the_history_page_offers_two_versions_to_compare(editor_client):
    venue = VenueFactory()
    edit_in_admin(editor_client, venue, description="Changed")

    content = editor_client.get(admin_url(Venue, "history", venue.pk)).content.decode()

    assert admin_url(Venue, "history_compare", venue.pk) in content
    assert content.count('type="radio" name="old"') == 2
    assert "<strong>Description:</strong>" in content


def test_comparing_a_version_of_another_record_is_refused(editor_client):
    venue, other = VenueFactory(), VenueFactory()

    response = editor_client.get(
        admin_url(Venue, "history_compare", venue.pk),
        {"old": other.history.first().history_id},
    )

    assert response.status_code == 404


# -- revert ----------------------------------------------------------------------------


def test_an_editor_reverts_a_change_and_the_revert_is_recorded(editor_client, editor):
    venue = VenueFactory(description="Careful text")
    edit_in_admin(editor_client, venue, description="Vandalised")
    original = venue.history.earliest("history_date")

    response = revert_in_admin(editor_client, original, reason="Undo vandalism.")

    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.description == "Careful text"
    latest = venue.history.first()
    assert latest.history_user == editor
    assert latest.history_change_reason.startswith("Reverted to the version of")
    assert latest.history_change_reason.endswith(f"(#{original.history_id}): Undo vandalism.")


def test_a_revert_needs_a_reason_and_changes_nothing_without_one(editor_client):
    venue = VenueFactory(description="Careful text")
    edit_in_admin(editor_client, venue, description="Vandalised")
    versions = venue.history.count()

    response = revert_in_admin(editor_client, venue.history.earliest("history_date"), reason="")

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    venue.refresh_from_db()
    assert venue.description == "Vandalised" and venue.history.count() == versions


def test_an_editor_reverting_to_other_ratings_proposes_them_instead(editor_client, editor):
    venue = VenueFactory(credibility=4, description="Old")
    original = venue.history.earliest("history_date")
    venue.credibility, venue.description = 2, "New"
    venue.save()

    response = revert_in_admin(editor_client, original, reason="Restore the reviewed version.")

    assert response.status_code == 302
    venue.refresh_from_db()
    assert (venue.description, venue.credibility) == ("Old", 2)
    proposal = RatingProposal.objects.get(venue=venue)
    assert proposal.proposed == {"credibility": 4} and proposal.proposed_by == editor
    assert "Restore the reviewed version." in proposal.rationale
    assert not RatingDecision.objects.exists()


def test_a_moderator_reverting_ratings_records_a_decision(moderator_client, moderator):
    page = WikiPageFactory(quality=60, focus=6)
    original = page.history.earliest("history_date")
    page.quality, page.focus = 20, 2
    page.save()

    response = revert_in_admin(moderator_client, original, reason="Scores were mistyped.")

    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.quality, page.focus) == (60, 6)
    decision = RatingDecision.objects.get(page=page)
    assert decision.origin == DecisionOrigin.DIRECT and decision.decided_by == moderator
    assert decision.new_values == {"focus": "6", "quality": 60}
    assert decision.rationale.endswith("Scores were mistyped.")


def test_reverting_a_page_body_brings_its_citations_back(editor_client):
    source = SourceFactory(venue=VenueFactory(credibility=4))  # rated: no warning to answer
    page = WikiPageFactory(body="Plain.")
    edit_in_admin(editor_client, page, body=f"Cited.[[cite:{source.pk}|1]]")
    cited_version = page.history.first()
    edit_in_admin(editor_client, page, body="Plain again.")
    assert not page.citations.exists()

    revert_in_admin(editor_client, cited_version, reason="The citation was right.")

    assert list(page.citations.values_list("source_id", flat=True)) == [source.pk]


def test_a_deleted_record_can_be_restored_from_its_history(editor_client):
    venue = VenueFactory(name="Gone Institute")
    venue_id = venue.pk
    venue.delete()
    before_delete = Venue.history.filter(id=venue_id, history_type="+").get()

    response = revert_in_admin(editor_client, before_delete, reason="Deleted by mistake.")

    assert response.status_code == 302
    assert Venue.objects.get(pk=venue_id).name == "Gone Institute"


def test_an_editor_cannot_see_the_history_of_another_editors_proposal(
    editor_client, django_user_model
):
    other = django_user_model.objects.create_user("other", is_staff=True)
    proposal = rating_proposal_create(
        target=VenueFactory(credibility=4), values={"credibility": 3}, rationale="x", user=other
    )

    for view, args in [("history", [proposal.pk]), ("history_compare", [proposal.pk])]:
        assert editor_client.get(admin_url(RatingProposal, view, *args)).status_code == 404


# -- recent changes --------------------------------------------------------------------


def changes(client, **params):
    params.setdefault("who", "all")  # factories write as a command would: no user
    response = client.get(reverse("recent_changes"), params)
    assert response.status_code == 200
    return [(c.kind, c.description, c.record.history_type) for c in response.context["changes"]]


def test_recent_changes_lists_every_kind_newest_first(editor_client, editor):
    venue = VenueFactory(name="Venue V")
    source = SourceFactory(title="Source S", venue=venue)
    page = WikiPageFactory(title="Page P")
    CitationFactory(page=page, source=source)
    rating_proposal_create(target=venue, values={"credibility": 1}, rationale="x", user=editor)

    listed = changes(editor_client)

    assert [kind for kind, _d, _t in listed] == [
        "proposal",
        "citation",
        "page",
        "source",
        "venue",
    ]
    assert ("citation", "Page P → Source S", "+") in listed


def test_recent_changes_filter_by_user_kind_action_and_date(editor_client, editor, moderator):
    venue = VenueFactory(name="Old venue")
    Venue.history.filter(id=venue.pk).update(history_date=timezone.now() - timedelta(days=40))
    edit_in_admin(editor_client, venue, description="Edited")
    SourceFactory(title="Unrelated")

    assert changes(editor_client, user=editor.pk) == [("venue", "Old venue", "~")]
    assert {k for k, _d, _t in changes(editor_client, kind="source")} == {"source"}
    assert changes(editor_client, kind="venue", action="+") == [("venue", "Old venue", "+")]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert ("venue", "Old venue", "+") not in changes(editor_client, since=since)
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert changes(editor_client, until=until) == [("venue", "Old venue", "+")]


def test_recent_changes_says_what_is_wrong_with_a_bad_filter(editor_client):
    VenueFactory()

    response = editor_client.get(
        reverse("recent_changes"), {"since": "2025-05-01", "until": "2025-01-01"}
    )

    assert "The end date is before the start date." in response.content.decode()


def test_editors_see_only_their_own_proposals_in_recent_changes(
    client, editor, moderator, django_user_model
):
    other = django_user_model.objects.create_user("other", is_staff=True)
    venue = VenueFactory(credibility=4)
    rating_proposal_create(target=venue, values={"credibility": 3}, rationale="x", user=other)

    client.force_login(editor)
    assert changes(client, kind="proposal") == []
    client.force_login(moderator)
    assert len(changes(client, kind="proposal")) == 1


def test_recent_changes_is_for_staff_only(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))

    response = client.get(reverse("recent_changes"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_recent_changes_queries_do_not_grow_with_rows(editor_client):
    def fill(n):
        for i in range(n):
            CitationFactory(source=SourceFactory(title=f"S{i}"))

    fill(2)
    with CaptureQueriesContext(connection) as short:
        editor_client.get(reverse("recent_changes"))
    fill(20)
    with CaptureQueriesContext(connection) as long:
        editor_client.get(reverse("recent_changes"))

    assert len(long) == len(short)


def test_the_version_list_counts_the_changed_lines_of_long_text(editor_client):
    body = "\n".join(f"Line {n} of a long page body that goes on." for n in range(60))
    page = wiki_page_create(slug="long", title="Long", body=body)
    wiki_page_update(page=page, body=body.replace("Line 41 of", "Line forty-one of"), title="L")

    html = editor_client.get(reverse("admin:wiki_wikipage_history", args=[page.pk])).content
    html = html.decode()

    assert "<strong>Body:</strong> 1 line added, 1 line removed" in html
    assert "<strong>Title:</strong> Long → L" in html


def test_recent_changes_shows_peoples_edits_and_one_line_per_import(editor_client, tmp_path):
    longterm_wiki_import(write_kb(tmp_path / "kb"))
    imported = sum(model.history.count() for model in (Venue, Source, WikiPage, Citation))
    venue = Venue.objects.order_by("pk").first()
    edit_in_admin(editor_client, venue, description="Edited by a person")

    response = editor_client.get(reverse("recent_changes"))

    listed = [(c.kind, c.record.history_user_id) for c in response.context["changes"]]
    assert listed == [("venue", response.wsgi_request.user.pk)]
    [run] = response.context["runs"]
    assert run.label == f"Import of {tmp_path / 'kb'}" and run.count == imported
    html = response.content.decode()
    assert f"{run.label}</a>: {imported} records" in html
    opened = editor_client.get(reverse("recent_changes") + "?" + run.query)
    assert opened.context["page_obj"].paginator.count == imported
    assert opened.context["runs"] == []
