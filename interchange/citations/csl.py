"""A source as a CSL-JSON item, and a CSL-JSON item as the fields of a source.

CSL-JSON is the pivot: BibTeX and RIS are written from, and read into, these items, so a
type or field is mapped once per format. What each format carries is in README
("Reference managers").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sources.identifiers import isbn_display
from sources.models import DatePrecision, Source, SourceType

# Credence type -> CSL type. Several Credence types share a CSL type; `genre` then names
# ours, so a round trip through the format keeps it.
CSL_TYPES = {
    SourceType.PAPER: "article-journal",
    SourceType.BLOG: "post-weblog",
    SourceType.REPORT: "report",
    SourceType.BOOK: "book",
    SourceType.TALK: "speech",
    SourceType.PODCAST: "broadcast",
    SourceType.GOVERNMENT: "report",
    SourceType.REFERENCE: "entry-encyclopedia",
    SourceType.WEB: "webpage",
}
# CSL type -> Credence type, for the types other tools write too.
FROM_CSL_TYPES = {
    "article-journal": SourceType.PAPER,
    "article": SourceType.PAPER,
    "paper-conference": SourceType.PAPER,
    "chapter": SourceType.PAPER,
    "thesis": SourceType.PAPER,
    "manuscript": SourceType.PAPER,
    "post-weblog": SourceType.BLOG,
    "post": SourceType.BLOG,
    "article-magazine": SourceType.BLOG,
    "article-newspaper": SourceType.WEB,
    "report": SourceType.REPORT,
    "book": SourceType.BOOK,
    "speech": SourceType.TALK,
    "presentation": SourceType.TALK,
    "broadcast": SourceType.PODCAST,
    "interview": SourceType.PODCAST,
    "song": SourceType.PODCAST,
    "legislation": SourceType.GOVERNMENT,
    "regulation": SourceType.GOVERNMENT,
    "legal_case": SourceType.GOVERNMENT,
    "entry-encyclopedia": SourceType.REFERENCE,
    "entry-dictionary": SourceType.REFERENCE,
    "entry": SourceType.REFERENCE,
    "webpage": SourceType.WEB,
}
# Credence types whose CSL type is shared: written as the item's genre.
GENRE_TYPES = {SourceType.GOVERNMENT: "Government document"}
TYPE_BY_LABEL = {str(label).lower(): value for value, label in SourceType.choices}
TYPE_BY_LABEL.update({genre.lower(): kind for kind, genre in GENRE_TYPES.items()})

# Types whose venue is the container (a journal, a blog); for the others it publishes.
CONTAINED = {SourceType.PAPER, SourceType.BLOG, SourceType.WEB, SourceType.REFERENCE}


@dataclass
class SourceFields:
    """What a reference manager's entry says about a source, as Credence stores it."""

    url: str = ""
    title: str = ""
    type: str = SourceType.WEB
    authors: list[str] = field(default_factory=list)
    published: str = ""  # 2024, 2024-03 or 2024-03-15
    abstract: str = ""
    venue_name: str = ""
    doi: str = ""
    arxiv_id: str = ""
    isbn: str = ""
    tags: list[str] = field(default_factory=list)


# Words that make a name an organisation's ("Center for AI Safety"), kept whole.
ORGANISATION_WORDS = re.compile(
    r"\b(for|of|and|the|institute|center|centre|university|lab|labs|laboratory|foundation|"
    r"council|committee|department|ministry|office|agency|association|society|inc|ltd|llc|"
    r"group|team|project|initiative|commission|government|research|network)\b",
    re.IGNORECASE,
)


def name_split(name: str) -> dict:
    """A name as CSL wants it: a person's family and given names split at the last space;
    an organisation (one word, more than four, or words like "Institute" or "for") whole."""
    name = name.strip()
    given, _space, family = name.rpartition(" ")
    if not given or len(name.split()) > 4 or ORGANISATION_WORDS.search(name):
        return {"literal": name}
    return {"family": family, "given": given}


