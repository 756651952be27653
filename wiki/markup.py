"""Page bodies: Markdown with two small extensions, rendered safely.

- A citation of a source: `[[cite:ID]]` or `[[cite:ID|link text]]`, where ID is the source's
  16-hex id or its stable id (with or without `sid_`). It renders as a numbered marker
  linking to the page's References entry.
- A link to another wiki page: `[[slug]]` or `[[slug|link text]]`.

Both are parsed as inline Markdown, so they are inert inside code spans and code blocks.
The rendered HTML goes through an allow-list sanitizer last: whatever an editor writes,
no script, event handler or `javascript:` URL reaches a reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.footnote import footnote_plugin

REF_RE = re.compile(r"\[\[(?P<cite>cite:)?(?P<ref>[A-Za-z0-9_-]+)(?:\|(?P<text>[^\]\n]*))?\]\]")
WORD_RE = re.compile(r"\w[\w'’-]*")
EXTERNAL_REL = "nofollow noopener"

ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"img", "map", "area"}) | {"section"}
ALLOWED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "a": {"href", "hreflang", "title", "rel", "id", "class", "aria-label"},
    "sup": {"id", "class"},
    "span": {"class", "title"},
    "li": {"id", "class"},
    "ol": {"start", "class"},
    "section": {"class"},
    "code": {"class"},
    "hr": {"class"},
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
    match = REF_RE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("wiki_ref", "", 0)
        token.meta = {
            "reference": Reference(
                is_citation=bool(match["cite"]), ref=match["ref"], text=match["text"]
            )
        }
    state.pos = match.end()
    return True


def _render_ref(self, tokens, idx, options, env) -> str:
    reference: Reference = tokens[idx].meta["reference"]
    context: RenderContext = env.get("context") or RenderContext()
    return (
        _citation_html(reference, context)
        if reference.is_citation
        else _page_link_html(reference, context)
    )


def _citation_html(reference: Reference, context: RenderContext) -> str:
    found = context.citations.get(reference.ref)
    text = escapeHtml(reference.text) if reference.text else ""
    if found is None:
        return (
            f'{text}<span class="broken-ref" title="No source with id '
            f'{escapeHtml(reference.ref)}">[?]</span>'
        )
    number, title = found
    count = context.marker_counts.get(number, 0) + 1
    context.marker_counts[number] = count
    marker = (
        f'<sup class="cite" id="cite-{number}-{count}"><a href="#ref-{number}" '
        f'title="{escapeHtml(title)}">[{number}]</a></sup>'
    )
    if text:
        return f'<a class="cite-text" href="#ref-{number}">{text}</a>{marker}'
    return marker


def _page_link_html(reference: Reference, context: RenderContext) -> str:
    found = context.pages.get(reference.ref)
    if found is None:
        text = escapeHtml(reference.text or reference.ref)
        return (
            f'<span class="broken-link" title="No page named {escapeHtml(reference.ref)}">'
            f"{text}</span>"
        )
    url, title = found
    return f'<a href="{escapeHtml(url)}">{escapeHtml(reference.text or title)}</a>'


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
    md = MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin)
    md.inline.ruler.before("link", "wiki_ref", _ref_rule)
    md.add_render_rule("wiki_ref", _render_ref)
    md.add_render_rule("link_open", _render_link_open)
    return md


@lru_cache(maxsize=8)
def _tokens(body: str) -> tuple:
    # Saving a page reads its body three times (words, references, links): parse once.
    # Callers only read the tokens.
    return tuple(_parser().parse(body))


def body_references(body: str) -> list[Reference]:
    """Return the `[[...]]` references of a body in order, ignoring those in code."""
    found = []
    for token in _tokens(body):
        for child in token.children or ():
            if child.type == "wiki_ref":
                found.append(child.meta["reference"])
    return found


def body_link_urls(body: str) -> list[str]:
    """Return the targets of the body's Markdown links, in order, ignoring code."""
    urls = []
    for token in _tokens(body):
        for child in token.children or ():
            if child.type == "link_open":
                urls.append(child.attrGet("href") or "")
    return urls


def body_render(body: str, context: RenderContext) -> str:
    """Render a body to sanitized HTML."""
    html = _parser().render(body, {"context": context})
    return sanitize(html)


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
    # at this level are exactly the prose; code spans and raw HTML are other token types.
    if child.type == "text":
        return len(WORD_RE.findall(child.content))
    if child.type == "wiki_ref":
        reference: Reference = child.meta["reference"]
        if reference.text is not None:
            return len(WORD_RE.findall(reference.text))
        return 0 if reference.is_citation else len(WORD_RE.findall(reference.ref.replace("-", " ")))
    return 0
