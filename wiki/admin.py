"""The editors' admin for wiki pages and citations."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin_widgets import SafeAutocompleteAdminMixin
from core.history_admin import VersionHistoryAdmin
from sources.admin import RatingFieldsAdminMixin
from sources.models import Source, Venue
from sources.selectors import user_can_change_ratings

from .forms import (
    RatingDecisionForm,
    RatingProposalForm,
    RecentChangesFilterForm,
    ReferenceMapForm,
)
from .history import changes_load, recent_changes
from .markup import body_footnote_uses, body_missing_references
from .models import (
    Citation,
    ProposalStatus,
    RatingDecision,
    RatingProposal,
    RatingReport,
    ReportStatus,
    WikiPage,
)
from .moderation import (
    proposal_changes,
    proposals_with_venue_names,
    rating_proposal_approve,
    rating_proposal_create,
    rating_proposal_reject,
    rating_report_close,
    rating_values,
    venue_names,
)
from .quality import SUBSCORES, QualityBand
from .selectors import (
    wiki_page_derived_quality,
    wiki_page_list_annotated,
    wiki_pages_broken_references,
    wiki_pages_missing_references,
)
from .services import wiki_page_citations_sync, wiki_page_reference_map


class QualityBandFilter(admin.SimpleListFilter):
    title = _("quality band")
    parameter_name = "band"

    def lookups(self, request, model_admin):
        bands = [
            (band.value, f"{band.label} ({band.floor}–{band.ceiling})") for band in QualityBand
        ]
        return [*bands, ("none", _("No score"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(quality__isnull=True)
        if self.value() in QualityBand.values:
            return queryset.in_quality_band(QualityBand(self.value()))
        return queryset


class BrokenReferencesFilter(admin.SimpleListFilter):
    title = _("broken references")
    parameter_name = "broken"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Cites an unknown source or links a missing page")),
            ("missing", _("Has references whose data is missing")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(missing_reference_count__gt=0)
        if self.value() != "yes":
            return queryset
        # Bodies are parsed in Python; one pass over id and body, then two lookups.
        broken = wiki_pages_broken_references(WikiPage.objects.only("id", "body"))
        return queryset.filter(pk__in=broken)


class CitationInline(SafeAutocompleteAdminMixin, admin.TabularInline):
    model = Citation
    fields = ["source", "position", "note", "in_body"]
    readonly_fields = ["in_body"]
    autocomplete_fields = ["source"]
    extra = 1


@admin.register(WikiPage)
class WikiPageAdmin(RatingFieldsAdminMixin, VersionHistoryAdmin):
    list_display = [
        "title",
        "type",
        "status",
        "quality",
        "band_column",
        "derived_quality",
        "citation_count",
        "reader_importance",
        "last_edited",
    ]
    list_filter = ["type", "status", QualityBandFilter, BrokenReferencesFilter, "tags"]
    search_fields = ["title", "slug", "description", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CitationInline]
    readonly_fields = [
        "word_count",
        "broken_references",
        "missing_references",
        "derived_quality",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "type", "status", "last_edited", "tags"]}),
        (
            _("Text"),
            {
                "fields": [
                    "description",
                    "summary",
                    "body",
                    "word_count",
                    "broken_references",
                    "missing_references",
                ]
            },
        ),
        (
            _("Quality and importance"),
            {
                "fields": [
                    ("quality", "derived_quality"),
                    tuple(SUBSCORES[:4]),
                    tuple(SUBSCORES[4:]),
                    ("reader_importance", "research_importance"),
                ],
                "description": _(
                    "The recorded quality is what readers see; the derived value is what the "
                    "formula gives from the subscores, the prose length and the citations."
                ),
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return wiki_page_list_annotated(super().get_queryset(request))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        wiki_page_citations_sync(page=form.instance)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(request, "history_revert", None) is not None:
            # A revert saves no inlines (save_related is not called): the body decides.
            wiki_page_citations_sync(page=obj)

    @admin.display(description=_("broken references"))
    def broken_references(self, page):
        if page.pk is None:
            return "–"
        broken = wiki_pages_broken_references([page]).get(page.pk)
        if not broken:
            return _("None: every citation and page link resolves.")
        return format_html_join("", '<div class="errornote">{}</div>', ((str(b),) for b in broken))

    @admin.display(description=_("references without data"))
    def missing_references(self, page):
        if page.pk is None:
            return "–"
        labels = wiki_pages_missing_references([page]).get(page.pk)
        if not labels:
            return _("None: every footnote has its text.")
        return format_html_join(
            "",
            '<div><code>[^{}]</code> <a href="{}">{}</a></div>',
            (
                (
                    label,
                    reverse("admin:wiki_wikipage_reference_map", args=[page.pk, label]),
                    _("Map to a source"),
                )
                for label in labels
            ),
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/map-reference/<str:label>/",
                self.admin_site.admin_view(self.reference_map_view),
                name="wiki_wikipage_reference_map",
            ),
        ]
        return own + super().get_urls()

    def reference_map_view(self, request, pk, label):
        page = get_object_or_404(WikiPage, pk=pk)
        if not self.has_change_permission(request, page):
            raise PermissionDenied
        uses = body_footnote_uses(page.body, label)
        if label not in body_missing_references(page.body):
            raise Http404
        form = ReferenceMapForm(request.POST or None, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            source = form.cleaned_data["source"]
            count = wiki_page_reference_map(page=page, label=label, source=source)
            messages.success(
                request,
                _("[^%(label)s] is now a citation of “%(source)s” (%(count)d reference(s)).")
                % {"label": label, "source": source, "count": count},
            )
            return redirect(reverse("admin:wiki_wikipage_change", args=[page.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Map a reference to a source"),
            "opts": self.model._meta,
            "page": page,
            "label": label,
            "uses": uses,
            "form": form,
        }
        return TemplateResponse(request, "admin/wiki/wikipage/reference_map.html", context)

    @admin.display(description=_("band"), ordering="quality")
    def band_column(self, page):
        band = page.quality_band
        return band.label if band else "–"

    @admin.display(description=_("derived quality"))
    def derived_quality(self, page):
        if page.pk is None:
            return "–"
        return wiki_page_derived_quality(page)

    @admin.display(description=_("citations"), ordering="citation_count")
    def citation_count(self, page):
        return page.citation_count


@admin.register(Citation)
class CitationAdmin(SafeAutocompleteAdminMixin, VersionHistoryAdmin):
    list_display = ["page", "source", "position", "note"]
    list_select_related = ["page", "source"]
    list_filter = ["page__type"]
    search_fields = ["page__title", "source__title", "source__url", "note"]
    autocomplete_fields = ["page", "source"]


class TrailAdminMixin:
    """Records of the moderation trail: made by services, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("record"))
    def target_display(self, item):
        target = item.target
        return f"{target._meta.verbose_name}: {target}"