def name_join(name: dict) -> str:
    if name.get("literal"):
        return name["literal"].strip()
    parts = [name.get("given", ""), name.get("non-dropping-particle", ""), name.get("family", "")]
    return " ".join(part.strip() for part in parts if part and part.strip())


def date_parts(value: date, precision: str) -> list[int]:
    if precision == DatePrecision.YEAR:
        return [value.year]
    if precision == DatePrecision.MONTH:
        return [value.year, value.month]
    return [value.year, value.month, value.day]


def partial_date(parts: list) -> str:
    """`2024`, `2024-03` or `2024-03-15` from up to three date parts."""
    numbers = [int(part) for part in parts[:3]]
    if not numbers:
        return ""
    return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])


def credibility_note(source: Source) -> str:
    """The source's credibility as a note a reference manager keeps."""
    rating = source.credibility
    if rating.level is None:
        return "Credence credibility: not rated."
    origin = str(rating.origin.label).lower()
    return f"Credence credibility: {int(rating.level)} of 5 ({rating.label}), {origin}."


def source_csl(source: Source) -> dict:
    """Return the source as a CSL-JSON item (authors, tags and venue prefetched)."""
    kind = SourceType(source.type)
    item: dict = {"id": source.pk, "type": CSL_TYPES[kind], "URL": source.url}
    if source.title:  # an untitled source stays untitled (its page shows the address)
        item["title"] = source.title
    if kind in GENRE_TYPES:
        item["genre"] = GENRE_TYPES[kind]
    authors = [name_split(author.name) for author in source.authors.all()]
    if authors:
        item["author"] = authors
    if source.published_on:
        parts = date_parts(source.published_on, source.published_precision)
        item["issued"] = {"date-parts": [parts]}
    if source.venue_id:
        item["container-title" if kind in CONTAINED else "publisher"] = source.venue.name
    if source.doi:
        item["DOI"] = source.doi
    if source.isbn:
        item["ISBN"] = isbn_display(source.isbn)
    if source.arxiv_id:
        item["archive"], item["archive_location"] = "arXiv", source.arxiv_id
    if source.abstract:
        item["abstract"] = source.abstract
    tags = [tag.name for tag in source.tags.all()]
    if tags:
        item["keyword"] = ", ".join(sorted(tags, key=str.lower))
    item["note"] = credibility_note(source)
    return item


def csl_type(csl: str, genre: str = "") -> str:
    """The Credence type of a CSL type, its genre naming ours where given."""
    return TYPE_BY_LABEL.get(genre.strip().lower()) or FROM_CSL_TYPES.get(csl, SourceType.WEB)


def csl_fields(item: dict) -> SourceFields:
    """Return what a CSL-JSON item says about a source (the caller validates it)."""
    issued = (item.get("issued") or {}).get("date-parts") or [[]]
    issued = [[int(part) for part in issued[0]]] if issued and issued[0] else [[]]
    venue = item.get("container-title") or item.get("publisher") or ""
    arxiv = (
        item.get("archive_location", "") if str(item.get("archive", "")).lower() == "arxiv" else ""
    )
    keywords = item.get("keyword") or ""
    return SourceFields(
        url=str(item.get("URL") or "").strip(),
        title=str(item.get("title") or "").strip(),
        type=csl_type(str(item.get("type") or ""), str(item.get("genre") or "")),
        authors=[name_join(name) for name in item.get("author") or []],
        published=partial_date(issued[0]) if issued and issued[0] else "",
        abstract=str(item.get("abstract") or "").strip(),
        venue_name=str(venue).strip(),
        doi=str(item.get("DOI") or "").strip(),
        arxiv_id=str(arxiv).strip(),
        isbn=str(item.get("ISBN") or "").strip(),
        tags=[word.strip() for word in str(keywords).split(",") if word.strip()],
    )
