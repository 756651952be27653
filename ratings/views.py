"""Readers' reports of a wrong rating: bind input, call the service, render."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from accounts.services import client_address, rate_limit_hit

from .forms import RatingReportForm
from .kinds import rated_kind
from .services import rating_report_create

REPORT_BODY_MAX = 16_384  # bytes: far more than the form's fields allow, far less than abuse


def report_allowed(request) -> bool:
    """Count a report from this client; tell whether it is within the hourly limit."""
    return rate_limit_hit(
        key=f"rating-report:{client_address(request)}",
        limit=settings.CREDENCE_REPORTS_PER_HOUR,
        window_seconds=3600,
    )


def rating_report(request, kind: str, ref: str):
    rated = rated_kind(kind)
    if rated is None:
        raise Http404("Ratings are reported on venues, sources and pages.")
    target = get_object_or_404(rated.model, **{rated.lookup: ref})
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
        "ratings/rating_report.html",
        {"form": form, "target": target, "notice": notice},
        status=status,
    )
