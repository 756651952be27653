"""The moderation admin: rating fields kept moderated on rated records' forms, editors'
proposals, moderators' decisions, and readers' reports."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.history_admin import VersionHistoryAdmin, model_form_fields

from .forms import RatingDecisionForm, RatingProposalForm
from .kinds import is_moderator, rated_kind, rated_kind_of, user_can_change_ratings
from .models import (
    DecisionOrigin,
    ProposalStatus,
    RatingDecision,
    RatingProposal,
    RatingReport,
    ReportStatus,
)
from .selectors import (
    proposal_changes,
    proposals_awaiting,
    proposals_open_of,
    proposals_with_venue_names,
    rating_values,
    venue_names,
)
from .services import (
    rating_decision_record,
    rating_proposal_approve,
    rating_proposal_create,
    rating_proposal_from_held,
    rating_proposal_reject,
    rating_report_close,
    ratings_hold_back,
)

RATING_RATIONALE_REQUIRED = _("Say why the rating changes: the decision records it.")
RATINGS_PROPOSED = _(
    "The ratings of that version were not restored: they are proposed to the rating "
    "moderators, who decide."
)
VENUE_MOVE_PROPOSED = _(
    "The source keeps its venue for now: the new venue is rated otherwise, so the move "
    "changes the source's credibility. It is proposed to the rating moderators, who decide; "
    "your other changes are saved."
)
VENUE_MOVE_RATIONALE = _("Moving the source to another venue, which is rated otherwise.")


class RatingFieldsAdminMixin:
    """Keep ratings moderated in the admin.

    Without the model's rating permission the rating fields are read-only. With it, a
    change to them needs a rationale and is recorded as a rating decision, so the trail
    has no gap.
    """

    change_form_template = "admin/rating_change_form.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        kind = rated_kind_of(self.model).name
        if self.get_object(request, unquote(object_id)) is None:
            # The admin's own answer to a missing record (back to the list, with a message).
            return super().change_view(request, object_id, form_url, extra_context)
        extra_context = {
            **(extra_context or {}),
            "propose_url": reverse(
                "admin:ratings_ratingproposal_propose", args=[kind, unquote(object_id)]
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not user_can_change_ratings(request.user, self.model):
            fields += [name for name in self.model.RATING_FIELDS if name not in fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if user_can_change_ratings(request.user, self.model):
            fieldsets.append(
                (
                    _("Rating change"),
                    {"fields": ["rating_rationale"], "description": RATING_RATIONALE_REQUIRED},
                )
            )
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not user_can_change_ratings(request.user, self.model):
            return super().get_form(request, obj, change, **kwargs)
        kwargs["fields"] = model_form_fields(self, request, obj)  # the rationale is added below
        base = super().get_form(request, obj, change, **kwargs)
        rating_fields = self.model.RATING_FIELDS
        admin_rating_change = self.rating_change_beyond_fields

        class RatingChangeForm(base):
            rating_rationale = forms.CharField(
                label=_("Why the rating changes"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

            def clean(self):
                cleaned = super().clean()
                reason = cleaned.get("rating_rationale") or cleaned.get("revert_reason") or ""
                changed = _ratings_changed(self, rating_fields) or admin_rating_change(self)
                if changed and not reason.strip():
                    self.add_error("rating_rationale", RATING_RATIONALE_REQUIRED)
                return cleaned

        return RatingChangeForm

    def save_model(self, request, obj, form, change):
        current = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        if not user_can_change_ratings(request.user, self.model):
            self._save_without_rating_change(request, obj, form, change, current)
            return
        old = rating_values(current) if current is not None else {}
        super().save_model(request, obj, form, change)
        cleaned = form.cleaned_data
        rationale = (cleaned.get("rating_rationale") or "").strip() or (
            obj._change_reason if hasattr(obj, "_change_reason") else _("Set when created.")
        )
        rating_decision_record(
            target=obj,
            old_values=old,
            rationale=rationale,
            user=request.user,
            origin=DecisionOrigin.DIRECT,
        )

    def rating_change_beyond_fields(self, form) -> bool:
        """Tell whether a form changes a rating other than through `RATING_FIELDS` (a kind's
        own rule: a source moved to a venue rated otherwise)."""
        return False

    def _save_without_rating_change(self, request, obj, form, change, current):
        """Save an editor's change, keeping the ratings as they are: what would change them
        becomes a proposal for the moderators instead (`ratings_hold_back`)."""
        held = ratings_hold_back(target=obj, stored=current)
        super().save_model(request, obj, form, change)
        moved = "venue" in held
        proposal = rating_proposal_from_held(
            target=obj,
            held=held,
            rationale=getattr(obj, "_change_reason", "") or (VENUE_MOVE_RATIONALE if moved else ""),
            user=request.user,
        )
        if proposal is not None:
            messages.info(request, VENUE_MOVE_PROPOSED if moved else RATINGS_PROPOSED)


def _ratings_changed(form, names) -> set[str]:
    """Rating fields whose cleaned value differs from the stored record's.

    Compared with the database rather than the form's initial values, because a revert
    starts the form from an earlier version; and as they would be stored, because a
    browser sends a rationale's line breaks back as CRLF.
    """
    instance = form.instance
    stored = None
    if instance.pk is not None:
        stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return set(form.changed_data) & set(names)
    cleaned = type(instance).plain_text_values(form.cleaned_data)
    return {name for name in names if name in cleaned and cleaned[name] != getattr(stored, name)}


class ProposalsForFilter(admin.SimpleListFilter):
    """My open proposals, or those awaiting my decision (the dashboard's links)."""

    title = _("whose")
    parameter_name = "for"

    def lookups(self, request, model_admin):
        choices = [("mine", _("My open proposals"))]
        if is_moderator(request.user):
            choices.append(("me", _("Awaiting my decision")))
        return choices

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(pk__in=proposals_open_of(request.user))
        if self.value() == "me" and is_moderator(request.user):
            return queryset.filter(pk__in=proposals_awaiting(request.user))
        return queryset


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
    list_filter = ["status", ProposalsForFilter]
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
                name="ratings_ratingproposal_propose",
            ),
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="ratings_ratingproposal_decide",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # Moderators land on the queue: what is still waiting.
        if is_moderator(request.user) and not request.GET:
            return redirect(reverse("admin:ratings_ratingproposal_changelist") + "?status=pending")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if is_moderator(request.user) and str(object_id).isdigit():
            return redirect("admin:ratings_ratingproposal_decide", pk=object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("proposed"))
    def proposed_display(self, proposal):
        return ", ".join(f"{what} {old} → {new}" for what, old, new in proposal_changes(proposal))

    def propose_view(self, request, kind, pk):
        rated = rated_kind(kind)
        if rated is None:
            raise Http404
        model = rated.model
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
                return redirect(reverse("admin:ratings_ratingproposal_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Propose a rating change"),
            "opts": self.model._meta,
            "target": target,
            "target_opts": model._meta,
            "form": form,
            "derived": target.rating_derived(
                form.cleaned_data if form.is_bound and form.is_valid() else None
            ),
        }
        return TemplateResponse(request, "admin/ratings/ratingproposal/propose.html", context)

    def decide_view(self, request, pk):
        proposal = get_object_or_404(RatingProposal, pk=pk)
        if not is_moderator(request.user):
            raise PermissionDenied
        stale = rating_values(proposal.target) != proposal.baseline
        form = RatingDecisionForm(request.POST or None, stale=stale)
        if request.method == "POST" and form.is_valid():
            action = request.POST.get("action")
            try:
                if action == "approve":
                    proposal = rating_proposal_approve(
                        proposal=proposal,
                        user=request.user,
                        comment=form.cleaned_data["comment"],
                        confirm_stale=form.cleaned_data.get("confirm_stale", False),
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
                return redirect(reverse("admin:ratings_ratingproposal_changelist"))
            proposal.refresh_from_db()
        target = proposal.target
        current = rating_values(target)
        if current != proposal.baseline and not stale:
            # The ratings changed since the page was shown: ask to confirm this time.
            form = RatingDecisionForm(request.POST, stale=True)
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
            "target_kind": target._meta.verbose_name,
            "rows": rows,
            "stale": current != proposal.baseline,
            "open": proposal.status in (ProposalStatus.PENDING, ProposalStatus.AWAITING_SECOND),
            "form": form,
        }
        return TemplateResponse(request, "admin/ratings/ratingproposal/decide.html", context)


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


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


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
