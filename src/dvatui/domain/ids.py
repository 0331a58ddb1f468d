"""Stable ids for chapters, sections and note items.

Bookmarks and answers in the learner's data file point at these ids, so they must not
change when unrelated text changes. Both readers (CommonMark and plain notes) use these
helpers; this module imports nothing else from dvatui, so it can never be part of an
import cycle.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata


def slugify(text: str) -> str:
    """Make a stable, URL-like id from a heading or a title."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    return slug or "untitled"


class IdPool:
    """The ids handed out so far in one scope (a file, a corpus), with a counter per base.

    ``claim`` gives ``base``, else ``base-2``, ``base-3``... whichever is free first. The
    counter makes a run of identical items or headings cost linear time: a hostile file
    of 50,000 ``- x`` lines must not need a billion comparisons.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}

    def __contains__(self, candidate: object) -> bool:
        return candidate in self._taken

    def claim(self, base: str) -> str:
        """Take and return the first free id made from ``base``."""
        if base not in self._taken:
            self._taken.add(base)
            return base
        # Every ``base-k`` below the remembered counter is taken (ids are never released).
        n = self._next.get(base, 2)
        while f"{base}-{n}" in self._taken:
            n += 1
        candidate = f"{base}-{n}"
        self._taken.add(candidate)
        self._next[base] = n + 1
        return candidate


def unique_id(base: str, taken: IdPool) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not taken yet (then taken)."""
    return taken.claim(base)


def item_id(section_id: str, text: str, taken: IdPool) -> str:
    """A note item's id: its section plus a hash of its whitespace-normalised text."""
    digest = hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:10]
    return taken.claim(f"{section_id}#{digest}")
