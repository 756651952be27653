from django import forms
from django.utils.translation import gettext_lazy as _

from .services import KeepRating


class MergeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=300,
        help_text=_("Kept in both sources' histories (for example, “the same paper, PDF form”)."),
        widget=forms.TextInput(attrs={"size": 60}),
    )
    keep_rating = forms.ChoiceField(
        label=_("Rating the merged source keeps"),
        required=False,
        widget=forms.RadioSelect,
        choices=[],
    )

    def __init__(self, *args, rating_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rating_choices:
            self.fields["keep_rating"].choices = rating_choices
            self.fields["keep_rating"].required = True
        else:
            del self.fields["keep_rating"]


def rating_choices(survivor_label: str, duplicate_label: str) -> list[tuple[str, str]]:
    return [
        (KeepRating.SURVIVOR, _("The kept source's: %(level)s") % {"level": survivor_label}),
        (KeepRating.DUPLICATE, _("The merged source's: %(level)s") % {"level": duplicate_label}),
    ]
