"""Anonymous rate limiting for the API, in front of the page cache so that every request
counts, cached or not."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.throttling import AnonRateThrottle

from accounts.services import client_address

API_PREFIX = "/api/"

TOO_MANY = _(
    "Too many requests from your address: %(rate)s are allowed without signing in. "
    "Try again in %(seconds)s seconds."
)


class ApiAnonThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, keyed on the same client address as the report limit and
    the login throttling, with its rate read from settings at each request."""

    scope = "api-anon"

    def get_rate(self) -> str:
        return settings.CREDENCE_API_ANON_RATE

    def get_ident(self, request) -> str:
        return client_address(request)


def rate_display(rate: str) -> str:
    """Return a DRF rate ("120/minute") as readers say it ("120 per minute")."""
    count, period = rate.split("/")
    unit = {"s": "second", "m": "minute", "h": "hour", "d": "day"}[period[0]]
    return f"{count} per {unit}"


class ApiRateLimitMiddleware:
    """Answer 429 with Retry-After to an anonymous client past its API rate."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX) and settings.CREDENCE_API_ANON_RATE:
            throttle = ApiAnonThrottle()
            if not throttle.allow_request(request, None):
                return self._refused(throttle)
        return self.get_response(request)

    @staticmethod
    def _refused(throttle: ApiAnonThrottle) -> JsonResponse:
        seconds = max(1, math.ceil(throttle.wait() or 1))
        rate = rate_display(settings.CREDENCE_API_ANON_RATE)
        response = JsonResponse(
            {"detail": TOO_MANY % {"rate": rate, "seconds": seconds}}, status=429
        )
        response["Retry-After"] = str(seconds)
        response["Cache-Control"] = "no-store"
        return response
