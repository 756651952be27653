"""Page bodies: Markdown with two small extensions, rendered safely.

- A citation of a source: `[[cite:ID]]` or `[[cite:ID|link text]]`, where ID is the source's
  16-hex id or its stable id (with or without `sid_`). It renders as a numbered marker
  linking to the page's References entry.
- A link to another wiki page: `[[slug]]` or `[[slug|link text]]`.

Both are parsed as inline Markdown, so they are inert inside code spans and code blocks; a
link text is Markdown itself (emphasis, code, escapes), without links of its own. Footnotes,
diagrams, math, callouts, definition lists, heading anchors and table boxes are the block
extensions of `markup_blocks`.
The rendered HTML goes through an allow-list sanitizer last: whatever an editor writes,
no script, event handler or `javascript:` URL reaches a reader. Every link that leaves the
site gets `rel="nofollow noopener"`, and classes and ids are the renderer's alone: HTML
written by hand in a body keeps none, so it cannot pass for a citation marker or a note.

Every scan is linear in the length of the body (references, link labels and destinations,
footnotes, code spans): whatever its shape, a body is read a bounded number of times.
"""

from __future__ import annotations

import re
import secrets
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from html import unescape
from types import SimpleNamespace
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt, helpers
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline

from .markup_blocks import (
    TocEntry,
    body_math_errors,
    body_missing_footnotes,
    mathml_tags,
    next_stop,
    use_block_extensions,
)

