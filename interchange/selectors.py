"""What the reference-manager exports read."""

from __future__ import annotations

from sources.models import Source
from wiki.models import Citation, WikiPage

from .citations.export import sources_for_export


def page_reference_sources(page: WikiPage) -> list[Source]:
    """Return the sources a page cites, in the order of its references (each once), in
    four queries whatever their number."""
    order = {}
    for source_id in (
        Citation.objects.filter(page=page)
        .order_by("position", "pk")
        .values_list("source_id", flat=True)
    ):
        order.setdefault(source_id, len(order))
    sources = sources_for_export(Source.objects.filter(pk__in=list(order)))
    return sorted(sources, key=lambda source: order[source.pk])
