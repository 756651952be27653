"""Admin widgets that survive whatever a browser (or an attacker) posts back."""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, re-rendering a refused form with a value that names no
    record (`abc` for a numeric id, a NUL byte) as an empty choice.

    The stock widget looks the posted value up to show its label: an id of the wrong type
    raises ValueError (and a NUL byte is a DataError on PostgreSQL), so the form's own
    "Select a valid choice" message never reached the editor: a 500 instead.
    """

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
