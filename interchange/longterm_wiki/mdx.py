"""Convert Longterm Wiki MDX bodies to our Markdown, and our Markdown back to MDX.

The source wiki's pages are MDX: Markdown with JSX components. `mdx_to_markdown` takes a body
(front matter already split off) and follows these rules:

1. ESM lines at the start of a line (`import ... from '...'`, one-line `export ...`) are dropped.
2. `<R id="X">text</R>` becomes the citation `[[cite:X|text]]`, `[[cite:X]]` without text.
   Text that our syntax cannot hold (`]`, `|`, a newline) is written out before `[[cite:X]]`.
3. `<EntityLink name="slug">text</EntityLink>` becomes the page link `[[slug|text]]` (`[[slug]]`,
   or `[[slug|label]]` with a `label`). The first `name` wins; without one the `id` is looked up
   in `entity_slugs`, and an unknown entity leaves its text. Text that our syntax cannot hold
   becomes a Markdown link to the page URL, `[text](/wiki/slug/)`. A link cannot hold a link:
   a Markdown link inside the text of either is reduced to its text, and so is a page link
   inside the text of a Markdown link.
4. `<Mermaid chart={`...`} />` becomes a fenced `mermaid` block on its own lines (a page link
   in a label keeps its text), and `<CauseEffectGraph>` a Mermaid flowchart of its nodes and
   edges, followed by the nodes' descriptions as a definition list.
5. Components become the structures of our Markdown that a reader knows, from their props:
   - a `:::section[Title]` container: `<KeyQuestions>` (a list of questions, each with its
     positions), `<Crux>` (its question as title; description, fields as a definition list,
     positions as a table, what would update it, research), `<CruxList>`, `<DisagreementMap>`
     and `<TimelineViz>` (tables), `<ComparisonTable>` (a table of its inline rows) and
     `<SquiggleEstimate>` (its code, then the ranges its code states as literals);
   - an `:::aside[Title]` with a definition list: `<InfoBox>` and `<DataInfoBox>` (fields,
     data, or `ratings={frontmatter.ratings}` read from the page's front matter);
   - a definition list of name and role: `<KeyPeople>`; a line of tags: `<Tags>`.
6. Components with children keep them: `<Section>` and `<KeyTakeaways>` inside a
   `:::section[...]`, `<InfoBox>` and `<DataInfoBox>` inside an `:::aside[...]`, `<Aside>` inside
   a callout of its type (`:::note[Title]`, `:::tip`, `:::caution`, `:::danger`). A container
   holding another gets more colons. A titled component of another name standing alone gets its
   title as a bold line.
7. A component whose data the source wiki keeps in its database says so: in running text
   (`<FBF>` without children, `<Calc>`) as "(value not available)", as a block (`<FBRecordTable>`,
   `<FBFactTable>`, the `...TableView`s, `<Backlinks>`, ...) as one italic line naming it.
8. Another component without children is reduced to the prose in its props: a title, topic or
   question as a bold line, the other strings (also inside arrays and objects) as a bullet list,
   an object as `- first: second; ...`. A component with no prose in its props is dropped.
   Strings from props are JavaScript, where `$` is no math: it is written `\\$`.
9. `{frontmatter.key}` in a body becomes that front matter value (`front_matter`); an unknown
   key writes nothing. JSX comments `{/* ... */}` become HTML comments, hidden from readers.
10. Code blocks and code spans are copied untouched, and so are HTML entities, backslash
   escapes, footnotes and lower-case HTML tags. A literal `[[...]]` that our syntax would read
   is escaped.
11. A malformed or unclosed component is kept as text, its `<` escaped; no input raises. An
   unclosed "tag" of capitalised words (`<Paul Christiano>`) is prose: its words are kept.

Every component converted (a diagram, a citation or a page link aside), reduced or dropped, and
every fallback, is reported as an `MdxNote` with the line of its tag.

Some Markdown means something else at the start of a line, or in a table, so:
- in a table row the `|` of a reference is written `\\|` (a bare one would split the cell);
- the text after a comment that opens a line goes on the next line (CommonMark would read the
  whole line as HTML and hide it), and prose moved to a line start that looks like an ESM line
  gets its first letter as a character reference (a re-import would drop the line);
- a block (a diagram, a list, a quote) always gets lines of its own, so text that followed a
  block component on its line starts a new paragraph;
- a container's title is shown as written, without Markdown, so references in it keep their
  text and escapes their character; a title that needs Markdown heads the content, in bold;
- a term or a definition from props that would open a block (`# `, `- `, `1. `) is escaped.

`markdown_to_mdx` is the inverse for what the importer writes: citations and page links become
`<R>` and `<EntityLink>` again, and HTML comments JSX comments (MDX rejects `<!--`), so that
`mdx_to_markdown(markdown_to_mdx(md)).markdown == md` for any `md` that `mdx_to_markdown` wrote.
"""

from __future__ import annotations

import re
import textwrap
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from core.memo import text_memo
from wiki.markup import REF_RE

# A citation ref or page slug, as REF_RE reads them.
NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
# REF_RE, also accepting the escaped pipe `\|` that references in table rows need.
REF_ANY_RE = re.compile(REF_RE.pattern.replace(r"(?:\|", r"(?:\\?\|"))
REF_HEAD_RE = re.compile(r"\[\[(?:cite:)?[A-Za-z0-9_-]+")
# Link text that cannot sit inside `[[...|text]]` (a trailing backslash would escape the `]`).
UNSAFE_TEXT_RE = re.compile(r"[\]|\n]|\\\Z")
PAGE_URL = "/wiki/{slug}/"

OPEN_TAG_RE = re.compile(r"<([A-Z][A-Za-z0-9_.]*)(?=[\s/>])")
CLOSE_TAG_RE = re.compile(r"</([A-Z][A-Za-z0-9_.]*)\s*>")
ATTR_NAME_RE = re.compile(r"[A-Za-z_$][\w$:.-]*")
JSX_COMMENT_RE = re.compile(r"\{\s*/\*(.*?)\*/\s*\}", re.S)
HTML_COMMENT_RE = re.compile(r"<!--(.*?)-->", re.S)
# What ends each, for the guards below (an opener with no end after it is not tried).
COMMENT_ENDS = {JSX_COMMENT_RE: re.compile(r"\*/\s*\}"), HTML_COMMENT_RE: re.compile(r"-->")}
# The indentation and list or quote markers that open a line.
LINE_PREFIX_RE = re.compile(r"(?:[ \t]*(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])[ \t]+))*[ \t]*")
FENCE_RE = re.compile(r"[ \t]*(?:>[ \t]?)*(`{3,}|~{3,})([^\n]*)")
ESM_RE = re.compile(
    r"(?:import\s+(?:[\w$*{},\s]+?\s+from\s+)?['\"][^'\"\n]+['\"]"
    r"|export\s+(?:const|let|var|function|class|default|async|\{|\*)[^\n]*?)"
    r"[ \t]*;?[ \t]*(?:\n|\Z)"
)
BLANK_LINE_RE = re.compile(r"[ \t]*(?:\n|\Z)")
BLANK_LINE_AFTER_RE = re.compile(r"\n[ \t]*\n")  # ends a paragraph, and any code span in it
INDENT_RE = re.compile(r"[ \t]*\n|( *)\S")  # a blank line, or a line's indentation
TABLE_DELIMITER_RE = re.compile(r"[ \t]*(?:\||:|-(?![ \t]))[-|: \t]*")
# Lines that end a table's body (as markdown-it's blockquote terminators do), roughly.
TABLE_END_RE = re.compile(r"[ \t]*(?:>|#|[-*+][ \t]|\d+[.)][ \t]|`{3}|~{3}|<!--)")

# Where the scans stop: a fence at a line start, a code span, an escape, a comment, a component
# tag, a `[[`; at the top of a document also an ESM line.
_FENCE_AHEAD = r"^(?=[ \t]*(?:>[ \t]?)*(?:`{3}|~{3}))"
_ESM_AHEAD = r"^(?=import\s|export\s)"
_STOPS = r"`+|\\.|<!--"
_BRACES = r"\{\s*(?:/\*|frontmatter\.)"  # a JSX comment, or a front matter value
TRIGGER_RE = re.compile(rf"{_FENCE_AHEAD}|{_STOPS}|</?[A-Z]|{_BRACES}|\[\[", re.M | re.S)
DOCUMENT_TRIGGER_RE = re.compile(
    rf"{_FENCE_AHEAD}|{_ESM_AHEAD}|{_STOPS}|</?[A-Z]|{_BRACES}|\[\[", re.M | re.S
)
LINE_START_SCAN_RE = re.compile(rf"{_FENCE_AHEAD}|{_ESM_AHEAD}|{_STOPS}", re.M | re.S)
MARKDOWN_TRIGGER_RE = re.compile(rf"{_FENCE_AHEAD}|{_STOPS}|\[\[", re.M | re.S)

# A backslash-escaped character reference (`\&lt;`), which readers would see as written.
ESCAPED_ENTITY_RE = re.compile(r"\\(&(?:lt|gt|amp|quot|apos|nbsp|#\d{1,6}|#x[0-9a-fA-F]{1,5});)")
# A link whose URL's own parentheses took its closing one, at the end of a line or cell.
UNCLOSED_LINK_RE = re.compile(
    r"(?<![\\!])\[[^\[\]\n]+\]\(https?://[^\s()]*\([^\s()]*\)[^\s()]*(?=[ \t]*(?:\||$))",
    re.M,
)

# Prop keys whose values are identifiers, enums, numbers or layout, never prose.
NON_PROSE_KEYS = frozenset(
    {
        "id", "n", "entity", "entities", "property", "columns", "collection", "type", "types",
        "precision", "suffix", "prefix", "asOf", "ratings", "importance", "resolvability",
        "confidence", "confidenceLabel", "stance", "strength", "mode", "sortBy", "height", "width",
        "fitViewPadding", "style", "source", "target", "badge", "fill", "color", "icon",
        "variant", "tags", "relatedCruxes", "highlightColumn", "chart", "code", "expr", "slug",
    }
)  # fmt: skip
TITLE_KEYS = ("title", "topic", "question")
URL_KEYS = frozenset({"url", "href", "link"})
# Nesting deeper than this (components, JS values) is kept as text rather than recursed into.
MAX_DEPTH = 40

