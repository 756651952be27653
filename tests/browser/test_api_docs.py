"""The API's documentation page in a browser: Swagger UI from our own static files draws
every endpoint under the site's Content-Security-Policy, at desktop and phone widths, and
its reading of the schema answers with live data."""

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import RUN_AXE, STANDARDS, checker  # noqa: F401 (fixture)
from tests.browser.test_diagrams import WATCH_CSP

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
SWAGGER_OWN = "nested-interactive (serious): #operations-"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_api_reference_draws_every_endpoint_under_the_csp(  # noqa: PLR0913
    demo,
    live_server,
    browser,
    checker,  # noqa: F811 (the fixture imported above)
    width,
    screenshot,
):
    context = browser.new_context(viewport=WIDTHS[width])
    context.add_init_script(WATCH_CSP)
    tab = context.new_page()
    errors, outside = [], []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else outside.append(request.url)
        ),
    )

    response = tab.goto(live_server.url + reverse("api:docs"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    tab.locator(".opblock-summary-path").first.wait_for(timeout=20_000)

    paths = set(tab.locator(".opblock-summary-path").all_inner_texts())
    for path in ("/api/v1/sources/", "/api/v1/pages/{slug}/", "/api/v1/search/"):
        assert path in {p.strip() for p in paths}, paths
    assert tab.evaluate("window.__cspViolations") == []
    assert errors == [] and outside == []
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the reference scrolls sideways by {overflow} px"

    # Open the source list's operation and send it: the answer is the live list.
    tab.locator(".opblock-summary-path", has_text="/api/v1/sources/").first.click()
    tab.get_by_role("button", name="Try it out").click()
    tab.get_by_role("button", name="Execute").click()
    body = tab.locator(".live-responses-table .response-col_description pre").first
    body.wait_for(timeout=20_000)
    assert '"results"' in body.inner_text()
    assert tab.evaluate("window.__cspViolations") == []
    tab.evaluate(checker + ";0")
    # Swagger UI puts each operation's buttons inside its summary button; its markup is
    # the library's own (reported upstream), the one finding left to it.
    found = [f for f in tab.evaluate(RUN_AXE, STANDARDS) if not f.startswith(SWAGGER_OWN)]
    assert found == [], "\n".join(found)
    screenshot(tab, f"api-docs-{width}")
    context.close()
