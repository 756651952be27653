"""Public pages for the wiki, the home page and tags: bind input, call a selector, render."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from accounts.services import client_address, rate_limit_hit
from core.pagination import filtered_list_context, paginate
from sources.models import Source, Venue

from . import selectors
from .filters import WikiPageFilter
from .forms import RatingReportForm
from .models import WikiPage
from .moderation import rating_history, rating_report_create


def home(request):
    return render(request, "wiki/home.html", {"summary": selectors.home_summary()})


def page_list(request):
    filterset = WikiPageFilter(request.GET, queryset=selectors.wiki_page_list_annotated())
    return render(request, "wiki/page_list.html", filtered_list_context(request.GET, filterset))


def page_detail(request, slug: str):
    try:
        rendered = selectors.wiki_page_detail(slug)
    except WikiPage.DoesNotExist:
        raise Http404("No page has this slug.") from None
    return render(
        request,
        "wiki/page_detail.html",
        {
            "rendered": rendered,
            "page": rendered.page,
            "history": rating_history(rendered.page),
        },
    )


def tag_list(request):
    return render(request, "wiki/tag_list.html", {"tags": selectors.tag_list_counted()})


def tag_detail(request, slug: str):
    try:
        tag, sources, pages = selectors.tag_detail(slug)
    except Tag.DoesNotExist:
        raise Http404("No tag has this slug.") from None
    return render(
        request,
        "wiki/tag_detail.html",
        {
            "tag": tag,
            "sources": paginate(request.GET, sources),
            "pages": paginate(request.GET, pages, param="pages_page"),
        },
    )


REPORT_BODY_MAX = 16_384  # bytes: far more than the form's fields allow, far less than abuse
REPORT_TARGETS = {"venue": (Venue, "slug"), "source": (Source, "pk"), "page": (WikiPage, "slug")}


def report_allowed(request) -> bool:
    """Count a report from this client; tell whether it is within the hourly limit."""
    return rate_limit_hit(
        key=f"rating-report:{client_address(request)}",
        limit=settings.CREDENCE_REPORTS_PER_HOUR,
        window_seconds=3600,
    )


def rating_report(request, kind: str, ref: str):
    model, key = REPORT_TARGETS.get(kind, (None, None))
    if model is None:
        raise Http404("Ratings are reported on venues, sources and pages.")
    target = get_object_or_404(model, **{key: ref})
    if request.method == "POST" and len(request.body) > REPORT_BODY_MAX:
        form = RatingReportForm()
        notice = _("The report is too long; shorten it and send it again.")
        return _report_page(request, form, target, notice, status=413)
    form = RatingReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not report_allowed(request):
            notice = _("Too many reports from your connection: try again in an hour.")
            return _report_page(request, form, target, notice, status=429)
        if not form.is_spam():
            rating_report_create(
                target=target,
                what=form.cleaned_data["what"],
                why=form.cleaned_data["why"],
                email=form.cleaned_data["email"],
            )
        messages.success(request, _("Thank you: the moderators will look at your report."))
        return redirect(target)
    return _report_page(request, form, target)


def _report_page(request, form, target, notice="", status=200):
    return render(
        request,
        "wiki/rating_report.html",
        {"form": form, "target": target, "notice": notice},
        status=status,
    )
