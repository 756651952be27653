"""Publication venues and the sources published in them.

A source's credibility is its own override if one is set, else its venue's. That rule is
`credibility_resolve` for one object and `SourceQuerySet.with_computed_credibility` for a
query. Each source also stores the result (`Source.effective_credibility`), which the lists
filter and sort on: `save()` and `bulk_create()` fill it for their own rows, and a venue's
rating change refreshes its sources (`sources.services.source_effective_credibility_refresh`);
the computed annotation is the check.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Length, Lower
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from core.history import TrackedHistory
from core.models import PlainTextModel, TimeStampedModel
from ratings.models import RatedModel
from search.models import SearchRankedModel, search_rank_indexes

from .domains import VenueMatcher, domain_normalize, host_suffixes, url_host_and_path
from .duplicates import URL_KEY_MAX_LENGTH, source_url_key
from .identifiers import (
    ARXIV_MAX_LENGTH,
    DOI_MAX_LENGTH,
    ISBN_LENGTH,
    NORMALIZERS,
    IdentifierField,
    arxiv_url,
    doi_url,
    isbn_display,
    isbn_url,
)

# The two staff roles; a migration creates these groups with their permissions.
EDITORS_GROUP = "Editors"
RATING_MODERATORS_GROUP = "Rating moderators"

CREDIBILITY_MIN = 1
CREDIBILITY_MAX = 5

SOURCE_ID_LENGTH = 16
# Ids from other systems are kept as they are (the Longterm Wiki has `kb-` + 16 hex).
SOURCE_ID_MAX_LENGTH = 64
STABLE_ID_PREFIX = "sid_"
STABLE_ID_RANDOM_LENGTH = 10
STABLE_ID_ALPHABET = string.ascii_letters + string.digits

SOURCE_ID_IMMUTABLE = _("A source's id is fixed when it is first stored and cannot change.")
STABLE_ID_IMMUTABLE = _("A source's stable id is fixed when it is first stored and cannot change.")
SOURCE_ID_TAKEN = _(
    "Another source already has the id %(id)s: %(source)s. A source keeps the id of the URL "
    "it was first stored with, so this is that source, perhaps under a corrected URL."
)
PRECISION_WITHOUT_DATE = _("A date precision needs a published date.")
DATE_WITHOUT_PRECISION = _("Say whether the published date is a year, a month or a day.")


class Credibility(models.IntegerChoices):
    """The five credibility levels; their descriptions live here and nowhere else."""

    LOW = 1, _("Low")
    MIXED = 2, _("Mixed")
    GOOD = 3, _("Good")
    HIGH = 4, _("High")
    GOLD_STANDARD = 5, _("Gold standard")

    @property
    def description(self) -> str:
        return _CREDIBILITY_DESCRIPTIONS[self.value]


_CREDIBILITY_DESCRIPTIONS = {
    5: _("Rigorous peer review: independent experts checked the work before it was published."),
    4: _("An established institution with editorial oversight that answers for what it publishes."),
    3: _("Reputable, with community or editorial review; generally reliable."),
    2: _("A mixed record: verify its claims against other sources before relying on them."),
    1: _("Unvetted: nobody reviewed it and nobody answers for it; treat claims as unconfirmed."),
}

CREDIBILITY_VALIDATORS = [MinValueValidator(CREDIBILITY_MIN), MaxValueValidator(CREDIBILITY_MAX)]


def credibility_in_bounds(field: str) -> Q:
    """Return the database condition keeping `field` empty or within the credibility scale."""
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": CREDIBILITY_MIN, f"{field}__lte": CREDIBILITY_MAX}
    )


class CredibilityOrigin(models.TextChoices):
    """Where a source's effective credibility comes from."""

    SOURCE = "source", _("Set for this source")
    VENUE = "venue", _("Inherited from publication venue")
    NONE = "none", _("Not rated")


@dataclass(frozen=True)
class EffectiveCredibility:
    """A source's credibility level together with where it comes from."""

    level: Credibility | None
    origin: CredibilityOrigin

    @property
    def label(self) -> str:
        return self.level.label if self.level else CredibilityOrigin.NONE.label

    @property
    def description(self) -> str:
        return self.level.description if self.level else ""


