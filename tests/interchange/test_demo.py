import json
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from interchange.management.commands.load_demo import DEMO_FILE
from sources.models import (
    EDITORS_GROUP,
    RATING_MODERATORS_GROUP,
    CredibilityOrigin,
    Source,
    Venue,
)
from sources.selectors import source_list_annotated
from tests.interchange.leftovers import leftovers
from wiki.models import Citation, PageType, WikiPage

pytestmark = pytest.mark.django_db

SEED_LIKE_URL = "https://carnegieendowment.org/research/2025/10/how-china-views-ai-risks-and-what-to-do-about-them"


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def test_demo_holds_a_knowledge_base_of_the_promised_size(demo):
    assert 8 <= Venue.objects.count() <= 15
    assert 25 <= Source.objects.count() <= 40
    assert 8 <= WikiPage.objects.count() <= 15
    assert len({level for level in Venue.objects.values_list("credibility", flat=True)}) == 5
    assert Source.objects.values("type").distinct().count() >= 5
    assert WikiPage.objects.values("type").distinct().count() >= 5


def test_demo_sources_show_every_credibility_origin(demo):
    origins = {row.credibility.origin for row in source_list_annotated()}

    assert origins == set(CredibilityOrigin)


def test_demo_infers_venues_from_urls(demo):
    source = Source.objects.get(url=SEED_LIKE_URL)

    assert source.venue.slug == "carnegie"
    assert source.credibility.origin == CredibilityOrigin.VENUE
    assert source.credibility.level == 4


def test_the_seed_like_source_is_cited_by_a_policy_an_approach_and_a_risk_page(demo):
    types = set(
        Citation.objects.filter(source__url=SEED_LIKE_URL).values_list("page__type", flat=True)
    )

    assert {PageType.POLICY, PageType.APPROACH, PageType.RISK} <= types


def test_demo_pages_carry_subscores_and_citations(demo):
    for page in WikiPage.objects.all():
        assert page.citations.exists(), page.slug
    assert WikiPage.objects.filter(focus__isnull=False).count() >= 5


def test_demo_pages_show_a_diagram_math_a_callout_and_a_footnote(demo, client):
    china = client.get("/wiki/china-ai-regulatory-framework/").content.decode()
    pause = client.get("/wiki/pause-advocacy/").content.decode()

    assert '<figure class="diagram diagram-mermaid">' in china
    assert '<aside class="callout callout-note">' in china
    assert '<li id="fn1" class="footnote-item">' in china
    assert pause.count("<math ") >= 5 and "math-error" not in pause
    assert leftovers(china[china.index("<article") :]) == []
    assert leftovers(pause[pause.index("<article") :]) == []


def test_demo_is_loaded_only_into_an_empty_database(demo):
    before = Source.objects.count()

    with pytest.raises(CommandError, match="already holds"):
        call_command("load_demo", stdout=StringIO())

    assert Source.objects.count() == before


def test_a_bad_demo_row_is_named_and_nothing_is_loaded(tmp_path):
    data = yaml.safe_load(DEMO_FILE.read_text())
    data["sources"][2]["credibility_override"] = 9
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))

    with pytest.raises(CommandError) as excinfo:
        call_command("load_demo", file=bad, stdout=StringIO())

    assert "Source 3" in str(excinfo.value)
    assert data["sources"][2]["url"] in str(excinfo.value)
    assert not Venue.objects.exists() and not Source.objects.exists()


def test_demo_setup_creates_the_staff_accounts_and_prints_their_logins(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()

    call_command("demo_setup", stdout=out)

    stored = json.loads((tmp_path / "demo-credentials.json").read_text())
    User = get_user_model()
    editor = User.objects.get(username="editor")
    moderator = User.objects.get(username="moderator")
    assert editor.is_staff and not editor.is_superuser
    assert editor.groups.filter(name=EDITORS_GROUP).exists()
    assert moderator.groups.filter(name=RATING_MODERATORS_GROUP).exists()
    assert editor.check_password(stored["editor"])
    assert f"password {stored['editor']}" in out.getvalue()
    assert f"password {stored['moderator']}" in out.getvalue()
    assert Source.objects.exists()


def test_demo_setup_prints_the_address_make_run_serves(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()

    call_command("demo_setup", "--base-url", "http://0.0.0.0:9000/", stdout=out)

    assert "Site: http://0.0.0.0:9000/\nAdmin: http://0.0.0.0:9000/admin/" in out.getvalue()
    assert "8000" not in out.getvalue()


def test_make_run_passes_its_host_and_port_to_the_demo_setup():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()

    assert "demo_setup --base-url http://$(HOST):$(PORT)/" in makefile


def test_demo_setup_twice_keeps_data_and_passwords(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_setup", stdout=StringIO())
    counts = (Venue.objects.count(), Source.objects.count(), WikiPage.objects.count())
    first = json.loads((tmp_path / "demo-credentials.json").read_text())

    out = StringIO()
    call_command("demo_setup", stdout=out)

    assert (Venue.objects.count(), Source.objects.count(), WikiPage.objects.count()) == counts
    assert json.loads((tmp_path / "demo-credentials.json").read_text()) == first
    assert first["moderator"] in out.getvalue()


def test_demo_passwords_differ_between_installs(settings, tmp_path):
    passwords = []
    for install in ("one", "two"):
        settings.VAR_DIR = tmp_path / install
        get_user_model().objects.filter(username__in=["editor", "moderator"]).delete()
        call_command("demo_setup", stdout=StringIO())
        passwords.append(json.loads((tmp_path / install / "demo-credentials.json").read_text()))

    assert passwords[0]["editor"] != passwords[1]["editor"]
