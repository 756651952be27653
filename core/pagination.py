"""Pagination shared by every public list: the reader picks the page size."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]


def page_size_from(params) -> int:
    """Return the page size asked for in `per_page`, or the default for anything else."""
    try:
        size = int(params.get("per_page", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def paginate(params, object_list, *, size: int | None = None, param: str = "page") -> Page:
    """Return the page of a list named by `param`; out-of-range pages give the last one."""
    paginator = Paginator(object_list, size or page_size_from(params))
    return paginator.get_page(params.get(param))


def filtered_list_context(params, filterset) -> dict:
    """Return the context every filtered public list renders: the filter, the page, sizes."""
    return {
        "filter": filterset,
        "page_obj": paginate(params, filterset.qs),
        "page_sizes": PAGE_SIZES,
        "page_size": page_size_from(params),
    }
