"""CSL-JSON files: a list of items, read with the checks of the CSL-JSON schema that
matter here (an id and a type on every item, names as objects, dates as date-parts)."""

from __future__ import annotations

import json

from .errors import FormatError


def csljson_write(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _where(number: int, item: dict) -> str:
    return f"item {number}" + (
        f" (“{item['id']}”)" if isinstance(item.get("id"), str | int) else ""
    )


def _check_date(value, where: str, field: str) -> None:
    if not isinstance(value, dict):
        raise FormatError(where, field, "a date is an object with date-parts")
    parts = value.get("date-parts")
    if parts is None:
        if "raw" in value or "literal" in value:
            raise FormatError(where, field, "give the date as date-parts, e.g. [[2024, 3]]")
        raise FormatError(where, field, "a date needs date-parts")
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
        raise FormatError(where, field, "date-parts is a list of lists, e.g. [[2024, 3, 15]]")
    for part in parts[0][:3]:
        if not (isinstance(part, int) or (isinstance(part, str) and part.strip().isdigit())):
            raise FormatError(where, field, f"“{part}” is not a number in date-parts")
    numbers = [int(part) for part in parts[0][:3]]
    if len(numbers) > 1 and not 1 <= numbers[1] <= 12:
        raise FormatError(where, field, f"month {numbers[1]} is not between 1 and 12")
    if len(numbers) > 2 and not 1 <= numbers[2] <= 31:
        raise FormatError(where, field, f"day {numbers[2]} is not between 1 and 31")


def csljson_read(text: str) -> list[dict]:
    """Return the items of a CSL-JSON file (a list, or one item); raise FormatError naming
    the first item and field that cannot be read."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(
            f"the file (line {error.lineno}, column {error.colno})", "", f"not JSON: {error.msg}"
        ) from None
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise FormatError("the file", "", "CSL-JSON is a list of items")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise FormatError(f"item {number}", "", "an item is a JSON object")
        where = _where(number, item)
        for required in ("id", "type"):
            if item.get(required) in (None, ""):
                raise FormatError(where, required, "missing")
        for role in ("author", "editor"):
            names = item.get(role, [])
            if not isinstance(names, list) or not all(isinstance(n, dict) for n in names):
                raise FormatError(where, role, "names are a list of objects (family, given)")
        for field in ("issued", "accessed"):
            if field in item:
                _check_date(item[field], where, field)
        for field in ("title", "URL", "DOI", "ISBN", "abstract", "keyword"):
            if field in item and not isinstance(item[field], str):
                raise FormatError(where, field, "must be text")
        if not item.get("URL") and not item.get("DOI") and item.get("archive") != "arXiv":
            raise FormatError(where, "URL", "a source needs an address: give URL or DOI")
    return items
