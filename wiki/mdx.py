"""Convert Longterm Wiki MDX bodies to our Markdown, and our Markdown back to MDX.

The source wiki's pages are MDX: Markdown with JSX components. `mdx_to_markdown` takes a body
(front matter already split off) and follows these rules:

1. ESM lines at the start of a line (`import ... from '...'`, one-line `export ...`) are dropped.
2. `<R id="X">text</R>` becomes the citation `[[cite:X|text]]`, `[[cite:X]]` without text.
   Text that our syntax cannot hold (`]`, `|`, a newline) is written out before `[[cite:X]]`.
3. `<EntityLink name="slug">text</EntityLink>` becomes the page link `[[slug|text]]` (`[[slug]]`,
   or `[[slug|label]]` with a `label`). The first `name` wins; without one the `id` is looked up
   in `entity_slugs`, and an unknown entity leaves its text. Text that our syntax cannot hold
   becomes a Markdown link to the page URL, `[text](/wiki/slug/)`.
4. `<Mermaid chart={`...`} />` becomes a fenced `mermaid` block on its own lines.
5. `<SquiggleEstimate title="T" code={`...`} />` becomes `**T**` and a fenced `squiggle` block.
6. JSX comments `{/* ... */}` become HTML comments, which the renderer keeps from readers.
7. Other components with children keep the children. An `<Aside>` becomes a blockquote under its
   title (or its type); another titled component standing alone gets its title as a bold line.
8. A component without children is reduced to the prose in its props: a title, topic or question
   as a bold line, the other strings (also inside arrays and objects) as a bullet list, an object
   as `- first: second; ...`. `<Calc expr="...">` becomes its expression as inline code. A
   component with no prose in its props is dropped.
9. Code blocks and code spans are copied untouched, and so are HTML entities, backslash escapes,
   footnotes and lower-case HTML tags. A literal `[[...]]` that our syntax would read is escaped.
10. A malformed or unclosed component is kept as text, its `<` escaped; no input raises.

Every reduction or fallback is reported as an `MdxNote` with the line of its tag.

Some Markdown means something else at the start of a line, or in a table, so:
- in a table row the `|` of a reference is written `\\|` (a bare one would split the cell);
- the text after a comment that opens a line goes on the next line (CommonMark would read the
  whole line as HTML and hide it), and prose moved to a line start that looks like an ESM line
  gets its first letter as a character reference (a re-import would drop the line);
- a block (a diagram, a list, a quote) always gets lines of its own, so text that followed a
  block component on its line starts a new paragraph.

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

from .markup import REF_RE

# A citation ref or page slug, as REF_RE reads them.
NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
# REF_RE, also accepting the escaped pipe `\|` that references in table rows need.
REF_ANY_RE = re.compile(REF_RE.pattern.replace(r"(?:\|", r"(?:\\?\|"))
# Link text that cannot sit inside `[[...|text]]` (a trailing backslash would escape the `]`).
UNSAFE_TEXT_RE = re.compile(r"[\]|\n]|\\\Z")
PAGE_URL = "/wiki/{slug}/"

OPEN_TAG_RE = re.compile(r"<([A-Z][A-Za-z0-9_.]*)(?=[\s/>])")
CLOSE_TAG_RE = re.compile(r"</([A-Z][A-Za-z0-9_.]*)\s*>")
ATTR_NAME_RE = re.compile(r"[A-Za-z_$][\w$:.-]*")
JSX_COMMENT_RE = re.compile(r"\{\s*/\*(.*?)\*/\s*\}", re.S)
HTML_COMMENT_RE = re.compile(r"<!--(.*?)-->", re.S)
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
TRIGGER_RE = re.compile(rf"{_FENCE_AHEAD}|{_STOPS}|</?[A-Z]|\{{\s*/\*|\[\[", re.M | re.S)
DOCUMENT_TRIGGER_RE = re.compile(
    rf"{_FENCE_AHEAD}|{_ESM_AHEAD}|{_STOPS}|</?[A-Z]|\{{\s*/\*|\[\[", re.M | re.S
)
LINE_START_SCAN_RE = re.compile(rf"{_FENCE_AHEAD}|{_ESM_AHEAD}|{_STOPS}", re.M | re.S)
MARKDOWN_TRIGGER_RE = re.compile(rf"{_FENCE_AHEAD}|{_STOPS}|\[\[", re.M | re.S)

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


def mdx_to_markdown(
    body: str, *, first_line: int = 1, entity_slugs: Mapping[str, str] | None = None
) -> MdxConversion:
    """Convert an MDX page body to our Markdown; see the module docstring for the rules."""
    found = _Found(entity_slugs or {})
    converter = _Converter(body, found, _Lines(body, first_line), document=True)
    return MdxConversion(
        markdown=_tidy(converter.convert()),
        citations=[(ref, line) for _, ref, line in sorted(found.citations, key=_by_key)],
        links=[(slug, line) for _, slug, line in sorted(found.links, key=_by_key)],
        notes=[note for _, note in sorted(found.notes, key=_by_key)],
    )


def markdown_to_mdx(markdown: str) -> str:
    """Write our citations, page links and comments back as MDX; leave code untouched."""
    out: list[str] = []
    pos, end = 0, len(markdown)
    while (match := MARKDOWN_TRIGGER_RE.search(markdown, pos)) is not None:
        out.append(markdown[pos : match.start()])
        pos = match.start()
        skipped = _code_end(markdown, pos, end)
        if skipped is None and markdown.startswith("`", pos):
            skipped = _run_end(markdown, pos, end)  # a backtick string with no match is text
        if skipped is not None:
            out.append(markdown[pos:skipped])
            pos = skipped
        elif markdown.startswith("\\", pos):
            out.append(markdown[pos : pos + 2])
            pos += 2
        elif (comment := HTML_COMMENT_RE.match(markdown, pos)) is not None:
            out.append(_jsx_comment(comment[1]))
            pos = comment.end()
        elif (ref := REF_ANY_RE.match(markdown, pos)) is not None:
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
    text = HTML_COMMENT_RE.sub(lambda m: _jsx_comment(m[1]), text)
    return f"<{tag} {attrs}>{text}</{tag}>"


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
    citations: list[tuple[tuple[int, ...], str, int]] = field(default_factory=list)
    links: list[tuple[tuple[int, ...], str, int]] = field(default_factory=list)
    notes: list[tuple[tuple[int, ...], MdxNote]] = field(default_factory=list)

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
class _JsObject:
    entries: list[tuple[str, int, bool, object]]  # key, its offset, key is quoted prose, value


@dataclass
class _Item:
    fields: list[str]
    children: list[_Item]


class _Converter:
    """Convert one text (a body, or a string found in a component's props) to Markdown."""

    def __init__(self, text: str, found: _Found, lines: _Lines, *, document=False, depth=0):
        self.text = text
        self.found = found
        self.lines = lines
        self.document = document
        self.depth = depth
        self.table_lines = _table_lines(text) if document else frozenset()

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
        pos = start
        while (match := trigger.search(text, pos, end)) is not None:
            self._copy(out, pos, match.start(), dedent)
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
            elif text.startswith("{", pos):
                pos = self._comment(out, pos, end, JSX_COMMENT_RE)
            elif text.startswith("[[", pos):
                # A literal `[[x]]` in MDX is text; unescaped, our syntax would make it a link.
                out.append("\\[" if REF_ANY_RE.match(text, pos, end) else "[")
                pos += 1
            elif text.startswith("\\", pos):
                self._copy(out, pos, min(pos + 2, end), dedent)
                pos = min(pos + 2, end)
            elif (esm := self._esm(pos, end)) is not None:
                pos = esm
            else:
                skipped = _code_end(text, pos, end)
                stop = skipped if skipped is not None else _run_end(text, pos, end)
                self._copy(out, pos, stop, dedent)
                pos = stop
        self._copy(out, pos, end, dedent)
        return out, None

    def _esm(self, pos: int, end: int) -> int | None:
        if not (self.document and self.depth == 0):
            return None
        esm = ESM_RE.match(self.text, pos, end)
        return esm.end() if esm else None

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
        match = pattern.match(self.text, pos, end)
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

    def _tag(self, out: list[str], pos: int, end: int, dedent: int) -> int:
        tag = _parse_open_tag(self.text, pos, end)
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
        if self.depth >= MAX_DEPTH or self.text.find(f"</{tag.name}", tag.end, end) < 0:
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
        has_children = bool(children and children.strip())
        if tag.name == "R":
            out.append(self._citation(tag, children or ""))
        elif tag.name == "EntityLink":
            self._append_link(out, self._entity_link(tag, children or ""))
        elif tag.name == "Aside" and has_children:
            return self._place_block(out, self._aside(tag, children), resume, end)
        elif has_children:
            return self._keep_children(tag, children, out, resume, end)
        elif tag.name == "Mermaid" and self._attr_text(tag, "chart"):
            return self._place_block(out, self._mermaid(tag), resume, end)
        elif tag.name == "SquiggleEstimate" and self._attr_text(tag, "code"):
            return self._place_block(out, self._squiggle(tag), resume, end)
        elif tag.name == "Calc" and self._attr_text(tag, "expr"):
            self._note(tag.start, "component <Calc> reduced to its expression")
            out.append(_code_span(self._attr_text(tag, "expr")))
        else:
            prose = self._prose(tag)
            if prose is None:
                self._note(tag.start, f"component <{tag.name}> dropped: no prose in its props")
                return resume
            self._note(tag.start, f"component <{tag.name}> reduced to its text")
            return self._place_block(out, prose, resume, end)
        return resume

    def _citation(self, tag: _Tag, text: str) -> str:
        ref = self._attr_text(tag, "id")
        if ref is None or not NAME_RE.fullmatch(ref):
            self._note(tag.start, f"<R> with id {ref!r} cannot be a citation; kept its text")
            return text
        self.found.citations.append((self.lines.key(tag.start), ref, self.lines.line(tag.start)))
        marker = self._reference(f"cite:{ref}", text, tag)
        if marker is not None:
            return marker
        self._note(tag.start, "citation text cannot go inside [[cite:...]]; written before it")
        # A trailing backslash would escape the marker's `[`.
        return text + (" " if text.endswith("\\") else "") + f"[[cite:{ref}]]"

    def _entity_link(self, tag: _Tag, children: str) -> str:
        names = [attr for attr in tag.attrs if attr.name == "name"]
        slug = self._attr_text(tag, "name")
        if len(names) > 1:
            self._note(tag.start, f"<EntityLink> repeats name=; kept the first ({slug})")
        entity_id = self._attr_text(tag, "id")
        if not slug and entity_id:
            slug = self.found.entity_slugs.get(entity_id)
        text = children if children.strip() else self._attr_prose(tag, "label")
        if not slug or not NAME_RE.fullmatch(slug):
            self._note(
                tag.start, f"<EntityLink id={entity_id!r}> names no known page; kept its text"
            )
            return text or entity_id or ""
        self.found.links.append((self.lines.key(tag.start), slug, self.lines.line(tag.start)))
        marker = self._reference(slug, text, tag)
        if marker is not None:
            return marker
        self._note(tag.start, "link text cannot go inside [[...]]; written as a Markdown link")
        return f"[{_link_text(text)}]({PAGE_URL.format(slug=slug)})"

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

    def _aside(self, tag: _Tag, children: str) -> str:
        self._note(tag.start, "component <Aside> became a blockquote")
        title = self._attr_prose(tag, "title") or self._attr_prose(tag, "type").capitalize()
        lines = [f"**{title}**", ""] if title else []
        lines += _strip_blank_edges(children).split("\n")
        return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)

    def _keep_children(self, tag: _Tag, children: str, out, resume: int, end: int) -> int:
        self._note(tag.start, f"component <{tag.name}> reduced to its content")
        header = self._prose(tag)
        if header is not None and self._stands_alone(tag.start, resume):
            block = f"{header}\n\n{_strip_blank_edges(children)}"
            return self._place_block(out, block, resume, end)
        out.append(children)
        return resume

    def _mermaid(self, tag: _Tag) -> str:
        chart = self._attr_text(tag, "chart")
        if "${" in chart:
            self._note(tag.start, "template substitution in <Mermaid> kept as written")
        return _fenced("mermaid", chart)

    def _squiggle(self, tag: _Tag) -> str:
        self._note(tag.start, "component <SquiggleEstimate> shown as its code")
        title = self._attr_prose(tag, "title")
        block = _fenced("squiggle", self._attr_text(tag, "code"))
        return f"**{title}**\n\n{block}" if title else block

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

    # Props ---------------------------------------------------------------------------------

    def _attr_text(self, tag: _Tag, name: str) -> str | None:
        """Return the text of a string prop (`name="..."` or `name={"..."}`), else None."""
        value = self._attr_value(tag, name)
        return value.text if value is not None else None

    def _attr_prose(self, tag: _Tag, name: str) -> str:
        """Return a string prop converted to Markdown on one line ("" if there is none)."""
        value = self._attr_value(tag, name)
        return self._inline(value) if value is not None else ""

    def _attr_value(self, tag: _Tag, name: str) -> _JsStr | None:
        attr = next((attr for attr in tag.attrs if attr.name == name), None)
        if attr is None or attr.kind == "flag":
            return None
        if attr.kind == "string":
            return _JsStr(self.text[attr.start : attr.end], attr.start)
        value = _JsReader(self.text, attr.start, attr.end).value()
        return value if isinstance(value, _JsStr) else None

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
            lines += [line for item in items for line in _item_lines(item, 0)]
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
        if self.depth >= MAX_DEPTH:
            return _one_line(value.text)
        lines = _Lines(value.text, self.lines.line(value.offset), self.lines.key(value.offset))
        converter = _Converter(value.text, self.found, lines, depth=self.depth + 1)
        return _one_line(converter.convert())


