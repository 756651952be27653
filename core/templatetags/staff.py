"""Staff shortcuts on public pages: an "Edit" link to the record's admin form.

Only for signed-in staff who may change the record; readers never get it, and the page
cache never stores a signed-in user's page.
"""

from django import template
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse

register = template.Library()


def admin_change_url(user, obj) -> str | None:
    """Return the admin form of `obj` if `user` is staff allowed to change it, else None."""
    if user is None or not (user.is_authenticated and user.is_staff):
        return None
    opts = obj._meta
    if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        return None
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
    except NoReverseMatch:
        return None


@register.inclusion_tag("includes/edit_link.html", takes_context=True)
def edit_link(context, obj):
    request = context.get("request")
    return {"url": admin_change_url(getattr(request, "user", None), obj), "obj": obj}
