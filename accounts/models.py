"""A staff member's public name, and the counters of rate limits."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DISPLAY_NAME_MAX = 100


class Profile(models.Model):
    """What readers may know of a staff member: a name they chose to show.

    Public pages never show a login name (it is half of what an attacker needs); without
    a display name, a moderator appears as "a moderator".
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        _("display name"),
        max_length=DISPLAY_NAME_MAX,
        blank=True,
        help_text=_("Shown to readers, e.g. in rating histories. Empty: “a moderator”."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.display_name or str(self.user)


class RateLimitCount(models.Model):
    """How many times a key (an action and a client address) acted in one time window.

    In the database rather than the cache: a local-memory cache evicts counters as pages
    fill it, and each server process would count on its own.
    """

    key = models.CharField(max_length=200)
    window = models.BigIntegerField(
        help_text=_("The window's number: its start in seconds / length.")
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window"], name="rate_limit_one_count_per_window"
            )
        ]
        indexes = [models.Index(fields=["window"], name="rate_limit_window")]

    def __str__(self):
        return f"{self.key} @ {self.window}: {self.count}"
