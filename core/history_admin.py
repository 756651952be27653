"""The admin's history of a record: every version, a diff between any two, and revert."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django import forms
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

REVERT_REASON_LABEL = gettext_lazy("Why revert")
REVERT_REASON_HELP = gettext_lazy("Required: the history records it with the revert.")

# Text longer than this, or on several lines, is compared line by line.
LONG_TEXT = 120


@dataclass
class FieldComparison:
    name: str
    label: str
    old: str
    new: str
    changed: bool
    diff: list[tuple[str, str]] = field(default_factory=list)


NO_SUCH_VERSION = gettext_lazy("No such version of this record.")


def version_number(value) -> int:
    """A version id from a URL, or 404: digits only, within a 64-bit key."""
    value = str(value)
    if not value.isdigit() or len(value) > 18:
        raise Http404(NO_SUCH_VERSION)
    return int(value)


def version_label(record) -> str:
    """`12 March 2025 14:02 by alice` for a historical row."""
    when = date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    who = record.history_user or _("a command")
    return _("%(when)s by %(who)s") % {"when": when, "who": who}


def revert_reason_text(record, reason: str) -> str:
    return _("Reverted to the version of %(version)s (#%(id)s): %(reason)s") % {
        "version": version_label(record),
        "id": record.history_id,
        "reason": reason,
    }


def _value_display(record, model_field) -> str:
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "–"
    if model_field.is_relation:
        try:
            return str(getattr(record, model_field.name))
        except ObjectDoesNotExist:
            return _("#%(id)s (deleted)") % {"id": value}
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Changed lines with two lines of context, as (kind, line) with kind in + - space @."""
    rows = []
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2)
    for line in list(lines)[2:]:  # skip the ---/+++ header
        kind = line[:1] if line[:1] in "+-@" else " "
        rows.append((kind, line[1:] if kind != "@" else "…"))
    return rows


def is_long_text(value) -> bool:
    """Whether a value is compared line by line (long, or on several lines)."""
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value)


def change_summary(old, new) -> str:
    """One field's change in a list of versions: "old → new", or for long text (a page
    body) how many lines were added and removed: their first characters tell nothing."""
    if is_long_text(old) or is_long_text(new):
        rows = line_diff(str(old or ""), str(new or ""))
        added = sum(kind == "+" for kind, _line in rows)
        removed = sum(kind == "-" for kind, _line in rows)
        return _("%(added)s added, %(removed)s removed") % {
            "added": ngettext("%d line", "%d lines", added) % added,
            "removed": ngettext("%d line", "%d lines", removed) % removed,
        }
    shown = [
        "–" if value in (None, "") else Truncator(str(value)).chars(80) for value in (old, new)
    ]
    return f"{shown[0]} → {shown[1]}"


def versions_compare(old, new) -> list[FieldComparison]:
    """Compare two historical rows of one record field by field, in the model's order."""
    rows = []
    for model_field in new.tracked_fields:
        if not model_field.editable and not model_field.primary_key:
            continue
        old_value = getattr(old, model_field.attname)
        new_value = getattr(new, model_field.attname)
        changed = old_value != new_value
        row = FieldComparison(
            name=model_field.name,
            label=str(model_field.verbose_name),
            old=_value_display(old, model_field),
            new=_value_display(new, model_field),
            changed=changed,
        )
        is_text = isinstance(old_value, str) and isinstance(new_value, str)
        if changed and is_text and not model_field.choices:
            if is_long_text(old_value) or is_long_text(new_value):
                row.diff = line_diff(old_value, new_value)
        rows.append(row)
    return rows


class VersionChangesHelper(HistoricalRecordContextHelper):
    """The version list's changes: each field's label and a summary from the raw values,
    "old → new" or, for long text, how many lines were added and removed."""

    def context_for_delta_changes(self, delta) -> list[dict]:
        rows = []
        for change in delta.changes:
            shown = self.format_delta_change(change)
            if is_long_text(change.old) or is_long_text(change.new):
                summary = change_summary(change.old, change.new)
            else:
                summary = change_summary(shown.old, shown.new)
            rows.append(
                {"field": shown.field, "old": shown.old, "new": shown.new, "summary": summary}
            )
        return rows


