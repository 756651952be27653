"""The editors' dashboard on the admin index: what awaits them, each a count and a link."""

from django import template

from ..selectors import editor_dashboard as editor_dashboard_lines

register = template.Library()


@register.inclusion_tag("admin/includes/dashboard.html", takes_context=True)
def editor_dashboard(context):
    return {"lines": editor_dashboard_lines(context["request"].user)}