# Tags and JavaScript -----------------------------------------------------------------------


def _parse_open_tag(text: str, pos: int, end: int) -> _Tag | None:
    """Parse the opening tag of a component at pos, or return None if it is malformed."""
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
            close = _expression_end(text, i, end)
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
            close = text.find(text[i], i + 1, end)  # JSX strings have no escapes
            if close < 0:
                return None
            attrs.append(_Attr(name[0], "string", i + 1, close))
            i = close + 1
        elif i < end and text[i] == "{":
            close = _expression_end(text, i, end)
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


def _expression_end(text: str, pos: int, end: int, depth: int = 0) -> int | None:
    """Return the index of the `}` closing the `{` at pos, skipping JS strings and comments."""
    if depth > MAX_DEPTH:
        return None
    level, i = 0, pos
    while (match := JS_STOP_RE.search(text, i, end)) is not None:
        i = match.start()
        ch = text[i]
        if ch == "{":
            level += 1
        elif ch == "}":
            level -= 1
            if level == 0:
                return i
        elif ch == "/":
            comment = _js_comment_end(text, i, end)
            if comment is not None:
                i = comment
                continue
        else:
            i = _js_string_end(text, i, end, depth)
            if i is None:
                return None
            continue
        i += 1
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


# Markdown helpers --------------------------------------------------------------------------


