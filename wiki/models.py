"""Wiki pages and the citations that tie their claims to sources."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from core.history import TrackedHistory
from core.models import PlainTextModel, TimeStampedModel
from core.selectors import count_per_row
from ratings.models import RatedModel
from search.models import SearchRankedModel, search_rank_indexes
from sources.models import Source

from .evidence import STRONG_FROM
from .markup import body_missing_references, prose_word_count
from .quality import (
    ANALYSIS_PAGE_TYPE,
    IMPORTANCE_MAX,
    IMPORTANCE_MIN,
    QUALITY_MAX,
    QUALITY_MIN,
    SUBSCORE_MAX,
    SUBSCORE_MIN,
    SUBSCORES,
    QualityBand,
    quality_band,
    quality_derive,
)


class PageType(models.TextChoices):
    POLICY = "policy", _("Policy")
    APPROACH = "approach", _("Approach")
    RISK = "risk", _("Risk")
    ORGANIZATION = "organization", _("Organization")
    PERSON = "person", _("Person")
    CONCEPT = "concept", _("Concept")
    CAPABILITY = "capability", _("Capability")
    ANALYSIS = ANALYSIS_PAGE_TYPE, _("Analysis")
    CRUX = "crux", _("Crux")
    PROJECT = "project", _("Project")
    RISK_FACTOR = "risk-factor", _("Risk factor")
    SAFETY_AGENDA = "safety-agenda", _("Safety agenda")
    MODEL = "model", _("Model")
    BENCHMARK = "benchmark", _("Benchmark")
    EVENT = "event", _("Event")
    ARGUMENT = "argument", _("Argument")
    HISTORICAL = "historical", _("Historical")
    RESEARCH_AREA = "research-area", _("Research area")
    OTHER = "other", _("Other")


class PageStatus(models.TextChoices):
    STUB = "stub", _("Stub")
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    VERIFIED = "verified", _("Verified")


def _bounded(field: str, low: int, high: int) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


def _subscore_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(SUBSCORE_MIN), MaxValueValidator(SUBSCORE_MAX)],
    )


def _importance_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(IMPORTANCE_MIN), MaxValueValidator(IMPORTANCE_MAX)],
        help_text=_("0 to 100; fractions allowed."),
    )


class WikiPageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status__in=[PageStatus.PUBLISHED, PageStatus.VERIFIED])

    def in_quality_band(self, band: QualityBand):
        return self.filter(quality__gte=band.floor, quality__lte=band.ceiling)

    def with_citation_count(self):
        # A correlated subquery, not Count() over a join: no GROUP BY over every page.
        return self.annotate(citation_count=count_per_row(Citation, "page"))

    def with_strong_share(self):
        """Annotate `strong_share`: the percentage of the page's cited sources rated 4-5
        (`wiki.evidence.STRONG_FROM`), NULL for a page that cites none. Needs
        `citation_count` (`with_citation_count`)."""
        strong = (
            Citation.objects.filter(
                page=OuterRef("pk"), source__effective_credibility__gte=STRONG_FROM
            )
            .order_by()
            .values("page")
            .annotate(n=Count("pk"))
            .values("n")
        )
        strong_count = Coalesce(Subquery(strong, output_field=IntegerField()), Value(0))
        return self.annotate(
            strong_share=Case(
                When(citation_count=0, then=Value(None)),
                default=ExpressionWrapper(
                    strong_count * 100.0 / F("citation_count"), output_field=FloatField()
                ),
                output_field=FloatField(),
            )
        )


class WikiPage(RatedModel, PlainTextModel, SearchRankedModel, TimeStampedModel):
    """A wiki page whose claims cite rated sources."""

    RATING_FIELDS = ("quality", *SUBSCORES, "reader_importance", "research_importance")
    # The body is Markdown, not plain text.
    PLAIN_TEXT_FIELDS = ("title", "description", "summary")

    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=300)
    type = models.CharField(
        _("type"), max_length=16, choices=PageType.choices, default=PageType.OTHER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PageStatus.choices, default=PageStatus.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Markdown. Cite a source with [[cite:ID]] or [[cite:ID|text]] (its id or stable id); "
            "link a page with [[slug]] or [[slug|text]]."
        ),
    )
    last_edited = models.DateField(_("last edited"), null=True, blank=True)
    reader_importance = _importance_field(_("reader importance"))
    research_importance = _importance_field(_("research importance"))
    quality = models.PositiveSmallIntegerField(
        _("quality"),
        null=True,
        blank=True,
        validators=[MinValueValidator(QUALITY_MIN), MaxValueValidator(QUALITY_MAX)],
        help_text=_("The recorded score readers see, 0 to 100."),
    )
    focus = _subscore_field(_("focus"))
    novelty = _subscore_field(_("novelty"))
    rigor = _subscore_field(_("rigor"))
    completeness = _subscore_field(_("completeness"))
    objectivity = _subscore_field(_("objectivity"))
    concreteness = _subscore_field(_("concreteness"))
    actionability = _subscore_field(_("actionability"))
    word_count = models.PositiveIntegerField(_("prose words"), default=0, editable=False)
    # Footnote references whose data is missing (`[^rc-…]`), kept so editors can filter on it.
    missing_reference_count = models.PositiveIntegerField(
        _("references without data"), default=0, editable=False
    )
    tags = TaggableManager(_("tags"), blank=True, through="TaggedPage")
    sources = models.ManyToManyField(
        Source, through="Citation", related_name="citing_pages", blank=True
    )

    # Kept by search.index (PostgreSQL; unused on SQLite, which has an FTS5 table).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = WikiPageQuerySet.as_manager()
    history = TrackedHistory(excluded_fields=["updated_at", *SearchRankedModel.SEARCH_FIELDS])

    class Meta:
        ordering = ["title"]
        indexes = search_rank_indexes("wikipage")
        verbose_name = _("wiki page")
        verbose_name_plural = _("wiki pages")
        permissions = [
            ("rate_wikipage", _("Can change a page's quality, subscores and importance")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_bounded("quality", QUALITY_MIN, QUALITY_MAX),
                name="wikipage_quality_0_to_100",
            ),
            *[
                models.CheckConstraint(
                    condition=_bounded(name, SUBSCORE_MIN, SUBSCORE_MAX),
                    name=f"wikipage_{name}_0_to_10",
                )
                for name in SUBSCORES
            ],
            models.CheckConstraint(
                condition=_bounded("reader_importance", IMPORTANCE_MIN, IMPORTANCE_MAX),
                name="wikipage_reader_importance_0_to_100",
            ),
            models.CheckConstraint(
                condition=_bounded("research_importance", IMPORTANCE_MIN, IMPORTANCE_MAX),
                name="wikipage_research_importance_0_to_100",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="wikipage_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(type__in=PageType.values), name="wikipage_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PageStatus.values), name="wikipage_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.word_count = prose_word_count(self.body)
        self.missing_reference_count = len(body_missing_references(self.body))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "word_count", "missing_reference_count"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("wiki:page_detail", args=[self.slug])

    @property
    def subscores(self) -> dict[str, Decimal | None]:
        return {name: getattr(self, name) for name in SUBSCORES}

    @property
    def quality_band(self) -> QualityBand | None:
        return quality_band(self.quality)

    def derived_quality(self, citation_count: int) -> int:
        """Return the quality the formula derives, given the page's number of citations."""
        return quality_derive(
            subscores=self.subscores,
            page_type=self.type,
            is_stub=self.status == PageStatus.STUB,
            words=self.word_count,
            citations=citation_count,
        )

    def rating_derived(self, values) -> dict:
        """The recorded quality, and what the formula derives from the proposed subscores
        (the page's own where `values` is None)."""
        subscores = {
            name: values.get(name) if values is not None else getattr(self, name)
            for name in SUBSCORES
        }
        trial = WikiPage(
            **{**{f: getattr(self, f) for f in ("type", "status", "word_count")}, **subscores}
        )
        return {"recorded": self.quality, "derived": trial.derived_quality(self.citations.count())}


