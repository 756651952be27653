"""QuickSelect writes exactly the markup of Django's Select, without a template per option."""

import pytest
from django import forms
from django.test.signals import template_rendered

from core.widgets import QuickSelect
from sources.filters import SourceFilter
from sources.selectors import source_list_annotated
from tests.factories import VenueFactory

CHOICES = [
    ("", "Any"),
    ("a", "Alpha & <Omega>"),
    (3, "Three"),
    ('Group "g"', [("g1", "In a group"), ("g2", "Also")]),
    ("z", "Zed"),
]


@pytest.mark.parametrize("value", [None, "", "a", 3, "g2", "missing"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_x", "required": True, "disabled": False, "data-q": 'say "hi" <b>'}],
)
def test_the_markup_is_django_s_own(value, attrs):
    ours = QuickSelect(choices=CHOICES).render("x", value, attrs)
    django = forms.Select(choices=CHOICES).render("x", value, attrs)

    assert ours == django


@pytest.mark.django_db
def test_the_source_list_offers_every_venue_as_before_without_a_template_per_option():
    venues = [VenueFactory(name=f"Venue {n} <{n}>") for n in range(30)]
    chosen = venues[7]
    form = SourceFilter({"venue": chosen.slug}, queryset=source_list_annotated()).form
    field = form["venue"]

    by_name = sorted(venues, key=lambda venue: venue.name)
    choices = [("", "Any"), *[(venue.slug, venue.name) for venue in by_name]]
    reference = forms.Select(choices=choices).render("venue", chosen.slug, {"id": "id_venue"})
    assert str(field) == reference
    assert f'<option value="{chosen.slug}" selected>' in str(field)

    # Rendering it renders no template per option (Django's Select includes one each).
    rendered: list[str] = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        str(field)
    finally:
        template_rendered.disconnect(record)
    assert not [name for name in rendered if name and "select_option" in name]
