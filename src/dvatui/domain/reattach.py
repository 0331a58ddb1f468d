"""Following edited text: find the item (or card) that an old text most likely became.

A bookmark keeps the text of the item it marks and a flashcard's progress keeps the card's
text, so that when the notes are edited they can re-attach to the most similar item of the
same section, then of the same chapter. Similarity is rapidfuzz's ``ratio`` (an edit
distance, 0-100) on the normalised texts; :data:`THRESHOLD` was measured with
``benchmarks/bench_reattach.py`` on the shipped notes: a typo, an added or removed word or an
added clause keep 82 or more (5th percentile), while the most similar *other* item of a section
peaks at 68, and a rewritten sentence scores about 42. Below the threshold nothing re-attaches:
the bookmark is shown as "detached", with its saved text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from msgspec import Struct
from rapidfuzz import fuzz

from dvatui.domain.model import normalise_text

__all__ = ["THRESHOLD", "Match", "best_match", "change_hint", "similarity"]

THRESHOLD = 70.0
"""The lowest similarity (0-100) at which an edited item counts as the same item."""
MAX_COMPARED = 2000
"""Characters of each normalised text that are compared (a huge item must not freeze the
bookmarks list: the comparison is quadratic in the worst case)."""
MAX_HINT_WORDS = 400


def _key(text: str) -> str:
    return normalise_text(text[: MAX_COMPARED * 2])[:MAX_COMPARED]


def similarity(old: str, new: str) -> float:
    """How alike two texts are, 0-100 (case, punctuation and spacing ignored; the first
    :data:`MAX_COMPARED` characters of each)."""
    return float(fuzz.ratio(_key(old), _key(new)))


class Match(Struct, frozen=True):
    """The candidate an old text re-attaches to."""

    id: str
    score: float


def best_match(
    old: str,
    tiers: Iterable[Iterable[tuple[str, str]]],
    *,
    threshold: float = THRESHOLD,
) -> Match | None:
    """The most similar candidate at or above ``threshold``, looking tier by tier.

    ``tiers``: candidates as (id, text), nearest first (the same section, then the same
    chapter); a later tier is searched only when no candidate of an earlier one qualifies.
    Ties go to the first candidate (reading order).
    """
    key = _key(old)
    for tier in tiers:
        best: Match | None = None
        for cid, text in tier:
            score = float(fuzz.ratio(key, _key(text), score_cutoff=threshold))
            if score >= threshold and (best is None or score > best.score):
                best = Match(cid, score)
        if best is not None:
            return best
    return None


def change_hint(old: str, new: str, width: int = 60) -> str:
    """A short diff-like hint of what changed: ``-removed words +added words``."""
    a, b = old.split()[:MAX_HINT_WORDS], new.split()[:MAX_HINT_WORDS]
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            parts.append("-" + " ".join(a[i1:i2]))
        if tag in ("insert", "replace"):
            parts.append("+" + " ".join(b[j1:j2]))
    hint = " ".join(parts) or "(only spacing or punctuation changed)"
    return hint if len(hint) <= width else hint[: width - 1] + "…"
