"""The two extensions our page bodies add to Markdown, and what counts as prose.

- A citation of a source: `[[cite:ID]]` or `[[cite:ID|link text]]`, where ID is the source's
  16-hex id or its stable id (with or without `sid_`).
- A link to another wiki page: `[[slug]]` or `[[slug|link text]]`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

CITATION_RE = re.compile(r"\[\[cite:(?P<ref>[A-Za-z0-9_]+)(?:\|(?P<text>[^\]\n]*))?\]\]")
WIKILINK_RE = re.compile(r"\[\[(?!cite:)(?P<slug>[a-z0-9][a-z0-9_-]*)(?:\|(?P<text>[^\]\n]*))?\]\]")
WORD_RE = re.compile(r"\w[\w'’-]*")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def markup_to_text(body: str) -> str:
    """Replace our extensions by the words a reader sees in their place."""
    body = CITATION_RE.sub(lambda m: m.group("text") or "", body)
    return WIKILINK_RE.sub(_wikilink_text, body)


def _wikilink_text(match: re.Match) -> str:
    text = match.group("text")
    return text if text is not None else match.group("slug").replace("-", " ")


def prose_word_count(body: str) -> int:
    """Count the words of prose in a Markdown body: not tables, code, HTML or markup."""
    words = 0
    in_table = 0
    for token in _parser().parse(markup_to_text(body)):
        if token.type == "table_open":
            in_table += 1
        elif token.type == "table_close":
            in_table -= 1
        elif token.type == "inline" and not in_table:
            words += _inline_word_count(token.children or [])
    return words


def _inline_word_count(children) -> int:
    # An image's alt text sits in the image token's own children, so plain text children
    # at this level are exactly the prose; code spans and raw HTML are other token types.
    return sum(len(WORD_RE.findall(c.content)) for c in children if c.type == "text")
