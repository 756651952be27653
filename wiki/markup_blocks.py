"""The block-level extensions of page bodies, as markdown-it rules: each turns Markdown that a
reader would otherwise see as raw text into the structure it stands for.

- Diagrams: a fenced `mermaid` block becomes a labelled figure holding its source; a script
  draws it in the browser, and without one the source stays readable.
- Math: `$...$` and `$$...$$` (TeX) become MathML on the server, so they need no script. A
  formula that does not convert shows as code.
- Callouts: `:::note`, `:::tip`, `:::caution`, `:::danger` (optionally `[Title]`) become
  asides; `:::aside[Title]` and `:::section[Title]` become titled panels.
- Footnotes: a reference to a footnote with no definition (the Longterm Wiki keeps many in its
  database, as `[^rc-…]`) becomes a numbered note that says its details are missing.
- Headings get stable anchors from their text, collected for the table of contents.
- Tables sit in a box of their own that scrolls sideways on a narrow screen.

A body converts at most MATH_BUDGET characters of math, and the footnote rules read each
label in time independent of the rest of the line (`next_stop`): a hostile body costs time
linear in its length.

Every piece of text these rules write is escaped; the sanitizer still runs after them.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from django.utils.text import slugify
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from core.memo import text_memo

# Callout kinds readers see, and the other names writers use for them (GitHub, Docusaurus).
CALLOUT_KINDS = ("note", "tip", "caution", "danger")
CALLOUT_ALIASES = {
    "info": "note",
    "important": "note",
    "success": "tip",
    "warning": "caution",
    "error": "danger",
}
PANEL_KINDS = ("aside", "section")
# Matched against the stripped opener: spaces on both sides of an optional part would make
# the pattern try every split of a long run of spaces (quadratic).
CONTAINER_OPENER_RE = re.compile(r"([A-Za-z][\w-]*)\s*(?:\[(.*)\])?")

# Footnote labels whose definitions the Longterm Wiki keeps in its database, by prefix.
DATABASE_REFERENCE_KINDS = ("rc", "cr", "kb")
MISSING_NOTE_TEXT = "Citation {label}: the details of this reference are not in the knowledge base."

# Headings that get anchors and enter the table of contents.
TOC_LEVELS = (2, 3)
ANCHOR_LEVELS = (2, 3, 4, 5, 6)
# Ids the page around the body uses: a heading may not take them.
RESERVED_ID_RE = re.compile(r"(?:ref-\d+|cite-\d+-\d+|fn(?:ref)?\d+(?::\d+)?|main|notes)\Z")

# A formula that converts but keeps a command latex2mathml does not know shows it raw.
UNKNOWN_COMMAND_RE = re.compile(r">[^<]*\\[A-Za-z]+[^<]*<")
# The most math a body converts, in characters counting the dollars: the converter takes some
# 10 µs a character, and the real page with the most math has 700. Past it, formulas show as
# code, as a formula that cannot convert does.
MATH_BUDGET = 20_000
MATH_OVER_BUDGET = f"the page has more math than can be shown ({MATH_BUDGET:,} characters)"


# Scanning ----------------------------------------------------------------------------------


def next_stop(src: str, stops: str, pos: int) -> int:
    """Return the index of the first of the characters `stops` at or after `pos`, or len(src).

    Inline rules that read up to a closing character ask this instead of scanning: a line of
    openers with no closer would otherwise be rescanned to its end at every opener.
    """
    index = _stop_index(src, stops)
    found = bisect_left(index, pos)
    return index[found] if found < len(index) else len(src)


@text_memo(maxsize=8)
def _stop_index(src: str, stops: str) -> array:
    # Keyed by the inline source itself (one paragraph, heading or cell), parsed one at a time:
    # where its stops are is a fact about the text alone, whoever asks.
    pattern = re.compile("[" + re.escape(stops) + "]")
    return array("i", (match.start() for match in pattern.finditer(src)))


# Math --------------------------------------------------------------------------------------


class MathError(ValueError):
    """A TeX formula that cannot be shown as MathML."""


def math_to_mathml(tex: str, *, display: bool) -> str:
    """Return MathML for a TeX formula, or raise MathError saying why it cannot convert."""
    if not _braces_balanced(tex):
        raise MathError("unbalanced braces")
    try:
        mathml = latex_to_mathml(tex, display="block" if display else "inline")
    except Exception as error:  # the converter raises many kinds; each means "cannot convert"
        raise MathError(str(error) or type(error).__name__) from error
    if UNKNOWN_COMMAND_RE.search(mathml):
        command = re.search(r"\\[A-Za-z]+", UNKNOWN_COMMAND_RE.search(mathml)[0])[0]
        raise MathError(f"unknown command {command}")
    return mathml


def _braces_balanced(tex: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\.|[{}]", tex):
        token = match[0]
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _math_html(tex: str, *, display: bool, refused: str | None = None) -> str:
    tex = tex.strip()
    try:
        if refused:
            raise MathError(refused)
        return math_to_mathml(tex, display=display)
    except MathError as error:
        delimiter = "$$" if display else "$"
        return (
            f'<code class="math-error" title="This formula could not be shown: '
            f'{escapeHtml(str(error))}">{escapeHtml(delimiter + tex + delimiter)}</code>'
        )


def _math_token_html(token: Token) -> str:
    # A heading's formula is shown twice (in the text and in the contents): convert it once.
    if "html" not in token.meta:
        display = token.type != "math_inline"
        refused = token.meta.get("refused")
        token.meta["html"] = _math_html(token.content, display=display, refused=refused)
    return token.meta["html"]


def _budget_math(state: StateCore) -> None:
    """Refuse the formulas past the body's MATH_BUDGET characters, in the order of the page.

    It runs once the notes are in place at the end, inline ones (`^[...]`) included.
    """
    spent = 0
    for token, _ in _walk_with_lines(state.tokens):
        if token.type in MATH_TOKEN_TYPES:
            spent += len(token.content) + 2 * len(token.markup)
            if spent > MATH_BUDGET:
                token.meta["refused"] = MATH_OVER_BUDGET


def _rule(ruler, name: str):
    return ruler.__rules__[ruler.__find__(name)].fn


def _at_start_fixed(rule):
    """Wrap the plugin's inline math rule, which misreads a `$` that opens the text.

    It looks at src[pos - 1] for a digit or a backslash before the `$`; at pos 0 Python
    wraps round to the last character, so "$M$ and $C$ ... 0.4" lost its first formula.
    """

    def fixed(state, silent: bool) -> bool:
        if state.pos != 0 or not state.src:
            return rule(state, silent)
        src = state.src
        state.src = src + " "  # what src[-1] reads: neither a digit nor a backslash
        try:
            return rule(state, silent)
        finally:
            state.src = src

    return fixed


def _render_math_inline(self, tokens, idx, options, env) -> str:
    return _math_token_html(tokens[idx])


def _render_math_display(self, tokens, idx, options, env) -> str:
    return f'<div class="math-display">{_math_token_html(tokens[idx])}</div>\n'


def body_math_errors(tokens: tuple[Token, ...]) -> list[tuple[int | None, str, str]]:
    """Return (line, formula, why) for each formula of a parsed body that cannot convert."""
    errors = []
    for token, line in _walk_with_lines(tokens):
        if token.type in MATH_TOKEN_TYPES:
            display = token.type != "math_inline"
            try:
                if token.meta.get("refused"):
                    raise MathError(token.meta["refused"])
                math_to_mathml(token.content.strip(), display=display)
            except MathError as error:
                errors.append((line, token.content.strip(), str(error)))
    return errors


MATH_TOKEN_TYPES = ("math_inline", "math_inline_double", "math_block", "math_block_label")


def _walk_with_lines(tokens):
    for token in tokens:
        line = token.map[0] + 1 if token.map else None
        yield token, line
        for child in token.children or ():
            yield child, line


# Diagrams ----------------------------------------------------------------------------------


def _render_fence(default):
    def render(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        language = token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""
        if language != "mermaid":
            box = SCROLL_BOX.format(kind="code", label="Code, scrolls sideways")
            return box + default(tokens, idx, options, env) + "</div>\n"
        env["diagrams"] = env.get("diagrams", 0) + 1
        return (
            '<figure class="diagram diagram-mermaid">'
            '<figcaption class="diagram-caption">Diagram (Mermaid source)</figcaption>'
            f'<pre class="diagram-source"><code>{escapeHtml(token.content)}</code></pre>'
            "</figure>\n"
        )

    return render


# Callouts and panels -----------------------------------------------------------------------


@dataclass(frozen=True)
class Container:
    """What a `:::name[Title]` opener asks for."""

    element: str  # aside or section
    css_class: str
    title: str


def container_of(params: str) -> Container | None:
    """Read a container opener's name and title; None if it is not one."""
    match = CONTAINER_OPENER_RE.fullmatch(params.strip())
    if match is None:
        return None
    name, title = match[1].lower(), (match[2] or "").strip()
    if name in PANEL_KINDS:
        return Container(element=name, css_class="panel", title=title)
    kind = CALLOUT_ALIASES.get(name, name)
    if kind not in CALLOUT_KINDS:
        # An unknown kind is still a callout, titled by its name, never raw text.
        title = title or name.replace("-", " ").capitalize()
        kind = "note"
    return Container(
        element="aside", css_class=f"callout callout-{kind}", title=title or kind.capitalize()
    )


