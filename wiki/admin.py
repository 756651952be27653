"""The editors' admin for wiki pages and citations."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from sources.admin import RatingFieldsAdminMixin

from .models import Citation, WikiPage
from .quality import SUBSCORES, QualityBand
from .selectors import (
    wiki_page_derived_quality,
    wiki_page_list_annotated,
    wiki_pages_broken_references,
)
from .services import wiki_page_citations_sync


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
        return [("yes", _("Cites an unknown source or links a missing page"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        # Bodies are parsed in Python; one pass over id and body, then two lookups.
        broken = wiki_pages_broken_references(WikiPage.objects.only("id", "body"))
        return queryset.filter(pk__in=broken)


class CitationInline(admin.TabularInline):
    model = Citation
    fields = ["source", "position", "note", "in_body"]
    readonly_fields = ["in_body"]
    autocomplete_fields = ["source"]
    extra = 1


@admin.register(WikiPage)
class WikiPageAdmin(RatingFieldsAdminMixin, admin.ModelAdmin):
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
        "derived_quality",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "type", "status", "last_edited", "tags"]}),
        (
            _("Text"),
            {"fields": ["description", "summary", "body", "word_count", "broken_references"]},
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

    @admin.display(description=_("broken references"))
    def broken_references(self, page):
        if page.pk is None:
            return "–"
        broken = wiki_pages_broken_references([page]).get(page.pk)
        if not broken:
            return _("None: every citation and page link resolves.")
        return format_html_join("", '<div class="errornote">{}</div>', ((str(b),) for b in broken))

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
class CitationAdmin(admin.ModelAdmin):
    list_display = ["page", "source", "position", "note"]
    list_select_related = ["page", "source"]
    list_filter = ["page__type"]
    search_fields = ["page__title", "source__title", "source__url", "note"]
    autocomplete_fields = ["page", "source"]
