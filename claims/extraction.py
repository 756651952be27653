"""The claim each citation marker in a page body stands behind: the sentence that holds
it, or the list item, or the table cell; for a marker in a footnote, the sentence of the
body that calls the footnote. Read from the Markdown source, line by line, in one pass;
code (fenced blocks and inline spans) holds no markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER_RE = re.compile(r"\[\[cite:(?P<ref>[A-Za-z0-9_-]+)(?:\|(?P<text>[^\]\n]*))?\]\]")
FOOTNOTE_REF_RE = re.compile(r"\[\^(?P<label>[^\]\s]+)\](?!:)")
FOOTNOTE_DEF_RE = re.compile(r"^\[\^(?P<label>[^\]\s]+)\]:\s?(?P<text>.*)$")
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?P<text>.*)$")
HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
TABLE_DELIMITER_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# The end of a sentence: . ! or ? (closing quotes or brackets may follow), then a space
# and a capital, a digit or an opening quote. Abbreviations a body uses often do not end one.
SENTENCE_END_RE = re.compile(r"[.!?][\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "al.", "Dr.", "Mr.", "Ms.", "No.", "U.S.")
# What is not the claim's words: markers, footnote calls, page links, link targets,
# emphasis, inline HTML.
PAGE_LINK_RE = re.compile(r"\[\[(?!cite:)([^\]|\n]+)(?:\|([^\]\n]*))?\]\]")
LINK_RE = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
TAG_RE = re.compile(r"<[^>\n]+>")
EMPHASIS_RE = re.compile(r"(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1")


class ClaimKind:
    SENTENCE = "sentence"
    LIST_ITEM = "list item"
    TABLE_CELL = "table cell"
    HEADING = "heading"


@dataclass(frozen=True)
class Claim:
    """One marker's claim: the source it cites (`ref`, as written), the claim's words, and
    what holds them; `footnote` names the footnote the marker sat in, if any."""

    ref: str
    text: str
    kind: str
    footnote: str = ""


def claim_text(markdown: str) -> str:
    """The words a reader reads in a piece of Markdown: no markers, links' text only."""
    # A marker's own text is words the reader reads (`[[cite:x|12 million people]]`).
    text = MARKER_RE.sub(lambda m: m.group("text") or "", markdown)
    text = FOOTNOTE_REF_RE.sub("", text)
    text = PAGE_LINK_RE.sub(lambda m: m.group(2) or m.group(1), text)
    text = LINK_RE.sub(r"\1", text)
    text = TAG_RE.sub("", text)
    text = CODE_SPAN_RE.sub(lambda m: m.group(0).strip("`").strip(), text)
    for _round in range(2):  # nested emphasis (***bold italic***)
        text = EMPHASIS_RE.sub(r"\2", text)
    text = text.replace("\\", "")
    return re.sub(r"\s+", " ", text).strip(" \t|")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of a paragraph starts and ends."""
    spans, start = [], 0
    for match in SENTENCE_END_RE.finditer(text):
        end = match.end()
        before = text[start:end]
        if before.rstrip().endswith(ABBREVIATIONS):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _without_code(text: str) -> str:
    """The text with inline code blanked out (same length), so that no marker in code counts."""
    return CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), text)


def _markers(text: str) -> list[tuple[int, str]]:
    blanked = _without_code(text)
    return [(m.start(), m.group("ref")) for m in MARKER_RE.finditer(blanked)]


def _blank_markers(text: str) -> str:
    """The text with markers and footnote calls blanked out (same length): a sentence ends
    before them (`2023.[[cite:x]] Labs`) as if they were not there."""
    blank = lambda match: " " * len(match.group(0))  # noqa: E731
    return FOOTNOTE_REF_RE.sub(blank, MARKER_RE.sub(blank, text))


def _sentence_at(text: str, position: int) -> str:
    """The sentence a marker at `position` stands behind: the one it sits in, or, when it
    follows a sentence's end with nothing but spaces, punctuation or other markers
    between, that sentence."""
    spans = sentence_spans(_blank_markers(text))
    for index, (start, end) in enumerate(spans):
        if start <= position < end:
            before = claim_text(text[start:position])
            if not before and index > 0:  # the marker opens this span: it closes the last
                start, end = spans[index - 1]
            return claim_text(text[start:end])
    return claim_text(text)


def _cells(row: str) -> list[str]:
    """A table row's cells (unescaped pipes outside code divide them), with their escaped
    pipes unescaped as the renderer reads them: `[[cite:x\\|text]]` in a cell is a marker."""
    cells, start = [], 0
    blanked = _without_code(row).replace("\\|", "  ")
    for match in re.finditer(r"\|", blanked):
        cells.append(row[start : match.start()])
        start = match.end()
    cells.append(row[start:])
    return [cell.replace("\\|", "|") for cell in cells]


def _row_cells(row: str) -> list[str]:
    """A row's cells as a table has them: the pipes at its ends open and close it."""
    cells = _cells(row)
    if row.strip().startswith("|"):
        cells = cells[1:]
    if row.strip().endswith("|") and not row.strip().endswith("\\|") and len(cells) > 1:
        cells = cells[:-1]
    return cells


