"""Merging a duplicate source into the one that stays."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from merging.services import (
    MERGE_INTO_ITSELF,
    NOT_A_MODERATOR_CHOICE,
    KeepRating,
    source_merge,
)
from ratings.models import DecisionOrigin, ProposalStatus, RatingDecision, RatingProposal
from sources.models import FetchOutcome, Snapshot, Source, SourceAlias
from sources.selectors import source_resolve_refs
from sources.services import source_authors_set, source_key_points_set
from tests.factories import CitationFactory, SourceFactory, VenueFactory, WikiPageFactory
from wiki.models import Citation
from wiki.services import wiki_page_citations_sync, wiki_page_create

pytestmark = pytest.mark.django_db


def _snapshot(source):
    return Snapshot.objects.create(
        source=source, requested_url=source.url, outcome=FetchOutcome.OK, text="Text."
    )


@pytest.fixture
def pair():
    venue = VenueFactory(credibility=4)
    survivor = SourceFactory(url="https://arxiv.org/abs/2401.02843", venue=venue, summary="")
    duplicate = SourceFactory(
        url="https://arxiv.org/pdf/2401.02843v2",
        venue=venue,
        summary="A summary only the PDF entry had.",
        doi="10.5555/merge",
    )
    return survivor, duplicate


def test_merge_moves_citations_tags_snapshots_and_fills_what_the_survivor_lacks(pair, editor):
    survivor, duplicate = pair
    only_duplicate = CitationFactory(source=duplicate, note="cites the PDF")
    both_page = WikiPageFactory()
    CitationFactory(page=both_page, source=survivor)
    CitationFactory(page=both_page, source=duplicate)
    survivor.tags.add("alignment")
    duplicate.tags.add("interpretability", "Alignment")
    kept_snapshot, moved_snapshot = _snapshot(survivor), _snapshot(duplicate)
    source_authors_set(source=duplicate, names=["Ada Author"])
    source_key_points_set(source=duplicate, points=["A point."])

    result = source_merge(survivor=survivor, duplicate=duplicate, user=editor, reason="PDF form")

    assert not Source.objects.filter(pk=duplicate.pk).exists()
    assert (result.citations_moved, result.citations_joined, result.snapshots_moved) == (1, 1, 1)
    only_duplicate.refresh_from_db()
    assert only_duplicate.source_id == survivor.pk and only_duplicate.note == "cites the PDF"
    assert Citation.objects.filter(page=both_page).count() == 1
    assert set(survivor.snapshots.all()) == {kept_snapshot, moved_snapshot}
    survivor.refresh_from_db()
    assert sorted(t.name.lower() for t in survivor.tags.all()) == ["alignment", "interpretability"]
    assert survivor.summary == "A summary only the PDF entry had."
    assert survivor.doi == "10.5555/merge"
    assert [a.name for a in survivor.authors.all()] == ["Ada Author"]
    assert [p.text for p in survivor.key_points.all()] == ["A point."]


def test_the_old_id_redirects_permanently_and_old_markers_cite_the_survivor(pair, editor, client):
    survivor, duplicate = pair
    source_merge(survivor=survivor, duplicate=duplicate, user=editor)

    for ref in (duplicate.pk, duplicate.stable_id):
        response = client.get(reverse("sources:source_detail", args=[ref]))
        assert response.status_code == 301
        assert response["Location"] == survivor.get_absolute_url()
    resolved = source_resolve_refs([duplicate.pk, duplicate.stable_id, survivor.pk])
    assert {ref: source.pk for ref, source in resolved.items()} == {
        duplicate.pk: survivor.pk,
        duplicate.stable_id: survivor.pk,
        survivor.pk: survivor.pk,
    }


def test_a_page_body_citing_the_old_id_renders_the_survivor(pair, editor, client):
    survivor, duplicate = pair
    page = wiki_page_create(slug="claims", title="Claims", body=f"A claim.[[cite:{duplicate.pk}]]")
    assert page.citations.get().source_id == duplicate.pk
    source_merge(survivor=survivor, duplicate=duplicate, user=editor)

    response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    assert survivor.get_absolute_url() in response.content.decode()
    assert duplicate.get_absolute_url() not in response.content.decode()
    # Saving the body again finds the same citation, now of the survivor.
    wiki_page_citations_sync(page=page)
    assert [c.source_id for c in page.citations.all()] == [survivor.pk]


def test_merging_a_source_merged_into_before_carries_its_aliases(editor):
    first, second, third = (SourceFactory() for _ in range(3))
    source_merge(survivor=second, duplicate=first, user=editor)
    source_merge(survivor=third, duplicate=second, user=editor)

    assert set(SourceAlias.objects.filter(source=third).values_list("old_id", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_both_histories_record_the_merge_with_its_reason(pair, editor):
    survivor, duplicate = pair
    source_merge(survivor=survivor, duplicate=duplicate, user=editor, reason="PDF form")

    latest = survivor.history.first()
    assert latest.history_change_reason.startswith(f"Merged source {duplicate.pk} ")
    assert latest.history_change_reason.endswith("PDF form")
    assert latest.history_user == editor
    gone = Source.history.filter(id=duplicate.pk).first()
    assert gone.history_type == "-"
    assert gone.history_change_reason.startswith(f"Merged into source {survivor.pk} ")
    assert gone.history_user == editor


def test_a_source_cannot_be_merged_into_itself(pair, editor):
    survivor, _duplicate = pair
    with pytest.raises(ValidationError) as error:
        source_merge(survivor=survivor, duplicate=survivor, user=editor)

    assert error.value.messages == [str(MERGE_INTO_ITSELF)]
    assert Source.objects.filter(pk=survivor.pk).exists()


@pytest.fixture
def differing():
    survivor = SourceFactory(venue=VenueFactory(credibility=4))
    duplicate = SourceFactory(credibility_override=2)
    CitationFactory(source=duplicate)
    return survivor, duplicate


def test_a_moderator_must_choose_which_rating_stands(differing, moderator):
    survivor, duplicate = differing
    with pytest.raises(ValidationError) as error:
        source_merge(survivor=survivor, duplicate=duplicate, user=moderator)

    assert error.value.code == "rating_choice"
    assert "(4 and 2)" in error.value.messages[0]
    assert Source.objects.filter(pk=duplicate.pk).exists(), "nothing is merged"
    assert Citation.objects.filter(source=duplicate).exists()


def test_a_moderator_keeping_the_duplicates_rating_records_a_decision(differing, moderator):
    survivor, duplicate = differing
    result = source_merge(
        survivor=survivor, duplicate=duplicate, user=moderator, keep_rating=KeepRating.DUPLICATE
    )

    survivor.refresh_from_db()
    assert survivor.effective_credibility == 2
    decision = RatingDecision.objects.get(source=survivor, origin=DecisionOrigin.DIRECT)
    assert decision == result.decision
    assert decision.decided_by == moderator
    assert duplicate.pk in decision.rationale


def test_a_moderator_keeping_the_survivors_rating_changes_no_rating(differing, moderator):
    survivor, duplicate = differing
    source_merge(
        survivor=survivor, duplicate=duplicate, user=moderator, keep_rating=KeepRating.SURVIVOR
    )

    survivor.refresh_from_db()
    assert survivor.effective_credibility == 4
    assert not RatingProposal.objects.exists()


def test_an_editor_merge_keeps_the_survivors_rating_and_proposes_the_other(differing, editor):
    survivor, duplicate = differing
    result = source_merge(survivor=survivor, duplicate=duplicate, user=editor)

    survivor.refresh_from_db()
    assert survivor.effective_credibility == 4
    proposal = RatingProposal.objects.get(source=survivor)
    assert proposal == result.proposal
    assert proposal.status == ProposalStatus.PENDING
    assert proposal.proposed == {"credibility_override": 2}
    assert proposal.proposed_by == editor


def test_an_editor_cannot_choose_the_duplicates_rating(differing, editor):
    survivor, duplicate = differing
    with pytest.raises(ValidationError) as error:
        source_merge(
            survivor=survivor, duplicate=duplicate, user=editor, keep_rating=KeepRating.DUPLICATE
        )
    assert error.value.messages == [str(NOT_A_MODERATOR_CHOICE)]


def test_rating_records_of_the_duplicate_move_to_the_survivor(differing, moderator):
    survivor, duplicate = differing
    RatingDecision.objects.create(
        source=duplicate,
        old_values={},
        new_values={"credibility_override": 2},
        rationale="Rated low.",
        origin=DecisionOrigin.DIRECT,
        decided_by=moderator,
    )
    source_merge(
        survivor=survivor, duplicate=duplicate, user=moderator, keep_rating=KeepRating.SURVIVOR
    )

    assert RatingDecision.objects.filter(source=survivor, rationale="Rated low.").exists()


# The admin's list and merge step.


def test_the_admin_lists_groups_and_merges_one_into_another(pair, editor_client):
    survivor, duplicate = pair
    CitationFactory(source=survivor)
    listing = editor_client.get(reverse("merging_duplicates"))
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "arxiv:2401.02843" in html
    assert survivor.url in html and duplicate.url in html

    review = editor_client.get(
        reverse("merging_merge"), {"survivor": survivor.pk, "duplicate": duplicate.pk}
    )
    assert review.status_code == 200
    assert 'id="merge-form"' in review.content.decode()
    assert Source.objects.filter(pk=duplicate.pk).exists(), "a review changes nothing"

    done = editor_client.post(
        reverse("merging_merge"),
        {"survivor": survivor.pk, "duplicate": duplicate.pk, "reason": "PDF form"},
        follow=True,
    )
    assert f"Merged {duplicate.pk} into {survivor.pk}" in done.content.decode()
    assert not Source.objects.filter(pk=duplicate.pk).exists()
    assert 'id="no-duplicates"' in done.content.decode()


def test_the_admin_asks_a_moderator_which_rating_stands(differing, moderator_client):
    survivor, duplicate = differing
    url = reverse("merging_merge")
    pair = {"survivor": survivor.pk, "duplicate": duplicate.pk}

    unanswered = moderator_client.post(url, pair)
    assert unanswered.status_code == 200
    assert "This field is required." in unanswered.content.decode()
    assert Source.objects.filter(pk=duplicate.pk).exists()

    moderator_client.post(url, {**pair, "keep_rating": KeepRating.DUPLICATE})
    survivor.refresh_from_db()
    assert survivor.effective_credibility == 2


def test_the_admin_tells_an_editor_a_proposal_will_be_made(differing, editor_client):
    survivor, duplicate = differing
    review = editor_client.get(
        reverse("merging_merge"), {"survivor": survivor.pk, "duplicate": duplicate.pk}
    )
    assert 'id="rating-proposal-note"' in review.content.decode()
    assert "keep_rating" not in review.content.decode()


def test_the_admin_refuses_a_merge_into_itself(pair, editor_client):
    survivor, _duplicate = pair
    response = editor_client.post(
        reverse("merging_merge"), {"survivor": survivor.pk, "duplicate": survivor.pk}
    )
    assert str(MERGE_INTO_ITSELF) in response.content.decode()
    assert Source.objects.filter(pk=survivor.pk).exists()


def test_merging_needs_the_merge_permission(pair, client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(viewer)
    assert client.get(reverse("merging_duplicates")).status_code == 403


def test_a_source_created_again_under_a_merged_id_can_be_merged_again(editor):
    survivor = SourceFactory(url="https://example.org/report")
    duplicate = SourceFactory(url="http://example.org/report")
    source_merge(survivor=survivor, duplicate=duplicate, user=editor)
    # Someone adds the old address again: it gets the same id, from its URL.
    again = SourceFactory(url="http://example.org/report")
    assert again.pk == duplicate.pk

    source_merge(survivor=survivor, duplicate=again, user=editor)

    assert SourceAlias.objects.get(old_id=again.pk).source == survivor
    assert not Source.objects.filter(pk=again.pk).exists()


def test_the_api_leads_a_merged_id_to_the_survivor(pair, editor, client):
    survivor, duplicate = pair
    source_merge(survivor=survivor, duplicate=duplicate, user=editor)

    response = client.get(reverse("api:source_detail", args=[duplicate.pk]))
    assert response.status_code == 301
    assert response["Location"] == reverse("api:source_detail", args=[survivor.pk])
    assert client.get(response["Location"]).json()["id"] == survivor.pk
    assert client.get(reverse("api:source_detail", args=["nothing-here"])).status_code == 404
