"""The stored effective credibility: every write path keeps it equal to the one computed
through the venue (`Source.objects.with_computed_credibility()`, the check)."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.changes import bulk_changed, records_changed
from interchange.demo import demo_knowledge_base_load
from interchange.longterm_wiki.importer import longterm_wiki_import
from interchange.management.commands.load_demo import DEMO_FILE
from ratings.models import DecisionOrigin, RatingProposal
from ratings.services import rating_change_apply, rating_proposal_approve, rating_proposal_create
from sources.models import Source, Venue
from sources.selectors import sources_with_wrong_effective_credibility
from sources.services import source_create, source_effective_credibility_refresh, source_update
from tests.factories import SourceFactory, VenueDomainFactory, VenueFactory
from tests.html_forms import form_data
from tests.interchange.kb_builder import PUBLICATIONS, write_kb

pytestmark = pytest.mark.django_db


def assert_in_step():
    """Every source's stored effective credibility is the one computed through its venue."""
    rows = Source.objects.with_computed_credibility().values_list(
        "pk", "effective_credibility", "computed_credibility"
    )
    assert [row for row in rows if row[1] != row[2]] == []
    assert not sources_with_wrong_effective_credibility().exists()


def stored(source) -> int | None:
    return Source.objects.values_list("effective_credibility", flat=True).get(pk=source.pk)


@pytest.fixture
def catalogue():
    high = VenueFactory(slug="high", credibility=4)
    low = VenueFactory(slug="low", credibility=2)
    unrated = VenueFactory(slug="unrated", credibility=None)
    return {
        "high": high,
        "low": low,
        "unrated": unrated,
        "inherits_high": SourceFactory(venue=high),
        "also_inherits_high": SourceFactory(venue=high),
        "overrides_high": SourceFactory(venue=high, credibility_override=1),
        "inherits_low": SourceFactory(venue=low),
        "in_unrated": SourceFactory(venue=unrated),
        "no_venue": SourceFactory(venue=None),
    }


def admin_url(obj, view="change", *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])