JSX_COMMENT_OPEN_RE = re.compile(r"\{\s*/\*")
_FRONT_MATTER_PATH = r"frontmatter\.([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)"
FRONT_MATTER_RE = re.compile(rf"\{{\s*{_FRONT_MATTER_PATH}\s*\}}")
FRONT_MATTER_PATH_RE = re.compile(_FRONT_MATTER_PATH)
# A Markdown link `[text](url "title")` (not an image, not escaped) inside a reference's text.
INNER_LINK_RE = re.compile(
    r"(?<![\\!])\[([^\[\]\n]*)\]\(\s*<?([^\s()<>]*)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
# A capitalised word: `<Paul Christiano>`, never closed, is a name in angle brackets.
PROSE_WORD_RE = re.compile(r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*")
# What would open a block at the start of a line (a heading, quote, list, definition, fence).
BLOCK_START_RE = re.compile(r"[#>:]|[-+*](?=[ \t]|$)|`{3}|~{3}|\d{1,9}[.)](?=[ \t]|$)")
LINK_BRACKET_RE = re.compile(r"\\.|[\[\]]")  # brackets, and escapes that are none
CHART_REFERENCE_RE = re.compile(r"<(EntityLink|R)\b[^<>]*>([^<>]*)</\1\s*>")
CONTAINER_FENCE_RE = re.compile(r"^[ \t]*(:{3,})", re.M)

# Components, by what they become. Panels hold their children: the method that writes them.
PANELS = {
    "Aside": "_aside",
    "InfoBox": "_box",
    "DataInfoBox": "_box",
    "Section": "_section",
    "KeyTakeaways": "_section",
}
SECTION_TITLES = {"KeyTakeaways": "Key takeaways", "KeyQuestions": "Key questions"}
CALLOUT_KINDS = {
    "note": "note", "info": "note", "tip": "tip", "success": "tip", "caution": "caution",
    "warning": "caution", "danger": "danger", "error": "danger",
}  # fmt: skip
# Data components (their props are the content): the method that writes each one.
DATA_BLOCKS = {
    "Mermaid": "_mermaid",
    "SquiggleEstimate": "_squiggle",
    "KeyQuestions": "_key_questions",
    "Crux": "_crux",
    "CruxList": "_crux_list",
    "DisagreementMap": "_disagreement_map",
    "KeyPeople": "_key_people",
    "InfoBox": "_info_box",
    "DataInfoBox": "_info_box",
    "CauseEffectGraph": "_cause_effect_graph",
    "ComparisonTable": "_comparison_table",
    "TimelineViz": "_timeline",
    "Tags": "_tags",
}
# Components showing a value from the source wiki's database, in running text.
INLINE_VALUES = frozenset({"FBF", "Calc"})
VALUE_MISSING = "(value not available)"
# Components showing data from the source wiki's database (or, without it, nothing here):
# what a reader calls them, and what they show. Any `...TableView` is a table too.
EXTERNAL_DATA = {
    "FBRecordTable": ("Records", "table"),
    "FBFactTable": ("Facts", "table"),
    "FBCompareTable": ("Comparison", "table"),
    "ComparisonTable": ("Comparison", "table"),
    "AnthropicStakeholdersTable": ("Anthropic stakeholders", "table"),
    "ModelsList": ("Models", "list"),
    "TimelineViz": ("Timeline", "timeline"),
    "ConceptsDirectory": ("Concepts directory", "directory"),
    "Backlinks": ("Backlinks", "list"),
    "ArticleSources": ("Article sources", "list"),
    "DataInfoBox": ("Info box", "box"),
    "DataCrux": ("Crux", "crux"),
    "DataEstimateBox": ("Estimate", "estimate"),
    "CruxList": ("Cruxes", "list"),
}
DATA_MISSING = (
    "this {noun}'s data is kept in the Longterm Wiki's database and is not available here."
)
CRUX_FIELDS = (
    ("domain", "Domain"),
    ("importance", "Importance"),
    ("resolvability", "Resolvability"),
    ("currentState", "Current state"),
)
DISAGREEMENT_COLUMNS = [
    "Position", "View", "Held by", "Estimate", "Evidence", "Quote", "Confidence", "Strength",
]  # fmt: skip
# The keys that hold an object's value when it stands in a table cell or a definition.
VALUE_KEYS = ("value", "label", "name", "title", "text")
SQUIGGLE_NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"
SQUIGGLE_VALUE_RE = re.compile(rf"\(?\s*({SQUIGGLE_NUMBER})(?:\s+to\s+({SQUIGGLE_NUMBER}))?\s*\)?")
SQUIGGLE_ASSIGNMENT_RE = re.compile(r"^([A-Za-z_]\w*)\s*=\s*(.+)$", re.M)
SQUIGGLE_ENTRY_RE = re.compile(r"^\s*\"((?:[^\"\\]|\\.)*)\"\s*:\s*(.+?)\s*,?\s*$", re.M)


@dataclass(frozen=True)
class MdxNote:
    """A component the conversion reduced or could not convert, and the line of its tag."""

    line: int
    message: str


@dataclass
class MdxConversion:
    """An MDX body as Markdown, with what it cites and links to and what was reduced."""

    markdown: str
    citations: list[tuple[str, int]] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)
    notes: list[MdxNote] = field(default_factory=list)
    # The ids looked up in `entity_slugs`, found or not: all the conversion read of it, so
    # that an importer can tell whether a change to the map changes this page.
    entity_ids: list[str] = field(default_factory=list)


def mdx_to_markdown(
    body: str,
    *,
    first_line: int = 1,
    entity_slugs: Mapping[str, str] | None = None,
    front_matter: Mapping | None = None,
) -> MdxConversion:
    """Convert an MDX page body to our Markdown; see the module docstring for the rules."""
    found = _Found(entity_slugs or {}, front_matter or {})
    lines = _Lines(body, first_line)
    converter = _Converter(body, found, lines, document=True)
    markdown = _links_closed(converter.convert(), body, found, lines)
    return MdxConversion(
        markdown=_tidy(markdown),
        citations=[(ref, line) for _, ref, line in sorted(found.citations, key=_by_key)],
        links=[(slug, line) for _, slug, line in sorted(found.links, key=_by_key)],
        notes=[note for _, note in sorted(found.notes, key=_by_key)],
        entity_ids=sorted(found.entity_ids),
    )


def _links_closed(markdown: str, body: str, found: _Found, lines: _Lines) -> str:
    """Close links whose URL's parentheses took the closing one the link needed.

    `[Wikipedia](https://en.wikipedia.org/wiki/Claude_(language_model) |` in a table cell
    lost its last `)`; CommonMark then shows the whole link as text.
    """

    def close(match: re.Match) -> str:
        offset = max(body.find(match[0]), 0)
        found.notes.append((lines.key(offset), MdxNote(lines.line(offset), "unclosed link closed")))
        return match[0] + ")"

    out, fence = [], None
    for line in markdown.split("\n"):
        if fence is not None:
            fence = None if _closing_fence_re(fence).fullmatch(line) else fence
        elif (opener := FENCE_RE.match(line)) and _is_fence(opener):
            fence = opener[1]
        elif "`" not in line:  # code spans are left alone
            line = UNCLOSED_LINK_RE.sub(close, line)
        out.append(line)
    return "\n".join(out)


def markdown_to_mdx(markdown: str) -> str:
    """Write our citations, page links and comments back as MDX; leave code untouched."""
    out: list[str] = []
    pos, end, memo = 0, len(markdown), _ScanMemo(markdown)
    while (match := MARKDOWN_TRIGGER_RE.search(markdown, pos)) is not None:
        out.append(markdown[pos : match.start()])
        pos = match.start()
        skipped = _code_end(markdown, pos, end, memo)
        if skipped is None and markdown.startswith("`", pos):
            skipped = _run_end(markdown, pos, end)  # a backtick string with no match is text
        if skipped is not None:
            out.append(markdown[pos:skipped])
            pos = skipped
        elif markdown.startswith("\\", pos):
            out.append(markdown[pos : pos + 2])
            pos += 2
        elif (comment := comment_match(HTML_COMMENT_RE, markdown, pos)) is not None:
            out.append(_jsx_comment(comment[1]))
            pos = comment.end()
        elif (ref := ref_match(markdown, pos)) is not None:
            out.append(_reference_jsx(ref))
            pos = ref.end()
        else:
            out.append(markdown[pos])
            pos += 1
    out.append(markdown[pos:])
    return "".join(out)


def mdx_line_of(text: str, offset: int, *, first_line: int = 1) -> int:
    """Return the line number of a character offset in text, counting from first_line."""
    return first_line + text.count("\n", 0, offset)


def _reference_jsx(ref: re.Match) -> str:
    text = ref["text"]
    if ref["cite"]:
        attrs, tag = f'id="{ref["ref"]}"', "R"
    else:
        attrs, tag = f'name="{ref["ref"]}"', "EntityLink"
    if text is None:
        return f"<{tag} {attrs} />"
    # MDX has no HTML comments, inside a reference's text either.
    text = comments_sub(HTML_COMMENT_RE, lambda m: _jsx_comment(m[1]), text)
    return f"<{tag} {attrs}>{text}</{tag}>"


# Linear scanning. A regex tried at every opener that scans to the end of the text for a
# closer that is not there is quadratic: 200 KB of `[[a|`, `<!--` or `{/*` took 30-70 s
# to import. Each guard below answers "no match" at once when no closer can follow.


@text_memo(maxsize=16)
def _ref_stops(text: str) -> list[int]:
    """Positions of `]` and newlines: a reference's text ends at the first one after it."""
    return [i for i, char in enumerate(text) if char in "]\n"]


def ref_at(text: str, pos: int, end: int | None = None) -> bool:
    """Tell whether REF_ANY_RE matches at pos, without scanning the reference's text."""
    end = len(text) if end is None else end
    head = REF_HEAD_RE.match(text, pos, end)
    if head is None:
        return False
    after = head.end()
    if text.startswith("]]", after, end):
        return True
    if not (text.startswith("|", after, end) or text.startswith("\\|", after, end)):
        return False
    stops = _ref_stops(text)
    i = bisect_left(stops, after)
    return i < len(stops) and text.startswith("]]", stops[i], end)


def ref_match(text: str, pos: int, end: int | None = None) -> re.Match | None:
    """REF_ANY_RE.match, run only where it succeeds (then it consumes what it scans)."""
    end = len(text) if end is None else end
    return REF_ANY_RE.match(text, pos, end) if ref_at(text, pos, end) else None


def refs_sub(repl, text: str) -> str:
    """REF_ANY_RE.sub, linear."""
    out, pos = [], 0
    while (start := text.find("[[", pos)) != -1:
        match = ref_match(text, start)
        if match is None:
            out.append(text[pos : start + 1])
            pos = start + 1
            continue
        out.append(text[pos:start] + repl(match))
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


@text_memo(maxsize=32)
def _last_end(text: str, pattern: re.Pattern) -> tuple[int, int]:
    """Where the last closer of a comment pattern starts and ends in text, or (-1, -1)."""
    if pattern is HTML_COMMENT_RE:  # a literal closer: found from the end at C speed
        start = text.rfind("-->")
        return (start, start + 3) if start >= 0 else (-1, -1)
    span = (-1, -1)
    for closer in COMMENT_ENDS[pattern].finditer(text):
        span = closer.span()
    return span


def comment_match(pattern: re.Pattern, text: str, pos: int, end: int | None = None):
    """A comment pattern's match at pos, tried only when a closer follows (then the lazy
    match stops at the first one, and the caller consumes what it scanned)."""
    end = len(text) if end is None else end
    if _last_end(text, pattern)[0] < pos:
        return None
    return pattern.match(text, pos, end)


def comments_sub(pattern: re.Pattern, repl, text: str) -> str:
    """pattern.sub for a comment pattern, linear: past the last closer nothing can match,
    and before it every opener's match succeeds and is consumed."""
    last = _last_end(text, pattern)[1]
    if last < 0:
        return text
    return pattern.sub(repl, text[:last]) + text[last:]


def _jsx_comment(text: str) -> str:
    return "{/*" + text.replace("*/", "* /") + "*/}"


def _html_comment(text: str) -> str:
    """Return an HTML comment that CommonMark reads as one and that can become a JSX comment."""
    # No `--` (so no `-->`) inside, as CommonMark's inline comments require, and no `*/`.
    core = re.sub(r"-(?=-)", "- ", text.strip()).replace("*/", "* /")
    return f"<!-- {core} -->"


@dataclass
class _Found:
    """What a conversion found, keyed by position so nested conversions sort into order."""

    entity_slugs: Mapping[str, str]
    front_matter: Mapping
    citations: list[tuple[tuple[int, ...], str, int]] = field(default_factory=list)
    links: list[tuple[tuple[int, ...], str, int]] = field(default_factory=list)
    notes: list[tuple[tuple[int, ...], MdxNote]] = field(default_factory=list)
    # Kept through a rollback: a lookup whose result was dropped may decide it next time.
    entity_ids: set[str] = field(default_factory=set)

    def mark(self) -> tuple[int, int, int]:
        return len(self.citations), len(self.links), len(self.notes)

    def rollback(self, mark: tuple[int, int, int]) -> None:
        del self.citations[mark[0] :], self.links[mark[1] :], self.notes[mark[2] :]


def _by_key(entry: tuple) -> tuple[int, ...]:
    return entry[0]


class _Lines:
    """Line numbers and sort keys for offsets in one text (a body, or a prop string in one)."""

    def __init__(self, text: str, first_line: int, key: tuple[int, ...] = ()):
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._first_line = first_line
        self._key = key

    def index(self, offset: int) -> int:
        return bisect_left(self._newlines, offset)

    def line(self, offset: int) -> int:
        return self._first_line + self.index(offset)

    def key(self, offset: int) -> tuple[int, ...]:
        return (*self._key, offset)


@dataclass
class _Attr:
    name: str
    kind: str  # "string" (a JSX string), "expr" (a `{...}` expression) or "flag"
    start: int  # where the value's text starts
    end: int


@dataclass
class _Tag:
    name: str
    start: int
    end: int  # just after the closing `>` or `/>`
    attrs: list[_Attr]
    self_closing: bool


@dataclass
class _JsStr:
    text: str
    offset: int  # where the literal's text starts in the converter's text


@dataclass
class _JsWord:
    text: str  # a number, `true`, or a name such as `frontmatter.ratings`


@dataclass
class _JsObject:
    entries: list[tuple[str, int, bool, object]]  # key, its offset, key is quoted prose, value


@dataclass
class _Item:
    fields: list[str]
    children: list[_Item]


class _ScanMemo:
    """Answers about one text that its scans ask again and again from later positions.

    A page of unclosed tags (or tags with an unclosed quote or brace) asks, at each one,
    whether something closes it further on: a search to the end each time made the
    conversion quadratic. The answers are remembered and reused.
    """

    def __init__(self, text: str):
        self.text = text
        self._seen: dict[str, tuple[int, int]] = {}  # needle: (asked from, first found or -1)
        self._matches: dict[tuple, tuple[int, re.Match | None]] = {}  # (pattern, end): ...
        self._braces: dict[int, dict[int, int | None]] = {}  # end: {`{` position: its `}`}
        self._failing: dict[tuple, set[int]] = {}

    def find(self, needle: str, start: int) -> int:
        asked, found = self._seen.get(needle, (None, -1))
        if asked is not None and asked <= start and (found < 0 or start <= found):
            return found
        found = self.text.find(needle, start)
        self._seen[needle] = (start, found)
        return found

    def within(self, needle: str, start: int, end: int) -> bool:
        """Tell whether needle occurs whole in text[start:end], as text.find(needle, start, end)."""
        found = self.find(needle, start)
        return found >= 0 and found + len(needle) <= end

    def find_within(self, needle: str, start: int, end: int) -> int:
        """text.find(needle, start, end)."""
        return self.find(needle, start) if self.within(needle, start, end) else -1

    def search(self, pattern: re.Pattern, start: int, end: int) -> re.Match | None:
        """pattern.search(text, start, end): a match at a place is the same wherever the search
        began (lookbehinds see before start), so the first match from an earlier start stands
        for every start up to it."""
        asked, found = self._matches.get((pattern, end), (None, None))
        if asked is not None and asked <= start and (found is None or start <= found.start()):
            return found
        found = pattern.search(self.text, start, end)
        self._matches[pattern, end] = (start, found)
        return found

    def braces(self, end: int) -> dict[int, int | None]:
        """The closing `}` (or None) of each `{` whose expression was read up to end."""
        return self._braces.setdefault(end, {})

    def failing(self, closing: str, end: int, dedent: int) -> set[int]:
        """Where a search for this closing tag (to end, with this dedent) ran out without it."""
        return self._failing.setdefault((closing, end, dedent), set())


class _Converter:
    """Convert one text (a body, or a string found in a component's props) to Markdown."""

    def __init__(self, text: str, found: _Found, lines: _Lines, *, document=False, depth=0):
        self.text = text
        self.found = found
        self.lines = lines
        self.document = document
        self.depth = depth
        self.table_lines = _table_lines(text) if document else frozenset()
        self._memo = _ScanMemo(text)

    def convert(self) -> str:
        pieces, _ = self._scan(0, len(self.text), None, 0)
        return "".join(pieces)

    # The scan ------------------------------------------------------------------------------

    def _scan(self, start: int, end: int, closing: str | None, dedent: int):
        """Convert text[start:end]; with `closing`, stop at that component's closing tag.

        Return the Markdown pieces and the closing tag's span (None when it was not found).
        """
        text, out = self.text, []
        trigger = DOCUMENT_TRIGGER_RE if self.document and self.depth == 0 else TRIGGER_RE
        # Where a search for this closing tag already ran to the end without it: reaching one
        # again, this search fails too. Without this, every unclosed tag made its parent scan
        # its children again: 20 nested tags with one closing tag took seconds (2^20 scans).
        failing = self._memo.failing(closing, end, dedent) if closing else None
        passed: list[int] = []
        pos = start
        while (match := trigger.search(text, pos, end)) is not None:
            if failing is not None:
                if match.start() in failing:
                    failing.update(passed)
                    return out, None
                passed.append(match.start())
            self._copy_text(out, pos, match.start(), dedent)
            pos = match.start()
            if text.startswith("</", pos):
                close = CLOSE_TAG_RE.match(text, pos, end)
                if close is not None and close[1] == closing:
                    return out, (pos, close.end())
                stop = close.end() if close else pos + 2
                self._note(pos, f"stray closing tag {text[pos:stop].strip()} kept as written")
                out.append(text[pos:stop])
                pos = stop
            elif text.startswith("<!--", pos):
                pos = self._comment(out, pos, end, HTML_COMMENT_RE)
            elif text.startswith("<", pos):
                pos = self._tag(out, pos, end, dedent)
            elif JSX_COMMENT_OPEN_RE.match(text, pos, end):
                pos = self._comment(out, pos, end, JSX_COMMENT_RE)
            elif text.startswith("{", pos):
                pos = self._front_matter(out, pos, end)
            elif text.startswith("[[", pos):
                # A literal `[[x]]` in MDX is text; unescaped, our syntax would make it a link.
                out.append("\\[" if ref_at(text, pos, end) else "[")
                pos += 1
            elif (entity := ESCAPED_ENTITY_RE.match(text, pos, end)) is not None:
                # `\&lt;` shows readers "&lt;": the author meant the character.
                self._note(pos, f"escaped entity {entity[1]} written as the character it names")
                out.append(entity[1])
                pos = entity.end()
            elif text.startswith("\\", pos):
                self._copy(out, pos, min(pos + 2, end), dedent)
                pos = min(pos + 2, end)
            elif (esm := self._esm(pos, end)) is not None:
                pos = esm
            else:
                skipped = _code_end(text, pos, end, self._memo)
                stop = skipped if skipped is not None else _run_end(text, pos, end)
                self._copy(out, pos, stop, dedent)
                pos = stop
        self._copy_text(out, pos, end, dedent)
        if failing is not None:
            failing.update(passed)
        return out, None

    def _esm(self, pos: int, end: int) -> int | None:
        if not (self.document and self.depth == 0):
            return None
        esm = ESM_RE.match(self.text, pos, end)
        return esm.end() if esm else None

    def _copy_text(self, out: list[str], start: int, stop: int, dedent: int) -> None:
        """Copy text that holds no code and no escapes (where the scans stop)."""
        if self.document:
            self._copy(out, start, stop, dedent)
        elif start < stop:
            # A prop string is JavaScript, where `$` means nothing; in our Markdown it opens math.
            out.append(self.text[start:stop].replace("$", "\\$"))

    def _copy(self, out: list[str], start: int, stop: int, dedent: int) -> None:
        if start >= stop:
            return
        segment = self.text[start:stop]
        if dedent:
            segment = _dedent(segment, dedent, at_line_start=self._at_line_start(start))
        out.append(segment)

    def _at_line_start(self, pos: int) -> bool:
        return pos == 0 or self.text[pos - 1] == "\n"

    def _comment(self, out: list[str], pos: int, end: int, pattern: re.Pattern) -> int:
        match = comment_match(pattern, self.text, pos, end)
        if match is None and pattern is HTML_COMMENT_RE:
            # Escaped, or a `-->` this conversion writes later would close it.
            out.append("\\<")
            return pos + 1
        if match is None:
            self._note(pos, "unclosed JSX comment kept as written")
            out.append("\\{")  # escaped, or a comment this conversion writes would close it
            return pos + 1
        out.append(_html_comment(match[1]))
        return match.end()

    def _front_matter(self, out: list[str], pos: int, end: int) -> int:
        """Write `{frontmatter.key}` in a body as that front matter value, as MDX shows it."""
        expr = FRONT_MATTER_RE.match(self.text, pos, end)
        if expr is None or not self.document:
            # Another expression, or literal text in a prop string: kept, escaped.
            if self.document:
                self._note(pos, "expression {frontmatter...} kept as written")
            out.append("\\{")
            return pos + 1
        text = _front_matter_text(_front_matter_value(self.found.front_matter, expr[1]))
        if text is None:
            self._note(pos, f"{{frontmatter.{expr[1]}}} dropped: no such text in the front matter")
            return expr.end()
        self._note(pos, f"{{frontmatter.{expr[1]}}} became its front matter value")
        out.append(self._converted(text, pos))
        return expr.end()

    def _tag(self, out: list[str], pos: int, end: int, dedent: int) -> int:
        tag = _parse_open_tag(self.text, pos, end, self._memo)
        if tag is None:
            name = OPEN_TAG_RE.match(self.text, pos, end)
            if name is not None:
                self._note(pos, f"malformed tag <{name[1]}> kept as text")
            # Escaped even when it is no tag attempt (`a<B`): at the end of a line, in the
            # Markdown we write, it would become one.
            out.append("\\<")
            return pos + 1
        if tag.self_closing:
            first = len(out)
            return self._unfused(out, first, self._component(tag, None, out, tag.end, end))
        if self.depth >= MAX_DEPTH or not self._memo.within(f"</{tag.name}", tag.end, end):
            return self._unclosed(tag, out)
        mark = self.found.mark()
        self.depth += 1
        pieces, close = self._scan(tag.end, end, tag.name, self._child_dedent(tag, dedent))
        self.depth -= 1
        if close is None:
            self.found.rollback(mark)
            return self._unclosed(tag, out)
        first = len(out)
        resume = self._component(tag, "".join(pieces), out, close[1], end)
        return self._unfused(out, first, resume)

    def _unfused(self, out: list[str], first: int, resume: int) -> int:
        """Keep apart backticks that a component's output (from out[first]) put side by side.

        Two runs side by side make one longer run, which pairs differently as a code span.
        """
        first = min(first, len(out))  # placing a block may drop trailing blank pieces
        before = next((i for i in range(first - 1, -1, -1) if out[i]), None)
        after = next((i for i in range(first, len(out)) if out[i]), None)
        if None not in (before, after) and out[before][-1] == "`" == out[after][0]:
            out[after] = " " + out[after]
        if out and out[-1].endswith("`") and self.text.startswith("`", resume):
            out.append(" ")
        return resume

    def _unclosed(self, tag: _Tag, out: list[str]) -> int:
        words = [tag.name, *(attr.name for attr in tag.attrs)]
        if (
            not tag.self_closing
            and len(words) > 1
            and all(attr.kind == "flag" for attr in tag.attrs)
            and all(PROSE_WORD_RE.fullmatch(word) for word in words)
        ):
            # `<Paul Christiano>`: a name in angle brackets, never closed, is prose.
            self._note(tag.start, f"<{' '.join(words)}> is prose, not a component; kept its words")
            out.append(" ".join(words))
            return tag.end
        self._note(tag.start, f"unclosed <{tag.name}> kept as text")
        # Escaped, so that neither our renderer nor a re-import takes it for a tag; the rest
        # of the tag is scanned as text, as a re-import would scan it.
        out.append("\\<")
        return tag.start + 1

    def _child_dedent(self, tag: _Tag, dedent: int) -> int:
        """Return how much indentation to take off children that start on a line of their own."""
        line_end = self.text.find("\n", tag.end)
        if line_end < 0 or self.text[tag.end : line_end].strip():
            return dedent
        pos = line_end + 1
        while (match := INDENT_RE.match(self.text, pos)) is not None and match[1] is None:
            pos = match.end()
        # MDX has no indented code blocks; CommonMark would read 4 spaces as one.
        return len(match[1]) if match else dedent

    def _note(self, pos: int, message: str) -> None:
        self.found.notes.append((self.lines.key(pos), MdxNote(self.lines.line(pos), message)))

    # Components ----------------------------------------------------------------------------

    def _component(self, tag: _Tag, children: str | None, out, resume: int, end: int) -> int:
        name = tag.name
        has_children = bool(children and children.strip())
        if name == "R":
            out.append(self._citation(tag, children or ""))
        elif name == "EntityLink":
            self._append_link(out, self._entity_link(tag, children or "", resume))
        elif has_children and name in PANELS:
            block = getattr(self, PANELS[name])(tag, children)
            return self._place_block(out, block, resume, end)
        elif has_children:
            return self._keep_children(tag, children, out, resume, end)
        elif name in INLINE_VALUES:
            self._note(tag.start, f"component <{name}>: its value is not in the files")
            out.append(VALUE_MISSING)
        elif (block := self._data_block(tag)) is not None:
            return self._place_block(out, block, resume, end) if block else resume
        elif (external := _external_data(name)) is not None:
            label, noun = external
            label = self._attr_prose(tag, "title") or label
            self._note(tag.start, f"component <{name}>: its data is not in the files")
            line = f"*{label}: {DATA_MISSING.format(noun=noun)}*"
            return self._place_block(out, line, resume, end)
        else:
            prose = self._prose(tag)
            if prose is None:
                self._note(tag.start, f"component <{name}> dropped: no prose in its props")
                return resume
            self._note(tag.start, f"component <{name}> reduced to its text")
            return self._place_block(out, prose, resume, end)
        return resume

    def _citation(self, tag: _Tag, text: str) -> str:
        ref = self._attr_text(tag, "id")
        if ref is None or not NAME_RE.fullmatch(ref):
            self._note(tag.start, f"<R> with id {ref!r} cannot be a citation; kept its text")
            return text
        self.found.citations.append((self.lines.key(tag.start), ref, self.lines.line(tag.start)))
        text = self._unlinked(tag, text)
        marker = self._reference(f"cite:{ref}", text, tag)
        if marker is not None:
            return marker
        self._note(tag.start, "citation text cannot go inside [[cite:...]]; written before it")
        # A trailing backslash would escape the marker's `[`.
        return text + (" " if text.endswith("\\") else "") + f"[[cite:{ref}]]"

    def _entity_link(self, tag: _Tag, children: str, resume: int) -> str:
        names = [attr for attr in tag.attrs if attr.name == "name"]
        slug = self._attr_text(tag, "name")
        if len(names) > 1:
            self._note(tag.start, f"<EntityLink> repeats name=; kept the first ({slug})")
        entity_id = self._attr_text(tag, "id")
        if not slug and entity_id:
            self.found.entity_ids.add(entity_id)
            slug = self.found.entity_slugs.get(entity_id)
        text = children if children.strip() else self._attr_prose(tag, "label")
        if not slug or not NAME_RE.fullmatch(slug):
            self._note(
                tag.start, f"<EntityLink id={entity_id!r}> names no known page; kept its text"
            )
            return text or entity_id or ""
        if text.strip() and self._in_link_text(tag.start, resume):
            self._note(tag.start, "page link inside a Markdown link's text kept as its text")
            return text
        self.found.links.append((self.lines.key(tag.start), slug, self.lines.line(tag.start)))
        urls = [link[2] for link in INNER_LINK_RE.finditer(text)]
        text = self._unlinked(tag, text)
        marker = self._reference(slug, text, tag)
        if marker is not None:
            # The page link wins the text; the outside link it held follows, so that nothing
            # is lost (a link to a source's URL is also a citation of it).
            return marker + "".join(_host_link(url) for url in urls)
        self._note(tag.start, "link text cannot go inside [[...]]; written as a Markdown link")
        return f"[{_link_text(text)}]({PAGE_URL.format(slug=slug)})"

    def _in_link_text(self, start: int, stop: int) -> bool:
        """Tell whether text[start:stop] sits in the text of a Markdown link, `[...](url)`."""
        blank = self.text.rfind("\n\n", 0, start)
        paragraph, depth = (0 if blank < 0 else blank + 2), 0
        for bracket in LINK_BRACKET_RE.finditer(self.text, paragraph, start):
            depth = max(0, depth + (1 if bracket[0] == "[" else -1 if bracket[0] == "]" else 0))
        if depth == 0:
            return False
        end = BLANK_LINE_AFTER_RE.search(self.text, stop)
        for bracket in LINK_BRACKET_RE.finditer(
            self.text, stop, end.start() if end else len(self.text)
        ):
            depth += 1 if bracket[0] == "[" else -1 if bracket[0] == "]" else 0
            if depth == 0:
                return self.text.startswith("(", bracket.end())
        return False

    def _unlinked(self, tag: _Tag, text: str) -> str:
        """Strip Markdown links from a reference's text: a link cannot hold another."""

        def unlink(link: re.Match) -> str:
            self._note(tag.start, f"link to {link[2]} in <{tag.name}> text kept as its text")
            return link[1]

        return INNER_LINK_RE.sub(unlink, text)

    def _append_link(self, out: list[str], link: str) -> None:
        if link.startswith("[") and out and out[-1].endswith("!") and not link.startswith("[["):
            out[-1] = out[-1][:-1] + "\\!"  # or `![...](...)` would be an image
        out.append(link)

    def _reference(self, target: str, text: str, tag: _Tag) -> str | None:
        """Return `[[target|text]]`, `[[target]]` without text, or None if text cannot fit."""
        if not text.strip():
            return f"[[{target}]]"
        if UNSAFE_TEXT_RE.search(text):
            return None
        pipe = "\\|" if self.lines.index(tag.start) in self.table_lines else "|"
        return f"[[{target}{pipe}{text}]]"

    def _keep_children(self, tag: _Tag, children: str, out, resume: int, end: int) -> int:
        self._note(tag.start, f"component <{tag.name}> reduced to its content")
        header = self._prose(tag)
        if header is not None and self._stands_alone(tag.start, resume):
            block = f"{header}\n\n{_strip_blank_edges(children)}"
            return self._place_block(out, block, resume, end)
        out.append(children)
        return resume

    def _stands_alone(self, start: int, stop: int) -> bool:
        """Tell whether text[start:stop] has nothing else on its first and last lines."""
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", stop)
        after = self.text[stop : len(self.text) if line_end < 0 else line_end]
        return not self.text[line_start:start].strip() and not after.strip()

    def _place_block(self, out: list[str], block: str, resume: int, end: int) -> int:
        """Append a block on lines of its own with blank lines around; return where to go on."""
        # Drop the indentation already copied before the tag.
        while out and not out[-1].rstrip(" \t"):
            out.pop()
        if out:
            out[-1] = out[-1].rstrip(" \t")
        newlines = _trailing_newlines(out)
        if newlines is not None and newlines < 2:
            out.append("\n" * (2 - newlines))
        out.append(block)
        pos = resume
        while pos < end and self.text[pos] in " \t":
            pos += 1
        if pos >= end:
            return pos
        if self.text[pos] != "\n":
            out.append("\n\n")
        elif not BLANK_LINE_RE.match(self.text, pos + 1, end):
            out.append("\n")
        return pos

    # Panels: components whose children are the content ------------------------------------

    def _aside(self, tag: _Tag, children: str) -> str:
        kind = CALLOUT_KINDS.get((self._attr_text(tag, "type") or "").strip().lower(), "note")
        self._note(tag.start, f"component <Aside> became a {kind} callout")
        return _container(kind, self._attr_prose(tag, "title"), children)

    def _box(self, tag: _Tag, children: str) -> str:
        self._note(tag.start, f"component <{tag.name}> became an aside")
        return _container("aside", self._attr_prose(tag, "title"), children)

    def _section(self, tag: _Tag, children: str) -> str:
        self._note(tag.start, f"component <{tag.name}> became a section")
        title = self._attr_prose(tag, "title") or SECTION_TITLES.get(tag.name, "")
        return _container("section", title, children)

    # Data: components whose props are the content -----------------------------------------

    def _data_block(self, tag: _Tag) -> str | None:
        """Return the Markdown for a data component, "" to drop it, or None if it has no data."""
        method = DATA_BLOCKS.get(tag.name)
        if method is None:
            return None
        mark = self.found.mark()
        block = getattr(self, method)(tag)
        if block is None:
            self.found.rollback(mark)
        return block

    def _mermaid(self, tag: _Tag) -> str | None:
        chart = self._attr_text(tag, "chart")
        if not chart:
            return None
        if "${" in chart:
            self._note(tag.start, "template substitution in <Mermaid> kept as written")
        if CHART_REFERENCE_RE.search(chart):
            # A diagram's labels are text: a page link or a citation in one keeps its text.
            self._note(tag.start, "links in a <Mermaid> chart kept as their text")
            chart = CHART_REFERENCE_RE.sub(lambda ref: ref[2], chart)
        return _fenced("mermaid", chart)

    def _squiggle(self, tag: _Tag) -> str | None:
        code = self._attr_text(tag, "code")
        if not code:
            return None
        self._note(tag.start, "component <SquiggleEstimate> became a section with its code")
        parts = [_fenced("squiggle", code)]
        if ranges := _squiggle_ranges(code):
            parts.append(ranges)
        return _container("section", self._attr_prose(tag, "title") or "Estimate", parts)

    def _key_questions(self, tag: _Tag) -> str | None:
        lines = []
        for question in _list(self._prop(tag, "questions")):
            if not isinstance(question, _JsObject):
                lines += [f"- {_block_safe(text)}"] if (text := self._text(question)) else []
                continue
            text = self._text(_get(question, "question"))
            positions = [
                line for p in _list(_get(question, "positions")) if (line := self._view_line(p))
            ]
            if text:
                lines.append(f"- **{text}**" if positions else f"- {_block_safe(text)}")
            indent = "  " if text else ""
            lines += [f"{indent}- {_block_safe(line)}" for line in positions]
        if not lines:
            return None
        self._note(tag.start, "component <KeyQuestions> became a section with a list")
        title = self._attr_prose(tag, "title") or SECTION_TITLES["KeyQuestions"]
        return _container("section", title, ["\n".join(lines)])

    def _view_line(self, view: object) -> str:
        """Return a position on a question: the position, its confidence, why, and so what."""
        if not isinstance(view, _JsObject):
            return self._text(view)
        head = self._text(_get(view, "position") or _get(view, "view"))
        confidence = self._text(_get(view, "confidence"))
        reasoning = self._text(_get(view, "reasoning"))
        implications = self._text(_get(view, "implications"))
        text = f"**{head}**" if head else ""
        if confidence:
            text += f" ({confidence} confidence)" if text else f"Confidence: {confidence}"
        if reasoning:
            text += f": {reasoning}" if text else reasoning
        if implications:
            text += f"{_stop(text)} *Implications:* {implications}" if text else implications
        return text

    def _crux(self, tag: _Tag) -> str | None:
        question = self._attr_prose(tag, "question")
        parts = [_block_safe(self._attr_prose(tag, "description"))]
        fields = [
            (label, [text])
            for key, label in CRUX_FIELDS
            if (text := self._text(self._prop(tag, key)))
        ]
        parts.append(_deflist(fields))
        rows = [
            [self._text(_get(p, key)) for key in ("view", "probability", "holders", "implications")]
            for p in _list(self._prop(tag, "positions"))
            if isinstance(p, _JsObject)
        ]
        parts.append(_table(["View", "Probability", "Held by", "Implications"], rows))
        updates = [t for v in _list(self._prop(tag, "wouldUpdateOn")) if (t := self._text(v))]
        parts.append(_headed("Would update on", _bullets(updates)))
        if related := self._text(self._prop(tag, "relatedCruxes")):
            parts.append(f"**Related cruxes:** {related}")
        research = self._items(self._prop(tag, "relevantResearch"), 0)
        parts.append(_headed("Relevant research", _list_lines(research)))
        if not question and not any(parts):
            return None
        self._note(tag.start, "component <Crux> became a section")
        return _container("section", question or "Crux", parts)

    def _crux_list(self, tag: _Tag) -> str | None:
        rows = [
            [self._text(_get(c, key)) for key in ("question", "importance", "timeframe", "summary")]
            for c in _list(self._prop(tag, "cruxes"))
            if isinstance(c, _JsObject)
        ]
        table = _table(["Question", "Importance", "Timeframe", "Summary"], rows)
        if not table:
            return None
        self._note(tag.start, "component <CruxList> became a section with a table")
        domain = self._attr_prose(tag, "domain")
        return _container("section", f"Cruxes: {domain}" if domain else "Cruxes", [table])

    def _disagreement_map(self, tag: _Tag) -> str | None:
        rows = []
        for p in _list(self._prop(tag, "positions")):
            if not isinstance(p, _JsObject):
                continue
            # `name` is the position when others hold it (`proponents`), else who holds it.
            proponents = _get(p, "proponents")
            name = _get(p, "name")
            position = _get(p, "position") or (name if proponents else None)
            holder = _get(p, "actor") or _get(p, "person") or (None if proponents else name)
            views = [self._text(_get(p, key)) for key in ("description", "reasoning")]
            quote = self._text(_get(p, "quote"))
            stance = self._text(_get(p, "stance")).replace("-", " ")  # `short-timelines`
            rows.append(
                [
                    self._text(position) or stance,
                    " ".join(view for view in views if view),
                    self._text(holder or proponents),
                    self._text(_get(p, "estimate")),
                    self._text(_get(p, "evidence")),
                    f"“{quote}”" if quote else "",
                    self._text(_get(p, "confidence")),
                    self._text(_get(p, "strength")),
                ]
            )
        table = _table(DISAGREEMENT_COLUMNS, rows)
        if not table:
            return None
        self._note(tag.start, "component <DisagreementMap> became a section with a table")
        parts = [_block_safe(self._attr_prose(tag, "description"))]
        spectrum = self._prop(tag, "spectrum")
        if isinstance(spectrum, _JsObject):
            low, high = self._text(_get(spectrum, "low")), self._text(_get(spectrum, "high"))
            if low and high:
                parts.append(f"Spectrum: from {low} to {high}.")
        parts.append(table)
        title = self._attr_prose(tag, "title") or self._attr_prose(tag, "topic") or "Positions"
        return _container("section", title, parts)

    def _key_people(self, tag: _Tag) -> str | None:
        items = []
        for person in _list(self._prop(tag, "people")):
            if not isinstance(person, _JsObject):
                items += [(text, [])] if (text := self._text(person)) else []
                continue
            name = self._text(_get(person, "name"))
            roles = [self._text(_get(person, key)) for key in ("role", "background", "description")]
            roles = [role for role in roles if role]
            url = next((u for link in _list(_get(person, "links")) if (u := _url(link))), "")
            if name and url:
                name = _with_link([name], url)[0]
            if name or roles:
                items.append((name, roles) if name else (roles[0], roles[1:]))
        if not items:
            return None
        self._note(tag.start, "component <KeyPeople> became a definition list")
        return _deflist(items)

    def _info_box(self, tag: _Tag) -> str | None:
        fields = []
        for field_ in _list(self._prop(tag, "customFields")):
            if isinstance(field_, _JsObject):
                fields.append(
                    (self._text(_get(field_, "label")), [self._text(_get(field_, "value"))])
                )
        data = self._prop(tag, "data")
        if isinstance(data, _JsObject):
            for key, offset, quoted, value in data.entries:
                label = self._inline(_JsStr(key, offset)) if quoted else _words(key)
                fields.append((label, [self._text(value)]))
        title = self._attr_prose(tag, "title")
        ratings = self._prop(tag, "ratings")
        if isinstance(ratings, _JsWord) and (path := FRONT_MATTER_PATH_RE.fullmatch(ratings.text)):
            ratings = _front_matter_value(self.found.front_matter, path[1])
            if ratings is None and not fields:
                self._note(
                    tag.start, f"component <{tag.name}> dropped: no {path[1]} in the front matter"
                )
                return ""
        fields += self._ratings(ratings)
        fields = [(label, values) for label, values in fields if label or any(values)]
        if not fields:
            return None
        self._note(tag.start, f"component <{tag.name}> became an aside")
        return _container("aside", title or ("Ratings" if ratings else ""), [_deflist(fields)])

    def _ratings(self, ratings: object) -> list[tuple[str, list[str]]]:
        """Return ratings (`{focus: 7}`, from the props or the front matter) as fields."""
        if isinstance(ratings, _JsObject):
            ratings = {
                key: value.text
                for key, _, _, value in ratings.entries
                if isinstance(value, _JsWord)
            }
        if not isinstance(ratings, Mapping):
            return []
        return [
            (_plain(_words(str(key))), [f"{value}/10"])
            for key, value in ratings.items()
            if not isinstance(value, bool) and re.fullmatch(r"\d+(?:\.\d+)?", str(value))
        ]

    def _cause_effect_graph(self, tag: _Tag) -> str | None:
        ids: dict[str, str] = {}
        nodes, edges, key = [], [], []

        def node_id(name: str) -> str:  # an edge's end that no node declares is named by it
            if name not in ids:
                ids[name] = f"n{len(nodes) + 1}"
                nodes.append(f'    {ids[name]}["{_mermaid_text(name)}"]')
            return ids[name]

        for node in _list(self._prop(tag, "initialNodes") or self._prop(tag, "nodes")):
            if not isinstance(node, _JsObject):
                continue
            name = _raw(_get(node, "id"))
            data = _get(node, "data") if isinstance(_get(node, "data"), _JsObject) else node
            label = _get(data, "label") or _get(node, "label")
            text = _raw(label) or name
            if not text:
                continue
            ident = f"n{len(nodes) + 1}"  # Mermaid ids of our own: any id is safe
            ids.setdefault(name, ident)
            nodes.append(f'    {ident}["{_mermaid_text(text)}"]')
            details = [self._text(_get(data, k)) for k in ("description", "details")]
            if any(details):
                term = self._inline(label) if isinstance(label, _JsStr) else _plain(text)
                key.append((term, [" ".join(d for d in details if d)]))
        for edge in _list(self._prop(tag, "initialEdges") or self._prop(tag, "edges")):
            if not isinstance(edge, _JsObject):
                continue
            source, target = _raw(_get(edge, "source")), _raw(_get(edge, "target"))
            if not source or not target:
                continue
            style = _get(edge, "style")
            dashed = isinstance(style, _JsObject) and _get(style, "strokeDasharray") is not None
            arrow = "-.->" if dashed else "-->"
            if label := _raw(_get(edge, "label")):
                arrow += f'|"{_mermaid_text(label)}"|'
            edges.append(f"    {node_id(source)} {arrow} {node_id(target)}")
        if not nodes:
            return None
        self._note(tag.start, "component <CauseEffectGraph> became a Mermaid flowchart")
        chart = _fenced("mermaid", "\n".join(["flowchart TD", *nodes, *edges]))
        return "\n\n".join(part for part in (chart, _deflist(key)) if part)

    def _comparison_table(self, tag: _Tag) -> str | None:
        # Columns as named by `columns`, else every key of the rows' values in order.
        columns = [c for c in _list(self._prop(tag, "columns")) if isinstance(c, _JsStr)]
        named = bool(columns)
        records = []
        for row in _list(self._prop(tag, "rows")) + _list(self._prop(tag, "items")):
            if not isinstance(row, _JsObject):
                continue
            values = _get(row, "values") or _get(row, "attributes")
            entries = values.entries if isinstance(values, _JsObject) else []
            records.append((_get(row, "name"), {key: value for key, _, _, value in entries}))
            for key, offset, _, _ in entries:
                if not named and all(column.text != key for column in columns):
                    columns.append(_JsStr(key, offset))
        if not records:
            return None
        self._note(tag.start, "component <ComparisonTable> became a section with a table")
        headings = ["", *(self._inline(column) for column in columns)]
        rows = [
            [self._text(name), *(self._text(values.get(c.text)) for c in columns)]
            for name, values in records
        ]
        table = _table(headings, rows, keep_first=True)
        return _container("section", self._attr_prose(tag, "title"), [table])

    def _timeline(self, tag: _Tag) -> str | None:
        rows = []
        for event in _list(self._prop(tag, "events")):
            if not isinstance(event, _JsObject):
                continue
            probability = _get(event, "probability")  # `0.25`, or a string as written
            rows.append(
                [
                    self._text(_get(event, "year") or _get(event, "date")),
                    self._text(_get(event, "label") or _get(event, "title")),
                    self._text(_get(event, "description")),
                    _percent(probability) or self._text(probability),
                    self._text(_get(event, "sources")),
                ]
            )
        table = _table(["When", "Event", "Description", "Probability", "Sources"], rows)
        if not table:
            return None
        self._note(tag.start, "component <TimelineViz> became a section with a table")
        return _container("section", self._attr_prose(tag, "title") or "Timeline", [table])

    def _tags(self, tag: _Tag) -> str | None:
        tags = self._text(self._prop(tag, "tags"))
        if not tags:
            return None
        self._note(tag.start, "component <Tags> became a line of tags")
        return f"**Tags:** {tags}"

    # Props ---------------------------------------------------------------------------------

    def _prop(self, tag: _Tag, name: str) -> object:
        """Return a prop's value: a string, an array, an object, a word (`12`, `a.b`) or None."""
        attr = next((attr for attr in tag.attrs if attr.name == name), None)
        if attr is None or attr.kind == "flag":
            return None
        if attr.kind == "string":
            return _JsStr(self.text[attr.start : attr.end], attr.start)
        return _JsReader(self.text, attr.start, attr.end).value()

    def _attr_text(self, tag: _Tag, name: str) -> str | None:
        """Return the text of a string prop (`name="..."` or `name={"..."}`), else None."""
        value = self._prop(tag, name)
        return value.text if isinstance(value, _JsStr) else None

    def _attr_prose(self, tag: _Tag, name: str) -> str:
        """Return a string prop converted to Markdown on one line ("" if there is none)."""
        value = self._prop(tag, name)
        return self._inline(value) if isinstance(value, _JsStr) else ""

    def _text(self, value: object) -> str:
        """Return a prop value as Markdown on one line: a string, a list, a number or a value."""
        if isinstance(value, _JsStr):
            return self._inline(value)
        if isinstance(value, _JsWord):
            return "" if value.text in ("null", "undefined") else _plain(value.text)
        if isinstance(value, list):
            return ", ".join(text for item in value if (text := self._text(item)))
        if isinstance(value, _JsObject):
            return self._text(next((v for k in VALUE_KEYS if (v := _get(value, k))), None))
        return ""

    def _prose(self, tag: _Tag) -> str | None:
        """Return a component's prose props as a bold title and a bullet list, or None."""
        title, items = None, []
        for attr in tag.attrs:
            if attr.kind == "flag" or not attr.name or _is_non_prose(attr.name):
                continue
            if attr.kind == "string":
                value = _JsStr(self.text[attr.start : attr.end], attr.start)
            else:
                value = _JsReader(self.text, attr.start, attr.end).value()
            if title is None and attr.name in TITLE_KEYS and isinstance(value, _JsStr):
                title = self._inline(value) or None
                continue
            items.extend(self._items(value, 0))
        if title is None and not items:
            return None
        lines = [f"**{title}**"] if title else []
        if items:
            lines += [""] if lines else []
            lines.append(_list_lines(items))
        return "\n".join(lines)

    def _items(self, value: object, depth: int) -> list[_Item]:
        if depth > MAX_DEPTH:
            return []
        if isinstance(value, _JsStr):
            text = self._inline(value)
            return [_Item([text], [])] if text else []
        if isinstance(value, list):
            return [item for element in value for item in self._items(element, depth + 1)]
        if isinstance(value, _JsObject):
            return self._object_items(value, depth)
        return []

    def _object_items(self, obj: _JsObject, depth: int) -> list[_Item]:
        fields, children, url = [], [], None
        for key, offset, quoted, value in obj.entries:
            if quoted:
                # A quoted key is a label written for readers ("Openness": "Closed").
                children.extend(self._keyed_items(_JsStr(key, offset), value, depth))
            elif _is_non_prose(key):
                continue
            elif key in URL_KEYS and isinstance(value, _JsStr):
                url = value.text.strip()
            elif isinstance(value, _JsStr):
                fields += [text] if (text := self._inline(value)) else []
            elif isinstance(value, list) and value and all(isinstance(v, _JsStr) for v in value):
                fields += [joined] if (joined := self._joined(value)) else []
            else:
                children += self._items(value, depth + 1)
        if url:
            fields = _with_link(fields, url)
        return [_Item(fields, children)] if fields else children

    def _keyed_items(self, key: _JsStr, value: object, depth: int) -> list[_Item]:
        label = self._inline(key)
        text = None
        if isinstance(value, _JsStr):
            text = self._inline(value)
        elif isinstance(value, list) and value and all(isinstance(v, _JsStr) for v in value):
            text = self._joined(value)
        if text is not None:
            return [_Item([label, text] if text else [label], [])]
        inner = self._items(value, depth + 1)
        if len(inner) == 1:
            return [_Item([label, *inner[0].fields], inner[0].children)]
        return [_Item([label], inner)]

    def _joined(self, strings: list[_JsStr]) -> str:
        return ", ".join(text for s in strings if (text := self._inline(s)))

    def _inline(self, value: _JsStr) -> str:
        """Convert a prop string (itself MDX) to Markdown on one line."""
        return self._converted(value.text, value.offset)

    def _converted(self, text: str, offset: int) -> str:
        """Convert a string found at offset (a prop, a front matter value) to one line."""
        if self.depth >= MAX_DEPTH:
            return _one_line(re.sub(r"(?<!\\)\$", r"\\$", text))
        lines = _Lines(text, self.lines.line(offset), self.lines.key(offset))
        converter = _Converter(text, self.found, lines, depth=self.depth + 1)
        return _one_line(converter.convert())


# Tags and JavaScript -----------------------------------------------------------------------


def _parse_open_tag(text: str, pos: int, end: int, memo: _ScanMemo | None = None) -> _Tag | None:
    """Parse the opening tag of a component at pos, or return None if it is malformed."""
    braces = memo.braces(end) if memo is not None else None
    match = OPEN_TAG_RE.match(text, pos, end)
    if match is None:
        return None
    attrs, i = [], match.end()
    while True:
        while i < end and text[i].isspace():
            i += 1
        if i >= end:
            return None
        if text.startswith("/>", i):
            return _Tag(match[1], pos, i + 2, attrs, True)
        if text[i] == ">":
            return _Tag(match[1], pos, i + 1, attrs, False)
        if text[i] == "{":  # a spread, `{...props}`
            close = _expression_end(text, i, end, known=braces)
            if close is None:
                return None
            attrs.append(_Attr("", "expr", i + 1, close))
            i = close + 1
            continue
        name = ATTR_NAME_RE.match(text, i, end)
        if name is None:
            return None
        i = name.end()
        while i < end and text[i].isspace():
            i += 1
        if i >= end or text[i] != "=":
            attrs.append(_Attr(name[0], "flag", i, i))
            continue
        i += 1
        while i < end and text[i].isspace():
            i += 1
        if i < end and text[i] in "\"'":
            # JSX strings have no escapes.
            close = (memo or _ScanMemo(text)).find_within(text[i], i + 1, end)
            if close < 0:
                return None
            attrs.append(_Attr(name[0], "string", i + 1, close))
            i = close + 1
        elif i < end and text[i] == "{":
            close = _expression_end(text, i, end, known=braces)
            if close is None:
                return None
            attrs.append(_Attr(name[0], "expr", i + 1, close))
            i = close + 1
        else:
            return None


JS_STOP_RE = re.compile(r"[\"'`{}/]")
JS_WORD_RE = re.compile(r"[\w$.]+")
JS_STRING_STOP_RE = {quote: re.compile(rf"[\\{quote}]") for quote in "\"'"}
JS_TEMPLATE_STOP_RE = re.compile(r"[\\`]|\$\{")
JS_ESCAPE_RE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r?\n|.)", re.S)
JS_ESCAPES = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": "", "0": ""}


