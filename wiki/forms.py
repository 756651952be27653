"""Forms for rating moderation and reference mapping in the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_widgets import SafeAutocompleteSelect
from sources.models import Source

from .history import ACTION_LABELS, KIND_LABELS, change_authors
from .models import REPORT_WHAT_MAX, REPORT_WHY_MAX, Citation
from .moderation import rating_fields, rating_values


class RatingProposalForm(forms.Form):
    """The proposed rating values of one record, starting from its current values."""

    rationale = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required: the moderators and, once approved, readers see it."),
    )

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        current = rating_values(target)
        for name in rating_fields(target):
            model_field = target._meta.get_field(name)
            field = model_field.formfield(required=False)
            field.initial = current[name]
            now = getattr(target, name) if model_field.is_relation else current[name]
            field.help_text = _("Now: %(value)s") % {"value": "–" if now is None else now}
            self.fields[name] = field
        self.order_fields([*rating_fields(target), "rationale"])

    def proposed_values(self) -> dict:
        """Return the values the editor changed from the current ones."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "rationale"}


class RatingDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm_stale = forms.BooleanField(
        label=_("The ratings changed since the proposal: approve it anyway"), required=False
    )


class RatingReportForm(forms.Form):
    """A reader's report of a wrong rating; `website` is a trap that people leave empty."""

    what = forms.CharField(
        label=_("What is wrong"),
        max_length=REPORT_WHAT_MAX,
        help_text=_("For example: the credibility is too high."),
    )
    why = forms.CharField(
        label=_("Why"),
        max_length=REPORT_WHY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Your evidence or reasoning; at most %(n)s characters.")
        % {"n": REPORT_WHY_MAX},
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        help_text=_("Only if you want the moderators to be able to reply."),
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


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
