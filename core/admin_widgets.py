"""Admin widgets that survive whatever a browser (or an attacker) posts back."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, re-rendering a refused form with a value that names no
    record (`abc` for a numeric id, a NUL byte) as an empty choice.

    The stock widget looks the posted value up to show its label: an id of the wrong type
    raises ValueError (and a NUL byte is a DataError on PostgreSQL), so the form's own
    "Select a valid choice" message never reached the editor: a 500 instead.
    """

    @property
    def media(self):
        # Names the combobox select2 draws (static/js/autocomplete_names.js).
        return super().media + forms.Media(js=["js/autocomplete_names.js"])

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if self._names_a_record(v)], attr)

    def _names_a_record(self, value) -> bool:
        if value in (None, "") or "\x00" in str(value):
            return False
        target = self.field.target_field
        try:
            target.get_prep_value(target.to_python(value))
        except (ValidationError, ValueError, TypeError):
            return False
        return True


class SafeAutocompleteAdminMixin:
    """Use SafeAutocompleteSelect for the `autocomplete_fields` of a ModelAdmin or inline."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LabelledInlineMixin:
    """Give each field of a tabular inline row its column's name: the stock table shows the
    names once, in the header, so screen readers met unlabelled inputs (WCAG 1.3.1, 4.1.2)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", capfirst(db_field.verbose_name))
        return formfield

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:  # the formset's own field, not a model field
                    form.fields["DELETE"].widget.attrs.setdefault("aria-label", _("Delete"))

        return LabelledFormSet
