"""Inline rows (here a source's authors) reorder by dragging a handle or from the keyboard,
and the order shown is the order saved."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sources.models import Source
from sources.services import source_create
from tests.browser.test_moderation import sign_in
from tests.conftest import _staff_user

pytestmark = pytest.mark.browser


@pytest.fixture
def source(transactional_db, django_user_model):
    _staff_user(django_user_model, "edna", "Editors")
    return source_create(
        url="https://example.org/paper", title="Paper", authors=["Ada", "Bo", "Cy"]
    )


def _authors(pk):
    return list(Source.objects.get(pk=pk).authors.values_list("name", flat=True))


def _open(browser, live_server, source):
    tab = sign_in(browser, live_server, "edna")
    tab.goto(live_server.url + reverse("admin:sources_source_change", args=[source.pk]))
    return tab


def test_the_keyboard_moves_a_row_and_the_save_keeps_the_order(source, live_server, browser):
    tab = _open(browser, live_server, source)
    handles = tab.locator("#authors-group .order-handle")
    expect(handles).to_have_count(4)  # the three authors and the empty extra row

    handles.nth(0).focus()
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("ArrowDown")
    expect(tab.get_by_role("status").filter(has_text="Moved")).to_have_text(
        "Moved Ada to place 3 of 3."
    )
    expect(handles.nth(2)).to_be_focused()
    tab.locator("input[name=_save]").click()

    expect(tab.locator("ul.messagelist")).to_contain_text("was changed successfully")
    assert _authors(source.pk) == ["Bo", "Cy", "Ada"]


def test_dragging_a_handle_moves_the_row(source, live_server, browser, screenshot):
    tab = _open(browser, live_server, source)
    rows = tab.locator("#authors-group tbody tr.form-row.has_original")

    tab.locator("#authors-group .order-handle").nth(2).drag_to(
        rows.nth(0), target_position={"x": 10, "y": 2}
    )
    screenshot(tab, "inline-order")
    tab.locator("input[name=_save]").click()

    expect(tab.locator("ul.messagelist")).to_contain_text("was changed successfully")
    assert _authors(source.pk) == ["Cy", "Ada", "Bo"]
