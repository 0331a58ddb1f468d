"""Full-text search over the notes: ranked hits on section titles, note items and questions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dvatui.domain.model import Corpus, NoteItem, Section

WORD_RE = re.compile(r"[\w.+-]+")


@dataclass(frozen=True)
class Hit:
    """One search result: a section, and the item in it that matched best (if any)."""

    section: Section
    item: NoteItem | None
    score: float
    snippet: str


def terms(query: str) -> list[str]:
    """The lower-case words of a query."""
    return [t.lower().strip(".") for t in WORD_RE.findall(query) if t.strip(".")]


class SearchIndex:
    """A small in-memory index built once per corpus (a few ms for the shipped notes)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._entries: list[tuple[Section, NoteItem | None, str, float]] = []
        for section in corpus.sections():
            chapter = corpus.chapter(section.chapter_id)
            heading = f"{chapter.title if chapter else ''} {section.title}".lower()
            self._entries.append((section, None, heading, 3.0))
            for item in section.items:
                self._entries.append((section, item, item.text.lower(), 1.0))
            for q in section.questions:
                self._entries.append((section, None, q.stem.lower(), 0.5))

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Rank sections by how often and where the query's words occur.

        Every word must occur somewhere in the section (title, items or questions). Title
        hits weigh most; an exact phrase in one item adds a bonus.
        """
        words = terms(query)
        if not words:
            return []
        phrase = " ".join(words)
        scores: dict[str, float] = {}
        found: dict[str, set[str]] = {}
        best: dict[str, tuple[float, NoteItem | None]] = {}
        sections: dict[str, Section] = {}
        for section, item, text, weight in self._entries:
            matched = {w for w in words if w in text}
            if not matched:
                continue
            sections[section.id] = section
            found.setdefault(section.id, set()).update(matched)
            score = weight * sum(text.count(w) for w in matched)
            if len(words) > 1 and phrase in text:
                score += 5 * weight
            scores[section.id] = scores.get(section.id, 0.0) + score
            if item is not None and score > best.get(section.id, (0.0, None))[0]:
                best[section.id] = (score, item)
        hits = []
        for sid, score in scores.items():
            if found[sid] != set(words):
                continue
            item = best.get(sid, (0.0, None))[1]
            snippet = _snippet(item.text if item else sections[sid].title, words)
            hits.append(Hit(sections[sid], item, score, snippet))
        hits.sort(key=lambda h: (-h.score, h.section.id))
        return hits[:limit]


EMPHASIS_RE = re.compile(r"\*\*|__|`|\[([^\]]*)\]\([^)]*\)")
SEPARATOR_RE = re.compile(r"[|#>]+|^\s*[-+*]\s+", re.MULTILINE)


def _plain(text: str) -> str:
    """Markdown source as readable text: no emphasis marks, table pipes or link targets."""
    return SEPARATOR_RE.sub(" ", EMPHASIS_RE.sub(lambda m: m.group(1) or "", text))


def _snippet(text: str, words: list[str], width: int = 70) -> str:
    flat = " ".join(_plain(text).split())
    low = flat.lower()
    pos = min((low.find(w) for w in words if w in low), default=0)
    start = max(0, pos - width // 3)
    out = flat[start : start + width]
    return ("..." if start else "") + out + ("..." if start + width < len(flat) else "")
