"""Rate limits and public names: the rules that views and the login share."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import RateLimitCount

ANONYMOUS_MODERATOR = _("a moderator")


def client_address(request) -> str:
    """Return the client's address; behind a proxy, the one the proxy saw (see README).

    The report limit and the login throttling (django-axes) both key on it, so behind the
    proxy neither counts every reader as the proxy itself.
    """
    if settings.CREDENCE_CLIENT_IP_HEADER:
        forwarded = request.META.get(settings.CREDENCE_CLIENT_IP_HEADER, "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one action under `key` in the current window; tell whether it is within the
    limit. Counters of windows before the last one are deleted as new ones start."""
    window = int(timezone.now().timestamp()) // window_seconds
    with transaction.atomic():
        updated = RateLimitCount.objects.filter(key=key, window=window).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitCount.objects.create(key=key, window=window, count=1)
            except IntegrityError:  # another request created it first
                RateLimitCount.objects.filter(key=key, window=window).update(count=F("count") + 1)
            RateLimitCount.objects.filter(window__lt=window - 1).delete()
        count = RateLimitCount.objects.get(key=key, window=window).count
    return count <= limit


def public_name(user) -> str:
    """The name readers see for a staff member: their display name, else "a moderator";
    never the login name. Reads `user.profile` (select it with the user)."""
    # A user without a profile row raises RelatedObjectDoesNotExist, an AttributeError.
    profile = getattr(user, "profile", None) if user is not None else None
    return (profile.display_name if profile is not None else "") or str(ANONYMOUS_MODERATOR)