def _expression_end(
    text: str, pos: int, end: int, depth: int = 0, known: dict[int, int | None] | None = None
) -> int | None:
    """Return the index of the `}` closing the `{` at pos, skipping JS strings and comments.

    With `known`, the answer for every `{` this reading passes is kept there: read from that
    `{`, the same text closes it at the same place (or not at all).
    """
    if depth > MAX_DEPTH:
        return None
    if known is not None and pos in known:
        return known[pos]
    opened: list[int] = []
    i = pos
    while (match := JS_STOP_RE.search(text, i, end)) is not None:
        i = match.start()
        ch = text[i]
        if ch == "{":
            if known is not None and i in known:
                if known[i] is None:
                    break  # read from here before, and never closed
                i = known[i] + 1  # read before: what lies between is balanced
                continue
            opened.append(i)
        elif ch == "}":
            if known is not None:
                known[opened[-1]] = i
            opened.pop()
            if not opened:
                return i
        elif ch == "/":
            comment = _js_comment_end(text, i, end)
            if comment is not None:
                i = comment
                continue
        else:
            i = _js_string_end(text, i, end, depth)
            if i is None:
                break
            continue
        i += 1
    if known is not None:
        known.update(dict.fromkeys(opened))
    return None


def _js_comment_end(text: str, pos: int, end: int) -> int | None:
    if text.startswith("//", pos):
        stop = text.find("\n", pos, end)
        return end if stop < 0 else stop
    if text.startswith("/*", pos):
        stop = text.find("*/", pos + 2, end)
        return end if stop < 0 else stop + 2
    return None


