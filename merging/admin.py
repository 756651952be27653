"""The admin's list of possible duplicate sources and its merge step."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ratings.kinds import user_can_change_ratings
from sources.models import Source
from sources.selectors import possible_duplicate_groups, possible_duplicate_keys

from .forms import MergeForm, rating_choices
from .services import (
    MERGE_INTO_ITSELF,
    merge_counts,
    rating_label,
    ratings_differ,
    source_merge,
)

GROUPS_PER_PAGE = 50
MERGE_PAIR_MISSING = _("Choose one source to keep and another to merge into it.")


def _can_merge(user) -> bool:
    return user.has_perm("sources.merge_source")


def duplicates_view(request):
    """Sources that may be one document, grouped by the key they share, to merge."""
    if not _can_merge(request.user):
        raise PermissionDenied
    page = Paginator(possible_duplicate_keys(), GROUPS_PER_PAGE).get_page(request.GET.get("p"))
    groups = possible_duplicate_groups(page.object_list)
    for group in groups:
        # The most cited is offered as the one to keep, the next as the one to merge.
        ranked = sorted(group.sources, key=lambda s: -s.citation_count)
        group.keep, group.merge = ranked[0].pk, ranked[1].pk
    context = {
        **admin.site.each_context(request),
        "title": _("Possible duplicate sources"),
        "groups": groups,
        "page": page,
    }
    return TemplateResponse(request, "admin/merging/duplicates.html", context)


def merge_view(request):
    """What merging one source into another moves, and the merge itself (POST)."""
    if not _can_merge(request.user):
        raise PermissionDenied
    params = request.POST if request.method == "POST" else request.GET
    pair = Source.objects.select_related("venue").in_bulk(
        [params.get("survivor", ""), params.get("duplicate", "")]
    )
    survivor, duplicate = pair.get(params.get("survivor")), pair.get(params.get("duplicate"))
    if survivor is None or duplicate is None:
        messages.error(request, MERGE_PAIR_MISSING)
        return redirect("merging_duplicates")
    moderator = user_can_change_ratings(request.user, Source)
    differ = ratings_differ(survivor, duplicate)
    choices = None
    if differ and moderator:
        choices = rating_choices(
            rating_label(survivor.effective_credibility),
            rating_label(duplicate.effective_credibility),
        )
    form = MergeForm(request.POST or None, rating_choices=choices)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            result = source_merge(
                survivor=survivor,
                duplicate=duplicate,
                user=request.user,
                reason=form.cleaned_data["reason"],
                keep_rating=form.cleaned_data.get("keep_rating", ""),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _merge_summary(result))
            return redirect("merging_duplicates")
    if survivor.pk == duplicate.pk:
        error = error or MERGE_INTO_ITSELF
    context = {
        **admin.site.each_context(request),
        "title": _("Merge two sources"),
        "survivor": survivor,
        "duplicate": duplicate,
        "form": form,
        "error": error,
        "ratings_differ": differ,
        "moderator": moderator,
        "counts": merge_counts(survivor, duplicate),
    }
    return TemplateResponse(request, "admin/merging/merge.html", context)


def _merge_summary(result) -> str:
    text = _(
        "Merged %(old)s into %(new)s. Citations moved: %(moved)s (pages that cited both: "
        "%(joined)s); snapshots moved: %(snapshots)s. Its address now leads to %(new)s."
    ) % {
        "old": result.alias.old_id,
        "new": result.survivor.pk,
        "moved": result.citations_moved,
        "joined": result.citations_joined,
        "snapshots": result.snapshots_moved,
    }
    if result.proposal is not None:
        text += " " + _(
            "Their ratings differed: a rating proposal with the merged source's rating "
            "waits for a moderator."
        )
    if result.decision is not None:
        text += " " + _("The merged source's rating was kept, as a rating decision.")
    return text
