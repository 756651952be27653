"""Claim checks as readers and editors see them."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.html import escape

from wiki.selectors import RenderedPage

from .matching import Outcome
from .models import ClaimCheck

REFERENCE_TEMPLATE = "claims/includes/reference_claims.html"
# The renderer's marker (wiki.markup._citation_close): reference number, then the marker's
# count among that reference's markers.
MARKER_RE = re.compile(r'<sup class="cite" id="cite-(\d+)-(\d+)">(.*?)</sup>')
# What a marker shows beside its number, by the state a reader is told: a shape (hidden
# from screen readers) and the words (for them, and as a tooltip). No colour alone.
MARKER_STATES = {
    Outcome.WEAK: ("?", "weak match"),
    Outcome.NOT_FOUND: ("✗", "not found in the source"),
    Outcome.UNCHECKED: ("○", "no snapshot to check"),
    "not_supported": ("✗", "not supported, checked by a person"),
    "person_supported": ("✓", "supported, checked by a person"),
}


def page_claim_checks(page) -> QuerySet[ClaimCheck]:
    """A page's checks with their snapshot's date, in one query (no snapshot text)."""
    return ClaimCheck.objects.filter(page=page).annotate(
        snapshot_fetched_at=F("snapshot__fetched_at")
    )


def snapshot_passage_url(check: ClaimCheck) -> str:
    """The snapshot's page, scrolled to the passage and marking it."""
    if check.snapshot_id is None or check.passage_start is None:
        return ""
    url = reverse("sources:snapshot_detail", args=[check.source_id, check.snapshot_id])
    query = urlencode({"from": check.passage_start, "to": check.passage_end})
    return f"{url}?{query}#passage"


def marker_state_html(state: str) -> str:
    shape, words = MARKER_STATES[state]
    return (
        f'<span class="cite-state" title="{escape(words)}"><span aria-hidden="true">{shape}'
        f'</span><span class="visually-hidden"> ({escape(words)})</span></span>'
    )


def body_markers_with_states(html: str, states: dict[tuple[int, int], str]) -> str:
    """The body's markers with the state of each one that has one to show."""

    def marked(match: re.Match) -> str:
        state = states.get((int(match[1]), int(match[2])))
        if state not in MARKER_STATES:
            return match[0]
        return (
            f'<sup class="cite cite-{state.replace("_", "-")}" id="cite-{match[1]}-{match[2]}">'
            f"{match[3]}{marker_state_html(state)}</sup>"
        )

    return MARKER_RE.sub(marked, html)


def rendered_page_claims(rendered: RenderedPage) -> None:
    """Give each reference its checks (`citation.claim_checks`, by marker) and each marker
    its state; one query, whatever the number of citations."""
    if rendered.page.pk is None:
        return
    by_source: dict[str, list[ClaimCheck]] = defaultdict(list)
    for check in page_claim_checks(rendered.page):
        check.passage_url = snapshot_passage_url(check)
        by_source[check.source_id].append(check)
    if not by_source:
        return
    states = {}
    for number, citation in enumerate(rendered.references, start=1):
        checks = sorted(by_source.get(citation.source_id, []), key=lambda c: c.occurrence)
        citation.claim_checks = checks
        # A source with no snapshot leaves every marker unchecked: the reference says it once.
        citation.claims_unchecked = all(
            check.outcome == Outcome.UNCHECKED and not check.verdict for check in checks
        )
        citation.reference_number = number
        for check in checks:
            states[(number, check.occurrence)] = check.state
    rendered.body_html = body_markers_with_states(rendered.body_html, states)
    rendered.reference_templates.append(REFERENCE_TEMPLATE)


def claim_check_list() -> QuerySet[ClaimCheck]:
    """The editors' list: every check with its page and source, one query."""
    return ClaimCheck.objects.select_related("page", "source", "verdict_by").annotate(
        snapshot_fetched_at=F("snapshot__fetched_at")
    )