def _js_string_end(text: str, pos: int, end: int, depth: int = 0) -> int | None:
    """Return the index after the string or template literal starting at pos, or None."""
    quote, i = text[pos], pos + 1
    stop_re = JS_TEMPLATE_STOP_RE if quote == "`" else JS_STRING_STOP_RE[quote]
    while (match := stop_re.search(text, i, end)) is not None:
        i = match.start()
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:  # `${` in a template
            close = _expression_end(text, i + 1, end, depth + 1)
            if close is None:
                return None
            i = close + 1
    return None


def _js_tokens(text: str, pos: int, end: int):
    """Yield (kind, start, stop) for the tokens of a JS expression: str, word or punct."""
    i = pos
    while i < end:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "/" and (stop := _js_comment_end(text, i, end)) is not None:
            i = stop
        elif ch in "\"'`":
            stop = _js_string_end(text, i, end)
            if stop is None:
                return
            yield "str", i, stop
            i = stop
        elif (word := JS_WORD_RE.match(text, i, end)) is not None:
            yield "word", i, word.end()
            i = word.end()
        else:
            yield "punct", i, i + 1
            i += 1


def _js_unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        code = match[1]
        if code.startswith("u{"):
            return chr(min(int(code[2:-1], 16), 0x10FFFF))
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code.endswith("\n"):
            return ""  # a line continuation
        return JS_ESCAPES.get(code, code)

    return JS_ESCAPE_RE.sub(replace, text)