class Citation(PlainTextModel):
    """A page citing a source, in the page's reference order."""

    PLAIN_TEXT_FIELDS = ("note",)

    page = models.ForeignKey(
        WikiPage, on_delete=models.CASCADE, related_name="citations", verbose_name=_("page")
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations", verbose_name=_("source")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    in_body = models.BooleanField(
        _("cited in the body"),
        default=False,
        help_text=_(
            "Set when a [[cite:...]] marker in the body made this citation; such citations "
            "follow the body. Citations added by hand stay until removed by hand."
        ),
    )

    history = TrackedHistory()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.UniqueConstraint(fields=["page", "source"], name="citation_unique_page_source"),
        ]

    def __str__(self) -> str:
        return f"{self.page} → {self.source}"


class WikiLink(models.Model):
    """A page's body linking to another page, by the slug it names: kept in step with the
    body on every save (`wiki_page_links_sync`), so that "What links here" is one indexed
    look-up. A link to a page not written yet is kept, and counts once it is."""

    page = models.ForeignKey(
        WikiPage, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("page")
    )
    target_slug = models.SlugField(_("links to"), max_length=200, db_index=True)

    class Meta:
        verbose_name = _("page link")
        verbose_name_plural = _("page links")
        constraints = [
            models.UniqueConstraint(fields=["page", "target_slug"], name="wikilink_unique"),
            models.CheckConstraint(condition=~Q(target_slug=""), name="wikilink_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.page} → {self.target_slug}"


class TaggedPage(TaggedItemBase):
    """A tag on a wiki page, with a direct key for plain joins."""

    content_object = models.ForeignKey(WikiPage, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("page tag")
        verbose_name_plural = _("page tags")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedpage_unique"),
        ]
