"""Pagination shared by every list: the reader picks the page size, and no list counts
further than `CREDENCE_LIST_COUNT_CAP` rows (the admin's lists too, `core.admin_pagination`)."""

from __future__ import annotations

from math import ceil

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]

MORE_THAN = _("more than %(count)s")


class CappedPage(Page):
    """A page of a list counted only up to its cap: whether another page follows is read
    (one row beyond the page), not counted."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def end_index(self) -> int:
        return self.start_index() + len(self) - 1


class CappedPaginator(Paginator):
    """A Paginator that counts a query's rows no further than a cap.

    Counting every match costs a scan of them all, which grows with the table; this counts
    at most cap + 1 rows (a LIMIT inside the COUNT). Past the cap, the count reads "more
    than 10,000", pages are numbered up to the cap, and a page beyond it is read like any
    other, with one row more to tell whether a next one follows. Sequences that are not
    queries (search results, already bounded) are counted as they are.
    """

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = settings.CREDENCE_LIST_COUNT_CAP if cap is None else cap
        self._pages: dict[int, Page] = {}

    @cached_property
    def count(self) -> int:
        """Return the number of rows, or cap + 1 when there are more than the cap."""
        if not isinstance(self.object_list, QuerySet):
            return super().count
        # Unordered: the database counts without sorting; the pk alone: no joins to select.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def count_capped(self) -> bool:
        """Whether more rows match than were counted."""
        return isinstance(self.object_list, QuerySet) and self.count > self.cap

    @property
    def count_label(self) -> str:
        """Return the count as readers see it: `1234`, or `more than 10,000`."""
        if self.count_capped:
            return MORE_THAN % {"count": number_format(self.cap, force_grouping=True)}
        return str(self.count)

    @cached_property
    def num_pages(self) -> int:
        """Return the number of pages, or, past the cap, the number of pages up to it."""
        if not self.count_capped:
            return super().num_pages
        return ceil(self.cap / self.per_page)

    def validate_number(self, number) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past the cap any later page may hold rows: page() reads whether it does.
            if self.count_capped and int(number) > self.num_pages:
                return int(number)
            raise

    def get_page(self, number) -> Page:
        try:
            return super().get_page(number)
        except EmptyPage:  # a page number past the last row, beyond the cap
            return self.page(self.num_pages)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if number not in self._pages:
            self._pages[number] = self._page_read(number)
        return self._pages[number]

    def _page_read(self, number: int) -> Page:
        if not self.count_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


def page_size_from(params) -> int:
    """Return the page size asked for in `per_page`, or the default for anything else."""
    try:
        size = int(params.get("per_page", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def paginate(params, object_list, *, size: int | None = None, param: str = "page") -> Page:
    """Return the page of a list named by `param`; out-of-range pages give the last one."""
    paginator = CappedPaginator(object_list, size or page_size_from(params))
    return paginator.get_page(params.get(param))


def filtered_list_context(params, filterset) -> dict:
    """Return the context every filtered public list renders: the filter, the page, sizes."""
    return {
        "filter": filterset,
        "page_obj": paginate(params, filterset.qs),
        "page_sizes": PAGE_SIZES,
        "page_size": page_size_from(params),
    }