class _JsReader:
    """Read the literal parts of a JS expression: strings, arrays and objects.

    Anything else (identifiers, numbers, calls) reads as None. The reader never fails: prop
    expressions in the corpus are not always valid JavaScript.
    """

    SEPARATORS = ",:]})"

    def __init__(self, text: str, start: int, end: int):
        self.text = text
        self.tokens = list(_js_tokens(text, start, end))
        self.i = 0

    def value(self, depth: int = 0) -> object:
        token = self._peek()
        if token is None:
            return None
        kind, start, _ = token
        if depth <= MAX_DEPTH and kind == "punct" and self.text[start] == "{":
            return self._object(depth)
        if depth <= MAX_DEPTH and kind == "punct" and self.text[start] == "[":
            return self._array(depth)
        if kind == "str":
            return self._string()
        following = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
        ch = self._punct(following)
        if kind == "word" and (following is None or (ch and ch in self.SEPARATORS)):
            self.i += 1
            return _JsWord(self.text[start : token[2]])
        self._skip()
        return None

    def _peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _punct(self, token) -> str:
        return self.text[token[1]] if token is not None and token[0] == "punct" else ""

    def _skip(self) -> None:
        """Skip one value this reader does not model, with any brackets it opens."""
        level, start = 0, self.i
        while (token := self._peek()) is not None:
            ch = self._punct(token)
            if level == 0 and ch and ch in self.SEPARATORS:
                break
            if ch and ch in "([{":
                level += 1
            elif ch and ch in ")]}":
                level -= 1
            self.i += 1
        if self.i == start and token is not None:
            self.i += 1  # a stray separator: step over it so that callers move on

    def _string(self) -> _JsStr:
        first = last = self.tokens[self.i]
        self.i += 1
        # Unescaped quotes inside a string (a tag with attributes, say) split it into several
        # tokens; read everything up to the next separator as one string.
        while (token := self._peek()) is not None and not (
            self._punct(token) and self._punct(token) in self.SEPARATORS
        ):
            last = token
            self.i += 1
        if last is first:
            return _JsStr(_js_unescape(self.text[first[1] + 1 : first[2] - 1]), first[1] + 1)
        stop = last[2] - 1 if last[0] == "str" else last[2]
        return _JsStr(self.text[first[1] + 1 : stop], first[1] + 1)

    def _array(self, depth: int) -> list:
        self.i += 1
        items = []
        while (token := self._peek()) is not None:
            ch = self._punct(token)
            if ch == "]":
                self.i += 1
                break
            if ch in (",", ":", "}", ")"):
                self.i += 1
                continue
            items.append(self.value(depth + 1))
        return items

    def _object(self, depth: int) -> _JsObject:
        self.i += 1
        entries = []
        while (token := self._peek()) is not None:
            kind, start, stop = token
            ch = self._punct(token)
            if ch == "}":
                self.i += 1
                break
            if ch in (",", ":", "]", ")"):
                self.i += 1
                continue
            if kind == "word":
                key, offset, quoted = self.text[start:stop], start, False
            elif kind == "str":
                key, offset, quoted = _js_unescape(self.text[start + 1 : stop - 1]), start + 1, True
            else:
                self._skip()
                continue
            self.i += 1
            if self._punct(self._peek()) == ":":
                self.i += 1
                entries.append((key, offset, quoted, self.value(depth + 1)))
            # A shorthand property or a method holds no literal prose.
        return _JsObject(entries)


