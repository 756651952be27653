"""Every route, public and admin, answers malformed input with a 4xx, never a 500.

The URL patterns are walked from the resolver (new routes join by themselves); each
captured part is replaced by hostile values (a NUL byte, an overlong or non-numeric id, a
slash, an out-of-range number) and requested by an anonymous reader and by a superuser,
with GET and POST, and with hostile query strings (out-of-range dates, NUL bytes). Runs on
whichever database DATABASE_URL names: .ci/run passes both.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ratings.models import DecisionOrigin, RatingReport
from ratings.services import rating_change_apply, rating_proposal_create
from sources.models import Source
from tests.factories import SourceFactory, VenueFactory, WikiPageFactory
from tests.html_forms import form_data
from wiki.models import Citation

pytestmark = pytest.mark.django_db

HOSTILE_PARTS = [
    "%00",
    "sid_%00",
    "a%00b",
    "abc",
    "a/b",
    "x" * 400,
    "99999999999999999999999",
    "-1",
    "%C0%AF",
    "%FF",
]
HOSTILE_QUERIES = [
    "since=0001-01-01&until=9999-12-31",
    "since=9999-12-31&until=0001-01-01",
    "q=%00",
    "page=%00",
    "page=99999999999999999999",
    "o=%00",
    "sort=%00&type=%00&credibility=%00",
    "credibility=99999999999999999999&tag=%00",
    "%00=%00",
    "new=abc&old=%00",
    "e=%00",
]

CONVERTER_RE = re.compile(r"<(?:[^>:]+:)?[^>]+>")
REGEX_GROUP_RE = re.compile(r"\((?:\?P<\w+>)?[^()]*\)")


# Signing out would end the staff client's session for the rest of the walk.
SKIPPED_ROUTES = {"admin/logout/"}


def _routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route as a template with `{}` where a captured part goes."""
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            routes += _routes(entry.url_patterns, prefix + _template(entry.pattern))
        elif isinstance(entry, URLPattern):
            routes.append(prefix + _template(entry.pattern))
    return sorted(set(routes) - SKIPPED_ROUTES)


def _template(pattern) -> str:
    text = str(pattern)
    if hasattr(pattern, "_route"):
        return CONVERTER_RE.sub("{}", text)
    text = text.removeprefix("^").removesuffix("$").replace("\\Z", "")
    return REGEX_GROUP_RE.sub("{}", text).replace("\\", "")


ADMIN_MODEL_RE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/\{\}/")


def _plausible(route: str, world: dict) -> list[str]:
    """Real values for a route's captured parts, so that a view gets past its first look-up
    when one hostile part is put in beside them."""
    holes = route.count("{}")
    if route.startswith(("admin/ratings/ratingproposal/propose/", "report/")):
        return ["source", world["source"].pk]
    if route.startswith("admin/r/"):
        return [str(ContentType.objects.get_for_model(Source).pk), world["source"].pk]
    match = ADMIN_MODEL_RE.match(route)
    if match:
        model = apps.get_model(match["app"], match["model"])
        record = model._default_manager.first()
        pk = str(record.pk) if record is not None else "1"
        if holes == 2 and "/history/" in route:
            history = record.history.first() if hasattr(record, "history") else None
            return [pk, str(history.history_id) if history else "1"]
        return [pk, "a-label"][:holes]
    return [world["source"].pk] * holes


def _urls(world: dict) -> list[str]:
    urls = set()
    for route in _routes():
        holes = route.count("{}")
        if not holes:
            urls.add("/" + route)
            continue
        plausible = _plausible(route, world)
        urls.add("/" + route.format(*plausible))
        for part in HOSTILE_PARTS:
            urls.add("/" + route.format(*([part] * holes)))
            for hole in range(holes):
                parts = list(plausible)
                parts[hole] = part
                urls.add("/" + route.format(*parts))
    return sorted(urls)


@pytest.fixture
def world(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw")
    venue = VenueFactory(slug="v", name="Venue", credibility=3)
    source = SourceFactory(venue=venue)
    page = WikiPageFactory(slug="p")
    Citation.objects.create(page=page, source=source)
    rating_proposal_create(target=venue, values={"credibility": 2}, rationale="r", user=root)
    rating_change_apply(
        target=source,
        values={"credibility_override": 4},
        rationale="r",
        user=root,
        origin=DecisionOrigin.DIRECT,
    )
    RatingReport.objects.create(venue=venue, what="w", why="w")
    return {"root": root, "venue": venue, "source": source, "page": page}


def _no_server_error(client: Client, url: str, method: str) -> list[str]:
    response = getattr(client, method)(url)
    if response.status_code >= 500:
        return [f"{method.upper()} {url} answered {response.status_code}"]
    return []


def test_every_route_survives_hostile_ids(world):
    """The walk covers the admin, its third-party views and the public site."""
    urls = _urls(world)
    assert any(url.startswith("/admin/sources/source/") and "/history/" in url for url in urls)
    assert any(url.startswith("/admin/ratings/ratingproposal/propose/") for url in urls)
    assert any(url.startswith("/sources/") for url in urls)
    anonymous, staff = Client(raise_request_exception=False), Client(raise_request_exception=False)
    staff.force_login(world["root"])
    failures = []
    for url in urls:
        failures += _no_server_error(anonymous, url, "get")
        failures += _no_server_error(staff, url, "get")
        failures += _no_server_error(staff, url, "post")
    assert not failures, "\n".join(failures)


def test_every_parameterless_route_survives_hostile_queries(world):
    staff = Client(raise_request_exception=False)
    staff.force_login(world["root"])
    anonymous = Client(raise_request_exception=False)
    failures = []
    for route in _routes():
        if "{}" in route:
            continue
        for query in HOSTILE_QUERIES:
            url = f"/{route}?{query}"
            failures += _no_server_error(anonymous, url, "get")
            failures += _no_server_error(staff, url, "get")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    ["/sources/%00/", "/sources/sid_%00/", "/report/source/%00/", "/search/?q=a%00b"],
)
def test_nul_bytes_in_an_address_are_a_bad_request(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_a_number_beyond_64_bits_in_a_query_is_a_bad_request_that_names_it(admin_client):
    response = admin_client.get("/admin/wiki/citation/?page=99999999999999999999")
    assert response.status_code == 400
    assert "“page” is out of range" in response.content.decode()


def test_the_search_box_takes_any_number(client):
    assert client.get("/search/?q=99999999999999999999").status_code == 200


def test_every_form_answers_nul_bytes_in_its_fields_without_a_server_error(world):
    """Each form, public or admin, as a superuser sees it, posted back with a NUL byte in
    every value: a form error (Django's text fields refuse NUL), never a 500."""

    staff = Client(raise_request_exception=False)
    staff.force_login(world["root"])
    failures = []
    for url in _urls(world):
        if "%" in url or url.endswith("/logout/"):
            continue
        shown = staff.get(url)
        if shown.status_code != 200 or b"<form" not in shown.content:
            continue
        data = {
            name: value if name == "csrfmiddlewaretoken" else _with_nul(value)
            for name, value in form_data(shown.content).items()
        }
        failures += _no_server_error_post(staff, url, data)
    assert not failures, "\n".join(failures)


def _with_nul(value):
    if isinstance(value, list):
        return [item + "\x00" for item in value]
    return value + "\x00"


def _no_server_error_post(client: Client, url: str, data: dict) -> list[str]:
    response = client.post(url, data)
    if response.status_code >= 500:
        return [f"POST {url} with NUL bytes answered {response.status_code}"]
    return []
