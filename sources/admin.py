"""The editors' admin for venues and sources."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import NullIf
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.admin_filters import AutocompleteFilter, autocomplete_filter_media
from core.admin_pagination import CappedCountAdminMixin
from core.admin_widgets import LabelledInlineMixin, SafeAutocompleteAdminMixin
from core.history_admin import VersionHistoryAdmin
from ratings.admin import RatingFieldsAdminMixin
from search.suggestions import HtmlSafeJSONEncoder

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
    venue_move_changes_rating,
)
from .selectors import (
    review_due_condition,
    review_missing_condition,
    source_for_url,
    source_list_annotated,
    source_pick,
    venue_list_annotated,
)
from .services import source_create
from .tasks import snapshots_enqueue

# Editors paste URLs without a scheme now and then; https is the right guess today.
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def _picked(source) -> dict:
    return {
        "id": source.pk,
        "title": source.title,
        "url": source.url,
        "venue": source.venue.name if source.venue_id else "",
    }


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
        return [("due", _("Overdue for review")), ("never", _("Not yet reviewed"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(review_due_condition())
        if self.value() == "never":
            return queryset.filter(review_missing_condition())
        return queryset


class VenueDomainInline(LabelledInlineMixin, admin.TabularInline):
    model = VenueDomain
    fields = ["domain", "position"]
    extra = 1

    class Media:
        js = ["js/inline_order.js"]
        css = {"all": ["css/admin.css"]}


@admin.register(Venue)
class VenueAdmin(RatingFieldsAdminMixin, VersionHistoryAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = [
        "name",
        "type",
        "credibility_column",
        "peer_reviewed",
        "source_count",
        "citing_page_count",
        "credibility_reviewed_on",
        "review_state",
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

    @admin.display(description=_("review"))
    def review_state(self, venue):
        if venue.review_due:
            return _("Overdue")
        if venue.review_missing:
            return _("Not yet reviewed")
        return ""

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
            return queryset.credibility_from(self.value())
        return queryset


class SnapshotFilter(admin.SimpleListFilter):
    title = _("snapshot")
    parameter_name = "snapshot"

    def lookups(self, request, model_admin):
        return [("none", _("Never fetched"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(fetched_at__isnull=True)
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


class SourceAuthorInline(LabelledInlineMixin, admin.TabularInline):
    model = SourceAuthor
    fields = ["name", "position"]
    extra = 1

    class Media:
        js = ["js/inline_order.js"]
        css = {"all": ["css/admin.css"]}


class SourceKeyPointInline(LabelledInlineMixin, admin.TabularInline):
    model = SourceKeyPoint
    fields = ["text", "position"]
    extra = 1

    class Media:
        js = ["js/inline_order.js"]
        css = {"all": ["css/admin.css"]}


@admin.register(Source)
class SourceAdmin(
    CappedCountAdminMixin, SafeAutocompleteAdminMixin, RatingFieldsAdminMixin, VersionHistoryAdmin
):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = [
        "display_title",
        "type",
        "venue",
        "credibility_column",
        "cited_by_count",
        "published_column",
        "fetch_column",
    ]
    list_filter = [
        "fetch_outcome",
        "notice_status",
        SnapshotFilter,
        "type",
        EffectiveCredibilityFilter,
        CredibilityOriginFilter,
        CitedFilter,
        ("venue", AutocompleteFilter),
        ("tags", AutocompleteFilter),
    ]
    search_fields = [
        *("title", "url", "=id", "=stable_id", "summary", "authors__name"),
        *("=doi", "=arxiv_id", "=isbn"),
    ]
    autocomplete_fields = ["venue"]
    inlines = [SourceAuthorInline, SourceKeyPointInline]
    readonly_fields = [
        "id",
        "stable_id",
        "effective_credibility",
        "notice_status",
        "last_snapshot",
        "cited_by",
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
        (_("Identifiers"), {"fields": ["doi", "arxiv_id", "isbn", "notice_status"]}),
        (_("Snapshots"), {"fields": ["last_snapshot"]}),
        (_("Cited by"), {"fields": ["cited_by"]}),
        (_("Identity"), {"fields": ["id", "stable_id", "created_at", "updated_at"]}),
    ]

    @property
    def media(self):
        venue = Source._meta.get_field("venue")
        return super().media + autocomplete_filter_media(venue, self.admin_site)

    def get_urls(self):
        own = [
            path("pick/", self.admin_site.admin_view(self.pick_view), name="sources_source_pick"),
            path(
                "quick-add/",
                self.admin_site.admin_view(require_POST(self.quick_add_view)),
                name="sources_source_quick_add",
            ),
            path(
                "<path:object_id>/fetch/",
                self.admin_site.admin_view(self.fetch_view),
                name="sources_source_fetch",
            ),
        ]
        return [*own, *super().get_urls()]

    def pick_view(self, request):
        """The page editor's citation picker: sources matching `q`, as JSON."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        sources = source_pick(request.GET.get("q", ""))
        return JsonResponse(
            {"results": [_picked(source) for source in sources]}, encoder=HtmlSafeJSONEncoder
        )

    def quick_add_view(self, request):
        """ "Add this source" from the citation picker (POST `url`): the source stored with
        that URL, or a new one made as any other (venue inferred, id from the URL) with its
        snapshot fetch queued; as JSON, or a 400 that says what is wrong."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        url = request.POST.get("url", "").strip()
        source = source_for_url(url) if url else None
        if source is not None:
            return JsonResponse({**_picked(source), "created": False}, encoder=HtmlSafeJSONEncoder)
        try:
            source = source_create(url=url)
        except ValidationError as exc:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        snapshots_enqueue([source.pk])
        source.refresh_from_db()  # the fetch may already have filled in its title
        return JsonResponse(
            {**_picked(source), "created": True}, status=201, encoder=HtmlSafeJSONEncoder
        )

    # The same permission as the per-source button: a fetch writes to the source.
    @admin.action(description=_("Fetch snapshots of the selected sources"), permissions=["change"])
    def fetch_snapshots(self, request, queryset):
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

    @admin.display(description=_("pages citing it"))
    def cited_by(self, source):
        """The pages citing the source: title (to edit it), type, quality, and the page."""
        if source.pk is None:
            return "–"
        # Through the citations' relation: the wiki sits above sources and is not imported.
        citations = source.citations.select_related("page").order_by("page__title", "page_id")
        rows = [
            (
                reverse("admin:wiki_wikipage_change", args=[c.page_id]),
                c.page.title,
                c.page.get_type_display(),
                "–" if c.page.quality is None else c.page.quality,
                c.page.get_absolute_url(),
                _("view"),
            )
            for c in citations
        ]
        if not rows:
            return _("No page cites this source yet.")
        return format_html(
            '<ul class="cited-by">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a> · {} · quality {} · <a href="{}">{}</a></li>',
                rows,
            ),
        )

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

    def rating_change_beyond_fields(self, form) -> bool:
        """Moving a stored source to a venue rated otherwise changes its credibility."""
        instance = form.instance
        if instance.pk is None or "venue" not in form.changed_data:
            return False
        stored = Source.objects.filter(pk=instance.pk).first()
        venue = form.cleaned_data.get("venue")
        return stored is not None and venue_move_changes_rating(
            source=stored, venue_id=venue.pk if venue else None
        )

    def get_queryset(self, request):
        return source_list_annotated(super().get_queryset(request))

    # By title, with untitled sources last (an empty title would sort first).
    @admin.display(description=_("title"), ordering=NullIf("title", Value("")).asc(nulls_last=True))
    def display_title(self, source):
        if source.title:
            return source.title
        return format_html('<span class="untitled">{}</span> {}', _("Untitled:"), source.url)

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
class SnapshotAdmin(CappedCountAdminMixin, admin.ModelAdmin):
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
