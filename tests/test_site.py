"""Site-wide qualities of the public pages: valid HTML5, metadata, landmarks, labels, contrast."""

import re
from io import StringIO
from pathlib import Path

import html5lib
import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from sources.models import Source, Venue
from wiki.models import WikiPage

CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "site.css"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


def public_urls():
    source = Source.objects.filter(citations__isnull=False).first()
    return [
        reverse("wiki:home"),
        reverse("sources:source_list"),
        reverse("sources:source_list") + "?min_credibility=3&sort=-cited&per_page=50",
        source.get_absolute_url(),
        Source.objects.filter(summary="").first().get_absolute_url()
        if Source.objects.filter(summary="").exists()
        else source.get_absolute_url(),
        reverse("sources:venue_list"),
        Venue.objects.first().get_absolute_url(),
        reverse("wiki:page_list"),
        reverse("wiki:page_list") + "?type=risk",
        *[page.get_absolute_url() for page in WikiPage.objects.all()],
        reverse("wiki:tag_list"),
        reverse("wiki:tag_detail", args=[source.tags.first().slug]),
        "/no-such-page/",
    ]


def test_every_public_page_is_well_formed_html5_with_title_description_and_canonical(client, demo):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        html = response.content.decode()
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        parser.parse(html)  # raises on any parse error
        assert html.startswith("<!DOCTYPE html>"), url
        assert re.search(r"<title>[^<]+ · Credence</title>", html), url
        assert re.search(r'<meta name="description" content="[^"]{20,}">', html), url
        if response.status_code == 200:
            assert re.search(r'<link rel="canonical" href="http://testserver/[^"]*">', html), url


def test_every_public_page_has_landmarks_and_a_skip_link(client, demo):
    for url in public_urls():
        html = client.get(url).content.decode()
        for landmark in (
            '<header class="site-header">',
            '<nav aria-label="Main">',
            '<main id="main"',
            '<footer class="site-footer">',
        ):
            assert landmark in html, (url, landmark)
        assert '<a class="skip-link" href="#main">' in html


@pytest.mark.parametrize(
    "url",
    [
        reverse("sources:source_list"),
        reverse("sources:venue_list"),
        reverse("wiki:page_list"),
        reverse("wiki:home"),
    ],
)
def test_every_form_control_has_a_label(client, demo, url):
    html = client.get(url).content.decode()
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    labelled = {label.get("for") for label in tree.iter("label")}
    controls = [el for el in tree.iter() if el.tag in {"input", "select", "textarea"}]

    assert controls
    for control in controls:
        if control.get("type") == "hidden":
            continue
        assert control.get("id") in labelled or control.get("aria-label"), control.attrib


def test_the_server_error_page_is_in_the_site_look_and_leaks_nothing(settings):
    settings.DEBUG = False
    request = RequestFactory().get("/")

    response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and 'class="site-header"' in html
    assert "Traceback" not in html and "SECRET" not in html


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_text_colours_meet_wcag_aa_contrast():
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    white = "#ffffff"
    pairs = [
        (colours["ink"], colours["paper"]),
        (colours["ink"], colours["wash"]),
        (colours["muted"], colours["paper"]),
        (colours["muted"], colours["wash"]),
        (colours["link"], colours["paper"]),
        (colours["link"], colours["wash"]),
        (white, colours["accent"]),
        (colours["broken"], colours["paper"]),
        *[(white, colours[f"cred-{level}"]) for level in range(1, 6)],
    ]
    for foreground, background in pairs:
        assert contrast(foreground, background) >= 4.5, (foreground, background)


def test_each_search_landmark_has_a_name_of_its_own(client, db):
    html = client.get("/").content.decode()

    names = re.findall(r'<form[^>]*role="search"[^>]*aria-label="([^"]+)"', html)
    searches = re.findall(r'<form[^>]*role="search"', html)

    assert len(names) == len(searches) == 2
    assert len(set(names)) == 2
