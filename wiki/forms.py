"""Forms of the admin: the page form, recent changes and reference mapping."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_widgets import SafeAutocompleteSelect
from sources.models import Source

from .evidence import citation_warnings
from .history import ACTION_LABELS, KIND_LABELS, PEOPLE, WHO_LABELS, change_authors
from .models import Citation, WikiPage
from .selectors import wiki_page_new_citation_warnings


class RecentChangesFilterForm(forms.Form):
    """Filters of the staff's "Recent changes" list; every one optional."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *KIND_LABELS.items()]
    )
    user = forms.ModelChoiceField(
        label=_("By"), required=False, queryset=change_authors(), empty_label=_("Anyone")
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *ACTION_LABELS.items()],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # People's edits by default: an import writes thousands of rows at once.
    who = forms.ChoiceField(
        label=_("Whose"), required=False, choices=list(WHO_LABELS.items()), initial=PEOPLE
    )
    reason = forms.CharField(label=_("Reason starts with"), required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters as recent_changes() arguments; invalid ones are left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        user = data.get("user")
        return {
            "kinds": [data["kind"]] if data.get("kind") else None,
            "user_id": user.pk if user else None,
            "action": data.get("action") or None,
            "since": data.get("since"),
            "until": data.get("until") if "until" not in self.errors else None,
            "who": data.get("who") or PEOPLE,
            "reason": data.get("reason") or None,
        }


class ReferenceMapForm(forms.Form):
    """The source that a page's footnote reference with no data stands for."""

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's own source search (title, URL, ids), as on the citation inline.
        self.fields["source"] = forms.ModelChoiceField(
            label=_("Source"),
            queryset=Source.objects.all(),
            widget=SafeAutocompleteSelect(Citation._meta.get_field("source"), admin_site),
            help_text=_(
                "Search by title, URL or id. Every reference with this label becomes a "
                "citation of the source."
            ),
        )


CITATION_WARNING_NEEDS_REASON = _(
    "The body newly cites sources with warnings: %(sources)s. Say why they belong here in "
    "“Reason to keep these citations”, or cite better sources."
)
CITATION_WARNINGS_KEPT = "Kept citations with warnings (%(sources)s): %(reason)s"
INLINE_CITATION_WARNING_NEEDS_REASON = _(
    "The citations added here cite sources with warnings: %(sources)s. Say why they belong "
    "in “Reason to keep these citations” above, or cite better sources."
)
REASON_FIELD = "citation_warning_reason"


class WikiPageAdminForm(forms.ModelForm):
    """The page form, asking for a reason when the body newly cites a source with a
    warning (rated low, unrated, dead or paywalled: `wiki.evidence`)."""

    citation_warning_reason = forms.CharField(
        label=_("Reason to keep these citations"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=_(
            "Needed only when the body newly cites a source with a warning (the preview "
            "lists them): why it belongs here. Kept with this version of the page."
        ),
    )

    class Meta:
        model = WikiPage
        fields = ["body"]  # the admin names the rest, from its fieldsets

    def clean(self):
        cleaned = super().clean()
        body = cleaned.get("body")
        self.citation_warnings = []
        if body is None:
            return cleaned
        self.citation_warnings = wiki_page_new_citation_warnings(page=self.instance, body=body)
        reason = (cleaned.get(REASON_FIELD) or "").strip()
        # A revert brings back a version someone saved, and says why in its own reason.
        reverting = "revert_reason" in self.fields
        if self.citation_warnings and not reason and not reverting:
            self.add_error(
                "citation_warning_reason",
                forms.ValidationError(
                    CITATION_WARNING_NEEDS_REASON,
                    code="citation_warning",
                    params={"sources": "; ".join(map(str, self.citation_warnings))},
                ),
            )
        return cleaned

    def kept_warnings_reason(self) -> str:
        """The history reason for a save that kept warned citations (made by the body or
        added in the citation rows), or ""."""
        reason = (self.cleaned_data.get(REASON_FIELD) or "").strip()
        warnings = {w.source.pk: w for w in self.citation_warnings}
        for warning in getattr(self.instance, "_inline_citation_warnings", ()):
            warnings.setdefault(warning.source.pk, warning)
        if not warnings or not reason:
            return ""
        sources = "; ".join(map(str, warnings.values()))
        return CITATION_WARNINGS_KEPT % {"sources": sources, "reason": reason}


class CitationInlineFormSet(forms.BaseInlineFormSet):
    """Citation rows added by hand warn as body markers do: a row citing a source with a
    warning that the page did not cite before needs the page form's reason."""

    def clean(self):
        super().clean()
        cited_before = set()
        if self.instance.pk is not None:
            cited_before = set(self.instance.citations.values_list("source_id", flat=True))
        sources = [
            form.cleaned_data["source"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("source") is not None
            and form.cleaned_data["source"].pk not in cited_before
        ]
        warnings = citation_warnings(sources)
        # The page form shares this instance: its history reason names these too.
        self.instance._inline_citation_warnings = warnings
        reason = (self.data.get(REASON_FIELD) or "").strip()
        if warnings and not reason and "revert_reason" not in self.data:
            raise forms.ValidationError(
                INLINE_CITATION_WARNING_NEEDS_REASON,
                code="citation_warning",
                params={"sources": "; ".join(map(str, warnings))},
            )