def _render_container(self, tokens, idx, options, env) -> str:
    # Containers nest, and render in order: the closing tag is the last one opened.
    open_elements = env.setdefault("open_containers", [])
    if tokens[idx].nesting == -1:
        return f"</{open_elements.pop()}>\n"
    container = container_of(tokens[idx].info)
    open_elements.append(container.element)
    title = (
        f'<p class="{container.css_class.split()[0]}-title">{escapeHtml(container.title)}</p>\n'
        if container.title
        else ""
    )
    return f'<{container.element} class="{container.css_class}">\n{title}'


def _container_validate(params: str, *args) -> bool:
    return container_of(params) is not None


# Footnotes ---------------------------------------------------------------------------------


def footnote_kind(label: str) -> str:
    """Return the kind of a footnote label whose definition is missing: rc, cr, kb or other."""
    prefix = label.split("-", 1)[0].lower()
    return prefix if "-" in label and prefix in DATABASE_REFERENCE_KINDS else "other"


def _footnote_ref_linear(rule):
    """Wrap the plugin's `[^label]` rule, which reads the label a character at a time.

    It gives up at a space or a line end and succeeds at `]`; where the first of those is
    comes from `next_stop`, so a line of `[^` openers costs one pass, not one per opener.
    """

    def guarded(state, silent: bool) -> bool:
        start = state.pos
        if not state.src.startswith("[^", start):
            return False
        stop = next_stop(state.src, " \n]", start + 2)
        if stop >= state.posMax or state.src[stop] != "]":
            return False
        return rule(state, silent)

    return guarded


