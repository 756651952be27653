"""The reference-manager screens in a browser: the source page's "Cite this" and its
downloads, and the admin import from upload through preview to confirmation, at desktop and
phone widths (no page wider than the screen; no serious axe finding on the preview)."""

import pytest
from django.urls import reverse

from sources.models import Source
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import RUN_AXE, STANDARDS, checker  # noqa: F401 (fixture)
from tests.browser.test_moderation import sign_in
from tests.conftest import _staff_user

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
NEW_ENTRY = """@article{fresh,
  title = {Scalable Oversight of Sycophantic Models},
  author = {M{\\"u}ller, Anna and Chen, Li},
  journal = {Journal of Invented Alignment Studies},
  year = {2025},
  doi = {10.5555/credence.browser.1},
  url = {https://example.org/papers/oversight-with-a-long-address-that-has-to-wrap-on-phones}
}
"""


def overflow(tab) -> int:
    return tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reader_sees_citations_in_four_styles_and_downloads_one(
    demo, live_server, browser, width, screenshot
):
    source = Source.objects.filter(authors__isnull=False).order_by("pk").first()
    tab = browser.new_context(viewport=WIDTHS[width], accept_downloads=True).new_page()
    tab.goto(live_server.url + source.get_absolute_url())

    section = tab.get_by_role("region", name="Cite this source")
    styles = section.locator("dt").all_inner_texts()
    assert [style.upper() for style in styles] == ["APA", "CHICAGO", "MLA", "IEEE"]
    assert source.title in section.locator("dd").first.inner_text()
    assert overflow(tab) <= 0, f"the source page scrolls sideways by {overflow(tab)} px"
    with tab.expect_download() as download:
        section.get_by_role("link", name="BibTeX").click()
    assert download.value.suggested_filename.endswith(".bib")
    assert source.title in open(download.value.path(), encoding="utf-8").read()
    screenshot(tab, f"cite-this-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_previews_then_imports_a_bibtex_file(  # noqa: PLR0913
    demo,
    live_server,
    browser,
    django_user_model,
    checker,  # noqa: F811 (the fixture imported above)
    width,
    tmp_path,
    screenshot,  # noqa: F811
):
    _staff_user(django_user_model, "edna", "Editors")
    duplicate = Source.objects.order_by("pk").first()
    upload = tmp_path / "mine.bib"
    again = f"@misc{{again,\n  title = {{{duplicate.title}}},\n  url = {{{duplicate.url}}}\n}}\n"
    upload.write_text(NEW_ENTRY + again, encoding="utf-8")
    tab = sign_in(browser, live_server, "edna", WIDTHS[width])
    tab.goto(live_server.url + reverse("citations_import"))
    tab.get_by_label("File").set_input_files(str(upload))
    # Read the preview once the posted page has loaded: a click returns when the
    # navigation starts, before the new page's table is parsed.
    with tab.expect_navigation():
        tab.get_by_role("button", name="Preview").click()

    preview = tab.locator("#import-preview")
    rows = preview.locator("tbody tr")
    assert rows.count() == 2
    assert "Create" in rows.nth(0).inner_text()
    assert "Duplicate of" in rows.nth(1).inner_text()
    assert overflow(tab) <= 0, f"the preview scrolls the page sideways by {overflow(tab)} px"
    tab.evaluate(checker + ";0")
    found = tab.evaluate(RUN_AXE, STANDARDS)
    assert found == [], "\n".join(found)
    screenshot(tab, f"citation-import-preview-{width}")
    assert not Source.objects.filter(doi="10.5555/credence.browser.1").exists()

    with tab.expect_navigation():
        tab.get_by_role("button", name="Create these sources").click()

    message = tab.locator(".messagelist").inner_text()
    assert message.strip() == "Created 1 source from mine.bib; skipped 1 duplicate."
    created = Source.objects.get(doi="10.5555/credence.browser.1")
    assert created.title == "Scalable Oversight of Sycophantic Models"
    assert Source.objects.filter(url=duplicate.url).count() == 1
