"""The editors' admin for wiki pages and citations."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.admin_filters import AutocompleteFilter, autocomplete_filter_media
from core.admin_pagination import CappedCountAdminMixin
from core.admin_widgets import LabelledInlineMixin, SafeAutocompleteAdminMixin
from core.history_admin import VersionHistoryAdmin, line_diff, version_number
from core.static_files import static_file_available
from ratings.admin import RatingFieldsAdminMixin
from ratings.kinds import is_moderator
from search.suggestions import HtmlSafeJSONEncoder

from .forms import (
    CitationInlineFormSet,
    RecentChangesFilterForm,
    ReferenceMapForm,
    WikiPageAdminForm,
)
from .history import COMMANDS, bulk_runs, changes_load, recent_changes
from .markup import body_footnote_uses, body_missing_references
from .models import Citation, WikiPage
from .quality import SUBSCORES, QualityBand
from .selectors import (
    MAINTENANCE_LISTS,
    wiki_page_derived_quality,
    wiki_page_list_annotated,
    wiki_page_pick,
    wiki_page_preview,
    wiki_pages_broken_references,
    wiki_pages_missing_references,
    wiki_pages_needing_care,
)
from .services import wiki_page_body_sync, wiki_page_edit_date, wiki_page_reference_map


def _posted_text(request, name: str) -> str:
    # Browsers send a textarea's line breaks as CRLF; the body is stored with LF.
    return request.POST.get(name, "").replace("\r\n", "\n")


EDITOR_SCRIPT = "vendor/easymde/easymde.min.js"
EDITOR_STYLES = "vendor/easymde/easymde.min.css"


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


class MaintenanceFilter(admin.SimpleListFilter):
    """The pages that need an editor's care (`wiki.selectors.MAINTENANCE_LISTS`)."""

    title = _("needs care")
    parameter_name = "care"

    def lookups(self, request, model_admin):
        return list(MAINTENANCE_LISTS.items())

    def queryset(self, request, queryset):
        if self.value() in MAINTENANCE_LISTS:
            return wiki_pages_needing_care(queryset, self.value())
        return queryset


class CitationInline(LabelledInlineMixin, SafeAutocompleteAdminMixin, admin.TabularInline):
    model = Citation
    fields = ["source", "position", "note", "in_body"]
    readonly_fields = ["in_body"]
    autocomplete_fields = ["source"]
    extra = 1
    formset = CitationInlineFormSet  # rows citing a source with a warning need a reason

    class Media:
        js = ["js/inline_order.js"]
        css = {"all": ["css/admin.css"]}


@admin.register(WikiPage)
class WikiPageAdmin(CappedCountAdminMixin, RatingFieldsAdminMixin, VersionHistoryAdmin):
    list_display = [
        "title",
        "type",
        "status",
        "quality",
        "band_column",
        "derived_quality",
        "citation_count",
        "last_edited",
    ]
    list_filter = [
        "type",
        "status",
        QualityBandFilter,
        BrokenReferencesFilter,
        MaintenanceFilter,
        ("tags", AutocompleteFilter),
    ]
    search_fields = ["title", "slug", "description", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    form = WikiPageAdminForm
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
                    "citation_warning_reason",
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

    # -- the body editor: a Markdown editor with a live preview and pickers -------------

    @property
    def media(self):
        tags = WikiPage._meta.get_field("tags")
        media = super().media + autocomplete_filter_media(tags, self.admin_site)
        if static_file_available(EDITOR_SCRIPT):
            # Without the library (no npm at set-up) the body stays a plain textarea.
            media += forms.Media(
                js=[EDITOR_SCRIPT, "js/page_editor.js"],
                css={"all": [EDITOR_STYLES, "css/page_editor.css"]},
            )
        return media

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        body = form.base_fields.get("body")
        if body is not None:
            body.widget.attrs.update(self._editor_urls(obj))
        return form

    @staticmethod
    def _editor_urls(page) -> dict[str, str]:
        """Where the editor's script asks for previews, changes and picks (data-* attributes)."""
        urls = {
            "data-preview-url": reverse("admin:wiki_wikipage_preview"),
            "data-pick-sources-url": reverse("admin:sources_source_pick"),
            "data-quick-add-url": reverse("admin:sources_source_quick_add"),
            "data-pick-pages-url": reverse("admin:wiki_wikipage_pick"),
        }
        if page is not None and page.pk is not None:
            urls["data-page"] = str(page.pk)
            urls["data-changes-url"] = reverse("admin:wiki_wikipage_changes", args=[page.pk])
        return urls

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        wiki_page_body_sync(page=form.instance)

    def save_model(self, request, obj, form, change):
        reverting = self.reverting_to(request) is not None
        # A date typed in the form stands; a revert's is the old version's, so it moves.
        if reverting or "last_edited" not in form.changed_data:
            stored = WikiPage.objects.filter(pk=obj.pk).first() if obj.pk else None
            wiki_page_edit_date(page=obj, stored=stored)
        kept = form.kept_warnings_reason() if isinstance(form, WikiPageAdminForm) else ""
        if kept:
            obj._change_reason = kept  # with this version in the page's history
        super().save_model(request, obj, form, change)
        if reverting:
            # A revert saves no inlines (save_related is not called): the body decides.
            wiki_page_body_sync(page=obj)

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
            path("pick/", self.admin_site.admin_view(self.pick_view), name="wiki_wikipage_pick"),
            path(
                "preview/",
                self.admin_site.admin_view(require_POST(self.preview_view)),
                name="wiki_wikipage_preview",
            ),
            path(
                "<int:pk>/changes/",
                self.admin_site.admin_view(require_POST(self.changes_view)),
                name="wiki_wikipage_changes",
            ),
        ]
        return own + super().get_urls()

    def pick_view(self, request):
        """The page editor's page-link picker: pages matching `q`, as JSON."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        pages = wiki_page_pick(request.GET.get("q", ""))
        results = [{"slug": page.slug, "title": page.title} for page in pages]
        return JsonResponse({"results": results}, encoder=HtmlSafeJSONEncoder)

    def preview_view(self, request):
        """The editor's live preview (POST `body`, and `page` when editing one): the body
        as readers will see it, rendered and sanitized as on the public page."""
        page = None
        if request.POST.get("page"):
            page = get_object_or_404(WikiPage, pk=version_number(request.POST["page"]))
        allowed = (
            self.has_change_permission(request, page)
            if page is not None
            else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        preview = wiki_page_preview(page=page, body=_posted_text(request, "body"))
        return TemplateResponse(request, "admin/wiki/wikipage/preview.html", {"preview": preview})

    def changes_view(self, request, pk):
        """ "Show changes": the lines of the posted body that differ from the saved one."""
        page = get_object_or_404(WikiPage, pk=pk)
        if not self.has_change_permission(request, page):
            raise PermissionDenied
        rows = line_diff(page.body, _posted_text(request, "body"))
        return TemplateResponse(request, "admin/wiki/wikipage/changes.html", {"rows": rows})

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
class CitationAdmin(CappedCountAdminMixin, SafeAutocompleteAdminMixin, VersionHistoryAdmin):
    list_display = ["page", "source", "position", "note"]
    list_select_related = ["page", "source"]
    list_filter = ["page__type"]
    search_fields = ["page__title", "source__title", "source__url", "note"]
    autocomplete_fields = ["page", "source"]


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
        "runs": bulk_runs() if filters["who"] != COMMANDS else [],
    }
    return TemplateResponse(request, "admin/recent_changes.html", context)