def credibility_resolve(
    override: int | None, venue_credibility: int | None
) -> EffectiveCredibility:
    """Return the effective credibility: the override, else the venue's, else none."""
    if override is not None:
        return EffectiveCredibility(Credibility(override), CredibilityOrigin.SOURCE)
    if venue_credibility is not None:
        return EffectiveCredibility(Credibility(venue_credibility), CredibilityOrigin.VENUE)
    return EffectiveCredibility(None, CredibilityOrigin.NONE)


def credibility_of_values(values: Mapping[str, Any]) -> int | None:
    """A source's credibility as readers see it, from its rating values (`venue` an id): the
    override, else its venue's rating."""
    venue_credibility = None
    if values.get("credibility_override") is None and values.get("venue") is not None:
        venue = Venue.objects.filter(pk=values["venue"]).values_list("credibility", flat=True)
        venue_credibility = venue.first()
    level = credibility_resolve(values.get("credibility_override"), venue_credibility).level
    return None if level is None else int(level)


def venue_move_changes_rating(*, source: Source, venue_id: int | None) -> bool:
    """Tell whether moving a stored source to another venue changes its credibility, which
    makes the move a rating change (moderated) rather than an ordinary edit."""
    if venue_id == source.venue_id or source.credibility_override is not None:
        return False
    old = credibility_of_values({"venue": source.venue_id})
    return old != credibility_of_values({"venue": venue_id})


class VenueType(models.TextChoices):
    ACADEMIC_JOURNAL = "academic_journal", _("Academic journal")
    PREPRINT_SERVER = "preprint_server", _("Preprint server")
    THINK_TANK = "think_tank", _("Think tank")
    COMPANY_BLOG = "company_blog", _("Company blog")
    GOVERNMENT = "government", _("Government")
    ENCYCLOPEDIA = "encyclopedia", _("Encyclopedia")
    BLOG_PLATFORM = "blog_platform", _("Blog platform")
    NEWS = "news", _("News")
    ORGANIZATION = "organization", _("Organization")
    ACADEMIC = "academic", _("Academic")
    CONSULTING = "consulting", _("Consulting")
    ACADEMIC_SEARCH = "academic_search", _("Academic search")
    CODE_REPOSITORY = "code_repository", _("Code repository")
    MARKETPLACE = "marketplace", _("Marketplace")


class VenueQuerySet(models.QuerySet):
    def rated(self):
        return self.filter(credibility__isnull=False)

    def for_url(self, url: str) -> Venue | None:
        """Return the venue a URL belongs to by its domain (the longest match), or None."""
        host, _path = url_host_and_path(url)
        if not host:
            return None
        condition = Q()
        for candidate in host_suffixes(host):
            condition |= Q(domain=candidate) | Q(domain__startswith=candidate + "/")
        rows = VenueDomain.objects.filter(condition).values_list("domain", "venue_id")
        venue_id = VenueMatcher(rows).match_id(url)
        return self.get(pk=venue_id) if venue_id is not None else None


