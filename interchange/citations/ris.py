"""RIS through rispy, to and from CSL-JSON items.

rispy reads continuation lines of a field into one value; it skips text outside a
record silently, so the records are counted here too and a record rispy could not read
is named by its number and line.
"""

from __future__ import annotations

import re

import rispy

from .csl import TYPE_BY_LABEL
from .errors import FormatError

# CSL type -> RIS type, and back for the RIS types tools write.
RIS_TYPES = {
    "article-journal": "JOUR",
    "post-weblog": "BLOG",
    "report": "RPRT",
    "book": "BOOK",
    "speech": "GEN",
    "broadcast": "SOUND",
    "entry-encyclopedia": "ENCYC",
    "webpage": "ELEC",
}
FROM_RIS_TYPES = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "EJOUR": "article-journal",
    "CONF": "article-journal",
    "CPAPER": "article-journal",
    "CHAP": "article-journal",
    "THES": "article-journal",
    "UNPB": "article-journal",
    "BLOG": "post-weblog",
    "MGZN": "post-weblog",
    "RPRT": "report",
    "GOVDOC": "report",
    "BILL": "report",
    "STAT": "report",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "SOUND": "broadcast",
    "VIDEO": "speech",
    "ADVS": "speech",
    "SLIDE": "speech",
    "ENCYC": "entry-encyclopedia",
    "DICT": "entry-encyclopedia",
    "ELEC": "webpage",
    "WEB": "webpage",
    "NEWS": "webpage",
    "GEN": "webpage",
}
_RECORD_START = re.compile(r"^TY  - ", re.MULTILINE)


def _record(item: dict, type_label: str) -> dict:
    record: dict = {"type_of_reference": RIS_TYPES.get(item["type"], "GEN"), "id": item["id"]}
    record["title"] = item.get("title", "")
    record["type_of_work"] = type_label  # M3: names the Credence type where RIS types are shared
    if item.get("author"):
        record["authors"] = [
            n["literal"] if "literal" in n else f"{n.get('family', '')}, {n.get('given', '')}"
            for n in item["author"]
        ]
    parts = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if parts:
        record["year"] = str(parts[0])
        month = f"{parts[1]:02d}" if len(parts) > 1 else ""
        day = f"{parts[2]:02d}" if len(parts) > 2 else ""
        record["date"] = f"{parts[0]:04d}/{month}/{day}/"
    if item.get("container-title"):
        key = "journal_name" if record["type_of_reference"] == "JOUR" else "secondary_title"
        record[key] = item["container-title"]
    if item.get("publisher"):
        record["publisher"] = item["publisher"]
    for name, key in (("doi", "DOI"), ("abstract", "abstract")):
        if item.get(key):
            record[name] = item[key]
    if item.get("ISBN"):
        record["issn"] = item["ISBN"]  # SN holds an ISBN or an ISSN
    record["urls"] = [item["URL"]] if item.get("URL") else []
    if item.get("archive") == "arXiv":
        record["accession_number"] = f"arXiv:{item['archive_location']}"
    if item.get("keyword"):
        record["keywords"] = [word.strip() for word in item["keyword"].split(",")]
    if item.get("note"):
        record["notes"] = [item["note"]]
    return {key: value for key, value in record.items() if value}


def ris_write(items: list[tuple[dict, str]]) -> str:
    """Return a RIS file of (CSL item, Credence type label) pairs."""
    return rispy.dumps([_record(item, label) for item, label in items])


def _issued(record: dict, where: str) -> list[int]:
    text = record.get("date") or ""
    if text.strip():
        parts = text.strip().split("/")
        numbers = []
        for part in parts[:3]:
            if not part.strip():
                break
            if not part.strip().isdigit():
                raise FormatError(where, "DA", f"“{text}” is not a date like 2024/03/15/")
            numbers.append(int(part))
        if numbers:
            return numbers
    year = (record.get("year") or "").strip()[:4]
    if not year:
        return []
    if not year.isdigit():
        raise FormatError(where, "PY", f"“{record['year']}” is not a year")
    return [int(year)]


def ris_read(text: str) -> list[dict]:
    """Return the CSL items of a RIS file; raise FormatError naming the first record and
    field that cannot be read."""
    text = text.lstrip("\ufeff")
    starts = [text.count("\n", 0, match.start()) + 1 for match in _RECORD_START.finditer(text)]
    if not starts:
        if text.strip():
            raise FormatError(
                "the file", "TY", "no RIS record found (a record starts with “TY  - ”)"
            )
        return []
    records = rispy.loads(text)
    if len(records) != len(starts):
        line = starts[len(records)] if len(records) < len(starts) else starts[-1]
        raise FormatError(
            f"record {len(records) + 1} (line {line})", "ER", "the record has no end (“ER  - ”)"
        )
    items = []
    for number, (record, line) in enumerate(zip(records, starts, strict=True), start=1):
        where = f"record {number} (line {line})"
        kind = record.get("type_of_reference", "")
        if kind not in FROM_RIS_TYPES:
            raise FormatError(where, "TY", f"“{kind}” is not a RIS type")
        title = record.get("title") or record.get("primary_title") or ""
        item: dict = {"id": record.get("id") or f"ris-{number}", "type": FROM_RIS_TYPES[kind]}
        item["title"] = title.strip()
        label = (record.get("type_of_work") or "").strip()
        if label.lower() in TYPE_BY_LABEL:
            item["genre"] = label
        elif kind == "GOVDOC":
            item["genre"] = "Government document"
        authors = record.get("authors") or record.get("first_authors") or []
        if authors:
            item["author"] = [_name(author) for author in authors]
        parts = _issued(record, where)
        if parts:
            item["issued"] = {"date-parts": [parts]}
        venue = (
            record.get("journal_name")
            or record.get("secondary_title")
            or record.get("alternate_title3")
            or record.get("publisher")
        )
        if venue:
            item["container-title"] = venue.strip()
        urls = record.get("urls") or []
        if urls:
            item["URL"] = urls[0].strip()
        for name, key in (("doi", "DOI"), ("abstract", "abstract")):
            if record.get(name):
                item[key] = record[name].strip()
        if record.get("issn") and re.sub(r"[\s-]", "", record["issn"]).rstrip("Xx").isdigit():
            digits = re.sub(r"[\s-]", "", record["issn"])
            if len(digits) in (10, 13):  # an ISBN; an ISSN has 8 digits
                item["ISBN"] = record["issn"].strip()
        accession = (record.get("accession_number") or "").strip()
        if accession.lower().startswith("arxiv:"):
            item["archive"], item["archive_location"] = "arXiv", accession[6:].strip()
        if record.get("keywords"):
            item["keyword"] = ", ".join(word.strip() for word in record["keywords"])
        if not item.get("URL") and not item.get("DOI") and not item.get("archive"):
            raise FormatError(where, "UR", "a source needs an address: give UR, DO or AN arXiv:")
        items.append(item)
    return items


def _name(text: str) -> dict:
    family, comma, given = text.partition(",")
    if comma:
        return {"family": family.strip(), "given": given.strip()}
    return {"literal": text.strip()}