def admin_save(client, url, **changes):
    """Submit an admin form as rendered, with some fields changed."""
    data = {**form_data(client.get(url).content), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    return response


# -- sources' own writes -------------------------------------------------------------------


def test_a_saved_source_stores_its_override_else_its_venue_s_rating(catalogue):
    assert stored(catalogue["inherits_high"]) == 4
    assert stored(catalogue["overrides_high"]) == 1
    assert stored(catalogue["in_unrated"]) is None
    assert stored(catalogue["no_venue"]) is None
    assert_in_step()


def test_source_create_stores_the_rating_of_the_venue_inferred_from_its_url(catalogue):
    VenueDomainFactory(venue=catalogue["low"], domain="low.example.org")

    source = source_create(url="https://low.example.org/paper")
    overridden = source_create(url="https://low.example.org/other", credibility_override=5)

    assert source.venue == catalogue["low"] and stored(source) == 2
    assert stored(overridden) == 5
    assert_in_step()


def test_a_source_added_in_the_admin_stores_its_venue_s_rating(editor_client, catalogue):
    url = reverse("admin:sources_source_add")
    data = {
        **form_data(editor_client.get(url).content),
        "url": "https://added.example.net/x",
        "title": "Added",
        "type": "web",
        "venue": str(catalogue["low"].pk),
    }

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert stored(Source.objects.get(url="https://added.example.net/x")) == 2
    assert_in_step()


def test_a_source_quick_added_from_the_picker_stores_its_venue_s_rating(
    editor_client, catalogue, settings
):
    settings.CREDENCE_FETCH_ALLOW_NETWORKS = []  # the queued fetch must not reach out
    VenueDomainFactory(venue=catalogue["high"], domain="high.example.org")

    response = editor_client.post(
        reverse("admin:sources_source_quick_add"), {"url": "https://high.example.org/new"}
    )

    assert response.status_code == 201
    assert stored(Source.objects.get(pk=response.json()["id"])) == 4
    assert_in_step()


def test_moving_a_source_to_another_venue_stores_the_new_venue_s_rating(catalogue):
    source = catalogue["inherits_high"]

    source_update(source=source, venue=catalogue["low"])

    assert stored(source) == 2
    assert_in_step()


def test_an_editor_moving_a_source_between_venues_rated_alike_keeps_it_in_step(
    editor_client, catalogue
):
    alike = VenueFactory(slug="alike", credibility=4)
    source = catalogue["inherits_high"]

    admin_save(editor_client, admin_url(source), venue=str(alike.pk))

    source.refresh_from_db()
    assert source.venue == alike and stored(source) == 4
    assert_in_step()


def test_an_editor_moving_a_source_to_a_venue_rated_otherwise_keeps_the_stored_rating(
    editor_client, catalogue
):
    source = catalogue["inherits_high"]

    admin_save(editor_client, admin_url(source), venue=str(catalogue["low"].pk))

    source.refresh_from_db()
    assert source.venue == catalogue["high"] and stored(source) == 4  # proposed instead
    assert RatingProposal.objects.filter(source=source).exists()
    assert_in_step()


def test_sources_created_in_bulk_store_theirs(catalogue):
    created = Source.objects.bulk_create(
        [
            Source(
                id="bulk1",
                stable_id="sid_bulk000001",
                url="https://b.example/1",
                venue=catalogue["low"],
            ),
            Source(
                id="bulk2",
                stable_id="sid_bulk000002",
                url="https://b.example/2",
                venue=catalogue["low"],
                credibility_override=3,
            ),
        ]
    )
    records_changed(Source, [source.pk for source in created])  # as their callers do

    assert [stored(source) for source in created] == [2, 3]
    assert_in_step()


def test_sources_moved_in_bulk_are_refreshed_by_the_one_service(catalogue):
    moved = catalogue["inherits_high"]
    Source.objects.filter(pk=moved.pk).update(venue=catalogue["unrated"])

    refreshed = source_effective_credibility_refresh(sources=Source.objects.filter(pk=moved.pk))

    assert refreshed == 1 and stored(moved) is None
    assert_in_step()


# -- rating decisions ----------------------------------------------------------------------


def test_a_direct_decision_on_a_source_stores_its_override_and_lifting_it_the_venue_s(
    moderator, catalogue
):
    source = catalogue["inherits_high"]

    rating_change_apply(
        target=source,
        values={"credibility_override": 2},
        rationale="Sponsored.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )
    assert stored(source) == 2
    rating_change_apply(
        target=source,
        values={"credibility_override": None},
        rationale="Not sponsored after all.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    assert stored(source) == 4
    assert_in_step()


def test_a_venue_decision_updates_the_sources_inheriting_it_in_one_statement(moderator, catalogue):
    with CaptureQueriesContext(connection) as queries:
        rating_change_apply(
            target=catalogue["high"],
            values={"credibility": 2},
            rationale="Editorial review lapsed.",
            user=moderator,
            origin=DecisionOrigin.DIRECT,
        )

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "sources_source"') and "effective_credibility" in q["sql"]
    ]
    assert len(writes) == 1
    assert stored(catalogue["inherits_high"]) == stored(catalogue["also_inherits_high"]) == 2
    assert stored(catalogue["overrides_high"]) == 1  # its own rating stands
    assert stored(catalogue["inherits_low"]) == 2
    assert_in_step()


def test_a_venue_decision_announces_the_sources_it_updated(moderator, catalogue):
    announced = []

    def hear(sender, pks, **kwargs):
        announced.append((sender, set(pks or ())))

    bulk_changed.connect(hear)
    try:
        rating_change_apply(
            target=catalogue["high"],
            values={"credibility": 5},
            rationale="Peer review introduced.",
            user=moderator,
            origin=DecisionOrigin.DIRECT,
        )
    finally:
        bulk_changed.disconnect(hear)

    expected = {catalogue["inherits_high"].pk, catalogue["also_inherits_high"].pk}
    assert (Source, expected) in announced


def test_a_venue_left_unrated_leaves_its_sources_unrated_unless_overridden(moderator, catalogue):
    rating_change_apply(
        target=catalogue["high"],
        values={"credibility": None},
        rationale="Under review.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    assert stored(catalogue["inherits_high"]) is None
    assert stored(catalogue["overrides_high"]) == 1
    assert_in_step()


def test_approving_proposals_on_a_venue_and_a_source_keeps_them_in_step(
    editor, moderator, catalogue
):
    venue_proposal = rating_proposal_create(
        target=catalogue["low"], values={"credibility": 3}, rationale="Better now.", user=editor
    )
    override_proposal = rating_proposal_create(
        target=catalogue["inherits_high"],
        values={"credibility_override": 5},
        rationale="Replicated.",
        user=editor,
    )
    move_proposal = rating_proposal_create(
        target=catalogue["also_inherits_high"],
        values={"venue": catalogue["low"].pk},
        rationale="Published there.",
        user=editor,
    )

    for proposal in (venue_proposal, override_proposal, move_proposal):
        rating_proposal_approve(proposal=proposal, user=moderator)

    assert stored(catalogue["inherits_low"]) == 3
    assert stored(catalogue["inherits_high"]) == 5
    assert stored(catalogue["also_inherits_high"]) == 3
    assert_in_step()


def test_a_moderator_rating_a_venue_in_the_admin_updates_its_sources(moderator_client, catalogue):
    venue = catalogue["high"]

    admin_save(moderator_client, admin_url(venue), credibility="3", rating_rationale="Re-reviewed.")

    assert stored(catalogue["inherits_high"]) == 3
    assert_in_step()


# -- history reverts -----------------------------------------------------------------------


def revert(client, record, reason="Mistaken change."):
    url = admin_url(record.instance, "simple_history", record.history_id)
    data = {**form_data(client.get(url).content), "revert_reason": reason}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]


def test_a_moderator_reverting_a_venue_s_rating_updates_its_sources(
    moderator_client, moderator, catalogue
):
    venue = catalogue["high"]
    original = venue.history.earliest("history_date")
    rating_change_apply(
        target=venue,
        values={"credibility": 1},
        rationale="Retractions.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )
    assert stored(catalogue["inherits_high"]) == 1

    revert(moderator_client, original, reason="The retractions were another venue's.")

    assert stored(catalogue["inherits_high"]) == 4
    assert_in_step()


def test_a_moderator_reverting_a_source_s_override_stores_it(
    moderator_client, moderator, catalogue
):
    source = catalogue["overrides_high"]
    original = source.history.earliest("history_date")
    rating_change_apply(
        target=source,
        values={"credibility_override": None},
        rationale="Inherit.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )
    assert stored(source) == 4

    revert(moderator_client, original)

    assert stored(source) == 1
    assert_in_step()


def test_an_editor_reverting_to_another_rating_keeps_the_stored_one(
    editor_client, moderator, catalogue
):
    venue = catalogue["high"]
    original = venue.history.earliest("history_date")
    rating_change_apply(
        target=venue,
        values={"credibility": 2},
        rationale="Lapsed.",
        user=moderator,
        origin=DecisionOrigin.DIRECT,
    )

    revert(editor_client, original)  # the rating becomes a proposal

    assert stored(catalogue["inherits_high"]) == 2
    assert RatingProposal.objects.filter(venue=venue).exists()
    assert_in_step()


# -- venues deleted ------------------------------------------------------------------------


def test_a_venue_with_sources_cannot_be_deleted_and_an_empty_one_leaves_the_rest_in_step(
    catalogue,
):
    with pytest.raises(ProtectedError), transaction.atomic():
        catalogue["high"].delete()
    VenueFactory(slug="empty", credibility=3).delete()

    assert stored(catalogue["inherits_high"]) == 4
    assert_in_step()


def test_the_admin_refuses_to_delete_a_venue_that_has_sources(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    venue = VenueFactory(credibility=3)
    source = SourceFactory(venue=venue)

    client.post(admin_url(venue, "delete"), {"post": "yes"})

    assert Venue.objects.filter(pk=venue.pk).exists() and stored(source) == 3
    assert_in_step()


# -- imports, demo and synthetic data -------------------------------------------------------


def test_an_import_and_a_reimport_with_a_venue_rated_otherwise_keep_sources_in_step(tmp_path):
    longterm_wiki_import(write_kb(tmp_path / "first"))
    assert_in_step()
    compute = Source.objects.get(pk="1111111111111111")  # in the think tank, rated 4
    assert stored(compute) == 4

    longterm_wiki_import(
        write_kb(
            tmp_path / "second",
            **{"publications.yaml": PUBLICATIONS.replace("credibility: 4", "credibility: 2")},
        )
    )

    assert stored(compute) == 2
    assert_in_step()


def test_the_demo_knowledge_base_loads_in_step():
    demo_knowledge_base_load(data=yaml.safe_load(DEMO_FILE.read_text()))

    assert Source.objects.filter(effective_credibility__isnull=False).exists()
    assert_in_step()


def test_synthetic_data_is_generated_in_step():
    call_command("generate_synthetic", "--sources", "80", "--pages", "5", stdout=StringIO())

    assert Source.objects.filter(effective_credibility__isnull=False).exists()
    assert_in_step()


# -- the check and the repair --------------------------------------------------------------


def test_the_check_finds_rows_written_around_the_services_and_the_refresh_repairs_them(
    catalogue,
):
    Source.objects.filter(pk=catalogue["inherits_high"].pk).update(effective_credibility=5)
    Source.objects.filter(pk=catalogue["no_venue"].pk).update(effective_credibility=3)
    Source.objects.filter(pk=catalogue["inherits_low"].pk).update(effective_credibility=None)

    wrong = set(sources_with_wrong_effective_credibility().values_list("pk", flat=True))
    repaired = source_effective_credibility_refresh()

    assert wrong == {
        catalogue["inherits_high"].pk,
        catalogue["no_venue"].pk,
        catalogue["inherits_low"].pk,
    }
    assert repaired == 3
    assert_in_step()


@pytest.mark.parametrize("value", [0, 6])
def test_a_stored_credibility_out_of_range_is_refused_by_the_database(catalogue, value):
    source = catalogue["inherits_high"]

    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(effective_credibility=value)


# -- the lists read the stored column ------------------------------------------------------


def list_query(client, url, params) -> str:
    """The SQL that read a list's rows; its own WHERE is the last one (after the cited-by
    count's)."""
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    [rows] = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "sources_source".') and " ORDER BY " in q["sql"]
    ]
    return rows


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (reverse("sources:source_list"), {"min_credibility": "3", "sort": "-credibility"}),
        (reverse("sources:source_list"), {"credibility": "4", "sort": "credibility"}),
    ],
)
def test_the_public_list_filters_and_sorts_on_the_stored_column(client, catalogue, url, params):
    sql = list_query(client, url, params)

    where, order = sql.rsplit(" WHERE ", 1)[1].split(" ORDER BY ")
    assert '"sources_source"."effective_credibility"' in where
    assert order.startswith('"sources_source"."effective_credibility"')
    assert '"sources_venue"."credibility"' not in where + order


def test_the_admin_list_filters_and_sorts_on_the_stored_column(editor_client, catalogue):
    sql = list_query(
        editor_client, reverse("admin:sources_source_changelist"), {"credibility": "4", "o": "4"}
    )

    where, order = sql.rsplit(" WHERE ", 1)[1].split(" ORDER BY ")
    assert '"sources_source"."effective_credibility" = ' in where
    assert order.startswith('"sources_source"."effective_credibility"')


def test_the_public_list_shows_and_sorts_by_the_stored_credibility(client, catalogue):
    response = client.get(reverse("sources:source_list"), {"sort": "-credibility"})

    levels = [s.credibility.level for s in response.context["page_obj"].object_list]
    assert levels == [4, 4, 2, 1, None, None]


def test_the_admin_filters_on_where_the_credibility_comes_from(editor_client, catalogue):
    url = reverse("admin:sources_source_changelist")

    def listed(origin):
        response = editor_client.get(url, {"origin": origin})
        return {source.pk for source in response.context["cl"].result_list}

    assert listed("source") == {catalogue["overrides_high"].pk}
    assert listed("venue") == {
        catalogue[name].pk for name in ("inherits_high", "also_inherits_high", "inherits_low")
    }
    assert listed("none") == {catalogue["in_unrated"].pk, catalogue["no_venue"].pk}


@pytest.fixture
def rated_table():
    """Sources enough for plans to be real (with the planner's statistics): most rated 3,
    a few unrated, one in a hundred rated 5."""
    rows = Source.objects.bulk_create(
        Source(
            id=f"plan{n:04d}",
            stable_id=f"sid_plan{n:06d}",
            url=f"https://plan.example.org/{n}",
            title=f"Plan {n:04d}",
            credibility_override=5 if n % 100 == 0 else None if n % 7 == 0 else 3,
        )
        for n in range(2000)
    )
    records_changed(Source, [row.pk for row in rows])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sources_source")


def plan(sql: str) -> str:
    """The plan PostgreSQL makes when it may not sort or gather a bitmap: it then reads an
    index in order if one gives that order, and shows a Sort only if none does. Left free,
    the planner's choice on a small table turns on its sampled statistics (CI once saw it
    sort the twenty rows rated 5 rather than walk the index), which says nothing about the
    indexes a large table needs."""
    with connection.cursor() as cursor:
        for setting in ("enable_sort", "enable_incremental_sort", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql)
        explained = " ".join(row[0] for row in cursor.fetchall())
        for setting in ("enable_sort", "enable_incremental_sort", "enable_bitmapscan"):
            cursor.execute(f"RESET {setting}")
        return explained


@pytest.mark.postgres_only
def test_an_index_serves_the_credibility_filter_in_title_order(rated_table):
    sql = str(Source.objects.filter(effective_credibility=5).order_by("title", "id")[:25].query)

    assert "source_credibility_order" in plan(sql) and "Sort" not in plan(sql)


@pytest.mark.postgres_only
def test_an_index_serves_the_most_credible_first(rated_table):
    sql = (
        "SELECT id FROM sources_source "
        "ORDER BY effective_credibility DESC NULLS LAST, title LIMIT 25"
    )

    assert "source_credible_first_order" in plan(sql) and "Sort" not in plan(sql)


# -- the migration -------------------------------------------------------------------------

BEFORE = [("sources", "0010_search_ranking")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_stores_every_existing_source_s_effective_credibility():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldVenue, OldSource = old.get_model("sources", "Venue"), old.get_model("sources", "Source")
    rated = OldVenue.objects.create(slug="rated", name="Rated", type="news", credibility=3)
    unrated = OldVenue.objects.create(slug="unrated", name="Unrated", type="news")
    for n, (venue, override) in enumerate([(rated, None), (rated, 5), (unrated, None), (None, 2)]):
        OldSource.objects.create(
            id=f"old{n}",
            stable_id=f"sid_old{n:07d}",
            url=f"https://old.example.org/{n}",
            venue=venue,
            credibility_override=override,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    levels = dict(Source.objects.values_list("pk", "effective_credibility"))
    assert levels == {"old0": 3, "old1": 5, "old2": None, "old3": 2}
    assert_in_step()
