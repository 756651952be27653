"""The focus ring is visible against what surrounds it: at least 3:1 (WCAG 1.4.11),
computed from the colours the browser really draws, on the light page and the dark header."""

import re

import pytest

from sources.models import Venue
from tests.browser.test_moderation import sign_in
from tests.conftest import _staff_user
from wiki.services import wiki_page_create

pytestmark = pytest.mark.browser

# The ring's colour, and the first opaque background behind the focused element.
# The ring's colour, and the first opaque background under the ring: at a point just
# outside the focused element, where the ring (3 px, 2 px away) is drawn.
RING_AND_BACKGROUND = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  let node = document.elementFromPoint(Math.max(0, box.left - 3), box.top + box.height / 2);
  let background = null;
  while (node && node !== document.documentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg !== 'transparent' && !bg.startsWith('rgba(0, 0, 0, 0)')) { background = bg; break; }
    node = node.parentElement;
  }
  background = background || getComputedStyle(document.body).backgroundColor;
  return {ring: style.outlineColor, width: style.outlineWidth, style: style.outlineStyle,
          background: background, tag: el.tagName, text: el.textContent.trim().slice(0, 40)};
}"""


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _focus(page, selector):
    page.focus(selector)
    page.keyboard.press("Shift+Tab")  # focus by keyboard, so :focus-visible applies
    page.keyboard.press("Tab")
    return page.evaluate(RING_AND_BACKGROUND)


@pytest.mark.parametrize(
    "selector", ["main a[href]", ".site-header nav a", "#header-q", ".skip-link"]
)
def test_the_focus_ring_has_three_to_one_contrast(demo, live_server, page, selector):
    page.goto(live_server.url + "/")

    seen = _focus(page, selector)

    assert seen["style"] == "solid" and seen["width"] == "3px", seen
    assert contrast(seen["ring"], seen["background"]) >= 3, seen


@pytest.mark.parametrize("kind", ["table", "code"])
def test_a_wide_table_or_code_block_scrolls_from_the_keyboard(
    transactional_db, live_server, phone, kind
):
    wide = " ".join(f"column{n}" for n in range(30))
    body = (
        "| "
        + " | ".join(wide.split())
        + " |\n|"
        + "---|" * 30
        + "\n| "
        + " | ".join("x" * 30)
        + " |\n"
        if kind == "table"
        else "```\n" + wide.replace(" ", "_") + "\n```\n"
    )
    page = wiki_page_create(slug="wide", title="Wide", body=body)
    phone.goto(live_server.url + page.get_absolute_url())

    box = phone.locator(f".{kind}-wrap")
    box.focus()
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")

    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    # Chromium scrolls smoothly from the keyboard: the box moves over the next frames, so
    # wait for it to have moved (a box the keys cannot scroll fails here on the timeout).
    phone.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle(), timeout=5000)
    assert box.get_attribute("role") == "region" and "scrolls sideways" in box.get_attribute(
        "aria-label"
    )


def tab_walk(page, presses: int) -> list[dict]:
    """Press Tab from the top of the page; return each focused element as seen."""
    stops = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                """() => {
                  const el = document.activeElement;
                  const box = el.getBoundingClientRect();
                  const style = getComputedStyle(el);
                  const name = el.getAttribute('aria-label') || el.textContent || el.name || '';
                  return {
                    tag: el.tagName,
                    text: name.trim().slice(0, 40),
                    visible: box.width > 0 && box.height > 0
                      && box.bottom > 0 && box.top < innerHeight,
                    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                  };
                }"""
            )
        )
    return stops


@pytest.mark.parametrize(
    ("url", "expected_first"),
    [
        ("/", ["Skip to content", "Credence", "Sources", "Venues", "Wiki", "Tags"]),
        ("/sources/?min_credibility=3", ["Skip to content", "Credence", "Sources"]),
        ("/wiki/pause-advocacy/", ["Skip to content", "Credence", "Sources"]),
    ],
)
def test_the_tab_order_starts_with_the_skip_link_and_every_stop_is_visible(
    demo, live_server, page, url, expected_first
):
    page.goto(live_server.url + url)

    stops = tab_walk(page, 25)

    assert [stop["text"] for stop in stops[: len(expected_first)]] == expected_first
    assert all(stop["visible"] and stop["ring"] for stop in stops), stops


def test_the_skip_link_moves_focus_to_the_main_content(demo, live_server, page):
    page.goto(live_server.url + "/wiki/pause-advocacy/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    inside_main = page.evaluate("() => !!document.activeElement.closest('main')")
    assert inside_main


def test_the_admin_form_is_walked_by_keyboard_with_a_visible_ring(
    demo, live_server, browser, django_user_model
):
    _staff_user(django_user_model, "edna", "Editors")
    venue = Venue.objects.order_by("slug").first()
    tab = sign_in(browser, live_server, "edna")
    tab.goto(live_server.url + f"/admin/sources/venue/{venue.pk}/change/")
    tab.locator("#id_name").focus()

    stops = tab_walk(tab, 12)

    assert all(stop["visible"] and stop["ring"] for stop in stops), stops
    assert {"INPUT", "SELECT", "TEXTAREA"} & {stop["tag"] for stop in stops}


def test_a_wiki_page_prints_its_text_and_references_without_navigation(
    demo, live_server, page, screenshot
):
    page.goto(live_server.url + "/wiki/pause-advocacy/")
    page.emulate_media(media="print")

    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".toc").is_visible() if page.locator(".toc").count() else True
    assert page.locator(".references").is_visible()
    assert page.locator("main h1").is_visible()
    screenshot(page, "print-wiki-page")


def test_reduced_motion_is_respected(demo, live_server, browser):
    context = browser.new_context(reduced_motion="reduce")
    tab = context.new_page()
    tab.goto(live_server.url + "/")

    duration = tab.evaluate("getComputedStyle(document.querySelector('a')).transitionDuration")

    assert duration in ("1e-05s", "0.00001s", "0s")
    context.close()
