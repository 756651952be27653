"""Wiki pages and the citations that tie their claims to sources."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from accounts.services import public_name
from core.history import TrackedHistory
from core.models import PlainTextModel, TimeStampedModel
from search.models import SearchRankedModel, search_rank_indexes
from sources.models import Source

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
        from sources.selectors import count_per_row

        return self.annotate(citation_count=count_per_row(Citation, "page"))


class WikiPage(PlainTextModel, SearchRankedModel, TimeStampedModel):
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


class TaggedPage(TaggedItemBase):
    """A tag on a wiki page, with a direct key for plain joins."""

    content_object = models.ForeignKey(WikiPage, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("page tag")
        verbose_name_plural = _("page tags")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedpage_unique"),
        ]


class RatingTarget(models.Model):
    """The record a rating proposal or decision is about: one venue, source or page."""

    venue = models.ForeignKey(
        "sources.Venue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("venue"),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("source"),
    )
    page = models.ForeignKey(
        WikiPage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("page"),
    )

    class Meta:
        abstract = True

    @property
    def target(self):
        return self.venue or self.source or self.page

    @classmethod
    def target_kwargs(cls, target) -> dict:
        """Return the field assignment naming a venue, source or page as the target."""
        name = {"venue": "venue", "source": "source", "wikipage": "page"}[target._meta.model_name]
        return {name: target}


def _one_target(prefix: str) -> models.CheckConstraint:
    # Exactly one of the three target keys is set.
    venue, source, page = (Q(**{f"{f}__isnull": False}) for f in ("venue", "source", "page"))
    return models.CheckConstraint(
        condition=(venue & ~source & ~page) | (~venue & source & ~page) | (~venue & ~source & page),
        name=f"{prefix}_exactly_one_target",
    )


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    AWAITING_SECOND = "second", _("Waiting for a second moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RatingProposal(RatingTarget):
    """An editor's proposed change to a rating, with why; a moderator decides it."""

    proposed = models.JSONField(_("proposed values"))
    baseline = models.JSONField(
        _("values when proposed"),
        help_text=_("The target's rating values when the proposal was made, to tell if it moved."),
    )
    rationale = models.TextField(_("rationale"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rating_proposals",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first approval by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_comment = models.TextField(_("moderator's comment"), blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = TrackedHistory()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating proposal")
        verbose_name_plural = _("rating proposals")
        constraints = [
            _one_target("ratingproposal"),
            models.CheckConstraint(condition=~Q(rationale=""), name="ratingproposal_rationale"),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="ratingproposal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.get_status_display()}"


class DecisionOrigin(models.TextChoices):
    PROPOSAL = "proposal", _("Approved proposal")
    DIRECT = "direct", _("Changed by a moderator")
    IMPORT = "import", _("Imported")


class RatingDecision(RatingTarget):
    """A rating change that took effect: old and new values, why, and who decided."""

    old_values = models.JSONField(_("old values"))
    new_values = models.JSONField(_("new values"))
    rationale = models.TextField(_("rationale"))
    origin = models.CharField(_("origin"), max_length=16, choices=DecisionOrigin.choices)
    proposal = models.OneToOneField(
        RatingProposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name=_("proposal"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating_decisions",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating decision")
        verbose_name_plural = _("rating decisions")
        constraints = [
            _one_target("ratingdecision"),
            models.CheckConstraint(condition=~Q(rationale=""), name="ratingdecision_rationale"),
            models.CheckConstraint(
                condition=Q(origin__in=DecisionOrigin.values), name="ratingdecision_origin_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.old_values} → {self.new_values}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """Return (what, old value, new value) for each rating the decision changed."""
        return [
            (name.replace("_", " "), self.old_values.get(name), self.new_values.get(name))
            for name in self.new_values
        ]

    @property
    def decided_by_display(self) -> str:
        """Return who decided, as readers see it: a display name, "a moderator", or the
        import; never a login name."""
        if self.decided_by is None:
            return str(_("Import"))
        return public_name(self.decided_by)


REPORT_WHAT_MAX = 200
REPORT_WHY_MAX = 2000


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class RatingReport(RatingTarget):
    """A reader's report that a rating looks wrong; moderators handle it."""

    what = models.CharField(_("what is wrong"), max_length=REPORT_WHAT_MAX)
    why = models.TextField(_("why"), max_length=REPORT_WHY_MAX)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating report")
        verbose_name_plural = _("rating reports")
        constraints = [
            _one_target("ratingreport"),
            models.CheckConstraint(condition=~Q(what=""), name="ratingreport_what"),
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("why"), REPORT_WHY_MAX)),
                name="ratingreport_why_length",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="ratingreport_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.what}"
