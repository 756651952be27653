"""Factories for per-test data; they build rows the way the services do."""

import factory

from sources.models import Source, SourceType, Venue, VenueDomain, VenueType
from wiki.models import Citation, PageStatus, PageType, WikiPage


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    slug = factory.Sequence(lambda n: f"venue-{n}")
    name = factory.Sequence(lambda n: f"Venue {n}")
    type = VenueType.THINK_TANK
    credibility = 4


class VenueDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VenueDomain

    venue = factory.SubFactory(VenueFactory)
    domain = factory.Sequence(lambda n: f"venue-{n}.example.org")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://docs.example.net/item/{n}")
    title = factory.Sequence(lambda n: f"Source {n}")
    type = SourceType.WEB


class WikiPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WikiPage

    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Page {n}")
    type = PageType.CONCEPT
    status = PageStatus.PUBLISHED


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    page = factory.SubFactory(WikiPageFactory)
    source = factory.SubFactory(SourceFactory)
    position = factory.Sequence(lambda n: n)
