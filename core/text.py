"""Plain text: what titles, summaries and descriptions hold, since readers see them as text.

Imported text often arrives HTML-escaped (`didn&#x27;t`) or Markdown-escaped (`\\$700B+`),
and a template shows those characters as they are. Markdown bodies are not plain text and
never pass through here.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.entities import html5

# Complete character references only: `R&D` and `?a=1&b=2` are text, not entities.
_CHARACTER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
# CommonMark: a backslash before ASCII punctuation escapes it; before anything else it stays.
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BLANK_LINES = re.compile(r"\n{3,}")
# Markdown strong emphasis around words (`**Epoch AI**`): in plain text, only its words.
_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")


def _decode_reference(match: re.Match) -> str:
    reference = match.group(0)
    if not reference.startswith("&#") and reference[1:] not in html5:
        return reference  # html.unescape would decode a prefix: `&notit;` is not `¬it;`
    return html.unescape(reference)


def plain_text(value: str, *, multiline: bool = False) -> str:
    """Return `value` as plain text: entities decoded, Markdown escapes and strong emphasis
    markers removed, spaces tidied.

    Decoding repeats until nothing changes, so double-encoded `&amp;#x27;` becomes `'` and
    the result is a fixed point: making it plain text again changes nothing (a re-import
    compares equal). One line (titles, names) turns every run of whitespace into one
    space; `multiline` (summaries, descriptions) keeps line breaks and paragraphs, dropping
    trailing spaces and runs of blank lines. Both are trimmed.
    """
    text = value
    while True:
        decoded = _CHARACTER_REFERENCE.sub(_decode_reference, text)
        decoded = _MARKDOWN_ESCAPE.sub(r"\1", _STRONG.sub(r"\2", decoded))
        if decoded == text:
            break
        text = decoded
    if not multiline:
        return " ".join(text.split())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in lines)).strip()


_TITLE_WORD = re.compile(r"[^\W_]+")


def title_key(text: str) -> str:
    """Return a title as compared for an exact match: no case, accents or punctuation.

    "Société Générale: AI" and "societe generale ai" have the same key.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(_TITLE_WORD.findall(plain))


def trigram_words(text: str) -> list[str]:
    """Return a text's words as pg_trgm reads them: lower-cased, each padded with two spaces
    before and one after, so that its trigrams include the word's start and end."""
    return [f"  {word} " for word in _TITLE_WORD.findall((text or "").lower())]


def trigram_text(text: str) -> str:
    """Return a title as pg_trgm reads it (`trigram_words`), for SQLite's FTS5 trigram table
    of titles. Stored so, the table holds pg_trgm's word-start and word-end trigrams
    ("  e", " ep", "ch ") as well as the inner ones, and a typo that breaks every inner
    trigram of a short word ("Epch" for "Epoch") still finds its title through them."""
    return "".join(trigram_words(text))
