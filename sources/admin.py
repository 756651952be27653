"""The editors' admin for venues and sources."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_widgets import SafeAutocompleteAdminMixin
from core.history_admin import VersionHistoryAdmin, model_form_fields

from .models import (
    Credibility,
    CredibilityOrigin,
    EffectiveCredibility,
    FetchOutcome,
    Snapshot,
    Source,
    SourceAuthor,
    SourceKeyPoint,
    Venue,
    VenueDomain,
)
from .selectors import (
    review_due_condition,
    source_list_annotated,
    user_can_change_ratings,
    venue_list_annotated,
)

# Editors paste URLs without a scheme now and then; https is the right guess today.
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


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
        kind = {"venue": "venue", "source": "source", "wikipage": "page"}[
            self.model._meta.model_name
        ]
        if self.get_object(request, unquote(object_id)) is None:
            # The admin's own answer to a missing record (back to the list, with a message).
            return super().change_view(request, object_id, form_url, extra_context)
        extra_context = {
            **(extra_context or {}),
            "propose_url": reverse(
                "admin:wiki_ratingproposal_propose", args=[kind, unquote(object_id)]
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

        class RatingChangeForm(base):
            rating_rationale = forms.CharField(
                label=_("Why the rating changes"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

            def clean(self):
                cleaned = super().clean()
                reason = cleaned.get("rating_rationale") or cleaned.get("revert_reason") or ""
                changed = _ratings_changed(self, rating_fields) or _venue_move_rated(self)
                if changed and not reason.strip():
                    self.add_error("rating_rationale", RATING_RATIONALE_REQUIRED)
                return cleaned

        return RatingChangeForm

    def save_model(self, request, obj, form, change):
        current = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        if not user_can_change_ratings(request.user, self.model):
            self._save_without_rating_change(request, obj, form, change, current)
            return
        from wiki.models import DecisionOrigin
        from wiki.moderation import rating_decision_record, rating_values

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

    def _save_without_rating_change(self, request, obj, form, change, current):
        """Save an editor's change, keeping the ratings as they are.

        Rating fields are read-only for editors, so they differ from the stored ones only
        when a revert brings back an earlier version: that version's ratings become a
        proposal for the moderators instead.
        """
        from wiki.moderation import PROPOSABLE, rating_proposal_create, venue_move_changes_rating

        earlier = {}
        for name in self.model.RATING_FIELDS:
            stored = (
                getattr(current, name)
                if current is not None
                else self.model._meta.get_field(name).get_default()
            )
            if getattr(obj, name) != stored:
                earlier[name] = getattr(obj, name)
                setattr(obj, name, stored)
        moved = isinstance(obj, Source) and current is not None
        moved = moved and venue_move_changes_rating(source=current, venue_id=obj.venue_id)
        if moved:
            # The source keeps its venue until a moderator approves the move.
            earlier["venue"], obj.venue_id = obj.venue_id, current.venue_id
        super().save_model(request, obj, form, change)
        proposed = {k: v for k, v in earlier.items() if k in PROPOSABLE[self.model]}
        if proposed:
            rating_proposal_create(
                target=obj,
                values=proposed,
                rationale=getattr(obj, "_change_reason", "")
                or (VENUE_MOVE_RATIONALE if moved else _("Restoring earlier ratings.")),
                user=request.user,
            )
            messages.info(request, VENUE_MOVE_PROPOSED if moved else RATINGS_PROPOSED)


def _venue_move_rated(form) -> bool:
    """Tell whether a source form moves a stored source to a venue rated otherwise."""
    from wiki.moderation import venue_move_changes_rating

    instance = form.instance
    if not isinstance(instance, Source) or instance.pk is None or "venue" not in form.changed_data:
        return False
    stored = Source.objects.filter(pk=instance.pk).first()
    venue = form.cleaned_data.get("venue")
    return stored is not None and venue_move_changes_rating(
        source=stored, venue_id=venue.pk if venue else None
    )


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


def fetch_badge_html(outcome: str):
    if not outcome:
        return "–"
    return format_html(
        '<span class="fetch fetch-{}">{}</span>', outcome, FetchOutcome(outcome).label
    )


def credibility_html(level: int | None, origin: str | None = None):
    """Render a credibility level as `4/5 High`, with where it comes from when given."""
    if level is None:
        return format_html('<span class="credibility credibility-none">{}</span>', _("Not rated"))
    rating = Credibility(level)
    origin_text = {
        CredibilityOrigin.SOURCE: _("set for this source"),
        CredibilityOrigin.VENUE: _("from venue"),
    }.get(origin, "")
    return format_html(
        '<span class="credibility credibility-{}" title="{}">{}/5 {}</span>{}',
        level,
        rating.description,
        level,
        rating.label,
        format_html(" <small>({})</small>", origin_text) if origin_text else "",
    )


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", _("Due for review"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(review_due_condition())
        return queryset


class VenueDomainInline(admin.TabularInline):
    model = VenueDomain
    fields = ["domain", "position"]
    extra = 1


@admin.register(Venue)
class VenueAdmin(RatingFieldsAdminMixin, VersionHistoryAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = [
        "name",
        "slug",
        "type",
        "credibility_column",
        "peer_reviewed",
        "source_count",
        "citing_page_count",
        "credibility_reviewed_on",
        "review_due",
    ]
    list_filter = ["type", "credibility", ReviewDueFilter, "peer_reviewed"]
    search_fields = ["name", "slug", "domains__domain", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VenueDomainInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "type", "website", "peer_reviewed", "description"]}),
        (
            _("Credibility"),
            {"fields": ["credibility", "credibility_rationale", "credibility_reviewed_on"]},
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return venue_list_annotated(super().get_queryset(request))

    @admin.display(description=_("credibility"), ordering="credibility")
    def credibility_column(self, venue):
        return credibility_html(venue.credibility)

    @admin.display(description=_("review due"), boolean=True)
    def review_due(self, venue):
        return venue.review_due

    @admin.display(description=_("sources"), ordering="source_count")
    def source_count(self, venue):
        return venue.source_count

    @admin.display(description=_("citing pages"), ordering="citing_page_count")
    def citing_page_count(self, venue):
        return venue.citing_page_count


class EffectiveCredibilityFilter(admin.SimpleListFilter):
    title = _("effective credibility")
    parameter_name = "credibility"

    def lookups(self, request, model_admin):
        levels = [
            (str(level.value), f"{level.value} · {level.label}") for level in reversed(Credibility)
        ]
        return [*levels, ("none", _("Not rated"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(effective_credibility__isnull=True)
        if self.value() in {str(level.value) for level in Credibility}:
            return queryset.filter(effective_credibility=int(self.value()))
        return queryset


class CredibilityOriginFilter(admin.SimpleListFilter):
    title = _("credibility from")
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return CredibilityOrigin.choices

    def queryset(self, request, queryset):
        if self.value() in CredibilityOrigin.values:
            return queryset.filter(credibility_origin=self.value())
        return queryset


class CitedFilter(admin.SimpleListFilter):
    title = _("cited")
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("yes", _("Cited by a page")), ("no", _("Not cited"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(cited_by_count__gt=0)
        if self.value() == "no":
            return queryset.filter(cited_by_count=0)
        return queryset


class SourceAuthorInline(admin.TabularInline):
    model = SourceAuthor
    fields = ["name", "position"]
    extra = 1


class SourceKeyPointInline(admin.TabularInline):
    model = SourceKeyPoint
    fields = ["text", "position"]
    extra = 1


@admin.register(Source)
class SourceAdmin(SafeAutocompleteAdminMixin, RatingFieldsAdminMixin, VersionHistoryAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = [
        "display_title",
        "type",
        "venue",
        "credibility_column",
        "cited_by_count",
        "published_column",
        "fetch_column",
        "updated_at",
    ]
    list_filter = [
        "fetch_outcome",
        "type",
        EffectiveCredibilityFilter,
        CredibilityOriginFilter,
        CitedFilter,
        ("venue", admin.RelatedOnlyFieldListFilter),
        "tags",
    ]
    search_fields = ["title", "url", "=id", "=stable_id", "summary", "authors__name"]
    autocomplete_fields = ["venue"]
    inlines = [SourceAuthorInline, SourceKeyPointInline]
    readonly_fields = [
        "id",
        "stable_id",
        "effective_credibility",
        "last_snapshot",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "published_on"
    actions = ["fetch_snapshots"]
    change_form_template = "admin/sources/source/change_form.html"
    fieldsets = [
        (None, {"fields": ["url", "title", "type", ("published_on", "published_precision")]}),
        (
            _("Venue and credibility"),
            {"fields": ["venue", "credibility_override", "effective_credibility"]},
        ),
        (_("Content"), {"fields": ["summary", "review", "abstract", "tags"]}),
        (_("Snapshots"), {"fields": ["last_snapshot"]}),
        (_("Identity"), {"fields": ["id", "stable_id", "created_at", "updated_at"]}),
    ]

    def get_urls(self):
        fetch = path(
            "<path:object_id>/fetch/",
            self.admin_site.admin_view(self.fetch_view),
            name="sources_source_fetch",
        )
        return [fetch, *super().get_urls()]

    # The same permission as the per-source button: a fetch writes to the source.
    @admin.action(description=_("Fetch snapshots of the selected sources"), permissions=["change"])
    def fetch_snapshots(self, request, queryset):
        from .tasks import snapshots_enqueue

        count = snapshots_enqueue(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d fetch queued; the source list shows its outcome when done.",
                "%(count)d fetches queued; the source list shows their outcomes when done.",
                count,
            )
            % {"count": count},
        )

    def fetch_view(self, request, object_id):
        """Queue a fetch of one source (the "Fetch a snapshot now" button); POST only."""
        from .tasks import snapshots_enqueue

        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        snapshots_enqueue([source.pk])
        source.refresh_from_db(fields=["fetch_outcome", "fetched_at"])
        self.message_user(request, _("Fetch queued for this source."))
        return redirect("admin:sources_source_change", source.pk)

    @admin.display(description=_("last fetch"), ordering="fetched_at")
    def fetch_column(self, source):
        return fetch_badge_html(source.fetch_outcome)

    @admin.display(description=_("last snapshot"))
    def last_snapshot(self, source):
        if source.pk is None or source.fetched_at is None:
            return _("Never fetched.")
        snapshots = reverse("admin:sources_snapshot_changelist") + f"?source__id__exact={source.pk}"
        return format_html(
            '{} {} · <a href="{}">{}</a>',
            fetch_badge_html(source.fetch_outcome),
            date_format(timezone.localtime(source.fetched_at), "DATETIME_FORMAT"),
            snapshots,
            _("all snapshots"),
        )

    def get_queryset(self, request):
        return source_list_annotated(super().get_queryset(request))

    @admin.display(description=_("title"), ordering="title")
    def display_title(self, source):
        return source.title or source.url

    @admin.display(description=_("credibility"), ordering="effective_credibility")
    def credibility_column(self, source):
        rating = source.credibility
        return credibility_html(rating.level, rating.origin)

    @admin.display(description=_("cited by"), ordering="cited_by_count")
    def cited_by_count(self, source):
        return source.cited_by_count

    @admin.display(description=_("published"), ordering="published_on")
    def published_column(self, source):
        return source.published_display

    @admin.display(description=_("effective credibility"))
    def effective_credibility(self, source):
        if source.pk is None:
            return _("Set when saved: the override, else the venue's rating.")
        rating: EffectiveCredibility = source.credibility
        if rating.origin == CredibilityOrigin.VENUE:
            where = format_html("{} {}", _("inherited from publication venue"), source.venue)
        elif rating.origin == CredibilityOrigin.SOURCE:
            where = _("set for this source")
        else:
            where = ""
        return format_html(
            "{} {}", credibility_html(rating.level), format_html("— {}", where) if where else ""
        )


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Snapshots are written by fetches only; editors read them here."""

    list_display = ["source", "fetched_at", "checked_at", "outcome", "http_status", "byte_size"]
    list_filter = ["outcome"]
    list_select_related = ["source"]
    search_fields = ["source__title", "source__url", "=source__id", "final_url"]
    date_hierarchy = "fetched_at"
    readonly_fields = [field.name for field in Snapshot._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