# The syntax of a reference. The inline rule reads it in two steps (`_reference_at`) so that
# finding where a link text ends never rescans the line.
REF_RE = re.compile(r"\[\[(?P<cite>cite:)?(?P<ref>[A-Za-z0-9_-]+)(?:\|(?P<text>[^\]\n]*))?\]\]")
REF_HEAD_RE = re.compile(r"\[\[(?P<cite>cite:)?(?P<ref>[A-Za-z0-9_-]+)")
WORD_RE = re.compile(r"\w[\w'’-]*")
# A Markdown link to a wiki page (the address `wiki:page_detail` gives), and a slug as
# Django's <slug:> converter takes it.
WIKI_PATH_RE = re.compile(r"/wiki/(?P<slug>[-a-zA-Z0-9_]+)/?")
SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")
EXTERNAL_REL = "nofollow noopener"
C0_AND_SPACE = "".join(map(chr, range(0x21)))
BROWSER_IGNORED_RE = re.compile(r"[\t\n\r]")

ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"img", "map", "area"}) | {"section"} | set(mathml_tags())
ALLOWED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    # No `rel`: the sanitizer writes it (`_with_link_rel`), the same for every link.
    "a": {"href", "hreflang", "title", "id", "class", "aria-label"},
    "sup": {"id", "class"},
    "span": {"class", "title"},
    "li": {"id", "class"},
    "ol": {"start", "class"},
    "section": {"class"},
    "aside": {"class"},
    "figure": {"class"},
    "figcaption": {"class"},
    "pre": {"class"},
    # The scroll boxes around tables and code (markup_blocks.SCROLL_BOX).
    "div": {"class", "tabindex", "role", "aria-label"},
    "p": {"class"},
    "code": {"class", "title"},
    "hr": {"class"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
    **mathml_tags(),
    "th": {*nh3.ALLOWED_ATTRIBUTES.get("th", ()), "style"},
    "td": {*nh3.ALLOWED_ATTRIBUTES.get("td", ()), "style"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_PAREN_DEPTH = 8
NO_DESTINATION = SimpleNamespace(ok=False, pos=0, str="")


@dataclass(frozen=True)
class Reference:
    """One `[[...]]` in a body: a citation (`is_citation`) or a page link."""

    is_citation: bool
    ref: str
    text: str | None


@dataclass
class RenderContext:
    """What rendering needs from the database, looked up once per page."""

    # Citation ref (as written) -> (reference number, source title) for known sources.
    citations: dict[str, tuple[int, str]] = field(default_factory=dict)
    # Page slug -> (URL, title) for pages that exist.
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    marker_counts: dict[int, int] = field(default_factory=dict)


def _ref_rule(state: StateInline, silent: bool) -> bool:
    head = REF_HEAD_RE.match(state.src, state.pos, state.posMax)
    if head is None:
        return False
    found = _reference_at(state.src, head, state.posMax)
    if found is None:
        return False
    reference, text_span, end = found
    if not silent:
        if text_span is None:
            state.push("wiki_ref", "", 0).meta = {"reference": reference}
        else:
            _push_ref_with_text(state, reference, *text_span)
    state.pos = end
    return True


def _reference_at(
    src: str, head: re.Match, end: int
) -> tuple[Reference, tuple[int, int] | None, int] | None:
    """Read the reference whose `[[cite:ref` is `head` as REF_RE matches it: the reference,
    its text's span and its end, or None.

    The text runs to the first `]` or line end, which `next_stop` finds without a scan: REF_RE
    itself would read to the end of the line at every `[[`, quadratic on a line of openers.
    """
    is_citation, after = bool(head["cite"]), head.end()
    if src.startswith("]]", after, end):
        return Reference(is_citation=is_citation, ref=head["ref"], text=None), None, after + 2
    if not src.startswith("|", after, end):
        return None
    stop = next_stop(src, "]\n", after + 1)
    if not src.startswith("]]", stop, end):
        return None
    text = src[after + 1 : stop]
    reference = Reference(is_citation=is_citation, ref=head["ref"], text=text)
    return reference, (after + 1, stop), stop + 2


def _push_ref_with_text(state: StateInline, reference: Reference, start: int, end: int) -> None:
    """Push the reference around its text, parsed as inline Markdown without links."""
    state.push("wiki_ref_open", "", 1).meta = {"reference": reference}
    first = len(state.tokens)
    old_pos, old_max = state.pos, state.posMax
    state.pos, state.posMax = start, end
    state.md.inline.tokenize(state)
    state.pos, state.posMax = old_pos, old_max
    # A link inside a link is not one: keep the inner link's text only.
    state.tokens[first:] = [
        token for token in state.tokens[first:] if token.type not in ("link_open", "link_close")
    ]
    state.push("wiki_ref_close", "", -1).meta = {"reference": reference}


def _link_label_end(state: StateInline, start: int, disable_nested: bool = False) -> int:
    """Return where the link label opened at `start` closes, or -1: markdown-it's parseLinkLabel,
    remembering the openers whose label cannot close.

    The scan walks the source token by token, counting brackets. On a run of `[` each opener's
    scan crosses the same stretch again (markdown-it stops it only at its nesting limit), so a
    failed scan records every opener it crossed that it proves hopeless too, and a scan that
    crosses a hopeless opener stops there.
    """
    hopeless = getattr(state, "hopeless_link_labels", None) or _hopeless_labels(state)
    known, limit = hopeless[disable_nested], state.posMax
    if known.get(start, -1) >= limit:
        return -1
    # The openers crossed, with the level before each, and the level after each `]`: the
    # scan's own opener first, at level 0, where no failed scan returns.
    old_pos, level, crossed = state.pos, 1, [(start, 0)]
    state.pos = start + 1
    while state.pos < limit:
        marker = state.src[state.pos]
        if marker == "]":
            level -= 1
            if level == 0:
                end, state.pos = state.pos, old_pos
                return end
            crossed.append((None, level))
        before = state.pos
        state.md.inline.skipToken(state)
        if marker != "[":
            continue
        if state.pos == before + 1:
            crossed.append((before, level))
            level += 1
            if known.get(before, -1) >= limit:
                # This label could only close after that one, which does not close.
                everywhere = hopeless[False].get(before, -1) >= limit
                _record_hopeless(hopeless, (True, False) if everywhere else (True,), crossed, limit)
                break
        elif disable_nested:
            # A link inside the label: this scan, and every crossed one, stops here.
            _record_hopeless(hopeless, (True,), crossed, limit)
            break
    else:
        # The label runs past the end: so does every crossed one, nested links allowed or not.
        _record_hopeless(hopeless, (True, False), crossed, limit)
    state.pos = old_pos
    return -1


def _record_hopeless(hopeless: tuple, modes: tuple, crossed: list, limit: int) -> None:
    """Record that each opener a failed scan crossed (its own first) whose label it proves
    cannot close has no label end before `limit`, in the given modes (nested links refused,
    allowed).

    An opener crossed at level L closes where the scan drops back to L; if no later `]` takes
    the scan that low, the opener's own scan is the same walk from there and fails the same way.
    """
    lowest = None
    for opener, level in reversed(crossed):
        if opener is None:
            lowest = level if lowest is None else min(lowest, level)
        elif lowest is None or lowest > level:
            for mode in modes:
                if hopeless[mode].get(opener, -1) < limit:
                    hopeless[mode][opener] = limit


def _hopeless_labels(state: StateInline) -> tuple[dict[int, int], dict[int, int]]:
    # Indexed by "nested links refused": opener -> the end before which its label is known not
    # to close. A fact about this state's token cache, so it lives on the state (one parse).
    state.hopeless_link_labels = ({}, {})
    return state.hopeless_link_labels


# An image is a `!` before a link: both rules read the same destination, once.
@lru_cache(maxsize=4)
def _link_destination(string: str, pos: int, maximum: int):
    """Return markdown-it's parseLinkDestination, for destinations that nest parentheses at most
    LINK_PAREN_DEPTH deep.

    markdown-it allows 32 levels, so on a line of `[a](` every opener reads the next 32; the
    CommonMark spec asks for 3 and lets a parser stop sooner, which this one does.
    """
    if _parens_too_deep(string, pos, maximum):
        return NO_DESTINATION
    return helpers.parseLinkDestination(string, pos, maximum)


def _parens_too_deep(string: str, pos: int, maximum: int) -> bool:
    # The walk of markdown-it's bare destination (an `<...>` one has no nesting), up to where
    # it would end or go deeper than LINK_PAREN_DEPTH.
    if string.startswith("<", pos):
        return False
    level = 0
    while pos < maximum:
        character = string[pos]
        if character <= " " or character == "\x7f":
            return False
        if character == "\\" and pos + 1 < maximum:
            if string[pos + 1] == " ":
                return False
            pos += 2
            continue
        if character == "(":
            level += 1
            if level > LINK_PAREN_DEPTH:
                return True
        elif character == ")":
            if level == 0:
                return False
            level -= 1
        pos += 1
    return False


def _footnote_inline_linear(rule):
    """Wrap the footnote plugin's `^[...]` rule, which scans its label with markdown-it's own
    parseLinkLabel: a label known not to close is refused without a scan."""

    def guarded(state: StateInline, silent: bool) -> bool:
        if not state.src.startswith("^[", state.pos):
            return False
        if _link_label_end(state, state.pos + 1) < 0:
            return False
        return rule(state, silent)

    return guarded


def _render_ref(self, tokens, idx, options, env) -> str:
    reference: Reference = tokens[idx].meta["reference"]
    context: RenderContext = env.get("context") or RenderContext()
    if reference.is_citation:
        return _citation_open(reference, context, bare=True) + _citation_close(reference, context)
    return _page_link_open(reference, context, bare=True) + "</a>" * (
        reference.ref in context.pages
    )


def _render_ref_open(self, tokens, idx, options, env) -> str:
    reference: Reference = tokens[idx].meta["reference"]
    context: RenderContext = env.get("context") or RenderContext()
    if reference.is_citation:
        return _citation_open(reference, context, bare=False)
    return _page_link_open(reference, context, bare=False)


def _render_ref_close(self, tokens, idx, options, env) -> str:
    reference: Reference = tokens[idx].meta["reference"]
    context: RenderContext = env.get("context") or RenderContext()
    if reference.is_citation:
        return ("</a>" if reference.ref in context.citations else "") + _citation_close(
            reference, context
        )
    return "</a>" if reference.ref in context.pages else "</span>"


def _citation_open(reference: Reference, context: RenderContext, *, bare: bool) -> str:
    found = context.citations.get(reference.ref)
    if bare or found is None:
        return ""
    return f'<a class="cite-text" href="#ref-{found[0]}">'


def _citation_close(reference: Reference, context: RenderContext) -> str:
    found = context.citations.get(reference.ref)
    if found is None:
        return (
            f'<span class="broken-ref" title="No source with id '
            f'{escapeHtml(reference.ref)}">[?]</span>'
        )
    number, title = found
    count = context.marker_counts.get(number, 0) + 1
    context.marker_counts[number] = count
    return (
        f'<sup class="cite" id="cite-{number}-{count}"><a href="#ref-{number}" '
        f'title="{escapeHtml(title)}">[{number}]</a></sup>'
    )


def _page_link_open(reference: Reference, context: RenderContext, *, bare: bool) -> str:
    found = context.pages.get(reference.ref)
    if found is None:
        opening = f'<span class="broken-link" title="No page named {escapeHtml(reference.ref)}">'
        return opening + (escapeHtml(reference.ref) + "</span>" if bare else "")
    url, title = found
    return f'<a href="{escapeHtml(url)}">' + (escapeHtml(title) if bare else "")


def is_external_url(url: str) -> bool:
    """Tell whether a link leaves the site: an http(s) URL or a scheme-relative one (`//host`).

    The URL is read as a browser reads it: surrounding spaces and control characters and any
    tab or newline dropped, `\\` taken for `/` (so `/\\evil.example` leaves the site too).
    """
    cleaned = BROWSER_IGNORED_RE.sub("", url.strip(C0_AND_SPACE)).replace("\\", "/")
    return urlsplit(cleaned).scheme in {"http", "https"} or cleaned.startswith("//")


# The characters at which each inline rule can match: each looks at its first character first.
# A rule not listed here is tried at every character, as markdown-it does.
INLINE_RULE_STARTS = {
    "newline": "\n",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "emphasis": "*_",
    "wiki_ref": "[",
    "link": "[",
    "image": "!",
    "footnote_inline": "^",
    "footnote_ref": "[",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
    "math_inline": "$",
}
# Where plain text must stop though no rule starts there: a link label scan looks for its `]`.
LABEL_END = "]"


def _dispatch_by_first_character(md: MarkdownIt) -> None:
    """Try at each position only the inline rules that can start with its character.

    markdown-it tries every rule at every punctuation character, and text only runs between
    them: on a body of punctuation that is a dozen failed calls per character. The rules and
    their order are unchanged; only calls that could not succeed are left out.
    """
    ruler = md.inline.ruler
    rules = [rule for rule in ruler.__rules__ if rule.enabled]
    if any(rule.name not in INLINE_RULE_STARTS for rule in rules if rule.name != "text"):
        return  # a rule that may start anywhere: keep markdown-it's own loop
    starts = set("".join(INLINE_RULE_STARTS[rule.name] for rule in rules if rule.name != "text"))
    by_character = {
        character: tuple(
            rule.fn for rule in rules if character in INLINE_RULE_STARTS.get(rule.name, "")
        )
        for character in starts
    }
    text = tuple(rule.fn for rule in rules if rule.name == "text")

    def first_character(state: StateInline, silent: bool) -> bool:
        for rule in by_character.get(state.src[state.pos], text):
            if rule(state, silent):
                return True
        return False

    ruler.disable([rule.name for rule in rules])
    ruler.push("first_character", first_character)
    # Plain text now runs up to the next character some rule starts with (or a label's end),
    # not up to any punctuation: the characters between could only have been text anyway.
    md.inline.terminator_re = re.compile("[" + re.escape("".join(sorted(starts)) + LABEL_END) + "]")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    use_block_extensions(md)
    md.inline.ruler.before("link", "wiki_ref", _ref_rule)
    md.helpers = SimpleNamespace(
        parseLinkLabel=_link_label_end,
        parseLinkDestination=_link_destination,
        parseLinkTitle=helpers.parseLinkTitle,
    )
    footnote_inline = md.inline.ruler.__rules__[md.inline.ruler.__find__("footnote_inline")].fn
    md.inline.ruler.at("footnote_inline", _footnote_inline_linear(footnote_inline))
    md.add_render_rule("wiki_ref", _render_ref)
    md.add_render_rule("wiki_ref_open", _render_ref_open)
    md.add_render_rule("wiki_ref_close", _render_ref_close)
    for kind in RAW_HTML_TOKENS:
        md.add_render_rule(kind, _render_raw_html(md.renderer.rules[kind]))
    _dispatch_by_first_character(md)
    return md


@dataclass(frozen=True)
class ParsedBody:
    tokens: tuple
    env: dict


@lru_cache(maxsize=8)
def _parsed(body: str) -> ParsedBody:
    # Saving a page reads its body several times (words, references, links): parse once.
    # Callers only read the tokens.
    env: dict = {}
    return ParsedBody(tokens=tuple(_parser().parse(body, env)), env=env)


def _tokens(body: str) -> tuple:
    return _parsed(body).tokens


def _inline_children(body: str):
    for token in _tokens(body):
        yield from token.children or ()


def body_references(body: str) -> list[Reference]:
    """Return the `[[...]]` references of a body in order, ignoring those in code."""
    return [
        child.meta["reference"]
        for child in _inline_children(body)
        if child.type in ("wiki_ref", "wiki_ref_open")
    ]


def body_linked_slugs(body: str) -> list[str]:
    """Return the slugs of the pages a body links to, in order, once each: `[[slug]]`
    references and Markdown links to `/wiki/<slug>/`; none in code."""
    slugs = [ref.ref for ref in body_references(body) if not ref.is_citation]
    for url in body_link_urls(body):
        match = WIKI_PATH_RE.fullmatch(url.split("#", 1)[0].split("?", 1)[0])
        if match:
            slugs.append(match["slug"])
    return list(dict.fromkeys(slug for slug in slugs if SLUG_RE.fullmatch(slug)))


def body_link_urls(body: str) -> list[str]:
    """Return the targets of the body's Markdown links, in order, ignoring code."""
    return [
        child.attrGet("href") or "" for child in _inline_children(body) if child.type == "link_open"
    ]


def body_missing_references(body: str) -> list[str]:
    """Return the labels of footnote references with no definition (`[^rc-473f]`), once each."""
    parsed = _parsed(body)
    return body_missing_footnotes(parsed.tokens, parsed.env)


def body_formula_errors(body: str) -> list[tuple[int | None, str, str]]:
    """Return (line, formula, why) for each formula of a body that cannot be shown."""
    return body_math_errors(_tokens(body))


BACKTICK_RUN_RE = re.compile(r"`+")
CODE_OR_ESCAPE_RE = re.compile(r"`+|\\.", re.S)


def body_footnote_replace(body: str, label: str, replacement: str) -> tuple[str, int]:
    """Replace every reference to footnote `label` outside code; return the body and the count.

    Code blocks are found by the parser (their lines are left alone); code spans and escapes
    inside other lines are skipped as they are read.
    """
    code_lines = set()
    for token in _tokens(body):
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(*token.map))
    marker = f"[^{label}]"
    lines = body.split("\n")
    count = 0
    for number, line in enumerate(lines):
        if number in code_lines or marker not in line:
            continue
        starts = [
            start
            for start in _markers_outside_code(line, marker)
            if not (start == 0 and line.startswith(marker + ":"))  # its definition
        ]
        for start in reversed(starts):
            line = line[:start] + replacement + line[start + len(marker) :]
        lines[number] = line
        count += len(starts)
    return "\n".join(lines), count


def _markers_outside_code(line: str, marker: str) -> list[int]:
    """Return where `marker` starts in a line, outside its code spans and escapes."""
    skipped, starts, index = _code_and_escapes(line), [], 0
    for found in re.finditer(re.escape(marker), line):
        while index < len(skipped) and skipped[index][1] <= found.start():
            index += 1
        if index == len(skipped) or found.start() < skipped[index][0]:
            starts.append(found.start())
    return starts


def _code_and_escapes(line: str) -> list[tuple[int, int]]:
    """Return the spans of a line's code spans and backslash escapes, in order.

    A run of backticks opens a code span that the next run of the same length closes, and is
    text without one. The closing run comes from an index of the line's runs: a pattern that
    searches for it backtracks through every shorter run at every backtick, and took 80 s on a
    line of 2,000 of them.
    """
    runs: dict[int, list[int]] = {}
    for run in BACKTICK_RUN_RE.finditer(line):
        runs.setdefault(len(run[0]), []).append(run.start())
    spans, pos = [], 0
    while found := CODE_OR_ESCAPE_RE.search(line, pos):
        pos = found.end()
        if found[0].startswith("\\"):
            spans.append(found.span())
            continue
        same_length = runs.get(len(found[0]), [])
        after = bisect_right(same_length, found.start())
        if after < len(same_length):
            pos = same_length[after] + len(found[0])
            spans.append((found.start(), pos))
    return spans


def body_footnote_uses(body: str, label: str) -> int:
    """Return how many times a body refers to footnote `label`, outside code."""
    return sum(
        1
        for child in _inline_children(body)
        if child.type == "footnote_ref" and child.meta.get("label") == label
    )


@dataclass(frozen=True)
class RenderedBody:
    """A body as readers see it, with what the page around it needs to know."""

    html: str
    toc: tuple[TocEntry, ...] = ()
    has_diagrams: bool = False


def body_render_page(body: str, context: RenderContext) -> RenderedBody:
    """Render a body to sanitized HTML, with its table of contents and what it contains."""
    mark = secrets.token_hex(8)
    env = {"context": context, "own_mark": mark}
    html = _parser().render(body, env)
    toc = tuple(
        replace(entry, html=_sanitize_own(_marked_own(entry.html, mark), mark))
        for entry in env.get("toc", ())
    )
    if env.get("footnotes", {}).get("list"):
        toc += (TocEntry(level=2, anchor="notes", text="Notes", html="Notes"),)
    html = _sanitize_own(_marked_own(html, mark), mark)
    return RenderedBody(html=html, toc=toc, has_diagrams=bool(env.get("diagrams")))


def body_render(body: str, context: RenderContext) -> str:
    """Render a body to sanitized HTML."""
    return body_render_page(body, context).html


# Raw HTML and the sanitizer -----------------------------------------------------------------
#
# Raw HTML (html_block and html_inline tokens) is the one part of a rendered body that our
# rules did not write. Each render fences it off with a random mark; everywhere else, every
# class and id gets that mark, and the sanitizer keeps only marked ones (unmarking them). So
# markup an editor writes by hand keeps no class or id, and cannot pass for a citation marker,
# a reference, a note, a back-link or an anchor, nor take the id a link of ours points to.

RAW_HTML_TOKENS = ("html_block", "html_inline")
OWN_ATTRIBUTE_RE = re.compile(r'(\s(?:class|id))="')
# Written after each stretch of raw HTML: whatever tag, quoted value or comment it left open
# ends here (and is a comment if nothing was open), so it cannot take in our attributes.
RAW_HTML_END = "<!--\"'>-->"
# The sanitizer's HTML parser takes time that grows with the square of the depth of some
# unclosed elements: a body keeps at most this many raw start tags of elements that can hold
# others; later ones show as text. (A count, not a depth: end tags can hide from a scan in
# ways the parser does not, and no real page comes near it.)
RAW_HTML_ELEMENTS = 500
RAW_START_TAG_RE = re.compile(r"<([A-Za-z][^\t\n\f\r />]*)")
VOID_ELEMENTS = frozenset(
    "area base basefont bgsound br col embed frame hr img input keygen link meta param source "
    "track wbr".split()
)
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Matches the serialized start tag of a link in sanitized HTML, where every attribute is
# name="value" and a value holds no quote, `<` or `>`.
LINK_START_TAG_RE = re.compile(r'<a((?: [^\s"=<>/]+="[^"]*")*)>')
HREF_RE = re.compile(r' href="([^"]*)"')


def _render_raw_html(default):
    """Render raw HTML as markdown-it does, bounded, between two marks."""

    def render(self, tokens, idx, options, env) -> str:
        mark = env["own_mark"]
        return mark + _bounded_elements(default(tokens, idx, options, env), env) + mark

    return render


def _bounded_elements(html: str, env: dict) -> str:
    """Show as text the raw start tags beyond the body's first RAW_HTML_ELEMENTS."""

    def start_tag(match: re.Match) -> str:
        if match[1].translate(ASCII_LOWER) in VOID_ELEMENTS:
            return match[0]
        env["raw_elements"] = env.get("raw_elements", 0) + 1
        return match[0] if env["raw_elements"] <= RAW_HTML_ELEMENTS else "&lt;" + match[0][1:]

    return RAW_START_TAG_RE.sub(start_tag, html)


def _marked_own(html: str, mark: str) -> str:
    """Mark every class and id outside the raw HTML fences, and end each raw stretch cleanly.

    Outside the fences every `<` in text and every `"` in a value is escaped, so ` class="`
    there is an attribute we wrote, or text (a formula's), where the mark is dropped later.
    """
    parts = html.split(mark)
    return "".join(
        OWN_ATTRIBUTE_RE.sub(rf'\1="{mark}', part) if index % 2 == 0 else part + RAW_HTML_END
        for index, part in enumerate(parts)
    )


def _sanitize_own(html: str, mark: str) -> str:
    """Sanitize, keeping only the classes and ids marked as ours; then drop any stray mark."""
    return _with_link_rel(sanitize(html, attribute_filter=_own_only(mark))).replace(mark, "")


def _own_only(mark: str):
    """Return the sanitizer's attribute filter: a class or id without the mark goes."""

    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute not in ("class", "id"):
            return value
        return value[len(mark) :] if value.startswith(mark) else None

    return keep


def _with_link_rel(html: str) -> str:
    """Give every link that leaves the site our `rel`, whoever wrote the link."""

    def start_tag(match: re.Match) -> str:
        href = HREF_RE.search(match[1])
        if href is None or not is_external_url(unescape(href[1])):
            return match[0]
        return f'<a{match[1]} rel="{EXTERNAL_REL}">'

    return LINK_START_TAG_RE.sub(start_tag, html)


def sanitize(html: str, *, attribute_filter=None) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


def prose_word_count(body: str) -> int:
    """Count the words of prose in a body: not tables, code, HTML or reference markup.

    A reference counts the words its reader sees: a citation its link text (a bare marker
    none), a page link its text or its slug's words.
    """
    words = 0
    in_table = 0
    for token in _tokens(body):
        if token.type == "table_open":
            in_table += 1
        elif token.type == "table_close":
            in_table -= 1
        elif token.type == "inline" and not in_table:
            words += sum(_child_words(child) for child in token.children or ())
    return words


def _child_words(child) -> int:
    # An image's alt text sits in the image token's own children, so plain text children
    # at this level are exactly the prose; code spans, math and raw HTML are other types.
    if child.type == "text":
        return len(WORD_RE.findall(child.content))
    if child.type == "wiki_ref":
        # A bare reference: a citation shows only its marker, a page link its slug's words.
        # (A reference with text has its text as children of its own, counted as text.)
        reference: Reference = child.meta["reference"]
        return 0 if reference.is_citation else len(WORD_RE.findall(reference.ref.replace("-", " ")))
    return 0
