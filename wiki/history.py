"""Recent changes: the history rows of every tracked kind, newest first, in one list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import CharField, F, Model, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ratings.kinds import RATED_KINDS
from ratings.models import RatingProposal

from .models import Citation


# The kinds on "Recent changes", by the name used in its filter.
def tracked_kinds() -> dict[str, type[Model]]:
    """The kinds on "Recent changes", by the name used in its filter: every rated kind (as
    the apps registered them), citations and rating proposals."""
    rated = {name: kind.model for name, kind in RATED_KINDS.items()}
    return {**rated, "citation": Citation, "proposal": RatingProposal}


KIND_LABELS = {
    "venue": _("Venue"),
    "source": _("Source"),
    "page": _("Wiki page"),
    "citation": _("Citation"),
    "proposal": _("Rating proposal"),
}
# Related records named in a row's description, loaded with the page of rows.
RELATED_SHOWN = {"citation": ("page", "source"), "proposal": ("venue", "source", "page")}
ACTION_LABELS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass
class Change:
    kind: str
    record: Model  # the historical row, with history_user loaded

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def model(self) -> type[Model]:
        return tracked_kinds()[self.kind]

    @property
    def object_id(self):
        return getattr(self.record, self.model._meta.pk.attname)

    def _admin_url(self, view: str) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[self.object_id])

    @property
    def history_url(self) -> str:
        return self._admin_url("history")

    @property
    def compare_url(self) -> str:
        return f"{self._admin_url('history_compare')}?new={self.record.history_id}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.record.history_type, self.record.history_type)

    @property
    def description(self) -> str:
        """What the row is about, from the row itself (the record may be gone)."""
        record = self.record
        if self.kind == "venue":
            return record.name
        if self.kind == "source":
            return record.title or record.url
        if self.kind == "page":
            return record.title
        if self.kind == "citation":
            return f"{_related(record, 'page')} → {_related(record, 'source')}"
        target = next(
            (_related(record, name) for name in ("venue", "source", "page") if _id(record, name)),
            "?",
        )
        return f"{target}: {record.get_status_display()}"


def _id(record, name: str):
    return getattr(record, f"{name}_id")


def _related(record, name: str) -> str:
    related = getattr(record, name)  # loaded by changes_load's select_related
    return str(related) if related is not None else f"#{_id(record, name)}"


def _day_start(day: date) -> datetime | None:
    """Local midnight at the start of a day, or None at the calendar's ends (1 January of
    year 1, 31 December 9999), where the instant in UTC cannot be written: no bound."""
    try:
        start = timezone.make_aware(datetime.combine(day, time.min))
        start.astimezone(UTC)
    except OverflowError:
        return None
    return start


def recent_changes(
    *,
    kinds: list[str] | None = None,
    user_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    action: str | None = None,
    proposals_of: int | None = None,
) -> QuerySet:
    """One query over every tracked kind's history, newest first, as rows of
    (kind, history_id, history_date); `changes_load` turns a page of them into Changes.

    `proposals_of` limits proposals to one user's (editors see only their own).
    """
    start = _day_start(since) if since is not None else None
    end = _day_start(until + timedelta(days=1)) if until not in (None, date.max) else None
    parts = []
    tracked = tracked_kinds()
    for kind in kinds or tracked:
        model = tracked[kind]
        rows = model.history.all()
        if user_id is not None:
            rows = rows.filter(history_user_id=user_id)
        if start is not None:
            rows = rows.filter(history_date__gte=start)
        if end is not None:
            rows = rows.filter(history_date__lt=end)
        if action:
            rows = rows.filter(history_type=action)
        if kind == "proposal" and proposals_of is not None:
            rows = rows.filter(proposed_by_id=proposals_of)
        parts.append(
            rows.order_by()
            .annotate(
                change_kind=Value(kind, output_field=CharField()),
                change_id=F("history_id"),
                change_date=F("history_date"),
            )
            .values("change_kind", "change_id", "change_date")
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-change_date", "-change_id")


def changes_load(rows) -> list[Change]:
    """Load a page of `recent_changes` rows: one query per kind on the page."""
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["change_kind"], []).append(row["change_id"])
    loaded = {}
    for kind, ids in wanted.items():
        history = tracked_kinds()[kind].history.select_related(
            "history_user", *RELATED_SHOWN.get(kind, ())
        )
        for record in history.filter(history_id__in=ids):
            loaded[(kind, record.history_id)] = record
    return [
        Change(row["change_kind"], loaded[(row["change_kind"], row["change_id"])])
        for row in rows
        if (row["change_kind"], row["change_id"]) in loaded
    ]


def change_authors() -> QuerySet:
    """Staff who can appear on the list: those who are, or were, staff."""
    return get_user_model().objects.filter(is_staff=True).order_by("username")
