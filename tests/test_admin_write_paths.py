"""Every admin URL that accepts POST, for every role (anonymous, a signed-in reader, a
view-only staff member, an editor, a moderator): without the permission, nothing changes.

The walk covers every route of the admin site (third-party views included: simple-history's
history and revert, the autocomplete, django-axes, django-tasks) with real ids, and every
bulk action of every list. Each POST carries the form a superuser would see on that URL,
with every value changed, so a view that forgot a permission check would write. After each
POST the database is compared with before, row by row, under these rules:

- a row of a model the role may not change (nor delete) stays as it was;
- a model the role may not add to gains no rows (a proposal is how editors ask, so
  proposals may be added; they are checked by the rule above);
- the rating fields of venues, sources and pages change only for a rating moderator.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import Client, RequestFactory

from ratings.models import RatingDecision, RatingProposal, RatingReport
from ratings.services import rating_proposal_create, rating_proposal_reject
from sources.models import RATING_MODERATORS_GROUP, Snapshot, Source, Venue
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory
from tests.html_forms import form_data
from tests.test_route_fuzz import ADMIN_MODEL_RE, _routes
from wiki.models import Citation, WikiPage

from .conftest import _staff_user

pytestmark = pytest.mark.django_db

# Rows that a request writes whatever it does, and the rows it is meant to leave behind.
UNWATCHED = {"sessions.session", "admin.logentry", "axes.accesslog", "axes.accessattempt"}
RATED = {Venue: Venue.RATING_FIELDS, Source: Source.RATING_FIELDS, WikiPage: WikiPage.RATING_FIELDS}
# New rows a role may leave without the add permission: the ways to ask for a change.
ASKING = {RatingProposal}
# Rows written as the effect of a permitted action rather than through their own admin:
# a fetch (anyone who may change the source) stores a snapshot; a moderator closes reports
# and records decisions.
WRITTEN_BY = {
    Snapshot: "sources.change_source",
    RatingReport: "wiki.rate_wikipage",
    RatingDecision: "wiki.rate_wikipage",
}


@pytest.fixture
def world(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw")
    moderator = _staff_user(django_user_model, "morgan", RATING_MODERATORS_GROUP)
    venue = VenueFactory(slug="v", name="Venue", credibility=2)
    venue.name = "Venue renamed"
    venue.save()  # a second version, so a revert has something to bring back
    other = VenueFactory(slug="w", name="Better venue", credibility=5)
    source = SourceFactory(venue=venue, title="First title")
    source.title = "Second title"
    source.save()
    page = WikiPageFactory(slug="p", quality=40)
    Citation.objects.create(page=page, source=source)
    rejected = rating_proposal_create(
        target=venue, values={"credibility": 4}, rationale="Better now.", user=root
    )
    rating_proposal_reject(proposal=rejected, user=moderator, comment="No.")
    rating_proposal_create(target=page, values={"quality": 90}, rationale="r", user=root)
    RatingReport.objects.create(venue=venue, what="w", why="w")
    return {"root": root, "venue": venue, "other": other, "source": source, "page": page}


def _viewer(django_user_model):
    user = _staff_user(django_user_model, "vera", None)
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    return user


def _role(name: str, django_user_model):
    if name == "anonymous":
        return AnonymousUser()
    if name == "reader":
        return django_user_model.objects.create_user("rita", password="pw")
    if name == "viewer":
        return _viewer(django_user_model)
    if name == "editor":
        return _staff_user(django_user_model, "edna", "Editors")
    return django_user_model.objects.get(username="morgan")


def _earliest_version(record) -> str:
    history = (
        record.history.order_by("history_date").first() if hasattr(record, "history") else None
    )
    return str(history.history_id) if history else "1"


def _admin_urls(world) -> list[str]:
    urls = []
    for route in _routes():
        if not route.startswith("admin/"):
            continue
        holes = route.count("{}")
        if not holes:
            urls.append("/" + route)
            continue
        if route.startswith("admin/ratings/ratingproposal/propose/"):
            for kind, record in (("venue", world["venue"]), ("source", world["source"])):
                urls.append("/" + route.format(kind, record.pk))
            urls.append("/" + route.format("page", world["page"].pk))
            continue
        match = ADMIN_MODEL_RE.match(route)
        if not match:
            continue
        model = apps.get_model(match["app"], match["model"])
        for record in model._default_manager.all()[:3]:
            values = [str(record.pk), _earliest_version(record)] if holes == 2 else [str(record.pk)]
            if "map-reference" in route:
                values = [str(record.pk), "1"]
            urls.append("/" + route.format(*values))
    return urls


# Free-text fields that take any addition, and rating fields with another valid value.
TEXT_FIELDS = {"name", "title", "summary", "review", "description", "note", "body", "what", "why"}
RATING_VALUES = {"credibility": "5", "credibility_override": "5", "quality": "95"}
REASONS = ("revert_reason", "rationale", "rating_rationale", "comment")


def _changed(data: dict) -> dict:
    """The form as a superuser sees it, with its text and ratings changed and every reason
    given: valid, so that only a permission check stands between it and the database."""
    out = dict(data)
    for name, value in data.items():
        if name in TEXT_FIELDS and isinstance(value, str):
            out[name] = value + " changed"
        elif name in RATING_VALUES:
            out[name] = RATING_VALUES[name]
    for name in REASONS:
        if not out.get(name):
            out[name] = "Walking every write path."
    return out


def _action_posts(world) -> list[tuple[str, dict]]:
    """A POST of each bulk action of each list, on all of its rows."""
    request = RequestFactory().get("/admin/")
    request.user = world["root"]
    posts = []
    for model, model_admin in admin.site._registry.items():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:5]]
        for name in model_admin.get_actions(request):
            posts.append((url, {"action": name, "_selected_action": pks, "post": "yes"}))
    return posts


def _watched_models():
    return [
        model
        for model in apps.get_models()
        if f"{model._meta.app_label}.{model._meta.model_name}" not in UNWATCHED
    ]


def _state() -> dict:
    """Every watched row, as {model: {pk: {column: value}}}."""
    state = {}
    for model in _watched_models():
        pk = model._meta.pk.attname
        state[model] = {row[pk]: row for row in model._default_manager.values()}
    return state


def _violations(user, before: dict, after: dict) -> list[str]:
    found = []
    for model, rows in before.items():
        opts = model._meta
        label = f"{opts.app_label}.{opts.model_name}"
        writes = model in WRITTEN_BY and user.has_perm(WRITTEN_BY[model])
        can_change = writes or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        can_delete = user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")
        can_add = writes or user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
        new_rows = after[model]
        for pk, row in rows.items():
            if pk not in new_rows:
                if not can_delete:
                    found.append(f"{label} {pk} deleted")
                continue
            if not can_change and new_rows[pk] != row:
                found.append(f"{label} {pk} changed")
            rating_fields = RATED.get(model, ())
            moderator = user.has_perm(f"{opts.app_label}.rate_{opts.model_name}")
            for name in rating_fields if not moderator else ():
                attname = opts.get_field(name).attname
                if new_rows[pk].get(attname) != row.get(attname):
                    found.append(f"{label} {pk}: rating field {name} changed")
        added = set(new_rows) - set(rows)
        if (
            added
            and not can_add
            and model not in ASKING
            and not model.__name__.startswith("Historical")
        ):
            found.append(f"{label}: {len(added)} rows added")
    return found


@pytest.mark.parametrize("role", ["anonymous", "reader", "viewer", "editor", "moderator"])
def test_no_admin_post_writes_without_the_permission(world, role, django_user_model):
    user = _role(role, django_user_model)
    superuser, client = Client(), Client(raise_request_exception=False)
    superuser.force_login(world["root"])
    if user.is_authenticated:
        client.force_login(user)
    posts = []
    for url in _admin_urls(world):
        if url.endswith("/logout/"):
            continue
        shown = superuser.get(url)
        data = form_data(shown.content) if shown.status_code == 200 else {}
        posts.append((url, _changed(data)))
    posts += _action_posts(world)
    assert len(posts) > 100
    violations = []
    for url, data in posts:
        before = _state()
        response = client.post(url, data)
        assert response.status_code < 500, f"POST {url} answered {response.status_code}"
        violations += [f"POST {url}: {v}" for v in _violations(user, before, _state())]
    assert not violations, "\n".join(violations)
