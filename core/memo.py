"""Memos of facts about one long text, asked once per position while it is scanned.

The scanners of page bodies (the renderer's inline rules, the MDX converter) ask "where is
the next `]` after here?" at every opener, and answer it from an index built once per text.
`functools.lru_cache` keys by equality: once it holds one copy of a text, a question asked
with another copy of the same text (the next request's body, read again from the database)
compares the two character by character before answering, so each question costs the
text's length and a scan of a hostile 200 KB body became quadratic on its second reading.
Here the key is the text's identity; the memo holds the text, so its id cannot be reused by
another string while the entry lives. A copy is a miss and builds its own index, once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


def text_memo(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Remember `function(text, *args)` for the last `maxsize` (text object, args) pairs.

    The other arguments must be hashable and small (they are compared by equality). Entries
    leave first in, first out: the scanners finish with one text before the next.
    """
    if maxsize < 1:
        raise ValueError("a text memo holds at least one entry")

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        entries: dict[tuple[Hashable, ...], tuple[str, T]] = {}
        # Hits read the dict without the lock (one dict lookup is atomic); a miss, rare by
        # design, inserts and evicts under it so two threads cannot evict past each other.
        lock = threading.Lock()

        @functools.wraps(function)
        def remembered(text: str, *args: Hashable) -> T:
            key = (id(text), *args)
            entry = entries.get(key)
            if entry is not None and entry[0] is text:
                return entry[1]
            value = function(text, *args)
            with lock:
                entries.pop(key, None)  # a dead text's id, reused: its entry goes
                entries[key] = (text, value)
                while len(entries) > maxsize:
                    del entries[next(iter(entries))]
            return value

        remembered.cache_clear = entries.clear  # type: ignore[attr-defined]
        return remembered

    return decorate
