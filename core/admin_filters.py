"""List filters for the admin that stay small however many records they choose among."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from .admin_widgets import SafeAutocompleteSelect


class AutocompleteFilter(admin.RelatedFieldListFilter):
    """Filter a list by a related record found by typing (the admin's own autocomplete, over
    the related admin's search fields) rather than by a link for every record: venues and
    tags number in the hundreds, and listing them all made a page 9,800 px long."""

    template = "admin/filter_autocomplete.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.request = request
        self.admin_site = model_admin.admin_site
        super().__init__(field, request, params, model, model_admin, field_path)

    def _chosen(self) -> list[str]:
        target = self.field.target_field
        chosen = []
        for value in self.lookup_val or []:
            try:
                target.get_prep_value(target.to_python(value))
            except (ValidationError, ValueError, TypeError):
                continue
            if "\x00" not in str(value):
                chosen.append(value)
        return chosen

    def field_choices(self, field, request, model_admin):
        # Only the chosen record, for its label in the box: never every record.
        chosen = self._chosen()
        if not chosen:
            return []
        return field.get_choices(include_blank=False, limit_choices_to={"pk__in": chosen})

    def has_output(self):
        return True

    def choices(self, changelist):
        # Through a form field, which gives the widget the queryset it labels a choice from.
        related = self.field.remote_field.model._default_manager.all()
        widget = forms.ModelChoiceField(
            queryset=related,
            required=False,
            widget=SafeAutocompleteSelect(self.field, self.admin_site),
        ).widget
        chosen = self._chosen()
        box = widget.render(
            self.lookup_kwarg,
            chosen[0] if chosen else None,
            attrs={"id": f"filter-{self.field_path}", "aria-label": str(self.title)},
        )
        own = {self.lookup_kwarg, self.lookup_kwarg_isnull, "p"}
        yield {
            "selected": bool(chosen),
            "widget": box,
            "hidden": [
                (name, value)
                for name, values in self.request.GET.lists()
                if name not in own
                for value in values
            ],
            "clear": changelist.get_query_string(
                remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]
            ),
        }


def autocomplete_filter_media(field, admin_site) -> forms.Media:
    """What a list page with autocomplete filters loads: the admin's autocomplete (select2)
    and the script that applies a choice at once."""
    return SafeAutocompleteSelect(field, admin_site).media + forms.Media(
        js=["admin/js/jquery.init.js", "js/filter_autocomplete.js"], css={"all": ["css/admin.css"]}
    )