class VersionHistoryAdmin(SimpleHistoryAdmin):
    """History, compare and revert for a tracked model's admin.

    A revert asks why, and the history records the reason; ModelAdmins that keep
    ratings moderated (RatingFieldsAdminMixin) decide what a revert does to ratings.
    """

    def get_historical_record_context_helper(self, request, historical_record):
        return VersionChangesHelper(self.model, historical_record)

    object_history_template = "admin/history/object_history.html"
    object_history_list_template = "admin/history/object_history_list.html"
    history_list_per_page = 50

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.history_compare_view),
            name="{}_{}_history_compare".format(*info),
        )
        # Before simple-history's `<id>/history/<version>/`, which would take "compare".
        return [compare, *super().get_urls()]

    def _object_id(self, object_id: str):
        """The record's key from the URL, or 404: a malformed id names no record."""
        try:
            return self.model._meta.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError):
            raise Http404(_("No such record.")) from None

    def _check_visible(self, request, object_id) -> None:
        """A record the user may not list (another editor's proposal) has no history for them."""
        pk_name = self.model._meta.pk.attname
        exists = self.model._default_manager.filter(**{pk_name: object_id})
        if exists.exists() and not self.get_queryset(request).filter(**{pk_name: object_id}):
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_visible(request, self._object_id(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        object_id = self._object_id(object_id)
        version_id = version_number(version_id)
        self._check_visible(request, object_id)
        history_model = self.model.history.model
        request.history_revert = get_object_or_404(
            history_model, **{self.model._meta.pk.attname: object_id, "history_id": version_id}
        )
        # simple-history asks only for *view* permission, even to save: a revert is a change,
        # so it needs the change permission on the record as it stands now.
        if request.method == "POST" and not self._may_revert(request, object_id):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _may_revert(self, request, object_id) -> bool:
        """Reverting changes the record (the change permission on it); restoring a deleted
        record creates it again (the add permission)."""
        current = self.get_object(request, object_id)
        if current is None:
            return self.has_add_permission(request) and not super().revert_disabled(request)
        return not self.revert_disabled(request, current)

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_change_permission(request, obj)

    def history_compare_view(self, request, object_id):
        object_id = self._object_id(object_id)
        self._check_visible(request, object_id)
        opts = self.model._meta
        versions = self.model.history.filter(**{opts.pk.attname: object_id})
        latest = versions.select_related("history_user").first()
        if latest is None:
            raise Http404
        if not self.has_view_history_or_change_history_permission(request, latest.instance):
            raise PermissionDenied
        new = self._version(versions, request.GET.get("new"), default=latest)
        older = versions.filter(history_date__lte=new.history_date).exclude(pk=new.pk)
        old = self._version(versions, request.GET.get("old"), default=older.first() or new)
        if old.history_date > new.history_date:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare versions: %s") % latest.history_object,
            "opts": opts,
            "object_id": object_id,
            "record": latest.history_object,
            "old": old,
            "new": new,
            "old_label": version_label(old),
            "new_label": version_label(new),
            "rows": versions_compare(old, new),
            "history_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_history", args=[object_id]
            ),
            "revert_disabled": self.revert_disabled(request, latest.instance),
        }
        return TemplateResponse(request, "admin/history/compare.html", context)

    @staticmethod
    def _version(versions, value, *, default):
        if value in (None, ""):
            return default
        try:
            return versions.select_related("history_user").get(history_id=version_number(value))
        except ObjectDoesNotExist:
            raise Http404(NO_SUCH_VERSION) from None

    # -- revert ----------------------------------------------------------------------

    @staticmethod
    def reverting_to(request):
        """The historical version this request reverts to, or None (an ordinary edit)."""
        return getattr(request, "history_revert", None)

    def _guards_concurrent_edits(self, request, obj) -> bool:
        return (
            obj is not None
            and obj.pk is not None
            and self.reverting_to(request) is None
            and any(f.name == "updated_at" for f in self.model._meta.fields)
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        revert = self.reverting_to(request) is not None
        # simple-history builds the revert form as for a new record; as a change, the
        # admin's read-only rules (the user's permissions, the rating fields) apply to it.
        change = change or revert
        guard = self._guards_concurrent_edits(request, obj)
        # fields=None is the admin asking which fields the form has (get_fields): the
        # plain form answers that, and the fieldsets below would ask it again.
        asking_fields = "fields" in kwargs and kwargs["fields"] is None
        if asking_fields or (not revert and not guard):
            return super().get_form(request, obj, change, **kwargs)
        kwargs["fields"] = model_form_fields(self, request, obj)  # extras are added below
        base = super().get_form(request, obj, change, **kwargs)
        model = self.model

        class GuardedForm(base):
            if revert:
                revert_reason = forms.CharField(
                    label=REVERT_REASON_LABEL,
                    help_text=REVERT_REASON_HELP,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            if guard:
                loaded_version = forms.CharField(
                    widget=forms.HiddenInput, required=False, initial=obj.updated_at.isoformat()
                )

            def clean(self):
                cleaned = super().clean()
                if guard:
                    edited_elsewhere = concurrent_edit(model, obj.pk, cleaned.get("loaded_version"))
                    if edited_elsewhere:
                        raise forms.ValidationError(edited_elsewhere, code="edited_elsewhere")
                return cleaned

        return GuardedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if self.reverting_to(request) is not None:
            fieldsets.insert(0, (_("Revert"), {"fields": ["revert_reason"]}))
        if self._guards_concurrent_edits(request, obj):
            fieldsets.append((None, {"fields": ["loaded_version"], "classes": ["hidden"]}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        record = self.reverting_to(request)
        if record is not None:
            obj._change_reason = revert_reason_text(record, form.cleaned_data["revert_reason"])
        super().save_model(request, obj, form, change)


EXTRA_FORM_FIELDS = {"rating_rationale", "revert_reason", "loaded_version"}
EDITED_ELSEWHERE = gettext_lazy(
    "%(who)s saved this record at %(when)s, after you opened it. Nothing of yours was "
    "saved: open the record again to see their version, then make your change there."
)


def model_form_fields(model_admin, request, obj) -> list[str]:
    """The model fields of the admin's fieldsets (without the form-only extras)."""
    return [
        name
        for name in flatten_fieldsets(model_admin.get_fieldsets(request, obj))
        if name not in EXTRA_FORM_FIELDS
    ]


def concurrent_edit(model, pk, loaded_version: str | None) -> str | None:
    """Why a save must not proceed (someone saved since the form was loaded), or None.

    The row is locked (SELECT ... FOR UPDATE; the admin saves in a transaction), so of two
    editors saving the same starting version at once, the second waits, then is told.
    """
    if not loaded_version:
        return None
    current = model._default_manager.select_for_update().filter(pk=pk).values("updated_at").first()
    if current is None or current["updated_at"].isoformat() == loaded_version:
        return None
    latest = (
        model.history.filter(**{model._meta.pk.attname: pk}).select_related("history_user").first()
        if hasattr(model, "history")
        else None
    )
    who = (latest.history_user if latest and latest.history_user else None) or _("Someone")
    when = date_format(timezone.localtime(current["updated_at"]), "DATETIME_FORMAT")
    return EDITED_ELSEWHERE % {"who": who, "when": when}