class RatingProposalAdmin(TrailAdminMixin, VersionHistoryAdmin):
    """Editors propose from a record's page and follow their proposals; moderators decide."""

    list_display = ["target_display", "proposed_display", "proposed_by", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["venue", "source", "page", "proposed_by"]
    readonly_fields = [
        "target_display",
        "proposed_display",
        "rationale",
        "proposed_by",
        "status",
        "first_approved_by",
        "decided_by",
        "decided_at",
        "decision_comment",
        "created_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        queryset = proposals_with_venue_names(super().get_queryset(request))
        if is_moderator(request.user):
            return queryset
        return queryset.filter(proposed_by=request.user)

    # Proposals start from their record (propose view) and are decided in the decide view.

    def get_urls(self):
        own = [
            path(
                "propose/<str:kind>/<str:pk>/",
                self.admin_site.admin_view(self.propose_view),
                name="wiki_ratingproposal_propose",
            ),
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="wiki_ratingproposal_decide",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # Moderators land on the queue: what is still waiting.
        if is_moderator(request.user) and not request.GET:
            return redirect(reverse("admin:wiki_ratingproposal_changelist") + "?status=pending")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if is_moderator(request.user) and str(object_id).isdigit():
            return redirect("admin:wiki_ratingproposal_decide", pk=object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("proposed"))
    def proposed_display(self, proposal):
        return ", ".join(f"{what} {old} → {new}" for what, old, new in proposal_changes(proposal))

    def propose_view(self, request, kind, pk):
        model = PROPOSAL_KINDS.get(kind)
        if model is None:
            raise Http404
        target = get_object_or_404(model, pk=pk)
        if not request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"):
            raise PermissionDenied
        form = RatingProposalForm(request.POST or None, target=target)
        if request.method == "POST" and form.is_valid():
            try:
                rating_proposal_create(
                    target=target,
                    values=form.proposed_values(),
                    rationale=form.cleaned_data["rationale"],
                    user=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Your proposal is waiting for a moderator."))
                return redirect(reverse("admin:wiki_ratingproposal_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Propose a rating change"),
            "opts": self.model._meta,
            "target": target,
            "target_opts": model._meta,
            "form": form,
            "derived": _derived_quality(target, form) if isinstance(target, WikiPage) else None,
        }
        return TemplateResponse(request, "admin/wiki/ratingproposal/propose.html", context)

    def decide_view(self, request, pk):
        proposal = get_object_or_404(RatingProposal, pk=pk)
        if not is_moderator(request.user):
            raise PermissionDenied
        form = RatingDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            action = request.POST.get("action")
            try:
                if action == "approve":
                    proposal = rating_proposal_approve(
                        proposal=proposal,
                        user=request.user,
                        comment=form.cleaned_data["comment"],
                        confirm_stale=form.cleaned_data["confirm_stale"],
                    )
                elif action == "reject":
                    proposal = rating_proposal_reject(
                        proposal=proposal, user=request.user, comment=form.cleaned_data["comment"]
                    )
                else:
                    raise ValidationError(_("Choose Approve or Reject."))
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Decided: %s.") % proposal.get_status_display())
                return redirect(reverse("admin:wiki_ratingproposal_changelist"))
            proposal.refresh_from_db()
        target = proposal.target
        current = rating_values(target)
        labels = venue_names([current.get("venue")])
        rows = [
            (what, old, labels.get(current.get(name), current.get(name)), new)
            for (what, old, new), name in zip(
                proposal_changes(proposal), proposal.proposed, strict=True
            )
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide a rating proposal"),
            "opts": self.model._meta,
            "proposal": proposal,
            "target": target,
            "rows": rows,
            "stale": current != proposal.baseline,
            "open": proposal.status in (ProposalStatus.PENDING, ProposalStatus.AWAITING_SECOND),
            "form": form,
        }
        return TemplateResponse(request, "admin/wiki/ratingproposal/decide.html", context)


admin.site.register(RatingProposal, RatingProposalAdmin)


@admin.register(RatingDecision)
class RatingDecisionAdmin(TrailAdminMixin, admin.ModelAdmin):
    """The trail: every rating change, read-only."""

    list_display = ["created_at", "target_display", "changes_display", "origin", "decided_by"]
    list_filter = ["origin"]
    list_select_related = ["venue", "source", "page", "decided_by"]
    readonly_fields = [
        "target_display",
        "changes_display",
        "rationale",
        "origin",
        "decided_by",
        "proposal",
        "created_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("change"))
    def changes_display(self, decision):
        return "; ".join(f"{what}: {old} → {new}" for what, old, new in decision.changes)


PROPOSAL_KINDS = {"venue": Venue, "source": Source, "page": WikiPage}


def is_moderator(user) -> bool:
    """Tell whether a user decides rating proposals (holds any rating permission)."""
    return any(user_can_change_ratings(user, model) for model in PROPOSAL_KINDS.values())


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _derived_quality(page: WikiPage, form) -> dict:
    """Return the recorded quality and what the formula derives from the shown subscores."""
    subscores = {
        name: (
            form.cleaned_data.get(name)
            if form.is_bound and form.is_valid()
            else getattr(page, name)
        )
        for name in SUBSCORES
    }
    trial = WikiPage(
        **{**{f: getattr(page, f) for f in ("type", "status", "word_count")}, **subscores}
    )
    return {"recorded": page.quality, "derived": trial.derived_quality(page.citations.count())}


@admin.register(RatingReport)
class RatingReportAdmin(TrailAdminMixin, admin.ModelAdmin):
    """Readers' reports of wrong ratings, for moderators to resolve or dismiss."""

    list_display = ["created_at", "target_display", "what", "status", "handled_by"]
    list_filter = ["status"]
    list_select_related = ["venue", "source", "page", "handled_by"]
    readonly_fields = [
        "target_display",
        "what",
        "why",
        "email",
        "status",
        "handled_by",
        "created_at",
    ]
    fields = readonly_fields
    actions = ["mark_resolved", "mark_dismissed"]

    def has_module_permission(self, request):
        return is_moderator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_moderator(request.user)

    @admin.action(description=_("Mark the selected reports resolved"))
    def mark_resolved(self, request, queryset):
        self._close(request, queryset, ReportStatus.RESOLVED)

    @admin.action(description=_("Dismiss the selected reports"))
    def mark_dismissed(self, request, queryset):
        self._close(request, queryset, ReportStatus.DISMISSED)

    def _close(self, request, queryset, status):
        for report in queryset:
            rating_report_close(report=report, user=request.user, status=status)
        messages.success(request, _("%(n)d report(s) updated.") % {"n": queryset.count()})


RECENT_CHANGES_PER_PAGE = 50


def recent_changes_view(request):
    """Staff's list of every change to venues, sources, pages, citations and proposals."""
    form = RecentChangesFilterForm(request.GET or None)
    filters = form.filters()
    if not is_moderator(request.user):
        filters["proposals_of"] = request.user.pk  # editors follow only their own proposals
    page = Paginator(recent_changes(**filters), RECENT_CHANGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Recent changes"),
        "form": form,
        "page_obj": page,
        "changes": changes_load(page.object_list),
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/recent_changes.html", context)
