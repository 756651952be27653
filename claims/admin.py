"""The editors' list of claim checks: by outcome, page and source; a person's verdict."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_filters import AutocompleteFilter, autocomplete_filter_media
from core.admin_pagination import CappedCountAdminMixin

from .models import ClaimCheck
from .selectors import claim_check_list, snapshot_passage_url
from .services import claim_check_verdict_problem, claim_check_verdict_set

# What the machine found, and for which marker: shown, never edited here.
IDENTITY_FIELDS = ["page", "source", "occurrence", "claim", "claim_kind"]
FOUND_FIELDS = [
    *("outcome", "score", "passage_link"),
    *("numbers_missing", "quotes_missing", "checked_at"),
]


class FlaggedFilter(admin.SimpleListFilter):
    title = _("numbers or quotations")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [
            ("numbers", _("A number not in the source")),
            ("quotes", _("A quotation not in the source")),
        ]

    def queryset(self, request, queryset):
        # An empty JSON list is stored as "[]" on both databases.
        if self.value() == "numbers":
            return queryset.exclude(numbers_missing=[])
        if self.value() == "quotes":
            return queryset.exclude(quotes_missing=[])
        return queryset


class VerdictForm(forms.ModelForm):
    class Meta:
        model = ClaimCheck
        fields = ["verdict", "verdict_note"]

    def clean(self):
        cleaned = super().clean()
        problem = claim_check_verdict_problem(
            check=self.instance,
            verdict=cleaned.get("verdict", ""),
            note=cleaned.get("verdict_note", ""),
        )
        if problem:
            field = "verdict_note" if "note" in problem else "verdict"
            self.add_error(field, problem)
        return cleaned


@admin.register(ClaimCheck)
class ClaimCheckAdmin(CappedCountAdminMixin, admin.ModelAdmin):
    form = VerdictForm
    list_display = [
        "claim_short",
        "page",
        "source",
        "occurrence",
        "outcome",
        "verdict",
        "score",
        "flags",
        "checked_at",
    ]
    list_filter = [
        "outcome",
        "verdict",
        FlaggedFilter,
        ("page", AutocompleteFilter),
        ("source", AutocompleteFilter),
    ]
    search_fields = ["claim", "passage", "page__title", "source__title"]
    list_select_related = ["page", "source"]
    readonly_fields = [*IDENTITY_FIELDS, *FOUND_FIELDS, "verdict_by", "verdict_at"]
    fieldsets = [
        (None, {"fields": IDENTITY_FIELDS}),
        (_("What the machine found"), {"fields": FOUND_FIELDS}),
        (
            _("A person's check"),
            {
                "fields": ["verdict", "verdict_note", "verdict_by", "verdict_at"],
                "description": _(
                    "Shown to readers above the machine's outcome until the claim's words or "
                    'the snapshot change. "Not supported" needs a note saying why.'
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return claim_check_list()

    def has_add_permission(self, request):
        return False  # checks come from the bodies and snapshots, never by hand

    @admin.display(description=_("claim"), ordering="claim")
    def claim_short(self, check):
        return check.claim if len(check.claim) <= 90 else check.claim[:89] + "…"

    @admin.display(description=_("flags"))
    def flags(self, check):
        parts = []
        if check.numbers_missing:
            parts.append(_("numbers: %s") % ", ".join(check.numbers_missing))
        if check.quotes_missing:
            parts.append(_("quotations: %s") % len(check.quotes_missing))
        return "; ".join(str(part) for part in parts)

    @admin.display(description=_("passage"))
    def passage_link(self, check):
        if not check.passage:
            return "—"
        url = snapshot_passage_url(check)
        return format_html('“{}” <a href="{}">(in the snapshot)</a>', check.passage, url)

    def save_model(self, request, obj, form, change):
        claim_check_verdict_set(
            check=obj, verdict=obj.verdict, note=obj.verdict_note, user=request.user
        )

    @property
    def media(self):
        page = ClaimCheck._meta.get_field("page")
        return super().media + autocomplete_filter_media(page, self.admin_site)
