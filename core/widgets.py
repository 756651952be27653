"""Form widgets for the public pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _


def _attrs_html(attrs: Mapping[str, Any]) -> str:
    """Attributes as Django's widgets/attrs.html writes them: False left out, True bare."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return "".join(parts)


def _option_html(option: Mapping[str, Any]) -> str:
    return format_html(
        '<option value="{}"{}>{}</option>',
        str(option["value"]),
        mark_safe(_attrs_html(option["attrs"])),
        option["label"],
    )


def _groups_html(optgroups: Iterable) -> str:
    # The whitespace of Django's select.html, whose option template ends with a newline.
    parts = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts.extend(f"\n  {_option_html(option)}\n" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    return "".join(parts)


class QuickSelect(forms.Select):
    """A `<select>` written in Python rather than through a template per option.

    The same markup as Django's Select (attributes, selected option, groups, escaping), for
    lists whose choices grow with the data: the public source list offers every venue,
    and one template include per option took ~0.05 ms each, 100 ms for 2,000 venues (the
    source list at 1,000,000 sources, `make bench`).
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            mark_safe(_attrs_html(widget["attrs"])),
            mark_safe(_groups_html(widget["optgroups"])),
        )


class NamedChoiceWidget(forms.Widget):
    """A record chosen from a list while there are few, typed by its name beyond.

    Up to `settings.CREDENCE_FILTER_CHOICES_MAX` records, a `<select>` of them all
    (`QuickSelect`); beyond, a text box that takes a name, with suggestions from
    `options_url` while typing (`static/js/search-suggest.js`): a list of thousands of
    options is long to build and to send (2,000 venues: ~25 ms and ~100 KB a page), and no
    one scrolls it. The records are read as model instances (two columns), so that a
    cached page showing them follows them (`core.page_cache`).
    """

    def __init__(self, *, queryset, value_field: str, label_field: str, empty_label,
                 options_url, attrs=None):  # fmt: skip
        super().__init__(attrs)
        self.queryset = queryset
        self.value_field = value_field
        self.label_field = label_field
        self.empty_label = empty_label
        self.options_url = options_url
        self.shown_names: dict[str, str] = {}  # a value cleaned -> the name it found

    def options(self) -> list[tuple[str, str]] | None:
        """Every record as (value, name), or None when there are more than the cap."""
        cap = settings.CREDENCE_FILTER_CHOICES_MAX
        records = self.queryset.all().only(self.value_field, self.label_field)[: cap + 1]
        options = [
            (str(getattr(r, self.value_field)), str(getattr(r, self.label_field))) for r in records
        ]
        return options if len(options) <= cap else None

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        value = "" if value is None else str(value)
        options = self.options()
        if options is not None:
            return self._select_html(name, value, attrs, options)
        attrs.update(
            {
                "type": "text",
                "name": name,
                "value": self.shown_names.get(value, value),
                "data-value": value,
                "data-options-url": str(self.options_url),
                "autocomplete": "off",
                "placeholder": _("Type a name"),
            }
        )
        return format_html("<input{}>", mark_safe(_attrs_html(attrs)))

    def _select_html(self, name, value, attrs, options) -> SafeString:
        # A name typed (a shared link from the box) selects the option of that name.
        chosen = self.shown_names.get(value, value).casefold()
        selected = next(
            (v for v, label in options if value and chosen in (v.casefold(), label.casefold())),
            "",
        )
        choices = [("", self.empty_label), *options]
        return QuickSelect(choices=choices).render(name, selected, attrs)
