"""The editors' lists fit a 1280 px screen: no column cut off or scrolled out of sight."""

import pytest
from django.urls import reverse

from sources.services import source_create
from tests.browser.test_moderation import sign_in
from tests.conftest import _staff_user

pytestmark = pytest.mark.browser

LISTS = [
    "admin:sources_source_changelist",
    "admin:sources_venue_changelist",
    "admin:wiki_wikipage_changelist",
    "admin:ratings_ratingproposal_changelist",
]


@pytest.mark.parametrize("name", LISTS)
def test_the_list_fits_at_1280_px(demo, django_user_model, live_server, browser, name, screenshot):
    source_create(url="https://example.org/" + "a-very-long-address-without-spaces" * 4)
    _staff_user(django_user_model, "edna", "Editors")
    tab = sign_in(browser, live_server, "edna")
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(live_server.url + reverse(name))

    overflow = tab.evaluate(
        """() => {
          const results = document.querySelector('#changelist .results') ||
                          document.querySelector('#changelist-form');
          const table = document.querySelector('#result_list');
          if (!table) return 0;
          return table.scrollWidth - results.clientWidth;
        }"""
    )
    screenshot(tab, "list-" + name.split(":")[1])
    widths = tab.evaluate(
        "() => [...document.querySelectorAll('#result_list thead th')]"
        ".map(th => th.className + ': ' + th.offsetWidth)"
    )
    assert overflow <= 0, f"{name}: the table is {overflow} px wider than its column: {widths}"
