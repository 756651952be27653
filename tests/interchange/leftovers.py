"""Find text a reader should never see in a rendered page: markup that was not rendered.

Each kind of leftover is a named pattern over the page's visible text, outside code
(`<pre>` and `<code>`); diagrams are checked on the HTML, since their fallback is code.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Kind -> pattern over visible text (outside code).
TEXT_PATTERNS = {
    "footnote reference as text": re.compile(r"\[\^[^\]\s]+\]"),
    # A $$...$$ or $...$ pair around TeX-like text, or a TeX command (a lone `$$`, as a
    # price level in a table, is prose).
    "TeX as text": re.compile(
        r"(?<!\$)\$\$[^$]*?[\\^_{}=][^$]*?\$\$(?!\$)|\\(?:frac|sum|int|cdot|times|text|mathbb|mathrm|sqrt|left|right|approx|leq|geq|"
        r"alpha|beta|gamma|delta|lambda|sigma|mu|pi|infty|log|prod|partial|begin|end)\b"
        r"|(?<![\w$\\])\$[^\s$](?:[^$\n]{0,80}?[\\^_{}=][^$\n]{0,80}?)?\$(?![\d\w])"
    ),
    "callout fence as text": re.compile(r"(?m)^\s*:::"),
    # A pair of emphasis markers around words: Markdown that was not rendered.
    "literal emphasis": re.compile(
        r"\*\*[^\s*](?:[^*\n]*[^\s*])?\*\*|(?<![\w/])__[^\s_](?:[^_\n]*[^\s_])?__(?!\w)"
    ),
    "Markdown link as text": re.compile(r"\]\((?:/|https?://|#)[^)\s]*\)"),
    "backslash escape": re.compile(r"\\[!-/:-@\[-`{-~]"),
    "HTML entity as text": re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});"),
    "component as text": re.compile(r"</?[A-Z][A-Za-z]+[\s/>]|\{frontmatter\.|\{\s*/\*"),
}
# Kind -> pattern over the HTML: a diagram or a formula that stayed source code.
HTML_PATTERNS = {
    "Mermaid diagram as code": re.compile(r'<code class="language-mermaid"'),
}


class _VisibleText(HTMLParser):
    """Collect text outside <pre>, <code>, <script> and <style>, line breaks kept."""

    SKIPPED = {"pre", "code", "script", "style", "math", "template"}
    BLOCKS = {"p", "li", "div", "section", "aside", "h1", "h2", "h3", "h4", "h5", "h6",
              "td", "th", "tr", "dt", "dd", "br", "figure", "figcaption", "blockquote"}  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.depth += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.depth:
            self.depth -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Return the text a reader sees outside code, entities decoded once."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def leftovers(html: str) -> list[tuple[str, str]]:
    """Return (kind, excerpt) for each leftover in rendered HTML."""
    found = []
    text = visible_text(html)
    for kind, pattern in TEXT_PATTERNS.items():
        for match in pattern.finditer(text):
            start = max(0, match.start() - 30)
            found.append((kind, text[start : match.end() + 30].replace("\n", " ")))
    for kind, pattern in HTML_PATTERNS.items():
        for match in pattern.finditer(html):
            found.append((kind, html[match.start() : match.end() + 60]))
    return found
