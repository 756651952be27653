"""What wiki pages put in the search index, and how the search page shows them.

`WikiConfig.ready()` registers them; the search app keeps the index current from then on.
"""

from django.utils.translation import gettext_lazy as _

from search.index import SearchKind, search_kind_register
from search.selectors import SearchKindPage, search_page_kind_register

from .filters import WikiPageFilter
from .models import WikiPage
from .selectors import wiki_page_list_annotated


def _page_ranking(pks) -> dict:
    rows = WikiPage.objects.filter(pk__in=pks).values_list(
        "pk", "title", "quality", "last_edited", "updated_at"
    )
    return {
        pk: (title, quality or 0, edited or updated.date())
        for pk, title, quality, edited, updated in rows
    }


def search_kinds_register() -> None:
    """Index wiki pages and show them first on the search page."""
    search_kind_register(
        SearchKind(
            name="pages",
            model=WikiPage,
            weighted={"A": ["title"], "B": ["description", "summary"], "C": ["body"]},
            title_field="title",
            snippet_fields=("description", "summary", "body", "title"),
            ranking_values=_page_ranking,
        )
    )
    search_page_kind_register(
        "pages",
        SearchKindPage(
            _("Wiki pages"),
            _("Wiki page"),
            WikiPageFilter,
            wiki_page_list_annotated,
            WikiPage.objects.all,
            0,
        ),
    )