def _code_end(text: str, pos: int, end: int) -> int | None:
    """Return the end of the fenced block or code span starting at pos, or None."""
    fence = FENCE_RE.match(text, pos, end) if pos == 0 or text[pos - 1] == "\n" else None
    if fence is not None and _is_fence(fence):
        close = _closing_fence_re(fence[1]).search(text, fence.end(), end)
        return end if close is None else min(close.end() + 1, end)
    if not text.startswith("`", pos):
        return None
    run = _run_end(text, pos, end) - pos
    paragraph_end = BLANK_LINE_AFTER_RE.search(text, pos, end)
    limit = paragraph_end.start() if paragraph_end else end
    close = _backtick_run_re(run).search(text, pos + run, limit)
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


def _code_span(code: str) -> str:
    code = _one_line(code)
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


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
    out, pos, end = [], 0, len(markdown)
    while (match := LINE_START_SCAN_RE.search(markdown, pos)) is not None:
        out.append(markdown[pos : match.start()])
        pos = match.start()
        skipped = _code_end(markdown, pos, end)
        if skipped is None and markdown.startswith("`", pos):
            skipped = _run_end(markdown, pos, end)
        if skipped is None and (comment := HTML_COMMENT_RE.match(markdown, pos)) is not None:
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


def _break_after_comment(markdown: str, comment: re.Match, out: list[str]) -> int | None:
    """Break the line after a comment that opens it; return the whitespace skipped, or None."""
    line_start = markdown.rfind("\n", 0, comment.start()) + 1
    line_end = markdown.find("\n", comment.end())
    before = HTML_COMMENT_RE.sub("", markdown[line_start : comment.start()])
    after = markdown[comment.end() : len(markdown) if line_end < 0 else line_end]
    markers = LINE_PREFIX_RE.match(before)[0]
    text_after = HTML_COMMENT_RE.sub("", after).strip()
    if markers != before or not text_after or after.lstrip(" \t").startswith("<!--"):
        return None
    out.append("\n" + re.sub(r"[-*+]|\d+[.)]", lambda m: " " * len(m[0]), markers))
    return len(after) - len(after.lstrip(" \t"))