def _blocks(body: str):
    """The body's blocks, code left out: (kind, text, footnote label) in order."""
    paragraph: list[str] = []
    footnote: tuple[str, list[str]] | None = None
    item: list[str] | None = None
    fence = ""

    def flush():
        nonlocal paragraph, footnote, item
        if paragraph:
            yield "paragraph", " ".join(paragraph), ""
        if item is not None:
            yield "item", " ".join(item), ""
        if footnote is not None:
            yield "footnote", " ".join(footnote[1]), footnote[0]
        paragraph, footnote, item = [], None, None

    lines = body.splitlines()
    columns = 0
    for index, line in enumerate(lines):
        opening = FENCE_RE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            yield from flush()
            fence = opening.group(1)
            continue
        if not line.strip():
            yield from flush()
            continue
        definition = FOOTNOTE_DEF_RE.match(line)
        if definition:
            yield from flush()
            footnote = (definition.group("label"), [definition.group("text")])
            continue
        if footnote is not None and line.startswith((" ", "\t")):
            footnote[1].append(line.strip())
            continue
        heading = HEADING_RE.match(line)
        if heading:
            yield from flush()
            yield "heading", heading.group("text"), ""
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        previous = lines[index - 1] if index else ""
        if "|" in line and (
            TABLE_DELIMITER_RE.match(following)
            or TABLE_DELIMITER_RE.match(previous)
            or (line.lstrip().startswith("|") and previous.lstrip().startswith("|"))
        ):
            yield from flush()
            if TABLE_DELIMITER_RE.match(following):
                columns = len(_row_cells(following))  # a header: its table's width
            if TABLE_DELIMITER_RE.match(line):
                columns = len(_row_cells(line))
            else:
                yield "row", line, columns
            continue
        listed = LIST_ITEM_RE.match(line)
        if listed:
            yield from flush()
            item = [listed.group("text")]
            continue
        if item is not None and line.startswith((" ", "\t")):
            item.append(line.strip())
            continue
        if item is not None or footnote is not None:
            yield from flush()
        paragraph.append(line.strip())
    yield from flush()


def body_claims(body: str) -> list[Claim]:
    """Every citation marker's claim, in the order of the body; markers in footnotes
    follow, in the order the body calls their footnotes (once per call)."""
    return _claims(body, every_call=True)


def marker_claims(body: str) -> list[Claim]:
    """One claim per marker as a reader sees it, in the order the page renders them: the
    body's, then each footnote's once, in the order of the footnotes' first calls, with
    the sentence of that first call. The n-th of these citing a source is the source's
    n-th marker on the page (`cite-N-n`)."""
    return _claims(body, every_call=False)


def _claims(body: str, *, every_call: bool) -> list[Claim]:
    claims: list[Claim] = []
    footnote_markers: dict[str, list[str]] = {}
    calls: list[tuple[str, str, str]] = []  # (label, claim, kind), where the body calls a note
    for kind, text, label in _blocks(body):
        if kind == "footnote":
            footnote_markers[label] = [ref for _pos, ref in _markers(text)]
            continue
        if kind == "row":
            # Cells past the table's width are dropped, as the renderer drops them.
            for cell in _row_cells(text)[: label or None]:
                for _pos, ref in _markers(cell):
                    claims.append(Claim(ref, claim_text(cell), ClaimKind.TABLE_CELL))
                for call in FOOTNOTE_REF_RE.finditer(_without_code(cell)):
                    calls.append((call.group("label"), claim_text(cell), ClaimKind.TABLE_CELL))
            continue
        claim_kind = {
            "item": ClaimKind.LIST_ITEM,
            "heading": ClaimKind.HEADING,
        }.get(kind, ClaimKind.SENTENCE)
        for position, ref in _markers(text):
            claims.append(Claim(ref, _sentence_at(text, position), claim_kind))
        for call in FOOTNOTE_REF_RE.finditer(_without_code(text)):
            calls.append((call.group("label"), _sentence_at(text, call.start()), claim_kind))
    called: set[str] = set()
    for label, claim, kind in calls:
        if not every_call and label in called:
            continue
        called.add(label)
        for ref in footnote_markers.get(label, []):
            claims.append(Claim(ref, claim, kind, footnote=label))
    return claims
