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
no script, event handler or `javascript:` URL reaches a reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline

from .markup_blocks import (
    TocEntry,
    body_math_errors,
    body_missing_footnotes,
    mathml_tags,
    use_block_extensions,
)

REF_RE = re.compile(r"\[\[(?P<cite>cite:)?(?P<ref>[A-Za-z0-9_-]+)(?:\|(?P<text>[^\]\n]*))?\]\]")
WORD_RE = re.compile(r"\w[\w'’-]*")
EXTERNAL_REL = "nofollow noopener"

ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"img", "map", "area"}) | {"section"} | set(mathml_tags())
ALLOWED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "a": {"href", "hreflang", "title", "rel", "id", "class", "aria-label"},
    "sup": {"id", "class"},
    "span": {"class", "title"},
    "li": {"id", "class"},
    "ol": {"start", "class"},
    "section": {"class"},
    "aside": {"class"},
    "figure": {"class"},
    "figcaption": {"class"},
    "pre": {"class"},
    "div": {"class"},
    "p": {"class"},
    "code": {"class", "title"},
    "hr": {"class"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
    **mathml_tags(),
    "th": {*nh3.ALLOWED_ATTRIBUTES.get("th", ()), "style"},
    "td": {*nh3.ALLOWED_ATTRIBUTES.get("td", ()), "style"},
}
URL_SCHEMES = {"http", "https", "mailto"}


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
    if not state.src.startswith("[[", state.pos):
        return False
    match = REF_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        reference = Reference(is_citation=bool(match["cite"]), ref=match["ref"], text=match["text"])
        if match["text"] is None:
            state.push("wiki_ref", "", 0).meta = {"reference": reference}
        else:
            _push_ref_with_text(state, reference, match.start("text"), match.end("text"))
    state.pos = match.end()
    return True


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


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if is_external_url(token.attrGet("href") or ""):
        token.attrSet("rel", EXTERNAL_REL)
    return self.renderToken(tokens, idx, options, env)


def is_external_url(url: str) -> bool:
    """Tell whether a link leaves the site (an absolute http or https URL)."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} or url.startswith("//")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    use_block_extensions(md)
    md.inline.ruler.before("link", "wiki_ref", _ref_rule)
    md.add_render_rule("wiki_ref", _render_ref)
    md.add_render_rule("wiki_ref_open", _render_ref_open)
    md.add_render_rule("wiki_ref_close", _render_ref_close)
    md.add_render_rule("link_open", _render_link_open)
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


CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1|\\.", re.S)


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
        out, pos = [], 0
        for match in re.finditer(CODE_SPAN_RE.pattern + "|" + re.escape(marker), line, re.S):
            out.append(line[pos : match.start()])
            is_definition = match.start() == 0 and line.startswith(marker + ":")
            if match[0] == marker and not is_definition:
                out.append(replacement)
                count += 1
            else:
                out.append(match[0])
            pos = match.end()
        out.append(line[pos:])
        lines[number] = "".join(out)
    return "\n".join(lines), count


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
    env = {"context": context}
    html = _parser().render(body, env)
    toc = tuple(replace(entry, html=sanitize(entry.html)) for entry in env.get("toc", ()))
    if env.get("footnotes", {}).get("list"):
        toc += (TocEntry(level=2, anchor="notes", text="Notes", html="Notes"),)
    return RenderedBody(html=sanitize(html), toc=toc, has_diagrams=bool(env.get("diagrams")))


def body_render(body: str, context: RenderContext) -> str:
    """Render a body to sanitized HTML."""
    return body_render_page(body, context).html


def sanitize(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
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