# Components' data --------------------------------------------------------------------------


def _get(obj: object, key: str) -> object:
    """Return the value of an object's key; None if it has none, or is no object."""
    if not isinstance(obj, _JsObject):
        return None
    return next((value for name, _, _, value in obj.entries if name == key), None)


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _raw(value: object) -> str:
    """Return a string's or a word's text on one line, as written ("" for anything else)."""
    return _one_line(value.text) if isinstance(value, (_JsStr, _JsWord)) else ""


def _url(link: object) -> str:
    if isinstance(link, _JsStr):
        return link.text.strip()
    return next((url for key in URL_KEYS if (url := _raw(_get(link, key)))), "")


def _words(name: str) -> str:
    """Return an identifier as words: `currentState` -> `Current state`, `AI` stays."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name) or [name]
    text = " ".join([words[0], *(w if w.isupper() else w.lower() for w in words[1:])])
    return text[:1].upper() + text[1:]


def _external_data(name: str) -> tuple[str, str] | None:
    if name in EXTERNAL_DATA:
        return EXTERNAL_DATA[name]
    if name.endswith("TableView") and name != "TableView":
        return _words(name.removesuffix("TableView")), "table"
    return None


def _front_matter_value(front_matter: Mapping, path: str) -> object:
    value: object = front_matter
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _front_matter_text(value: object) -> str | None:
    """Return a front matter value as MDX shows it in text; None if it shows nothing."""
    if value is None or isinstance(value, bool):  # React writes nothing for these
        return None
    if isinstance(value, (str, int, float)) or hasattr(value, "isoformat"):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    return None


def _plain(text: str) -> str:
    """Escape text that is not Markdown (code, data) so that it reads as written."""
    return re.sub(r"([\\`*_\[\]<>$|&#])", r"\\\1", _one_line(text))


def _percent(value: object) -> str:
    """Return a probability written as a number (`0.25`) as a percentage, else ""."""
    try:
        number = float(value.text) if isinstance(value, _JsWord) else None
    except ValueError:
        return ""
    return f"{number * 100:.4g}%" if number is not None and 0 <= number <= 1 else ""


def _stop(text: str) -> str:
    return "" if text.endswith((".", "!", "?", ":", ";")) else "."


def _mermaid_text(text: str) -> str:
    """Return text for a quoted Mermaid label: `"` and the like as Mermaid's entity codes."""
    text = _one_line(text)
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(char, code)
    return text


