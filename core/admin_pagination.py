"""The admin's big lists, counted no further than `CREDENCE_LIST_COUNT_CAP` rows."""

from __future__ import annotations

from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import EmptyPage
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .pagination import CappedPaginator


class CappedChangeList(ChangeList):
    """An admin list whose count stops at the cap: past it, a Next link (the page numbers
    stop at the cap)."""

    def get_results(self, request):
        super().get_results(request)
        if not (self.has_active_filters or self.get_filters_params() or self.query):
            # Unfiltered, the list is the whole table: the stock search bar would otherwise
            # say "N results (Show all)" with nothing to show beyond it.
            self.full_result_count = self.result_count

    @cached_property
    def next_page_url(self) -> str | None:
        if not getattr(self.paginator, "count_capped", False):
            return None
        try:
            page = self.paginator.page(self.page_num)  # the page already read: no query
        except EmptyPage:
            return None
        return self.get_query_string({PAGE_VAR: self.page_num + 1}) if page.has_next() else None


class CappedCountAdminMixin:
    """A big admin list: counted up to the cap, never in full (no "N total" either)."""

    paginator = CappedPaginator
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return CappedChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and getattr(changelist.paginator, "count_capped", False):
            response.context_data["selection_note_all"] = _("All %(total_count)s selected") % {
                "total_count": changelist.paginator.count_label
            }
        return response
