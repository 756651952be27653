"""What the API returns for each kind: every field named here, none by default.

Serializers list their fields explicitly (never `__all__`), so a field added to a model
stays out of the API until someone names it here; tests/api/test_fields.py holds the
allow-list each endpoint is checked against.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from taggit.models import Tag

from ratings.models import RatingDecision
from sources.models import CredibilityOrigin, Source, Venue
from wiki.models import Citation, WikiPage
from wiki.quality import SUBSCORES


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class LinksMixin(serializers.Serializer):
    """`url`: the record's public page; `api_url`: its address in the API."""

    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    api_view_name: str = ""
    api_lookup: str = "pk"

    def get_url(self, obj) -> str:
        return _absolute(self, obj.get_absolute_url())

    def get_api_url(self, obj) -> str:
        return _absolute(self, reverse(self.api_view_name, args=[getattr(obj, self.api_lookup)]))


class CredibilitySerializer(serializers.Serializer):
    """A credibility level (1-5, or null when unrated) with its name."""

    level = serializers.IntegerField(allow_null=True, min_value=1, max_value=5)
    label = serializers.CharField()


class SourceCredibilitySerializer(CredibilitySerializer):
    origin = serializers.ChoiceField(
        choices=["source", "venue", "none"],
        help_text="Where the level comes from: set for this source, inherited from its "
        "venue, or not rated.",
    )


def _credibility(level, label, **extra) -> dict:
    return {"level": None if level is None else int(level), "label": str(label), **extra}


class VenueBriefSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:venue_detail"
    api_lookup = "slug"

    class Meta:
        model = Venue
        fields = ["slug", "name", "url", "api_url"]


class VenueSerializer(VenueBriefSerializer):
    credibility = serializers.SerializerMethodField()
    domains = serializers.SerializerMethodField()
    source_count = serializers.IntegerField(read_only=True)
    review_due = serializers.BooleanField(
        read_only=True, help_text="Rated, and last reviewed too long ago."
    )

    class Meta:
        model = Venue
        fields = [
            "slug",
            "name",
            "type",
            "description",
            "website",
            "peer_reviewed",
            "credibility",
            "credibility_rationale",
            "credibility_reviewed_on",
            "review_due",
            "domains",
            "source_count",
            "created_at",
            "updated_at",
            "url",
            "api_url",
        ]

    @extend_schema_field(CredibilitySerializer)
    def get_credibility(self, venue) -> dict:
        label = (
            venue.get_credibility_display() if venue.credibility else CredibilityOrigin.NONE.label
        )
        return _credibility(venue.credibility, label)

    def get_domains(self, venue) -> list[str]:
        return [domain.domain for domain in venue.domains.all()]


class SourceBriefSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:source_detail"
    credibility = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ["id", "title", "url", "api_url", "credibility"]

    @extend_schema_field(SourceCredibilitySerializer)
    def get_credibility(self, source) -> dict:
        effective = source.credibility
        return _credibility(effective.level, effective.label, origin=str(effective.origin.value))


class SourceSerializer(SourceBriefSerializer):
    link = serializers.CharField(source="url", help_text="The source itself, where it lives.")
    venue = VenueBriefSerializer(read_only=True, allow_null=True)
    authors = serializers.SerializerMethodField()
    key_points = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    cited_by_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "stable_id",
            "title",
            "link",
            "type",
            "published_on",
            "published_precision",
            "authors",
            "venue",
            "credibility",
            "abstract",
            "summary",
            "review",
            "key_points",
            "tags",
            "doi",
            "arxiv_id",
            "isbn",
            "fetch_outcome",
            "fetched_at",
            "notice_status",
            "cited_by_count",
            "created_at",
            "updated_at",
            "url",
            "api_url",
        ]

    def get_authors(self, source) -> list[str]:
        return [author.name for author in source.authors.all()]

    def get_key_points(self, source) -> list[str]:
        return [point.text for point in source.key_points.all()]

    def get_tags(self, source) -> list[str]:
        return sorted(tag.slug for tag in source.tags.all())


class PageBriefSerializer(LinksMixin, serializers.ModelSerializer):
    api_view_name = "api:page_detail"
    api_lookup = "slug"

    class Meta:
        model = WikiPage
        fields = ["slug", "title", "url", "api_url"]


