"""Forms of rating moderation: an editor's proposal, a moderator's decision, a reader's report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import REPORT_WHAT_MAX, REPORT_WHY_MAX
from .selectors import rating_fields, rating_values


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

    def __init__(self, *args, stale: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not stale:
            # Nothing changed since the proposal: nothing to confirm.
            del self.fields["confirm_stale"]


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
