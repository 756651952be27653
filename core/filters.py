"""What every list's filters share: the "Any" choice and an ordering with empty values last."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy as _

ANY = _("Any")

# Columns that are never empty: ordered plainly, so that their indexes serve the order.
NOT_NULL = {"id", "title", "name", "created_at", "updated_at", "slug"}


def ordering(*expressions):
    """Return order_by arguments with empty values last, whichever the direction."""
    result = []
    for expression in expressions:
        descending = expression.startswith("-")
        name = expression.lstrip("-")
        field = F(name)
        if name in NOT_NULL:
            result.append(field.desc() if descending else field.asc())
        else:
            result.append(field.desc(nulls_last=True) if descending else field.asc(nulls_last=True))
    return result
