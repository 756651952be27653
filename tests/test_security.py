"""Security properties over HTTP: headers on every public page, no inline script, hosts,
error pages, redirects that stay on the site, and GET requests that change nothing."""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.models import Source, Venue
from wiki.markup import RenderContext, body_render
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def public_urls() -> list[str]:
    """Every public page kind, with real objects from the demo."""
    source = Source.objects.order_by("id").first()
    venue = Venue.objects.order_by("id").first()
    page = WikiPage.objects.order_by("id").first()
    tag = source.tags.first() or page.tags.first()
    return [
        reverse("wiki:home"),
        reverse("sources:source_list"),
        reverse("sources:source_list") + "?q=governance&min_credibility=3",
        source.get_absolute_url(),
        reverse("sources:snapshot_list", args=[source.pk]),
        reverse("sources:venue_list"),
        venue.get_absolute_url(),
        reverse("wiki:page_list"),
        page.get_absolute_url(),
        reverse("wiki:tag_list"),
        reverse("wiki:tag_detail", args=[tag.slug]),
        reverse("search:search") + "?q=risk",
        reverse("ratings:rating_report", args=["venue", venue.slug]),
        "/no-such-page/",
        reverse("admin:login"),
    ]


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_public_page_sends_the_security_headers(client, demo):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        policy = csp(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_page_has_inline_script_or_event_handlers(client, demo, admin_client):
    urls = public_urls()
    for url in urls:
        content = client.get(url).content.decode()
        assert not INLINE_SCRIPT.search(content), url
        assert not EVENT_HANDLER.search(content), url
    source = Source.objects.order_by("id").first()
    for url in [reverse("admin:index"), reverse("admin:sources_source_change", args=[source.pk])]:
        content = admin_client.get(url).content.decode()
        assert not EVENT_HANDLER.search(content), url


def test_an_unknown_host_is_refused_without_details(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    content = response.content.decode()
    assert "Traceback" not in content and "ALLOWED_HOSTS" not in content


def test_an_error_page_shows_no_traceback_or_setting(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("wiki.selectors.home_summary", broken)
    client.raise_request_exception = False

    response = client.get(reverse("wiki:home"))

    assert response.status_code == 500
    content = response.content.decode()
    assert "hunter2" not in content and "Traceback" not in content
    assert "SECRET_KEY" not in content and "RuntimeError" not in content


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "http:evil.example",
        "\\\\evil.example",
        " //evil.example",
    ],
)
def test_login_never_redirects_off_the_site(client, django_user_model, target):
    django_user_model.objects.create_user("staffer", password="pw-long-enough", is_staff=True)

    response = client.post(
        reverse("admin:login") + f"?next={target}",
        {"username": "staffer", "password": "pw-long-enough", "next": target},
    )

    assert response.status_code == 302
    location = response["Location"]
    assert "evil.example" not in location and location.startswith("/")


def _admin_get_urls() -> list[str]:
    """Every registered model's admin pages (list, add, change, history, delete)."""
    from django.contrib import admin

    urls = [reverse("admin:index"), reverse("recent_changes")]
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        urls.append(reverse(f"{name}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse(f"{name}_{view}", args=[obj.pk]))
    return urls


def test_no_get_request_changes_anything(demo, admin_user):
    """Walks the URL configuration: every public route and every admin page, as an
    anonymous reader and as a superuser; the database must be exactly as before."""
    from search import urls as search_urls
    from sources import urls as source_urls
    from wiki import urls as wiki_urls

    venue = Venue.objects.order_by("id").first()
    source = Source.objects.order_by("id").first()
    urls = [
        *public_urls(),
        reverse("search:suggest") + "?q=risk",
        reverse("sources:filter_options", args=["venue"]) + "?q=a",
        reverse("wiki:filter_options", args=["tag"]) + "?q=a",
        reverse("sources:snapshot_detail", args=[source.pk, 1]),
        reverse("admin:sources_source_history_compare", args=[source.pk]),
        reverse("admin:sources_source_fetch", args=[source.pk]),
        reverse("admin:ratings_ratingproposal_propose", args=["venue", venue.pk]),
        reverse("admin:logout"),
        *_admin_get_urls(),
    ]
    covered = {resolve(url.split("?")[0]).url_name for url in urls if not url.startswith("/no-")}
    public_names = {
        p.name for p in [*source_urls.urlpatterns, *wiki_urls.urlpatterns, *search_urls.urlpatterns]
    }
    assert public_names <= covered, public_names - covered
    before = checksums_of_everything()
    anonymous, staff = Client(), Client()
    staff.force_login(admin_user)

    for url in urls:
        for client in (anonymous, staff):
            assert client.get(url).status_code < 500, url

    assert checksums_of_everything() == before


def checksums_of_everything() -> dict:
    from tests.test_data_safety import checksums

    return checksums()


# -- the Markdown renderer against hostile input ---------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[[cite:<script>alert(1)</script>]]",
    "[[<img src=x onerror=alert(1)>|x]]",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "<a href='java\tscript:alert(1)'>x</a>",
    # Through the page constructs: a diagram label, MathML, a callout title, a heading,
    # a footnote label, a formula's text, a reference's text.
    '```mermaid\nflowchart TD\n  A["<img src=x onerror=alert(1)>"]'
    ' --> B["<script>alert(2)</script>"]\n```',
    '<math><mi href="javascript:alert(1)" onclick="alert(1)">x</mi>'
    '<maction actiontype="statusline">y</maction><annotation-xml encoding="text/html">'
    "<img src=x onerror=alert(1)></annotation-xml></math>",
    ":::note[<script>alert(1)</script>]\nx\n:::",
    ':::caution[<img src=x onerror="alert(1)">]\nx\n:::',
    "## <img src=x onerror=alert(1)> heading",
    "[^<img src=x onerror=alert(1)>] and [^a<script>]",
    "$\\text{<script>alert(1)</script>}$ and $$<img src=x onerror=alert(1)>$$",
    "[[cite:abc|<img src=x onerror=alert(1)>]]",
]


class _Tags(HTMLParser):
    """The real elements and attributes of rendered HTML (not text that looks like them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def assert_safe(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "iframe", "object", "embed", "style", "base"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src", "action", "formaction", "xlink:href"}:
                cleaned = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                assert not cleaned.startswith(("javascript:", "data:", "vbscript:")), value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_known_payloads_do_not_survive_rendering(payload):
    assert_safe(body_render(payload, RenderContext(citations={}, pages={})))


markdownish = st.lists(
    st.one_of(
        st.sampled_from(PAYLOADS),
        st.sampled_from(["[", "]", "(", ")", "<", ">", '"', "'", "`", "*", "\n", "#", "!"]),
        st.sampled_from(
            ["$", "$$", ":::note[", ":::", "```mermaid\n", "[^rc-1]", "[^1]: ", "\n: "]
        ),
        st.text(max_size=20),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_no_generated_body_yields_script_handlers_or_script_urls(body):
    assert_safe(body_render(body, RenderContext(citations={}, pages={})))


def test_a_post_without_a_csrf_token_is_refused(editor, demo):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    venue = Venue.objects.order_by("id").first()

    response = strict.post(
        reverse("admin:sources_venue_change", args=[venue.pk]), {"name": "Hijacked"}
    )

    assert response.status_code == 403
    assert Venue.objects.get(pk=venue.pk).name != "Hijacked"


def test_extra_fields_posted_to_forms_are_ignored(client, editor, demo):
    from ratings.models import RatingReport

    venue = Venue.objects.order_by("id").first()
    client.post(
        reverse("ratings:rating_report", args=["venue", venue.slug]),
        {
            "what": "Too high",
            "why": "Because.",
            "status": "resolved",
            "handled_by": editor.pk,
            "created_at": "2001-01-01T00:00:00Z",
        },
    )
    report = RatingReport.objects.get()
    assert report.status == "open" and report.handled_by is None
    assert report.created_at.year > 2001

    staff = Client()
    staff.force_login(editor)
    url = reverse("admin:ratings_ratingproposal_propose", args=["venue", venue.pk])
    staff.post(
        url,
        {
            "credibility": "2",
            "rationale": "Lapsed.",
            "status": "approved",
            "decided_by": editor.pk,
            "proposed_by": 999,
        },
    )
    from ratings.models import RatingProposal

    proposal = RatingProposal.objects.get(venue=venue)
    assert proposal.status == "pending" and proposal.decided_by is None
    assert proposal.proposed_by == editor
    assert Venue.objects.get(pk=venue.pk).credibility == venue.credibility
