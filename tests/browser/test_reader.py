"""What a reader does on the public site, in a real browser."""

import re

import pytest
from django.urls import reverse

from sources.models import Source
from wiki.services import wiki_page_create

pytestmark = pytest.mark.browser


def test_a_reader_filters_the_source_list_and_opens_a_source(live_server, demo, page, screenshot):
    page.goto(live_server.url + reverse("sources:source_list"))
    page.get_by_label("Credibility at least").select_option("4")
    page.get_by_label("Cited by a page").select_option("yes")
    # Read the list once the filtered page has loaded, not the one it replaces.
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()

    assert "min_credibility=4" in page.url and "cited=yes" in page.url
    badges = page.locator("table.list td[data-label=Credibility] .badge").all_inner_texts()
    assert badges and all(int(text[0]) >= 4 for text in badges)
    screenshot(page, "source-list")

    first = page.locator("table.list tbody a").first
    title = first.inner_text()
    with page.expect_navigation():
        first.click()

    assert page.locator("h1").inner_text() == title
    block = page.locator(".credibility-block")
    assert block.is_visible() and "Credibility rating" in block.inner_text()
    assert page.locator("table.cited-by tbody tr").count() >= 1
    screenshot(page, "source-detail")


def test_a_citation_marker_leads_to_its_reference(live_server, demo, page, screenshot):
    page.goto(live_server.url + reverse("wiki:page_detail", args=["pause-advocacy"]))
    marker = page.locator("sup.cite a").first
    number = marker.inner_text().strip("[]")

    marker.click()

    assert page.url.endswith(f"#ref-{number}")
    reference = page.locator(f"li#ref-{number}")
    assert reference.is_visible()
    assert reference.evaluate("el => el.matches(':target')")
    screenshot(page, "wiki-page")


HOSTILE_BODY = """
Hostile content follows.

<script>window.__pwned = 'script'; alert('script')</script>

<img src="x" onerror="window.__pwned = 'onerror'; alert('onerror')">

<a id="js-link" href="javascript:window.__pwned='href';alert('href')">a javascript link</a>

[markdown javascript link](javascript:alert('md'))

<svg onload="window.__pwned='svg'"></svg>

<div onmouseover="window.__pwned='hover'">hover me</div>
"""


def test_a_hostile_body_executes_nothing(live_server, transactional_db, page):
    wiki_page_create(slug="hostile", title="Hostile", body=HOSTILE_BODY)

    page.goto(live_server.url + reverse("wiki:page_detail", args=["hostile"]))
    for link in page.locator(".body a").all():
        link.click()
    page.goto(live_server.url + reverse("wiki:page_detail", args=["hostile"]))
    page.get_by_text("hover me").hover()

    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []
    assert page.locator(".body script").count() == 0
    assert "Hostile content follows." in page.locator(".body").inner_text()


MAIN_PAGES = {
    "home": lambda: reverse("wiki:home"),
    "source-list": lambda: reverse("sources:source_list"),
    "source-detail": lambda: Source.objects.get(title__startswith="How China").get_absolute_url(),
    "venue-list": lambda: reverse("sources:venue_list"),
    "venue-detail": lambda: reverse("sources:venue_detail", args=["carnegie"]),
    "wiki-list": lambda: reverse("wiki:page_list"),
    "wiki-page": lambda: reverse("wiki:page_detail", args=["pause-advocacy"]),
    "tag": lambda: reverse("wiki:tag_detail", args=["ai-governance"]),
    "tag-list": lambda: reverse("wiki:tag_list"),
}


def test_the_phone_layout_has_no_horizontal_scroll(live_server, demo, phone, screenshot):
    for name, url in MAIN_PAGES.items():
        phone.goto(live_server.url + url())
        widths = phone.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (name, widths)
        screenshot(phone, f"phone-{name}")


def test_desktop_screenshots_of_each_page_type(live_server, demo, page, screenshot):
    for name, url in MAIN_PAGES.items():
        response = page.goto(live_server.url + url())
        assert response.status == 200, name
        screenshot(page, f"desktop-{name}")


def test_a_reader_goes_from_home_to_a_source_to_a_citing_page_and_back(live_server, demo, page):
    page.goto(live_server.url + reverse("wiki:home"))
    page.locator("#recent-sources-heading + ul a").first.click()
    source_url = page.url
    source_title = page.locator("h1").inner_text()

    page.locator("table.cited-by tbody a").first.click()
    assert re.search(r"/wiki/[\w-]+/$", page.url)

    page.locator(".references a", has_text=source_title).first.click()
    assert page.url == source_url

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Wiki").click()
    assert page.url.endswith(reverse("wiki:page_list"))
    page.locator(".brand").click()
    assert page.url == live_server.url + "/"


def test_the_keyboard_reaches_the_skip_link_and_every_filter(live_server, demo, page):
    page.goto(live_server.url + reverse("sources:source_list"))

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    reached = set()
    for _n in range(30):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.name || ''"))
    assert {
        "q",
        "type",
        "venue",
        "credibility",
        "min_credibility",
        "tag",
        "sort",
        "per_page",
    } <= reached


def test_pages_seeded_with_payloads_raise_no_dialog_and_no_csp_violation(
    live_server, transactional_db, page
):
    from tests.test_security import PAYLOADS

    body = "\n\n".join(f"Payload {n}: {payload}" for n, payload in enumerate(PAYLOADS))
    wiki_page_create(slug="payloads", title="Payloads", body=body)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    for path in (
        reverse("wiki:page_detail", args=["payloads"]),
        reverse("search:search") + "?q=payload",
        reverse("wiki:home"),
        reverse("sources:source_list"),
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")

    assert page.dialogs == []
    assert violations == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