def _record_defined_footnotes(state: StateCore) -> None:
    # After the block pass, the footnote plugin knows exactly the labels that have definitions.
    refs = state.env.get("footnotes", {}).get("refs", {})
    state.env["defined_footnotes"] = {key[1:] for key in refs}


def _explain_missing_footnotes(state: StateCore) -> None:
    """Give each footnote without a definition a note that says its details are missing."""
    defined = state.env.get("defined_footnotes", set())
    tokens, out, index = state.tokens, [], 0
    while index < len(tokens):
        token = tokens[index]
        out.append(token)
        index += 1
        label = (token.meta or {}).get("label")
        if token.type != "footnote_open" or label is None or label in defined:
            continue
        token.attrSet("class", "footnote-item footnote-missing")
        text = Token("text", "", 0)
        text.content = MISSING_NOTE_TEXT.format(label=label)
        inline = Token("inline", "", 0)
        inline.children, inline.content = [text], text.content
        # The plugin put the links back to each use right after the (empty) note: they go
        # at the end of the note's paragraph, as for any other note.
        while index < len(tokens) and tokens[index].type == "footnote_anchor":
            inline.children.append(tokens[index])
            index += 1
        out += [Token("paragraph_open", "p", 1), inline, Token("paragraph_close", "p", -1)]
    state.tokens = out


