"""BibTeX (biblatex fields) through bibtexparser, to and from CSL-JSON items.

Accents and LaTeX's special characters are encoded on the way out and decoded on the way
in by pylatexenc, so "Gödel & 50%", "a -- b" and "R_{D^*}" survive a round trip (checked on
every source of the Longterm Wiki corpus); addresses and identifiers are left verbatim.
"""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.model import Entry, Field
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

from .csl import TYPE_BY_LABEL, partial_date
from .errors import FormatError

# CSL type -> BibTeX entry type, and back for the entry types tools write.
ENTRY_TYPES = {
    "article-journal": "article",
    "post-weblog": "online",
    "report": "techreport",
    "book": "book",
    "speech": "misc",
    "broadcast": "misc",
    "entry-encyclopedia": "misc",
    "webpage": "online",
}
FROM_ENTRY_TYPES = {
    "article": "article-journal",
    "inproceedings": "article-journal",
    "incollection": "article-journal",
    "phdthesis": "article-journal",
    "mastersthesis": "article-journal",
    "thesis": "article-journal",
    "unpublished": "article-journal",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "book": "book",
    "inbook": "book",
    "booklet": "book",
    "misc": "webpage",
}
# Credence types whose entry type is shared or loose: the `type` field names ours.
TYPED_ENTRIES = {"misc", "online", "techreport"}
# Addresses and identifiers are written as they are (no LaTeX: a URL's % or _ is not).
VERBATIM = {"author", "url", "doi", "isbn", "eprint", "eprinttype", "date", "year", "month"}
VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "institution", "organization", "publisher")
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def bibtex_key(item: dict) -> str:
    # Keys are letters, digits and -_:.; a source id already is.
    return re.sub(r"[^A-Za-z0-9_:.-]", "-", str(item["id"]))


def _entry(item: dict, type_label: str) -> Entry:
    entry_type = ENTRY_TYPES.get(item["type"], "misc")
    values: list[tuple[str, str]] = [("title", item.get("title", ""))]
    if item.get("author"):
        # An organisation's name is braced so that BibTeX does not split it into parts.
        names = [
            "{" + _latex(n["literal"]) + "}"
            if "literal" in n
            else f"{_latex(n.get('family', ''))}, {_latex(n.get('given', ''))}"
            for n in item["author"]
        ]
        values.append(("author", " and ".join(names)))
    parts = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if parts:
        values.append(("date", partial_date(parts)))
        values.append(("year", str(parts[0])))
        if len(parts) > 1:
            values.append(("month", MONTHS[parts[1] - 1]))
    venue_field = "journal" if entry_type == "article" else "publisher"
    if entry_type == "techreport":
        venue_field = "institution"
    if entry_type == "online" and item.get("container-title"):
        venue_field = "organization"
    venue = item.get("container-title") or item.get("publisher")
    if venue:
        values.append((venue_field, venue))
    if entry_type in TYPED_ENTRIES:
        values.append(("type", type_label))
    for name, key in (("url", "URL"), ("doi", "DOI"), ("isbn", "ISBN"), ("abstract", "abstract")):
        if item.get(key):
            values.append((name, item[key]))
    if item.get("archive") == "arXiv":
        values += [("eprint", item["archive_location"]), ("eprinttype", "arxiv")]
    if item.get("keyword"):
        values.append(("keywords", item["keyword"]))
    if item.get("note"):
        values.append(("note", item["note"]))
    fields = [Field(k, v if k in VERBATIM else _latex(v)) for k, v in values if v]
    return Entry(entry_type, bibtex_key(item), fields)