class SubscoresSerializer(serializers.Serializer):
    """The seven subscores (0-10, null when not scored)."""

    def get_fields(self):
        return {
            name: serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
            for name in SUBSCORES
        }


class PageSerializer(PageBriefSerializer):
    band = serializers.SerializerMethodField()
    subscores = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    citation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = WikiPage
        fields = [
            "slug",
            "title",
            "type",
            "status",
            "description",
            "summary",
            "last_edited",
            "quality",
            "band",
            "subscores",
            "reader_importance",
            "research_importance",
            "word_count",
            "citation_count",
            "tags",
            "created_at",
            "updated_at",
            "url",
            "api_url",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_band(self, page) -> str | None:
        band = page.quality_band
        return None if band is None else band.value

    @extend_schema_field(SubscoresSerializer)
    def get_subscores(self, page) -> dict:
        return {name: _decimal(getattr(page, name)) for name in SUBSCORES}

    def get_tags(self, page) -> list[str]:
        return sorted(tag.slug for tag in page.tags.all())


def _decimal(value) -> str | None:
    return None if value is None else str(value)


class PageCitationSerializer(serializers.ModelSerializer):
    source = SourceBriefSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["position", "note", "in_body", "source"]


class PageDetailSerializer(PageSerializer):
    body = serializers.CharField(help_text="The page's text as written (Markdown).")
    citations = PageCitationSerializer(many=True, read_only=True)

    class Meta(PageSerializer.Meta):
        fields = [*PageSerializer.Meta.fields, "body", "citations"]


class CitationSerializer(serializers.ModelSerializer):
    page = PageBriefSerializer(read_only=True)
    source = SourceBriefSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "page", "position", "note", "in_body", "source"]


class RatingChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class RatingTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["venue", "source", "page"])
    title = serializers.CharField()
    url = serializers.URLField()
    api_url = serializers.URLField()


class RatingDecisionSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    decided_by = serializers.CharField(
        source="decided_by_display",
        help_text='As readers see it: a display name, "a moderator", or Import.',
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = RatingDecision
        fields = [
            "id",
            "target",
            "changes",
            "rationale",
            "origin",
            "decided_by",
            "created_at",
            "url",
        ]

    @extend_schema_field(RatingTargetSerializer)
    def get_target(self, decision) -> dict:
        if decision.venue_id:
            kind, record, api = "venue", decision.venue, ("api:venue_detail", decision.venue.slug)
        elif decision.source_id:
            kind, record, api = "source", decision.source, ("api:source_detail", decision.source_id)
        else:
            kind, record, api = "page", decision.page, ("api:page_detail", decision.page.slug)
        return {
            "kind": kind,
            "title": str(record),
            "url": _absolute(self, record.get_absolute_url()),
            "api_url": _absolute(self, reverse(api[0], args=[api[1]])),
        }

    @extend_schema_field(RatingChangeSerializer(many=True))
    def get_changes(self, decision) -> list[dict]:
        return [
            {"field": name, "old": decision.old_values.get(name), "new": value}
            for name, value in decision.new_values.items()
        ]

    def get_url(self, decision) -> str:
        record = decision.venue or decision.source or decision.page
        return _absolute(self, f"{record.get_absolute_url()}#rating-decision-{decision.pk}")


class TagSerializer(serializers.ModelSerializer):
    source_count = serializers.IntegerField(read_only=True)
    page_count = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    sources_api_url = serializers.SerializerMethodField()
    pages_api_url = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = [
            "slug",
            "name",
            "source_count",
            "page_count",
            "url",
            "sources_api_url",
            "pages_api_url",
        ]

    def get_url(self, tag) -> str:
        return _absolute(self, reverse("wiki:tag_detail", args=[tag.slug]))

    def get_sources_api_url(self, tag) -> str:
        return _absolute(self, f"{reverse('api:source_list')}?tag={tag.slug}")

    def get_pages_api_url(self, tag) -> str:
        return _absolute(self, f"{reverse('api:page_list')}?tag={tag.slug}")


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["venues", "pages", "sources"])
    title = serializers.CharField()
    snippet = serializers.CharField(help_text="Where the words were found, as plain text.")
    url = serializers.URLField()
    api_url = serializers.URLField()