def body_missing_footnotes(tokens: tuple[Token, ...], env: dict) -> list[str]:
    """Return the labels of footnote references that have no definition, in order, once each."""
    defined = env.get("defined_footnotes", set())
    labels = []
    for token, _ in _walk_with_lines(tokens):
        if token.type == "footnote_ref":
            label = token.meta.get("label")
            if label is not None and label not in defined and label not in labels:
                labels.append(label)
    return labels


def _render_footnote_block_open(self, tokens, idx, options, env) -> str:
    return '<section class="footnotes">\n<h2 id="notes">Notes</h2>\n<ol class="footnotes-list">\n'


def _render_footnote_open(self, tokens, idx, options, env) -> str:
    ident = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    css = tokens[idx].attrGet("class") or "footnote-item"
    return f'<li id="fn{ident}" class="{css}">'


def _render_footnote_anchor(self, tokens, idx, options, env) -> str:
    ident = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    if tokens[idx].meta["subId"] > 0:
        ident += ":" + str(tokens[idx].meta["subId"])
    return (
        f' <a href="#fnref{ident}" class="footnote-backref" '
        'aria-label="Back to the text">\u21a9\ufe0e</a>'
    )


# Headings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TocEntry:
    """A heading in the table of contents: its text, and its HTML (math shown as MathML)."""

    level: int
    anchor: str
    text: str
    html: str


def _anchor_headings(state: StateCore) -> None:
    """Give headings stable ids from their text, unique in the body; collect the contents."""
    used: set[str] = set()
    toc: list[TocEntry] = []
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        if level not in ANCHOR_LEVELS:
            continue
        text, html = _heading_text(tokens[index + 1])
        anchor = _unique_anchor(slugify(text, allow_unicode=True) or "section", used)
        token.attrSet("id", anchor)
        if level in TOC_LEVELS and text:
            toc.append(TocEntry(level=level, anchor=anchor, text=text, html=html))
    state.env["toc"] = toc


def _unique_anchor(slug: str, used: set[str]) -> str:
    if RESERVED_ID_RE.match(slug):
        slug += "-section"
    anchor, number = slug, 1
    while anchor in used:
        number += 1
        anchor = f"{slug}-{number}"
    used.add(anchor)
    return anchor


def _heading_text(inline: Token) -> tuple[str, str]:
    """Return a heading's text (for its anchor) and its HTML for the contents (unsanitized)."""
    texts, htmls = [], []
    for child in inline.children or ():
        if child.type in ("text", "code_inline", "math_inline"):
            texts.append(child.content)
        if child.type == "text":
            htmls.append(escapeHtml(child.content))
        elif child.type == "code_inline":
            htmls.append(f"<code>{escapeHtml(child.content)}</code>")
        elif child.type == "math_inline":
            htmls.append(_math_token_html(child))
        elif child.type == "wiki_ref" and not child.meta["reference"].is_citation:
            reference = child.meta["reference"]
            words = reference.text or reference.ref.replace("-", " ")
            texts.append(words)
            htmls.append(escapeHtml(words))
        elif child.type == "softbreak":
            texts.append(" ")
            htmls.append(" ")
    return " ".join("".join(texts).split()), "".join(htmls).strip()


def _render_heading_close(self, tokens, idx, options, env) -> str:
    opening = tokens[idx - 2] if idx >= 2 else None
    anchor = opening.attrGet("id") if opening is not None else None
    link = (
        f' <a class="heading-anchor" href="#{escapeHtml(anchor)}" '
        f'aria-label="Link to this section">#</a>'
        if anchor
        else ""
    )
    return f"{link}</{tokens[idx].tag}>\n"


