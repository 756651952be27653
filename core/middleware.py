"""Request guards that apply to every route, before any view or look-up runs."""

from __future__ import annotations

import re

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

NUL = "\x00"
# Larger than any key a database holds (64-bit integers): SQLite raises OverflowError
# on such a lookup, wherever a query-string value reaches one (admin filters, the admin's
# initial values for a new record). The search box's text is not a lookup.
HUGE_NUMBER_RE = re.compile(r"^[+-]?\d{19,}$")
FREE_TEXT_PARAMS = {"q"}


class RefuseMalformedAddressMiddleware:
    """Answer 400, saying what and where, to an address no route can serve: a NUL byte in
    its path or query string, or a number in the query string beyond 64 bits.

    No record's id, slug or search holds a NUL byte, and PostgreSQL refuses NUL in text
    parameters (a DataError deep in a view, answered as a 500). Refusing both here closes
    the class for every route at once, the admin's and third-party views included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = address_problem(request)
        if problem:
            return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def address_problem(request) -> str | None:
    if NUL in request.path:
        return _("The address holds a NUL byte (%00) in its path, which no page has.")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return _("The query string holds a NUL byte (%%00) in “%(name)s”.") % {
                "name": key.replace(NUL, "%00")
            }
        if key not in FREE_TEXT_PARAMS and any(HUGE_NUMBER_RE.match(v) for v in values):
            return _("The number in “%(name)s” is out of range.") % {"name": key}
    return None
