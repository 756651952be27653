"""Abstract bases every app's models share; core itself has no tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import plain_text


class TimeStampedModel(models.Model):
    """Abstract base recording when a row was created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PlainTextModel(models.Model):
    """Abstract base for models whose `PLAIN_TEXT_FIELDS` readers see as plain text.

    Validating or saving a row makes those fields plain text (`core.text.plain_text`):
    one line for a CharField, paragraphs kept for a TextField. Writes that compare values
    first or skip save() (updates, bulk inserts) pass theirs through `plain_text_values`.
    """

    PLAIN_TEXT_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.plain_text_fill()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # Before the fields' own checks, so that max_length measures the text as stored.
        self.plain_text_fill()
        super().clean_fields(exclude)

    @classmethod
    def plain_text_values(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Return field values with those of the plain-text fields made plain text."""
        cleaned = dict(values)
        for name in cls.PLAIN_TEXT_FIELDS:
            if isinstance(cleaned.get(name), str):
                multiline = isinstance(cls._meta.get_field(name), models.TextField)
                cleaned[name] = plain_text(cleaned[name], multiline=multiline)
        return cleaned

    def plain_text_fill(self) -> None:
        """Make this row's plain-text fields plain text (deferred ones are left unloaded)."""
        names = [name for name in self.PLAIN_TEXT_FIELDS if name not in self.get_deferred_fields()]
        values = {name: getattr(self, name) for name in names}
        for name, value in self.plain_text_values(values).items():
            setattr(self, name, value)
