"""A list's typed venue filter in a real browser (a knowledge base with more venues than a
list offers): names suggested while typing, chosen with the keyboard, the list filtered by
the venue's slug; on a phone, within the screen; no axe finding with the list open."""

import pytest
from django.urls import reverse

from sources.models import Source, Venue
from tests.browser.test_accessibility import RUN_AXE, STANDARDS, checker  # noqa: F401 (fixture)
from tests.browser.test_search_suggest import WATCH_CSP, type_and_wait

pytestmark = pytest.mark.browser


@pytest.fixture
def typed(settings, demo):
    settings.CREDENCE_FILTER_CHOICES_MAX = 2
    venue = Venue.objects.filter(sources__isnull=False).order_by("name").first()
    assert Venue.objects.count() > 2 and venue is not None
    return venue


def open_list(tab, live_server):
    tab.add_init_script(WATCH_CSP)
    tab.goto(live_server.url + reverse("sources:source_list"))
    box = tab.get_by_role("combobox", name="Venue", exact=True)
    assert box.get_attribute("aria-expanded") == "false"
    return box


def test_a_venue_is_typed_chosen_with_the_keyboard_and_filters_the_list(
    live_server, typed, page, screenshot
):
    box = open_list(page, live_server)
    listbox = type_and_wait(page, box, typed.name[:3])
    labels = listbox.get_by_role("option").all_inner_texts()
    assert typed.name in labels
    assert all(typed.name[:3].lower() in label.lower() for label in labels)
    screenshot(page, "desktop-venue-filter-suggestions")

    for _ in range(labels.index(typed.name) + 1):
        box.press("ArrowDown")
    box.press("Enter")  # takes the option: the box shows its name
    assert box.input_value() == typed.name
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Enter")  # no option active: the form is sent
    page.wait_for_url(f"**venue={typed.slug}**")

    shown = page.locator("main .source-title, main table tbody tr, main li.source").count()
    assert shown > 0
    assert page.get_by_role("combobox", name="Venue", exact=True).input_value() == typed.name
    expected = Source.objects.filter(venue=typed).count()
    assert f"{expected} source" in page.locator("main").inner_text()
    assert page.evaluate("window.__cspViolations") == []


def test_a_name_typed_and_not_chosen_is_sent_as_typed(live_server, typed, page):
    box = open_list(page, live_server)
    box.fill(typed.name.upper())
    box.press("Enter")
    page.wait_for_load_state("load")

    assert page.get_by_role("combobox", name="Venue", exact=True).input_value() == typed.name
    assert "not understood" not in page.locator("main").inner_text()


def test_the_suggestions_fit_a_phone_and_pass_axe(live_server, typed, phone, checker):  # noqa: F811
    box = open_list(phone, live_server)
    listbox = type_and_wait(phone, box, typed.name[:3])

    box_edges = "el => { const r = el.getBoundingClientRect(); return [r.x, r.right]; }"
    edges = listbox.evaluate(box_edges)
    assert edges[0] >= 0 and edges[1] <= phone.viewport_size["width"], edges
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    phone.evaluate(checker + ";0")
    assert phone.evaluate(RUN_AXE, STANDARDS) == []