class Venue(RatedModel, PlainTextModel, SearchRankedModel, TimeStampedModel):
    """A publication venue: a journal, think tank, news outlet and the like."""

    RATING_FIELDS = ("credibility", "credibility_rationale", "credibility_reviewed_on")
    # The rationale and review date follow from the decision itself (its rationale, its day).
    RATING_PROPOSABLE = ("credibility",)
    # Lowering a venue to 1 discredits every source it publishes: two moderators decide it.
    RATING_SECOND_APPROVAL = {"credibility": (CREDIBILITY_MIN,)}
    PLAIN_TEXT_FIELDS = ("name", "description", "credibility_rationale")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=32, choices=VenueType.choices)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    peer_reviewed = models.BooleanField(_("peer reviewed"), default=False)
    credibility = models.PositiveSmallIntegerField(
        _("credibility"),
        choices=Credibility.choices,
        validators=CREDIBILITY_VALIDATORS,
        null=True,
        blank=True,
        help_text=_("1 (low) to 5 (gold standard). Sources published here inherit it."),
    )
    credibility_rationale = models.TextField(_("credibility rationale"), blank=True)
    credibility_reviewed_on = models.DateField(
        _("credibility last reviewed"), null=True, blank=True
    )

    # Kept by search.index (PostgreSQL; unused on SQLite, which has an FTS5 table).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = VenueQuerySet.as_manager()
    history = TrackedHistory(excluded_fields=["updated_at", *SearchRankedModel.SEARCH_FIELDS])

    class Meta:
        ordering = ["name"]
        indexes = search_rank_indexes("venue")
        verbose_name = _("publication venue")
        verbose_name_plural = _("publication venues")
        permissions = [("rate_venue", _("Can change a venue's credibility rating"))]
        constraints = [
            models.CheckConstraint(
                condition=credibility_in_bounds("credibility"),
                name="venue_credibility_1_to_5",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="venue_slug_not_empty"),
            models.CheckConstraint(condition=Q(type__in=VenueType.values), name="venue_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sources:venue_detail", args=[self.slug])

    def rating_decision_applied(self, *, rationale: str) -> None:
        self.credibility_rationale = rationale
        self.credibility_reviewed_on = timezone.localdate()


_DOMAIN_SHAPE = RegexValidator(
    regex=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(/[^\s?#]*)?$",
    message=_(
        "Enter a host name such as example.org, optionally with a path prefix such as "
        "nature.com/articles (no spaces, query or fragment)."
    ),
    code="invalid_domain",
)


class VenueDomain(models.Model):
    """A host name (optionally with a path prefix) whose URLs belong to a venue."""

    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="domains", verbose_name=_("venue")
    )
    domain = models.CharField(
        _("domain"),
        max_length=255,
        unique=True,
        validators=[_DOMAIN_SHAPE],
        help_text=_("e.g. example.org or nature.com/articles; www. and the scheme are dropped."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("venue domain")
        verbose_name_plural = _("venue domains")
        constraints = [
            models.CheckConstraint(condition=~Q(domain=""), name="venuedomain_not_empty"),
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = domain_normalize(self.domain)
        super().save(*args, **kwargs)

    def clean(self):
        self.domain = domain_normalize(self.domain)


class SourceType(models.TextChoices):
    PAPER = "paper", _("Paper")
    BLOG = "blog", _("Blog post")
    REPORT = "report", _("Report")
    BOOK = "book", _("Book")
    TALK = "talk", _("Talk")
    PODCAST = "podcast", _("Podcast")
    GOVERNMENT = "government", _("Government document")
    REFERENCE = "reference", _("Reference")
    WEB = "web", _("Web page")


class DatePrecision(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


def source_id_for_url(url: str) -> str:
    """Return the id a source gets from the URL it is first stored with."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:SOURCE_ID_LENGTH]


def stable_id_generate() -> str:
    """Return a new random stable id such as `sid_Xsa5pDhYPF`."""
    body = "".join(secrets.choice(STABLE_ID_ALPHABET) for _i in range(STABLE_ID_RANDOM_LENGTH))
    return STABLE_ID_PREFIX + body


def stable_id_normalize(value: str) -> str:
    """Return a stable id in its stored `sid_`-prefixed form, whether given bare or prefixed."""
    value = value.strip()
    return value if value.startswith(STABLE_ID_PREFIX) else STABLE_ID_PREFIX + value


class FetchOutcome(models.TextChoices):
    OK = "ok", _("OK")
    DEAD = "dead", _("Not found / dead link")
    PAYWALLED = "paywalled", _("Paywalled or login required")
    BLOCKED = "blocked", _("Blocked by policy")
    TIMEOUT = "timeout", _("Timed out")
    ERROR = "error", _("Error")


# The fields a source's effective credibility follows from (names and attribute names).
CREDIBILITY_INPUTS = frozenset({"credibility_override", "venue", "venue_id"})


IDENTIFIER_TAKEN = _("Source “%(source)s” (%(id)s) already has this %(what)s.")


def _identifier_constraints() -> list[models.BaseConstraint]:
    """Each identifier unique where given, and in its stored shape (sources/identifiers.py
    writes it; these hold for any other writer too)."""
    unique = [
        models.UniqueConstraint(
            fields=[field],
            condition=~Q(**{field: ""}),
            name=f"source_{field}_unique",
            violation_error_message=_("Another source already has this identifier."),
        )
        for field in NORMALIZERS
    ]
    return [
        *unique,
        models.CheckConstraint(
            condition=Q(doi="") | Q(doi__startswith="10.", doi__contains="/", doi=Lower("doi")),
            name="source_doi_shape",
        ),
        models.CheckConstraint(
            condition=Q(arxiv_id="") | ~Q(arxiv_id__icontains="arxiv"),
            name="source_arxiv_id_shape",
        ),
        models.CheckConstraint(
            # No regular expression: SQLite has none of its own (Django lends it one per
            # connection, which another client would lack).
            condition=Q(isbn="")
            | Q(Exact(Length("isbn"), ISBN_LENGTH))
            & (Q(isbn__startswith="978") | Q(isbn__startswith="979")),
            name="source_isbn_shape",
        ),
    ]


class SourceQuerySet(models.QuerySet):
    def with_computed_credibility(self):
        """Annotate `computed_credibility` (1-5 or None) and `computed_origin`, worked out
        through the venue: the check on the stored `effective_credibility`."""
        return self.annotate(
            computed_credibility=Coalesce(F("credibility_override"), F("venue__credibility")),
            computed_origin=Case(
                When(credibility_override__isnull=False, then=Value(CredibilityOrigin.SOURCE)),
                When(venue__credibility__isnull=False, then=Value(CredibilityOrigin.VENUE)),
                default=Value(CredibilityOrigin.NONE),
                output_field=models.CharField(),
            ),
        )

    def credibility_from(self, origin: str):
        """Filter on where the effective credibility comes from, by the stored columns."""
        if origin == CredibilityOrigin.SOURCE:
            return self.filter(credibility_override__isnull=False)
        if origin == CredibilityOrigin.VENUE:
            return self.filter(
                credibility_override__isnull=True, effective_credibility__isnull=False
            )
        return self.filter(effective_credibility__isnull=True)

    def bulk_create(self, objs, *args, **kwargs):
        """Create sources in bulk, each storing its effective credibility (its venue's row
        locked, as in save()) and its URL's key as save() does.

        (Other bulk writes of an override or a venue, `update()` or `bulk_update()`, are
        followed by `sources.services.source_effective_credibility_refresh`.)
        """
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            venue_levels = Source.venue_levels_locked(objs)
            for source in objs:
                source.effective_credibility = source.effective_credibility_of(venue_levels)
                source.url_key = source_url_key(source.url)
            created = super().bulk_create(objs, *args, **kwargs)
        for source in created:
            source._loaded_ids = (source.id, source.stable_id)
        return created

    def by_stable_id(self, value: str):
        """Filter on a stable id given bare (`Xsa5pDhYPF`) or prefixed (`sid_Xsa5pDhYPF`)."""
        return self.filter(stable_id=stable_id_normalize(value))


class NoticeStatus(models.TextChoices):
    """What a source's notices add up to, worst first (`sources.retractions`)."""

    RETRACTED = "retracted", _("Retracted")
    CONCERN = "concern", _("Expression of concern")
    CORRECTED = "corrected", _("Corrected")
    # Retracted, then reinstated: nothing to warn of, but its notices are still shown.
    REINSTATED = "reinstated", _("Reinstated")


class Source(RatedModel, PlainTextModel, SearchRankedModel, TimeStampedModel):
    """An external document: a web page, paper, report, talk and the like."""

    RATING_FIELDS = ("credibility_override",)
    # The venue too: a source inherits its venue's rating, so moving it to a venue rated
    # otherwise changes what readers see as its credibility (a move between venues rated
    # alike is an ordinary edit, see `sources.services.venue_move_changes_rating`).
    RATING_PROPOSABLE = ("credibility_override", "venue")
    PLAIN_TEXT_FIELDS = ("title", "abstract", "summary", "review")

    id = models.CharField(
        _("id"),
        primary_key=True,
        max_length=SOURCE_ID_MAX_LENGTH,
        editable=False,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
                _("A source id is letters, digits, - and _ (new sources: 16 hex digits)."),
            )
        ],
    )
    stable_id = models.CharField(
        _("stable id"),
        max_length=40,
        unique=True,
        editable=False,
        validators=[
            RegexValidator(
                r"^sid_[A-Za-z0-9]{10,}$",
                _("A stable id is sid_ followed by at least 10 letters and digits."),
            )
        ],
    )
    url = models.URLField(_("URL"), max_length=2000, unique=True)
    # What another address of the same document shares (sources/duplicates.py): the
    # possible duplicates are the sources with equal keys. save() keeps it.
    url_key = models.CharField(
        _("address key"), max_length=URL_KEY_MAX_LENGTH, editable=False, db_index=True, default=""
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    type = models.CharField(
        _("type"), max_length=16, choices=SourceType.choices, default=SourceType.WEB
    )
    published_on = models.DateField(
        _("published"),
        null=True,
        blank=True,
        help_text=_("For a year or a month alone, give its first day and set the precision."),
    )
    published_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    abstract = models.TextField(_("abstract"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    review = models.TextField(
        _("review"), blank=True, help_text=_("Paragraphs, separated by a blank line.")
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        related_name="sources",
        null=True,
        blank=True,
        verbose_name=_("publication venue"),
        help_text=_("Leave empty to infer it from the URL's domain."),
    )
    credibility_override = models.PositiveSmallIntegerField(
        _("credibility override"),
        choices=Credibility.choices,
        validators=CREDIBILITY_VALIDATORS,
        null=True,
        blank=True,
        help_text=_("Set only when this source deserves a rating other than its venue's."),
    )
    # The override, else the venue's rating: stored so that lists filter and sort through
    # an index. Kept by save(), the bulk writes and a venue's rating change; not an
    # editorial change, so not in history.
    effective_credibility = models.PositiveSmallIntegerField(
        _("effective credibility"),
        choices=Credibility.choices,
        validators=CREDIBILITY_VALIDATORS,
        null=True,
        blank=True,
        editable=False,
    )
    tags = TaggableManager(_("tags"), blank=True, through="TaggedSource")
    # The last fetch's outcome, kept here so that lists filter and badge without a join.
    # Written by the snapshot service alone; not an editorial change, so not in history.
    fetch_outcome = models.CharField(
        _("last fetch"), max_length=12, choices=FetchOutcome.choices, blank=True, db_index=True
    )
    fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True, editable=False)
    # What the publisher's notices (Retraction Watch's data) say of it now, kept from its
    # notices by `sources.retractions`, so that lists and warnings need no join.
    notice_status = models.CharField(
        _("publisher's notice"),
        max_length=12,
        choices=NoticeStatus.choices,
        blank=True,
        db_index=True,
        editable=False,
    )
    # Scholarly identifiers, written one way (sources/identifiers.py) and unique where given.
    doi = IdentifierField(
        _("DOI"),
        max_length=DOI_MAX_LENGTH,
        blank=True,
        help_text=_("e.g. 10.1038/nphys1170; a doi.org address or doi: form is accepted."),
    )
    arxiv_id = IdentifierField(
        _("arXiv id"),
        max_length=ARXIV_MAX_LENGTH,
        blank=True,
        help_text=_("e.g. 2101.00001; an arxiv.org abs or pdf address is accepted."),
    )
    isbn = IdentifierField(
        _("ISBN"),
        max_length=ISBN_LENGTH,
        blank=True,
        help_text=_("10 or 13 digits, hyphens allowed; stored as the ISBN-13."),
    )

    # Kept by search.index (PostgreSQL; unused on SQLite, which has an FTS5 table).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SourceQuerySet.as_manager()
    history = TrackedHistory(
        excluded_fields=[
            "updated_at",
            "effective_credibility",
            "fetch_outcome",
            "fetched_at",
            *SearchRankedModel.SEARCH_FIELDS,
        ]
    )

    # Set by a caller that already matched the URL against the venues (an import matching
    # thousands of URLs with one VenueMatcher), so that clean() does not ask again.
    _venue_inferred = False
    _id_from_url = False

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        permissions = [
            ("rate_source", _("Can set a source's credibility override")),
            # Less than deleting: everything moves to the survivor and its address redirects.
            ("merge_source", _("Can merge a duplicate source into another")),
        ]
        # The list's orderings: with an index, a page of 25 reads 25 rows, not the table.
        indexes = [
            models.Index(fields=["title", "id"], name="source_title_order"),
            models.Index(fields=["-created_at", "id"], name="source_added_order"),
            # A credibility filter in the default order (by title), and the least credible
            # first; the most credible first (DESC NULLS LAST) has a PostgreSQL-only index
            # (migration 0011), as SQLite cannot declare NULLS LAST in an index.
            models.Index(
                fields=["effective_credibility", "title", "id"], name="source_credibility_order"
            ),
            # The oldest published first; the newest first (DESC NULLS LAST) is PostgreSQL-only
            # (migration 0007), for the same reason.
            models.Index(fields=["published_on", "title"], name="source_oldest_published_order"),
            *search_rank_indexes("source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=credibility_in_bounds("credibility_override"),
                name="source_credibility_override_1_to_5",
            ),
            models.CheckConstraint(
                condition=credibility_in_bounds("effective_credibility"),
                name="source_effective_credibility_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(Length("id"), 1))
                & Q(LessThanOrEqual(Length("id"), SOURCE_ID_MAX_LENGTH)),
                name="source_id_length",
            ),
            models.CheckConstraint(
                condition=Q(stable_id__startswith=STABLE_ID_PREFIX)
                & Q(
                    GreaterThanOrEqual(
                        Length("stable_id"), len(STABLE_ID_PREFIX) + STABLE_ID_RANDOM_LENGTH
                    )
                ),
                name="source_stable_id_shape",
            ),
            models.CheckConstraint(condition=~Q(url=""), name="source_url_not_empty"),
            *_identifier_constraints(),
            models.CheckConstraint(
                condition=Q(type__in=SourceType.values), name="source_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(fetch_outcome="") | Q(fetch_outcome__in=FetchOutcome.values),
                name="source_fetch_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True, published_precision="")
                | Q(published_on__isnull=False, published_precision__in=DatePrecision.values),
                name="source_published_precision_matches_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.assign_ids()
            # An id taken by another row must fail loudly, never update that row.
            kwargs.setdefault("force_insert", True)
        else:
            self._check_ids_unchanged()
        self.url_key = source_url_key(self.url)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "url" in update_fields:
            kwargs["update_fields"] = update_fields = {*update_fields, "url_key"}
        if update_fields is not None and not CREDIBILITY_INPUTS & set(update_fields):
            super().save(*args, **kwargs)
        else:
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "effective_credibility"}
            # The venue's row stays locked until this one is written (PostgreSQL): a rating
            # change of the venue running meanwhile waits, then refreshes this row too,
            # rather than this row keeping the rating it read before that change.
            with transaction.atomic(using=kwargs.get("using"), savepoint=False):
                self.effective_credibility = self._effective_credibility_now()
                super().save(*args, **kwargs)
        self._loaded_ids = (self.id, self.stable_id)

    def get_absolute_url(self) -> str:
        return reverse("sources:source_detail", args=[self.id])

    # -- ratings: the venue is one because the source inherits its rating ----------------

    def rating_changes(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
        changed = super().rating_changes(old, new)
        if "venue" in changed:
            # A new source inheriting its venue's rating, or a move between venues rated
            # alike, is not a rating change; a move that changes the credibility is.
            if not old or credibility_of_values(old) == credibility_of_values(new):
                changed.discard("venue")
            else:
                changed.add("credibility")
        return changed

    def rating_hold_back(self, stored: Source | None) -> dict[str, Any]:
        """Keep the stored venue when the move would change the credibility (proposed)."""
        if stored is None or not venue_move_changes_rating(source=stored, venue_id=self.venue_id):
            return {}
        held, self.venue_id = self.venue_id, stored.venue_id
        return {"venue": held}

    def rating_values_readable(
        self, values: Mapping[str, Any], changed: Collection[str]
    ) -> dict[str, Any]:
        """A venue by its name, and for a changed venue the credibility that follows."""
        readable = dict(values)
        if "venue" in values and "venue" in changed:
            venue_id = values["venue"]
            names = Venue.objects.filter(pk=venue_id).values_list("name", flat=True)
            readable["venue"] = names.first() if venue_id is not None else None
            readable["credibility"] = credibility_of_values(values)
        return readable

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the ids as loaded, so that a change to either is refused on save.
        instance._loaded_ids = (instance.__dict__.get("id"), instance.__dict__.get("stable_id"))
        return instance

    def clean(self):
        self._check_ids_unchanged()
        if self._state.adding and self.url:
            self.assign_ids()
        if self._state.adding and self._id_from_url:
            # An id derived from the URL may belong to a source whose URL was corrected
            # since: say so. A given id is checked like any other unique field.
            clash = Source.objects.filter(pk=self.id).first()
            if clash is not None:
                raise ValidationError(
                    {"url": SOURCE_ID_TAKEN % {"id": self.id, "source": clash}}, code="id_taken"
                )
        if self.published_on and not self.published_precision:
            raise ValidationError({"published_precision": DATE_WITHOUT_PRECISION}, code="required")
        if self.published_precision and not self.published_on:
            raise ValidationError({"published_precision": PRECISION_WITHOUT_DATE}, code="invalid")
        if self.venue_id is None and self.url and not self._venue_inferred:
            self.venue = Venue.objects.for_url(self.url)
        self._identifiers_unique()

    def clean_fields(self, exclude=None):
        # Identifiers are normalised first: a pasted address is longer than the stored id.
        errors = {}
        for field, normalize in NORMALIZERS.items():
            if exclude and field in exclude:
                continue
            try:
                setattr(self, field, normalize(getattr(self, field)))
            except ValidationError as error:
                errors[field] = error.error_list
        try:
            super().clean_fields(exclude={*(exclude or ()), *errors})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _identifiers_unique(self):
        """Refuse an identifier another source has, naming that source."""
        errors = {}
        for field in NORMALIZERS:
            value = getattr(self, field)
            if not value:
                continue
            holder = Source.objects.filter(**{field: value}).exclude(pk=self.pk).first()
            if holder is not None:
                what = self._meta.get_field(field).verbose_name
                errors[field] = ValidationError(
                    IDENTIFIER_TAKEN,
                    code="identifier_taken",
                    params={"source": holder, "id": holder.pk, "what": what},
                )
        if errors:
            raise ValidationError(errors)

    def assign_ids(self):
        """Give a new source its id from its URL and a stable id, unless it already has them."""
        if not self.id:
            self.id = source_id_for_url(self.url)
            self._id_from_url = True
        self.stable_id = (
            stable_id_normalize(self.stable_id) if self.stable_id else stable_id_generate()
        )

    def _check_ids_unchanged(self):
        loaded = getattr(self, "_loaded_ids", None)
        if loaded is None:
            return
        loaded_id, loaded_stable_id = loaded
        if loaded_id is not None and self.id != loaded_id:
            raise ValidationError(SOURCE_ID_IMMUTABLE, code="immutable")
        if loaded_stable_id is not None and self.stable_id != loaded_stable_id:
            raise ValidationError(STABLE_ID_IMMUTABLE, code="immutable")

    def _effective_credibility_now(self) -> int | None:
        """Return the override, else the stored venue's rating (read under a row lock)."""
        return self.effective_credibility_of(Source.venue_levels_locked([self]))

    @staticmethod
    def venue_levels_locked(sources: Iterable[Source]) -> dict[int, int | None]:
        """Return the ratings of the venues these sources inherit theirs from (those
        without an override), in one query that locks the venues' rows (PostgreSQL) until
        the transaction ends: a rating change of one of them running meanwhile waits, then
        refreshes the sources written here too."""
        ids = {s.venue_id for s in sources if s.credibility_override is None and s.venue_id}
        if not ids:
            return {}
        venues = Venue.objects.select_for_update(no_key=True).filter(pk__in=ids)
        return dict(venues.values_list("pk", "credibility"))

    def effective_credibility_of(self, venue_levels: Mapping[int, int | None]) -> int | None:
        """Return the override, else the rating of the venue in `venue_levels`."""
        if self.credibility_override is not None or self.venue_id is None:
            venue_credibility = None
        else:
            venue_credibility = venue_levels.get(self.venue_id)
        level = credibility_resolve(self.credibility_override, venue_credibility).level
        return None if level is None else int(level)

    @property
    def credibility(self) -> EffectiveCredibility:
        """Return the effective credibility as stored, and where it comes from."""
        level = self.effective_credibility
        if self.credibility_override is not None:
            origin = CredibilityOrigin.SOURCE
        elif level is not None:
            origin = CredibilityOrigin.VENUE
        else:
            origin = CredibilityOrigin.NONE
        return EffectiveCredibility(Credibility(level) if level is not None else None, origin)

    @property
    def identifiers(self) -> list[tuple[str, str, str]]:
        """Return (label, value as shown, address) for each identifier the source has."""
        shown = [
            ("DOI", self.doi, doi_url(self.doi)),
            ("arXiv", self.arxiv_id, arxiv_url(self.arxiv_id)),
            ("ISBN", isbn_display(self.isbn), isbn_url(self.isbn)),
        ]
        return [(label, value, url) for label, value, url in shown if value]

    @property
    def published_display(self) -> str:
        """Return the published date at its precision: `2024`, `March 2024` or `15 March 2024`."""
        return date_display(self.published_on, self.published_precision)


def date_display(value: date | None, precision: str) -> str:
    """Return a date written at the given precision."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return f"{MONTHS[value.month]} {value.year}"
    return f"{value.day} {MONTHS[value.month]} {value.year}"


class SourceAuthor(PlainTextModel):
    """One author of a source, in the order the source names them."""

    PLAIN_TEXT_FIELDS = ("name",)

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="sourceauthor_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class SourceKeyPoint(PlainTextModel):
    """One key point of a source, in the editor's order."""

    PLAIN_TEXT_FIELDS = ("text",)

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="key_points")
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("key point")
        verbose_name_plural = _("key points")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="sourcekeypoint_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text


class TaggedSource(TaggedItemBase):
    """A tag on a source; a direct key, since source ids are strings, not integers."""

    content_object = models.ForeignKey(Source, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("source tag")
        verbose_name_plural = _("source tags")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedsource_unique"),
        ]


class Snapshot(models.Model):
    """What a source's URL said when fetched: one row per distinct content (or failure).

    A fetch whose outcome and content hash match the latest snapshot only moves its
    `checked_at` and `check_count`; anything else adds a row. Rows are never rewritten
    otherwise, nor deleted by a failed fetch.
    """

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("source")
    )
    fetched_at = models.DateTimeField(_("fetched at"), default=timezone.now)
    checked_at = models.DateTimeField(_("last checked"), default=timezone.now)
    check_count = models.PositiveIntegerField(_("times checked"), default=1)
    requested_url = models.URLField(_("requested URL"), max_length=2000)
    final_url = models.CharField(_("final URL"), max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    byte_size = models.PositiveIntegerField(_("bytes"), default=0)
    truncated = models.BooleanField(_("cut at the size cap"), default=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=FetchOutcome.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    title = models.CharField(_("page title"), max_length=500, blank=True)
    authors = models.CharField(_("page authors"), max_length=500, blank=True)
    published_on = models.DateField(_("page date"), null=True, blank=True)
    text = models.TextField(_("extracted text"), blank=True)

    class Meta:
        ordering = ["-fetched_at", "-id"]
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        indexes = [models.Index(fields=["source", "-fetched_at"], name="snapshot_source_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=FetchOutcome.values), name="snapshot_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(sha256="") | Exact(Length("sha256"), 64),
                name="snapshot_sha256_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} @ {self.fetched_at:%Y-%m-%d %H:%M} ({self.get_outcome_display()})"


class NoticeNature(models.TextChoices):
    """The kinds of notice the Retraction Watch data records (its RetractionNature)."""

    RETRACTION = "retraction", _("Retraction")
    CORRECTION = "correction", _("Correction")
    CONCERN = "concern", _("Expression of concern")
    REINSTATEMENT = "reinstatement", _("Reinstatement")


class SourceNotice(models.Model):
    """A publisher's notice about a source: retracted, corrected, an expression of concern
    or a reinstatement, as the Retraction Watch data file records it (matched by DOI)."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="notices", verbose_name=_("source")
    )
    record_id = models.CharField(_("Retraction Watch record"), max_length=20)
    nature = models.CharField(_("nature"), max_length=14, choices=NoticeNature.choices)
    noticed_on = models.DateField(_("date of the notice"), null=True, blank=True)
    notice_doi = models.CharField(_("DOI of the notice"), max_length=DOI_MAX_LENGTH, blank=True)
    reasons = models.CharField(_("reasons"), max_length=2000, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["noticed_on", "record_id"]
        verbose_name = _("publisher's notice")
        verbose_name_plural = _("publishers' notices")
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id"], name="notice_unique_record"),
            models.CheckConstraint(
                condition=Q(nature__in=NoticeNature.values), name="notice_nature_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} of {self.source_id} ({self.noticed_on or '?'})"

    @property
    def notice_url(self) -> str:
        return doi_url(self.notice_doi) if self.notice_doi else ""

    @property
    def reason_list(self) -> list[str]:
        return [reason for reason in self.reasons.split("; ") if reason]


class SourceAlias(models.Model):
    """A source merged into another: its ids keep leading to the one that stands.

    Addresses (`/sources/<old id>/`) answer with a permanent redirect, and citation
    markers written with the old id or stable id cite the surviving source.
    """

    old_id = models.CharField(_("old id"), primary_key=True, max_length=SOURCE_ID_MAX_LENGTH)
    old_stable_id = models.CharField(_("old stable id"), max_length=40, unique=True)
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("merged into")
    )
    old_title = models.CharField(_("old title"), max_length=500, blank=True)
    old_url = models.URLField(_("old URL"), max_length=2000)
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merged source")
        verbose_name_plural = _("merged sources")

    def __str__(self) -> str:
        return f"{self.old_id} → {self.source_id}"
