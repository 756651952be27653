"""Suggestions in the header's search box, in a real browser: shown while typing, chosen with
the keyboard or the mouse, closed with Escape, and a plain form without JavaScript; the search
page's All view on a desktop and a phone."""

import re

import pytest
from django.urls import reverse

from sources.models import Venue

pytestmark = pytest.mark.browser

# Collects Content-Security-Policy violations from the first moment of each document.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
KIND_LABELS = ("Wiki page", "Venue", "Source")
# A word of the demo's titles in every kind: a venue, sources, and pages.
WORD = "alignment"


def open_home(tab, live_server):
    tab.add_init_script(WATCH_CSP)
    tab.goto(live_server.url + reverse("wiki:home"))
    return tab.locator("#header-q")


def type_and_wait(tab, box, text):
    box.click()
    box.press_sequentially(text, delay=20)
    listbox = tab.get_by_role("listbox", name="Suggestions")
    listbox.wait_for(state="visible")
    return listbox


def test_typing_in_the_header_box_shows_titles_of_every_kind(live_server, demo, page):
    box = open_home(page, live_server)
    assert box.get_attribute("aria-expanded") == "false"

    listbox = type_and_wait(page, box, WORD)

    options = listbox.get_by_role("option")
    assert 2 <= options.count() <= 8
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    texts = options.all_inner_texts()
    assert all(WORD in text.lower() for text in texts)
    kinds = {label for text in texts for label in KIND_LABELS if text.endswith(label)}
    assert kinds == {"Wiki page", "Venue", "Source"}
    status = page.locator(".header-search [role=status]")
    assert status.inner_text() == f"{options.count()} suggestions"
    assert page.evaluate("window.__cspViolations") == []


def test_arrow_keys_choose_a_suggestion_and_enter_opens_it(live_server, demo, page, screenshot):
    box = open_home(page, live_server)
    options = type_and_wait(page, box, WORD).get_by_role("option")
    count = options.count()

    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    assert options.nth(0).get_attribute("aria-selected") == "false"
    box.press("ArrowUp")
    box.press("ArrowUp")  # from the first, Up wraps to the last
    last = options.nth(count - 1)
    assert box.get_attribute("aria-activedescendant") == last.get_attribute("id")
    box.press("ArrowDown")  # and Down from the last back to the first
    first = options.nth(0)
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert box.evaluate("el => el === document.activeElement")  # focus stays in the box
    screenshot(page, "desktop-header-suggestions")
    title = first.locator(".suggestion-title").inner_text()

    with page.expect_navigation():
        box.press("Enter")

    assert "/search/" not in page.url
    assert page.locator("h1").inner_text() == title


def test_a_click_on_a_suggestion_opens_it(live_server, demo, page):
    box = open_home(page, live_server)
    option = type_and_wait(page, box, "deceptive").get_by_role("option").first
    title = option.locator(".suggestion-title").inner_text()

    with page.expect_navigation():
        option.click()

    assert page.locator("h1").inner_text() == title


def test_escape_closes_the_list_and_a_second_escape_clears_the_box(live_server, demo, page):
    box = open_home(page, live_server)
    listbox = type_and_wait(page, box, WORD)

    box.press("ArrowDown")
    box.press("Escape")

    assert box.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden()
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == WORD
    box.press("ArrowDown")  # Down opens it again
    assert box.get_attribute("aria-expanded") == "true"
    box.press("Escape")
    box.press("Escape")
    assert box.input_value() == ""


def test_leaving_the_box_closes_the_list(live_server, demo, page):
    box = open_home(page, live_server)
    listbox = type_and_wait(page, box, WORD)

    box.press("Tab")

    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"


def test_enter_without_a_choice_submits_the_form(live_server, demo, page):
    box = open_home(page, live_server)
    type_and_wait(page, box, WORD)

    with page.expect_navigation():
        box.press("Enter")

    assert re.search(r"/search/\?q=alignment&go=1$", page.url)
    assert page.locator(".search-results li").count() >= 3


def test_enter_on_an_exact_title_opens_it(live_server, demo, page):
    box = open_home(page, live_server)
    type_and_wait(page, box, "METR")

    with page.expect_navigation():
        box.press("Enter")

    # A venue and a page are both titled "METR": the venue, what the name names, comes first.
    assert page.url == live_server.url + Venue.objects.get(name="METR").get_absolute_url()


def test_keystrokes_are_debounced_and_answers_kept(live_server, demo, page):
    asked = []
    page.on("request", lambda request: "/search/suggest/" in request.url and asked.append(1))
    box = open_home(page, live_server)

    type_and_wait(page, box, WORD)  # 9 keystrokes, 20 ms apart
    assert 1 <= len(asked) <= 2
    box.press("Backspace")
    page.wait_for_timeout(400)
    asked_after_backspace = len(asked)
    box.press("t")  # back to a query already answered: from the script's own cache
    page.wait_for_timeout(400)

    assert len(asked) == asked_after_backspace
    assert page.get_by_role("listbox", name="Suggestions").is_visible()


def test_without_javascript_the_box_is_a_plain_form(live_server, demo, browser):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + reverse("wiki:home"))
    box = tab.locator("#header-q")
    assert box.get_attribute("role") is None

    box.fill(WORD)
    with tab.expect_navigation():
        box.press("Enter")

    assert "/search/?q=alignment&go=1" in tab.url
    assert tab.locator(".search-results li").count() >= 3
    context.close()


def test_suggestions_fit_a_phone(live_server, demo, phone, screenshot):
    box = open_home(phone, live_server)
    listbox = type_and_wait(phone, box, WORD)

    shape = listbox.bounding_box()
    assert shape["x"] >= 0 and shape["x"] + shape["width"] <= 375
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "phone-header-suggestions")


def all_view(tab, live_server):
    tab.goto(live_server.url + reverse("search:search") + f"?q={WORD}")
    results = tab.locator(".search-results > li")
    assert results.count() >= 3
    return results


def test_the_all_view_on_a_desktop(live_server, demo, page, screenshot):
    results = all_view(page, live_server)

    labels = results.locator(".result-kind").all_inner_texts()
    assert set(labels) == {"Wiki page", "Venue", "Source"}
    screenshot(page, "desktop-search-all")


def test_the_all_view_on_a_phone(live_server, demo, phone, screenshot):
    results = all_view(phone, live_server)

    widths = phone.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] <= 375
    for index in range(results.count()):
        label = results.nth(index).locator(".result-kind")
        shape = label.bounding_box()
        assert label.is_visible() and shape["x"] >= 0 and shape["x"] + shape["width"] <= 375
    tabs = phone.locator(".search-tabs a")
    assert tabs.count() == 4
    for index in range(tabs.count()):
        shape = tabs.nth(index).bounding_box()
        assert shape["x"] >= 0 and shape["x"] + shape["width"] <= 375, tabs.nth(index).inner_text()
    screenshot(phone, "phone-search-all")
