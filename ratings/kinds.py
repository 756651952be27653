"""The one map of rated kinds: which models readers see rated, and under which name.

Apps register their rated models in AppConfig.ready() (`rated_kind_register`), as they
register search kinds; proposals, decisions, reports, the admin and the report form read
this map, and what each kind rates comes from its model's `RATING_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model


@dataclass(frozen=True)
class RatedKind:
    # The field naming the record on proposals, decisions and reports; the kind in URLs.
    name: str
    model: type[Model]
    # The field a reader's URL names a record by ("slug", "pk").
    lookup: str
    # Called with (target=, changed=) once a change to a record's ratings is recorded, in
    # the same transaction: the kind's own records that follow from the rating (a venue's
    # sources inherit it).
    rating_changed: Callable[..., None] | None = None


# The fields naming a proposal's, decision's or report's record: one per rated kind.
TARGET_FIELDS = ("venue", "source", "page")

RATED_KINDS: dict[str, RatedKind] = {}


def rated_kind_register(
    name: str,
    model: type[Model],
    *,
    lookup: str,
    rating_changed: Callable[..., None] | None = None,
) -> None:
    """Moderate `model`'s ratings, naming it `name` (a target field of the trail's records);
    `rating_changed` carries a recorded change to what follows from it."""
    if name not in TARGET_FIELDS:
        raise ImproperlyConfigured(f"{name!r} is not a target field of the rating records.")
    RATED_KINDS[name] = RatedKind(
        name=name, model=model, lookup=lookup, rating_changed=rating_changed
    )


def rated_kind(name: str) -> RatedKind | None:
    return RATED_KINDS.get(name)


def rated_kind_of(model: type[Model]) -> RatedKind:
    """Return the rated kind of a model (KeyError: not a rated model)."""
    for kind in RATED_KINDS.values():
        if kind.model is model:
            return kind
    raise KeyError(model._meta.label)


def user_can_change_ratings(user, model: type[Model]) -> bool:
    """Tell whether a user may change a model's rating fields (moderators and superusers)."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.rate_{opts.model_name}")


def is_moderator(user) -> bool:
    """Tell whether a user decides rating proposals (holds any rating permission)."""
    return any(user_can_change_ratings(user, kind.model) for kind in RATED_KINDS.values())