def _squiggle_ranges(code: str) -> str:
    """Return the range of an estimate's final expression where the code states it plainly.

    A literal (`0.1 to 0.3`, `5`), or a name assigned one; for a final `{ "label": name }`
    record, one line per label that can be read. Computed values are left to the code.
    """
    statements = [s for line in code.split("\n") if (s := re.sub(r"//.*", "", line).strip())]
    definitions = {}
    for index, statement in enumerate(statements):
        following = statements[index + 1].lstrip() if index + 1 < len(statements) else ""
        assignment = SQUIGGLE_ASSIGNMENT_RE.match(statement)
        if assignment and not re.match(r"[-+*/^.)]|to\b", following):  # not continued
            definitions[assignment[1]] = assignment[2]

    def value(expression: str, depth: int = 0) -> str | None:
        expression = expression.strip()
        if literal := SQUIGGLE_VALUE_RE.fullmatch(expression):
            return f"{literal[1]} to {literal[2]}" if literal[2] else literal[1]
        if depth < MAX_DEPTH and expression in definitions:
            return value(definitions[expression], depth + 1)
        return None

    if not statements:
        return ""
    if statements[-1].strip() == "}":
        opener = max((i for i, s in enumerate(statements) if s.strip() == "{"), default=None)
        record = "\n".join(statements[opener + 1 : -1]) if opener is not None else ""
        lines = [
            f"- {_plain(_js_unescape(label))}: {found}"
            for label, expression in SQUIGGLE_ENTRY_RE.findall(record)
            if (found := value(expression)) is not None
        ]
        return "\n".join(lines)
    last = statements[-1]
    assignment = SQUIGGLE_ASSIGNMENT_RE.match(last)
    found = value(assignment[2] if assignment else last)
    if found is None:
        return ""
    return f"Range: {found}" if " to " in found else f"Value: {found}"


# Markdown helpers --------------------------------------------------------------------------


def _block_safe(text: str) -> str:
    """Escape what would open a block (a heading, list, quote) at the start of a line."""
    match = BLOCK_START_RE.match(text)
    if match is None:
        return text
    at = match.end() - 1 if text[0].isdigit() else 0
    return text[:at] + "\\" + text[at:]


def _bullets(texts: list[str]) -> str:
    return "\n".join(f"- {_block_safe(text)}" for text in texts)


def _list_lines(items: list[_Item]) -> str:
    return "\n".join(line for item in items for line in _item_lines(item, 0))


def _headed(title: str, body: str) -> str:
    return f"**{title}**\n\n{body}" if body else ""


