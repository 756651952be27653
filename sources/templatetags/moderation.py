"""The moderators' summary on the admin index: what awaits them, and venues due for review."""

from django import template

from ratings.kinds import is_moderator
from ratings.selectors import proposals_waiting, reports_open
from sources.selectors import venues_due_for_review, venues_not_yet_reviewed

register = template.Library()


@register.inclusion_tag("admin/includes/moderation_summary.html", takes_context=True)
def moderation_summary(context):
    user = context["request"].user
    if not is_moderator(user):
        return {"show": False}
    return {
        "show": True,
        "waiting": proposals_waiting().count(),
        "due": venues_due_for_review().count(),
        "never_reviewed": venues_not_yet_reviewed().count(),
        "reports": reports_open().count(),
    }
