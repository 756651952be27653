"""References whose data is not in the files (`[^rc-…]`): counted at import, listed for
editors, filterable, and mapped to a source to become ordinary citations."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from interchange.longterm_wiki.importer import longterm_wiki_import
from tests.factories import SourceFactory
from tests.interchange.kb_builder import write_kb
from wiki.models import Citation, WikiPage
from wiki.services import wiki_page_create, wiki_page_reference_map

pytestmark = pytest.mark.django_db

GAMMA = """\
---
title: Gamma
---
Revenue grew.[^rc-473f] Costs grew.[^rc-473f] Staff grew.[^kb-01] Rent grew.[^cr-aa]
A defined one.[^1] An undefined one.[^smith-2020]

$$
\\frac{a
$$

[^1]: The defined note.
"""


def test_an_import_counts_missing_references_per_kind_and_reports_bad_formulas(tmp_path):
    kb = write_kb(tmp_path / "kb", **{"pages/gamma.mdx": GAMMA})
    out = StringIO()

    call_command("import_longterm_wiki", str(kb), stdout=out)
    report = longterm_wiki_import(kb)  # the second run reports the same, changing nothing

    assert dict(report.missing_references) == {"rc": 1, "kb": 1, "cr": 1, "other": 1}
    assert report.pages_with_missing_references == 1
    assert "References whose data is not in the files (cr 1, kb 1, other 1, rc 1) on 1 page(s)" in (
        out.getvalue()
    )
    formula = [str(issue) for issue in report.reported if issue.kind == "formula"]
    assert formula == [
        "pages/gamma.mdx:8: formula '\\\\frac{a' cannot be shown (unbalanced braces): as code"
    ]
    assert WikiPage.objects.get(slug="gamma").missing_reference_count == 4


@pytest.fixture
def page():
    return wiki_page_create(
        slug="gamma",
        title="Gamma",
        type="policy",
        body="Revenue grew.[^rc-473f] Again.[^rc-473f] Staff.[^kb-01]\n\n`[^rc-473f]` in code.\n",
    )


def test_saving_a_page_counts_its_missing_references(page):
    assert page.missing_reference_count == 2

    page.body = "No notes now."
    page.save()

    assert WikiPage.objects.get(pk=page.pk).missing_reference_count == 0


def test_mapping_a_reference_makes_it_a_citation_everywhere_on_the_page(page):
    source = SourceFactory()

    count = wiki_page_reference_map(page=page, label="rc-473f", source=source)

    page.refresh_from_db()
    assert count == 2
    assert page.body == (
        f"Revenue grew.[[cite:{source.pk}]] Again.[[cite:{source.pk}]] Staff.[^kb-01]\n\n"
        "`[^rc-473f]` in code.\n"
    )
    assert list(Citation.objects.filter(page=page).values_list("source", "in_body")) == [
        (source.pk, True)
    ]
    assert page.missing_reference_count == 1
    assert page.history.count() == 2  # the mapping is a version of its own


def test_mapping_a_label_the_page_does_not_miss_is_refused(page):
    with pytest.raises(ValidationError) as error:
        wiki_page_reference_map(page=page, label="rc-none", source=SourceFactory())

    assert error.value.code == "footnote_not_found"


def test_editors_see_missing_references_on_the_form_and_can_filter_the_list(editor_client, page):
    other = wiki_page_create(slug="delta", title="Delta", type="policy", body="Complete.")

    form = editor_client.get(reverse("admin:wiki_wikipage_change", args=[page.pk]))
    listing = editor_client.get(reverse("admin:wiki_wikipage_changelist") + "?broken=missing")

    html = form.content.decode()
    assert "<code>[^rc-473f]</code>" in html and "<code>[^kb-01]</code>" in html
    assert reverse("admin:wiki_wikipage_reference_map", args=[page.pk, "rc-473f"]) in html
    titles = [row.title for row in listing.context["cl"].result_list]
    assert titles == ["Gamma"] and other.title not in titles


def test_an_editor_maps_a_reference_from_the_admin(editor_client, page):
    source = SourceFactory()
    url = reverse("admin:wiki_wikipage_reference_map", args=[page.pk, "rc-473f"])

    shown = editor_client.get(url)
    response = editor_client.post(url, {"source": source.pk})

    assert shown.status_code == 200 and "2 times" in shown.content.decode()
    assert response.status_code == 302
    page.refresh_from_db()
    assert "[^rc-473f]" not in page.body.split("`")[0]
    assert page.citations.filter(source=source).exists()


def test_a_staff_member_who_may_only_view_pages_cannot_map(client, django_user_model, page):
    viewer = django_user_model.objects.create_user(username="vera", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_wikipage"))
    client.force_login(viewer)
    url = reverse("admin:wiki_wikipage_reference_map", args=[page.pk, "rc-473f"])

    response = client.post(url, {"source": SourceFactory().pk})

    assert response.status_code == 403
    page.refresh_from_db()
    assert page.body.startswith("Revenue grew.[^rc-473f]")


def test_mapping_needs_change_permission_and_a_missing_label(client, editor_client, page):
    url = reverse("admin:wiki_wikipage_reference_map", args=[page.pk, "rc-473f"])
    source = SourceFactory()

    anonymous = Client().post(url, {"source": source.pk})
    unknown = editor_client.get(reverse("admin:wiki_wikipage_reference_map", args=[page.pk, "x"]))
    no_source = editor_client.post(url, {"source": ""})

    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert unknown.status_code == 404
    assert no_source.status_code == 200 and "This field is required" in no_source.content.decode()
    page.refresh_from_db()
    assert "[^rc-473f]" in page.body