def _deflist(items: list[tuple[str, list[str]]]) -> str:
    """Write (term, definitions) pairs as a definition list; a term without any stands alone."""
    blocks = []
    for term, definitions in items:
        definitions = [definition for definition in definitions if definition]
        if not term and definitions:
            term, definitions = definitions[0], definitions[1:]
        if term:
            lines = [_block_safe(term), *(f": {_block_safe(d)}" for d in definitions)]
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _table(headings: list[str], rows: list[list[str]], *, keep_first: bool = False) -> str:
    """Write a table, leaving out the columns empty in every row ("" if nothing is left)."""
    rows = [row for row in rows if any(row)]
    keep = [
        i for i in range(len(headings)) if (keep_first and i == 0) or any(row[i] for row in rows)
    ]
    if not rows or not any(row[i] for row in rows for i in keep):
        return ""
    lines = ["| " + " | ".join(_cell(headings[i]) for i in keep) + " |", "|" + "---|" * len(keep)]
    lines += ["| " + " | ".join(_cell(row[i]) for i in keep) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Escape the pipes that would end a table cell (in code and references too, as GFM reads)."""
    return re.sub(r"(?<!\\)((?:\\\\)*)\|", r"\1\\|", _one_line(text))


def _container(kind: str, title: str, parts: list[str] | str) -> str:
    """Write a `:::kind[title]` container around parts, with more colons than any inside."""
    body = parts if isinstance(parts, str) else "\n\n".join(part for part in parts if part)
    body = _strip_blank_edges(body)
    plain = _plain_title(title)
    if title and plain is None:  # a title only Markdown can show heads the content instead
        body = f"**{title}**\n\n{body}" if body else f"**{title}**"
    inner = max((len(match[1]) for match in CONTAINER_FENCE_RE.finditer(body)), default=2)
    fence = ":" * max(3, inner + 1)
    head = f"{fence}{kind}[{plain}]" if plain else f"{fence}{kind}"
    return f"{head}\n{body}\n{fence}" if body else f"{head}\n{fence}"


def _plain_title(title: str) -> str | None:
    """Return a container's title as the plain text the renderer shows, or None if it has none.

    The renderer writes a title as it stands (no Markdown), so references become their text
    and escapes their character; a title still holding markup (emphasis, code, a tag) is None.
    """
    plain = refs_sub(lambda ref: ref["text"] or ref["ref"], title)
    plain = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", comments_sub(HTML_COMMENT_RE, "", plain)).strip()
    return None if re.search(r"[<>{}&`*\\]|\[\[|\]\]", plain) else plain


def _code_end(text: str, pos: int, end: int, memo: _ScanMemo | None = None) -> int | None:
    """Return the end of the fenced block or code span starting at pos, or None.

    Pass the scan's memo: without it, each unclosed backtick searches to its paragraph's end.
    """
    memo = memo or _ScanMemo(text)
    fence = FENCE_RE.match(text, pos, end) if pos == 0 or text[pos - 1] == "\n" else None
    if fence is not None and _is_fence(fence):
        close = _closing_fence_re(fence[1]).search(text, fence.end(), end)
        return end if close is None else min(close.end() + 1, end)
    if not text.startswith("`", pos):
        return None
    run = _run_end(text, pos, end) - pos
    paragraph_end = memo.search(BLANK_LINE_AFTER_RE, pos, end)
    limit = paragraph_end.start() if paragraph_end else end
    close = memo.search(_backtick_run_re(run), pos + run, limit)
    return close.end() if close else None


def _is_fence(opener: re.Match) -> bool:
    # A backtick fence's info string has no backtick; otherwise the line opens a code span.
    return not (opener[1][0] == "`" and "`" in opener[2])


@lru_cache(maxsize=16)
def _closing_fence_re(opener: str) -> re.Pattern:
    return re.compile(rf"^[ \t]*(?:>[ \t]?)*{opener[0]}{{{len(opener)},}}[ \t]*$", re.M)


@lru_cache(maxsize=16)
def _backtick_run_re(length: int) -> re.Pattern:
    return re.compile(rf"(?<!`)`{{{length}}}(?!`)")


def _run_end(text: str, pos: int, end: int) -> int:
    """Return the end of the run of the character at pos (a backtick run, say)."""
    i = pos + 1
    while i < end and text[i] == text[pos]:
        i += 1
    return i


def _table_lines(text: str) -> frozenset[int]:
    """Return the indexes of the lines that are table rows, much as markdown-it finds them."""
    lines = text.split("\n")
    rows = set()
    for index in range(1, len(lines)):
        delimiter, header = lines[index], lines[index - 1]
        columns = _delimiter_columns(delimiter)
        if columns is None or "|" not in header or len(_cells(header)) != columns:
            continue
        rows.update((index - 1, index))
        following = index + 1
        while (
            following < len(lines)
            and lines[following].strip()
            and not TABLE_END_RE.match(lines[following])
        ):
            rows.add(following)
            following += 1
    return frozenset(rows)


def _delimiter_columns(line: str) -> int | None:
    if not TABLE_DELIMITER_RE.fullmatch(line):
        return None
    cells = [cell.strip() for cell in line.strip().split("|")]
    if cells and not cells[0]:
        cells.pop(0)
    if cells and not cells[-1]:
        cells.pop()
    if not cells or not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
        return None
    return len(cells)


def _cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())
    if cells and not cells[0]:
        cells.pop(0)
    if cells and not cells[-1]:
        cells.pop()
    return cells


@lru_cache(maxsize=16)
def _indent_re(width: int) -> re.Pattern:
    return re.compile(rf"^ {{1,{width}}}", re.M)


def _dedent(segment: str, width: int, *, at_line_start: bool) -> str:
    if at_line_start:
        return _indent_re(width).sub("", segment)
    first, newline, rest = segment.partition("\n")
    return first + newline + _indent_re(width).sub("", rest) if newline else segment


def _trailing_newlines(out: list[str]) -> int | None:
    """Count the newlines ending the output; None if it holds nothing but whitespace."""
    newlines = 0
    for piece in reversed(out):
        content = piece.rstrip()
        newlines += piece.count("\n", len(content))
        if content:
            return newlines
    return None


def _strip_blank_edges(text: str) -> str:
    return re.sub(r"\A(?:[ \t]*\n)+", "", text).rstrip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _is_non_prose(key: str) -> bool:
    return key in NON_PROSE_KEYS or key.endswith(("Id", "Ids", "ID"))


def _item_lines(item: _Item, depth: int):
    text = item.fields[0]
    for number, part in enumerate(item.fields[1:]):
        # `head: second; third`, but no `?:` or `.;` after a field that ends a sentence.
        text += " " if text[-1] in ".!?:;" else (": " if number == 0 else "; ")
        text += part
    yield "  " * depth + "- " + text
    for child in item.children:
        yield from _item_lines(child, depth + 1)


def _with_link(fields: list[str], url: str) -> list[str]:
    if re.search(r"[\s()<>]", url):
        return [*fields, url]
    if not fields:
        return [f"<{url}>"] if re.match(r"[a-z]+://", url) else [url]
    if "[" in fields[0] or "]" in fields[0]:
        return [*fields, url]
    return [f"[{fields[0]}]({url})", *fields[1:]]


def _host_link(url: str) -> str:
    """Return ` ([host](url))`, a short link that follows a page link which held it."""
    host = urlsplit(url).netloc.removeprefix("www.") if re.match(r"https?://", url) else ""
    if not host or re.search(r"[\s()<>]", url):
        return ""
    return f" ([{host}]({url}))"


def _link_text(text: str) -> str:
    """Escape brackets that would end a Markdown link's text early."""
    level = 0
    for match in re.finditer(r"\\.|[\[\]]", text):
        level += {"[": 1, "]": -1}.get(match[0], 0)
        if level < 0:
            break
    if level == 0:
        return text
    return re.sub(r"(?<!\\)([\[\]])", r"\\\1", text)


def _fenced(info: str, code: str) -> str:
    code = textwrap.dedent(code).strip()
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{code}\n{fence}"


def _tidy(markdown: str) -> str:
    """Blank whitespace-only lines, collapse runs of blank lines, end with one newline."""
    lines, fence = [], None
    for line in markdown.split("\n"):
        if fence is not None:
            lines.append(line)
            if _closing_fence_re(fence).fullmatch(line):
                fence = None
            continue
        opener = FENCE_RE.match(line)
        if opener and _is_fence(opener):
            fence = opener[1]
        if not line.strip():
            if lines and lines[-1] == "":
                continue
            line = ""
        lines.append(line)
    while lines and lines[0] == "":
        lines.pop(0)
    text = _line_starts_fixed("\n".join(lines).rstrip())
    return text + "\n" if text else ""


def _line_starts_fixed(markdown: str) -> str:
    """Fix the line starts that would change the meaning of the Markdown we wrote.

    - A comment opening a line with more text on it: CommonMark reads the line as an HTML
      block, hiding that text, so the text goes on the next line (under the same markers).
    - A prose line that looks like ESM, put at a line start by a component's conversion: a
      re-import would drop it, so its first letter becomes a character reference.

    The scan skips code and comments as mdx_to_markdown's does, so a re-import agrees with it.
    """
    out, pos, end, memo = [], 0, len(markdown), _ScanMemo(markdown)
    while (match := LINE_START_SCAN_RE.search(markdown, pos)) is not None:
        out.append(markdown[pos : match.start()])
        pos = match.start()
        skipped = _code_end(markdown, pos, end, memo)
        if skipped is None and markdown.startswith("`", pos):
            skipped = _run_end(markdown, pos, end)
        if skipped is None and (comment := comment_match(HTML_COMMENT_RE, markdown, pos)):
            out.append(comment[0])
            broken = _break_after_comment(markdown, comment, out)
            pos = comment.end() + (broken or 0)
            if broken is not None and ESM_RE.match(markdown, pos):
                out.append(f"&#{ord(markdown[pos])};")  # the break made a line start
                pos += 1
            continue
        if skipped is None and ESM_RE.match(markdown, pos):
            out.append(f"&#{ord(markdown[pos])};")
            skipped = pos + 1
        if skipped is None:
            skipped = pos + (2 if markdown.startswith("\\", pos) else 1)
        out.append(markdown[pos:skipped])
        pos = skipped
    out.append(markdown[pos:])
    return "".join(out)


# Longer than any run of list and quote markers (and comments) that opens a line.
LINE_PREFIX_MAX = 1000
SPACES_AND_TABS_RE = re.compile(r"[ \t]*")


def _break_after_comment(markdown: str, comment: re.Match, out: list[str]) -> int | None:
    """Break the line after a comment that opens it; return the whitespace skipped, or None."""
    # Both look-ups are bounded before anything reads to the line's end: on a long line of
    # comments, reading the whole line for each one made the conversion quadratic.
    window = max(0, comment.start() - LINE_PREFIX_MAX - 1)
    line_start = markdown.rfind("\n", window, comment.start()) + 1
    if line_start == 0 and comment.start() > LINE_PREFIX_MAX:
        return None  # more than list or quote markers stand before it
    before = comments_sub(HTML_COMMENT_RE, "", markdown[line_start : comment.start()])
    markers = LINE_PREFIX_RE.match(before)[0]
    gap = SPACES_AND_TABS_RE.match(markdown, comment.end()).end()
    if markers != before or markdown.startswith("<!--", gap):
        return None
    line_end = markdown.find("\n", gap)
    after = markdown[comment.end() : len(markdown) if line_end < 0 else line_end]
    if not comments_sub(HTML_COMMENT_RE, "", after).strip():
        return None
    out.append("\n" + re.sub(r"[-*+]|\d+[.)]", lambda m: " " * len(m[0]), markers))
    return len(after) - len(after.lstrip(" \t"))
