"""A source's scholarly identifiers: DOI, arXiv id and ISBN, each checked and written one
way, whatever form an editor pastes or a reference manager exports.

- DOI: `10.<registrant>/<suffix>`, lower-cased (DOIs are case-insensitive); the
  `https://doi.org/`, `dx.doi.org`, `doi:` and `DOI ` forms and percent-escapes are undone.
- arXiv: the paper, not one version: `2101.00001` or `hep-th/9901001`, from the bare id,
  `arXiv:` and the `abs`/`pdf` addresses, with any `vN` and `.pdf` removed.
- ISBN: the 13 digits of the ISBN-13 (an ISBN-10 is converted), checked against its check
  digit by isbnlib, which also hyphenates it for readers from the ISBN ranges.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import isbnlib
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DOI_MAX_LENGTH = 200
ARXIV_MAX_LENGTH = 40
ISBN_LENGTH = 13

DOI_INVALID = _(
    "“%(value)s” is not a DOI: a DOI reads 10.<digits>/<suffix>, e.g. 10.1038/nphys1170 "
    "(https://doi.org/… and doi:… are accepted too)."
)
ARXIV_INVALID = _(
    "“%(value)s” is not an arXiv id: give 2101.00001, arXiv:2101.00001v2, hep-th/9901001 "
    "or an arxiv.org/abs/… or /pdf/… address."
)
ISBN_INVALID = _(
    "“%(value)s” is not a valid ISBN: give the 10 or 13 digits (hyphens and spaces allowed); "
    "the last digit must match the others (check digit)."
)

# Crossref's pattern for modern DOIs (it matches 99.3% of those registered), with the
# prefix forms people paste before it.
_DOI = re.compile(
    r"^(?:doi:\s*|doi\s+|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d{4,9}/[-._;()/:a-z0-9<>\[\]]+)$",
    re.IGNORECASE,
)
ARXIV_NEW = r"\d{4}\.\d{4,5}"  # YYMM.NNNN (2007-2014) or YYMM.NNNNN
ARXIV_OLD = r"[a-z][a-z-]*(?:\.[a-z]{2})?/\d{7}"  # archive(.class)/YYMMNNN, before 2007
_ARXIV = re.compile(
    r"^(?:arxiv:\s*|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)?"
    rf"({ARXIV_NEW}|{ARXIV_OLD})(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_ISBN_PREFIX = re.compile(r"^isbn(?:-1[03])?:?\s*", re.IGNORECASE)


def doi_normalize(value: str) -> str:
    """Return the DOI as stored (lower case, no prefix), "" for blank; raise ValidationError."""
    text = unquote(value or "").strip()
    if not text:
        return ""
    match = _DOI.match(text)
    if match is None or len(match.group(1)) > DOI_MAX_LENGTH:
        raise ValidationError(DOI_INVALID, code="invalid_doi", params={"value": value})
    return match.group(1).lower()


def arxiv_normalize(value: str) -> str:
    """Return the arXiv id as stored (no prefix, no version), "" for blank; raise
    ValidationError."""
    text = (value or "").strip()
    if not text:
        return ""
    match = _ARXIV.match(text)
    if match is None:
        raise ValidationError(ARXIV_INVALID, code="invalid_arxiv", params={"value": value})
    arxiv_id = match.group(1)
    # Old-style archive names are lower case (hep-th, math.AG keeps its class upper).
    if "/" in arxiv_id:
        archive, number = arxiv_id.split("/")
        name, _dot, subject = archive.partition(".")
        arxiv_id = f"{name.lower()}{'.' + subject.upper() if subject else ''}/{number}"
    return arxiv_id


def isbn_normalize(value: str) -> str:
    """Return the ISBN-13's digits, "" for blank; raise ValidationError for a malformed
    ISBN or a wrong check digit."""
    text = _ISBN_PREFIX.sub("", (value or "").strip())
    if not text:
        return ""
    digits = re.sub(r"[\s-]", "", text).upper()
    isbn13 = isbnlib.to_isbn13(digits) if isbnlib.is_isbn10(digits) else digits
    if not isbnlib.is_isbn13(isbn13 or ""):
        raise ValidationError(ISBN_INVALID, code="invalid_isbn", params={"value": value})
    return isbn13


def isbn_display(isbn: str) -> str:
    """Return a stored ISBN hyphenated by the ISBN ranges (as printed on books)."""
    return isbnlib.mask(isbn) or isbn if isbn else ""


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def arxiv_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def isbn_url(isbn: str) -> str:
    # WorldCat finds the libraries holding a book by its ISBN.
    return f"https://search.worldcat.org/isbn/{isbn}"


# The longest form an editor may paste (a doi.org address with a long suffix).
PASTED_MAX_LENGTH = 2000


class IdentifierField(models.CharField):
    """Stored in its short normalised form; its form field takes the longer ones people
    paste (an address, hyphens), which the model normalises before checking the length."""

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": PASTED_MAX_LENGTH, **kwargs})


NORMALIZERS = {"doi": doi_normalize, "arxiv_id": arxiv_normalize, "isbn": isbn_normalize}