# A straight double quote stays one (LaTeX's default writes '' and reads back ”); a
# character LaTeX has no name for (an emoji) is kept as it is, without a warning.
_ENCODER = UnicodeToLatexEncoder(
    conversion_rules=[
        UnicodeToLatexConversionRule(rule_type=RULE_DICT, rule={ord('"'): '"'}),
        "defaults",
    ],
    non_ascii_only=False,
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


def _latex(text: str) -> str:
    """Accents and LaTeX's special characters (& % $ # _ { } ~ ^ \\) written as LaTeX, and
    the pairs LaTeX would join (-- into a dash, `` and '' into curly quotes) kept apart."""
    return re.sub(r"([-`'])(?=\1)", r"\1{}", _ENCODER.unicode_to_latex(text))


def bibtex_write(items: list[tuple[dict, str]]) -> str:
    """Return a BibTeX file of (CSL item, Credence type label) pairs."""
    library = bibtexparser.Library()
    for item, type_label in items:
        library.add(_entry(item, type_label))
    return bibtexparser.write_string(library)


def _split_names(value: str) -> list[str]:
    """The names of a BibTeX name list: split at " and " outside braces (an organisation's
    braced name may hold an "and" or commas)."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    return [name.strip() for name in names if name.strip()]


def _names(value: str) -> list[dict]:
    names = []
    for raw in _split_names(value):
        if raw.startswith("{") and raw.endswith("}"):
            names.append({"literal": _text("name", raw[1:-1])})
            continue
        raw = _text("name", raw)
        if "," in raw:
            family, _comma, given = raw.partition(",")
            names.append({"family": family.strip(), "given": given.strip()})
        else:
            given, _space, family = raw.rpartition(" ")
            names.append({"family": family, "given": given} if given else {"literal": family})
    return names


def _issued(fields: dict, where: str) -> list[int]:
    if fields.get("date"):
        match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", fields["date"].strip())
        if not match:
            raise FormatError(where, "date", f"“{fields['date']}” is not a date like 2024-03-15")
        return [int(part) for part in match.groups() if part]
    if not fields.get("year"):
        return []
    year = fields["year"].strip()
    if not re.fullmatch(r"\d{4}", year):
        raise FormatError(where, "year", f"“{year}” is not a four-digit year")
    parts = [int(year)]
    month = fields.get("month", "").strip().lower()[:3]
    if month:
        if month.isdigit() and 1 <= int(month) <= 12:
            parts.append(int(month))
        elif month in MONTHS:
            parts.append(MONTHS.index(month) + 1)
        else:
            raise FormatError(where, "month", f"“{fields['month']}” is not a month")
    return parts


def bibtex_read(text: str) -> list[dict]:
    """Return the CSL items of a BibTeX file; raise FormatError naming the first entry and
    field that cannot be read."""
    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        where = f"the entry at line {block.start_line + 1}"
        reason = getattr(block, "error", None) or "it is not well-formed BibTeX"
        raise FormatError(where, "", _first_line(str(reason)))
    if not library.entries and text.strip():
        raise FormatError("the file", "", "no BibTeX entry found (an entry starts with @type{key,")
    items = []
    for entry in library.entries:
        where = f"entry “{entry.key}” (line {entry.start_line + 1})"
        fields = {
            name.lower(): _text(name.lower(), str(f.value)) for name, f in entry.fields_dict.items()
        }
        csl_type = FROM_ENTRY_TYPES.get(entry.entry_type.lower())
        if csl_type is None:
            raise FormatError(where, "entry type", f"@{entry.entry_type} is not a type we read")
        item: dict = {"id": entry.key, "type": csl_type, "title": fields.get("title", "")}
        label = fields.get("type", "")
        if label.lower() in TYPE_BY_LABEL:
            item["genre"] = label
        elif entry.entry_type.lower() == "misc" and fields.get("howpublished", "").lower() in (
            TYPE_BY_LABEL
        ):
            item["genre"] = fields["howpublished"]
        if fields.get("author"):
            item["author"] = _names(fields["author"])
        parts = _issued(fields, where)
        if parts:
            item["issued"] = {"date-parts": [parts]}
        venue = next(
            (fields[name] for name in VENUE_FIELDS if fields.get(name)),
            "",
        )
        if venue:
            item["container-title"] = venue
        for name, key in (
            ("url", "URL"),
            ("doi", "DOI"),
            ("isbn", "ISBN"),
            ("abstract", "abstract"),
        ):
            if fields.get(name):
                item[key] = fields[name]
        eprint_type = (fields.get("eprinttype") or fields.get("archiveprefix") or "").lower()
        if fields.get("eprint") and eprint_type == "arxiv":
            item["archive"], item["archive_location"] = "arXiv", fields["eprint"]
        if fields.get("keywords"):
            item["keyword"] = fields["keywords"].replace(";", ",")
        if not item.get("URL") and not item.get("DOI") and not item.get("archive"):
            raise FormatError(where, "url", "a source needs an address: give url, doi or eprint")
        items.append(item)
    return items


# pylatexenc reads \textasciicircum as a modifier letter (ˆ) and \textperiodcentered as a dot
# above (˙): the characters the encoder meant are ^ and ·.
_CONTEXT = get_default_latex_context_db()
_CONTEXT.add_context_category(
    "credence",
    macros=[MacroTextSpec("textasciicircum", "^"), MacroTextSpec("textperiodcentered", "·")],
    prepend=True,
)
_DECODER = LatexNodes2Text(latex_context=_CONTEXT, math_mode="verbatim", strict_latex_spaces=True)


def _text(name: str, value: str) -> str:
    """A field's text: LaTeX decoded (accents, escapes, protective braces), except in the
    fields written verbatim, where a % or _ is part of an address."""
    if name in VERBATIM:  # the author list is decoded name by name (see _names)
        return value.strip()
    try:
        return _DECODER.latex_to_text(value).strip()
    except Exception:  # pylatexenc gives up on broken LaTeX: keep what the file says
        return value.strip()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