# Tables ------------------------------------------------------------------------------------


# A wide table or code block scrolls sideways in its box: the box takes keyboard focus, so
# that a keyboard user can scroll it too, and is named for screen readers (WCAG 2.1.1).
SCROLL_BOX = '<div class="{kind}-wrap" tabindex="0" role="region" aria-label="{label}">'


def _render_table_open(self, tokens, idx, options, env) -> str:
    box = SCROLL_BOX.format(kind="table", label="Table, scrolls sideways")
    return box + self.renderToken(tokens, idx, options, env)


def _render_table_close(self, tokens, idx, options, env) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


# Wiring ------------------------------------------------------------------------------------


def use_block_extensions(md: MarkdownIt) -> MarkdownIt:
    """Add every extension above to a parser."""
    md.use(footnote_plugin, always_match_refs=True)
    md.inline.ruler.at("footnote_ref", _footnote_ref_linear(_rule(md.inline.ruler, "footnote_ref")))
    md.use(deflist_plugin)
    # A `$` next to a digit or a space is money, not math: "$5 and $10" stays text.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.inline.ruler.at("math_inline", _at_start_fixed(_rule(md.inline.ruler, "math_inline")))
    md.use(container_plugin, name="block", marker=":", validate=_container_validate)
    md.core.ruler.after("block", "defined_footnotes", _record_defined_footnotes)
    md.core.ruler.after("footnote_tail", "missing_footnotes", _explain_missing_footnotes)
    md.core.ruler.after("footnote_tail", "math_budget", _budget_math)
    md.core.ruler.push("heading_anchors", _anchor_headings)
    md.add_render_rule("container_block_open", _render_container)
    md.add_render_rule("container_block_close", _render_container)
    md.add_render_rule("math_inline", _render_math_inline)
    for kind in MATH_TOKEN_TYPES[1:]:
        md.add_render_rule(kind, _render_math_display)
    md.add_render_rule("fence", _render_fence(md.renderer.rules["fence"]))
    md.add_render_rule("footnote_block_open", _render_footnote_block_open)
    md.add_render_rule("footnote_open", _render_footnote_open)
    md.add_render_rule("footnote_anchor", _render_footnote_anchor)
    md.add_render_rule("heading_close", _render_heading_close)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    return md


@lru_cache(maxsize=1)
def mathml_tags() -> dict[str, set[str]]:
    """Return the MathML elements and attributes the converter writes, for the allow-list."""
    presentation = {"display", "mathvariant", "displaystyle", "scriptlevel"}
    return {
        "math": {"display", "xmlns"},
        "semantics": set(),
        "annotation": {"encoding"},
        "mrow": set(),
        "mi": presentation,
        "mn": presentation,
        "mo": presentation
        | {
            "stretchy",
            "fence",
            "separator",
            "lspace",
            "rspace",
            "form",
            "minsize",
            "maxsize",
            "symmetric",
            "movablelimits",
            "accent",
            "largeop",
        },  # fmt: skip
        "ms": set(),
        "mtext": presentation,
        "mspace": {"width", "height", "depth"},
        "msup": set(),
        "msub": set(),
        "msubsup": set(),
        "mfrac": {"linethickness", "bevelled"},
        "msqrt": set(),
        "mroot": set(),
        "mover": {"accent"},
        "munder": {"accentunder"},
        "munderover": {"accent", "accentunder"},
        "mtable": {
            "columnalign",
            "rowspacing",
            "columnspacing",
            "rowlines",
            "columnlines",
            "frame",
            "displaystyle",
        },  # fmt: skip
        "mtr": {"columnalign"},
        "mtd": {"columnalign", "columnspan", "rowspan"},
        "mstyle": presentation | {"mathsize"},
        "mpadded": {"width", "height", "depth", "lspace", "voffset"},
        "mphantom": set(),
        "menclose": {"notation"},
        "merror": set(),
    }
