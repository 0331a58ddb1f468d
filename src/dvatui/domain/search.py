"""Full-text search over the notes: section titles, definitions, note items and questions.

How a query is read: it is split into words (letters and digits, so ``dead-letter`` is two
words and ``iam:PassRole`` is ``iam`` and ``passrole``). Each word matches the words of the
notes that are equal to it or start with it (``RCU`` finds "RCUs" but not "circuit";
``visib`` finds "visibility"); a word that matches nothing that way matches the words one
or two edits away instead (``dynamdb`` finds "DynamoDB"; the edit distance is rapidfuzz's
optimal string alignment, so a swapped pair of letters is one edit). The words of the
notes include the parts of camelCase names (``ChangeMessageVisibility`` holds "visibility").

A section is a hit when every word of the query occurs in it: in its title, its chapter's
title, its note items or its questions. Sections are ranked by where the words occur and
how rare they are: a title that holds every word first, then a definition (a note item
that starts with a bold term, ``- **Visibility timeout**: ...``) whose term holds them,
then the words side by side in the query's order, then plain mentions; mentions saturate,
so a section that mentions a word ten times does not outrank the one that defines it.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter

from msgspec import Struct, field

from dvatui.domain.model import Corpus, NoteItem, Section

WORD_RE = re.compile(r"[^\W_]+")
"""A word: letters and digits (``_``, ``-``, ``.``, ``:`` and spaces separate words)."""
CAMEL_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
"""The parts of a camelCase word: ``ChangeMessageVisibility`` -> Change, Message, Visibility."""
HUMP_RE = re.compile(r"[a-z][A-Z]")

# Where a word occurs, and how much an occurrence there counts.
TITLE, CHAPTER, TERM, TEXT, CODE, QUESTION = range(6)
FIELD_WEIGHTS = (6.0, 1.0, 4.0, 1.0, 0.5, 0.3)
TITLE_BONUS = 10.0
"""Added (times the query's rarity) when the section's title holds every word, in the share
of the title's words that the query matches (twice that for a chapter's own title)."""
DEFINITION_BONUS = 5.0
"""Added when one of the section's definitions has every word in its term, in the share of
the term's words that the query matches (all of it for ``- **Visibility timeout**: ...``)."""
PHRASE_BONUS = 4.0
"""Added when the words stand side by side, in the query's order, in one place."""

PREFIX_WEIGHT = 0.8
"""An occurrence of a longer word that starts with the query's word counts this much."""
PART_WEIGHT = 0.5
"""An occurrence as a part of a camelCase word counts this much."""
FUZZY_WEIGHT = 0.6
"""An occurrence of a word a typo away counts this much."""
FUZZY_MIN_LENGTH = 4
"""Shorter query words are never taken for typos (too many words are one edit away)."""

SNIPPET_WIDTH = 72


class Hit(Struct, frozen=True):
    """One search result: a section, and the item in it that matched best (if any)."""

    section: Section
    item: NoteItem | None
    score: float
    snippet: str
    """Plain text around the match: no Markdown marks, table rules, fences or quote marks."""
    spans: tuple[tuple[int, int], ...] = ()
    """Where the snippet holds a matched word (start, end), to highlight."""


class QueryWord(Struct, frozen=True):
    """One word of a query and the words of the notes it matches (with their weights)."""

    text: str
    matches: dict[str, float]
    fuzzy: bool = False
    """True when nothing started with ``text``: ``matches`` are the words a typo away."""


class _Doc(Struct):
    """One place words occur: a title, a definition's term, an item, a question."""

    section: int
    kind: int
    item: NoteItem | None
    text: str
    """The Markdown source."""
    words: list[str] = field(default_factory=list)
    """The lower-case words in order (camelCase parts not split), for the phrase test."""


def query_words(query: str) -> list[str]:
    """The lower-case words of a query, in order, each once."""
    seen: dict[str, None] = {}
    for match in WORD_RE.finditer(query.lower()):
        seen.setdefault(match.group(), None)
    return list(seen)


@functools.lru_cache(maxsize=8192)
def _word_parts(token: str) -> tuple[str, ...]:
    """The camelCase parts of a word of the notes (none for a plain word)."""
    if not HUMP_RE.search(token):
        return ()
    parts = [p.lower() for p in CAMEL_RE.findall(token)]
    return tuple(p for p in parts if len(p) > 1 and p != token.lower())


def _word_spans(text: str) -> list[tuple[str, int, int]]:
    """Every word of ``text`` (and every camelCase part) with where it is."""
    spans = []
    for match in WORD_RE.finditer(text):
        token = match.group()
        spans.append((token.lower(), match.start(), match.end()))
        if HUMP_RE.search(token):
            for part in CAMEL_RE.finditer(token):
                low = part.group().lower()
                if len(low) > 1 and low != token.lower():
                    spans.append((low, match.start() + part.start(), match.start() + part.end()))
    return spans


# -- plain text ---------------------------------------------------------------------------
FENCE_RE = re.compile(r"^\s*(```+|~~~+)")
TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
QUOTE_RE = re.compile(r"^\s*(>\s?)+")
LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
HEADING_RE = re.compile(r"^\s*#{1,6}\s+")
LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS_RE = re.compile(r"\*\*|__|`+|<br\s*/?>")
SINGLE_EMPHASIS_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
DEFINITION_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\*\*(?P<term>[^*\n]{2,80}?)\*\*")
PLAIN_DEFINITION_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*(?P<term>[^:\n]{2,40}):\s")


def plain_text(source: str, kind: str = "paragraph") -> str:
    """Markdown source as one line of readable text.

    Emphasis marks, code-span backticks, link targets, list markers, heading marks and
    quote marks go; a table keeps its cells (`` · `` between them, ``; `` between rows)
    but not its rules; a code block keeps its code but not its fences.
    """
    lines: list[str] = []
    for raw in source.splitlines():
        if FENCE_RE.match(raw):
            continue
        if kind == "code":
            lines.append(raw)
            continue
        line = QUOTE_RE.sub("", raw)
        if TABLE_RULE_RE.match(line):
            continue
        line = HEADING_RE.sub("", LIST_RE.sub("", line))
        if kind == "table" or (line.lstrip().startswith("|") and line.rstrip().endswith("|")):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            line = " · ".join(c for c in cells if c)
            lines.append(line + ";" if line else "")
            continue
        lines.append(line)
    text = "\n".join(lines)
    if kind != "code":
        text = LINK_RE.sub(lambda m: m.group(1), text)
        text = SINGLE_EMPHASIS_RE.sub(lambda m: m.group(1), EMPHASIS_RE.sub("", text))
        text = text.replace("\\|", "|")
    flat = " ".join(text.split())
    return flat[:-1] if flat.endswith(";") else flat


def _searchable(source: str, kind: str) -> str:
    """The text whose words are indexed: the source less link targets and fence lines
    (cheaper than :func:`plain_text`, and the same words)."""
    if "](" in source:
        source = LINK_RE.sub(lambda m: m.group(1), source)
    if kind == "code" or "```" in source or "~~~" in source:
        source = "\n".join(line for line in source.splitlines() if not FENCE_RE.match(line))
    return source


def definition_term(item: NoteItem) -> str | None:
    """The term a note item defines: its bold lead (``- **Term**: ...``), else, in plain
    notes, a short lead before a colon (``Term: ...``)."""
    if item.kind not in ("bullet", "number", "paragraph"):
        return None
    first = item.text.lstrip().split("\n", 1)[0]
    match = DEFINITION_RE.match(first)
    if match is None and item.markup == "plain":
        match = PLAIN_DEFINITION_RE.match(first)
        if match is not None and len(match.group("term").split()) > 4:
            match = None
    if match is None:
        return None
    return match.group("term").strip(" :`")


class SearchIndex:
    """An in-memory index built once per corpus (tens of ms for the shipped notes)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._sections: list[Section] = []
        self._docs: list[_Doc] = []
        self._postings: dict[str, dict[int, float]] = {}
        self._display: dict[str, str] = {}
        """A word as the notes write it (``dynamodb`` -> ``DynamoDB``), for suggestions."""
        self._section_count: dict[str, int] = {}
        self._last: tuple[str, list[QueryWord]] | None = None
        for section in corpus.sections():
            index = len(self._sections)
            self._sections.append(section)
            chapter = corpus.chapter(section.chapter_id)
            self._add(index, TITLE, None, section.title)
            if chapter is not None and section.level > 1:
                self._add(index, CHAPTER, None, chapter.title)
            for item in section.items:
                term = definition_term(item)
                if term is not None:
                    self._add(index, TERM, item, term)
                self._add(index, CODE if item.kind == "code" else TEXT, item, item.text)
            for question in section.questions:
                self._add(index, QUESTION, None, question.stem)
        for word, docs in self._postings.items():
            self._section_count[word] = len({self._docs[d].section for d in docs})
        self._vocab = sorted(self._postings)

    def _add(self, section: int, kind: int, item: NoteItem | None, source: str) -> None:
        plain = _searchable(source, item.kind if item is not None and kind != TERM else "text")
        doc = _Doc(section, kind, item, source)
        number = len(self._docs)
        self._docs.append(doc)
        tokens = WORD_RE.findall(plain)
        doc.words = [t.lower() for t in tokens]
        postings, display = self._postings, self._display
        for low, n in Counter(doc.words).items():
            if low in postings:
                postings[low][number] = float(n)
            else:
                postings[low] = {number: float(n)}
                display[low] = tokens[doc.words.index(low)]
        humped = HUMP_RE.search(plain) is not None
        for token in tokens if humped else ():
            for part in _word_parts(token):
                docs = postings.setdefault(part, {})
                docs[number] = docs.get(number, 0.0) + PART_WEIGHT

    # -- reading a query --------------------------------------------------------------------
    def read(self, query: str) -> list[QueryWord]:
        """The words of a query and what each matches in the notes."""
        if self._last is not None and self._last[0] == query:
            return self._last[1]
        words = [self._read_word(w) for w in query_words(query)]
        self._last = (query, words)
        return words

    def _read_word(self, word: str) -> QueryWord:
        matches: dict[str, float] = {}
        if word in self._postings:
            matches[word] = 1.0
        start = bisect.bisect_right(self._vocab, word)
        for candidate in self._vocab[start:]:
            if not candidate.startswith(word):
                break
            matches[candidate] = PREFIX_WEIGHT
        if matches or len(word) < FUZZY_MIN_LENGTH or not word.isalpha():
            return QueryWord(word, matches)
        return QueryWord(word, self._typo_matches(word), fuzzy=True)

    def _typo_matches(self, word: str) -> dict[str, float]:
        """The words of the notes closest to ``word`` within one edit (two from 6 letters)."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 1 if len(word) < 6 else 2
        near = process.extract(word, self._vocab, scorer=OSA.distance, score_cutoff=limit, limit=20)
        found = [(w, int(d)) for w, d, _ in near if len(w) >= FUZZY_MIN_LENGTH - 1]
        if not found:
            return {}
        best = min(d for _, d in found)
        return {w: FUZZY_WEIGHT for w, d in found if d == best}

    def correction(self, query: str) -> str | None:
        """The query as it was searched when a word was taken for a typo (``dynamdb`` ->
        ``DynamoDB``), else None."""
        words = self.read(query)
        if not any(w.fuzzy and w.matches for w in words):
            return None
        shown = []
        for word in words:
            if word.fuzzy and word.matches:
                best = max(word.matches, key=lambda w: (self._section_count.get(w, 0), w))
                shown.append(self._display.get(best, best))
            else:
                shown.append(word.text)
        return " ".join(shown)

    # -- searching ----------------------------------------------------------------------------
    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """The sections that hold every word of the query, best first."""
        words = self.read(query)
        if not words or any(not w.matches for w in words):
            return []
        per_word: list[dict[int, float]] = []
        for word in words:
            counts: dict[int, float] = {}
            for match, weight in word.matches.items():
                for doc, n in self._postings[match].items():
                    counts[doc] = counts.get(doc, 0.0) + weight * n
            per_word.append(counts)
        holders = [{self._docs[d].section for d in counts} for counts in per_word]
        candidates = set.intersection(*holders)
        total = len(self._sections)
        rarity = [math.log(1.0 + total / len(h)) for h in holders]  # as _rarity
        weight_all = sum(rarity)
        # Per section and word: the weighted count in each kind of place.
        tallies: dict[int, list[list[float]]] = {
            s: [[0.0] * len(FIELD_WEIGHTS) for _ in words] for s in candidates
        }
        touched: dict[int, set[int]] = {s: set() for s in candidates}
        for w, counts in enumerate(per_word):
            for doc, n in counts.items():
                section = self._docs[doc].section
                if section in tallies:
                    tallies[section][w][self._docs[doc].kind] += n
                    touched[section].add(doc)
        hits = []
        for section in candidates:
            score = 0.0
            for w, places in enumerate(tallies[section]):
                score += rarity[w] * sum(
                    FIELD_WEIGHTS[kind] * _saturate(n) for kind, n in enumerate(places)
                )
            best_doc, best_score = None, 0.0
            defined = titled = 0.0
            phrased = False
            for doc in sorted(touched[section]):
                found = [counts.get(doc, 0.0) for counts in per_word]
                whole = all(found)
                phrase = whole and len(words) > 1 and self._phrase(doc, words)
                kind = self._docs[doc].kind
                phrased |= phrase
                if whole and kind == TITLE:
                    titled = self._coverage(doc, words)
                    # A chapter's title names a whole topic: its overview defines it.
                    titled *= 2.0 if self._sections[section].level == 1 else 1.0
                if kind in (TITLE, CHAPTER):
                    continue
                definition = self._coverage(doc, words) if whole and kind == TERM else 0.0
                defined = max(defined, definition)
                mine = sum(r * _saturate(n) for r, n in zip(rarity, found, strict=True))
                mine += DEFINITION_BONUS * definition * weight_all
                mine += (PHRASE_BONUS if phrase else 0.0) * weight_all
                mine += weight_all if whole else 0.0
                mine *= 0.5 if kind == QUESTION else 1.0
                if mine > best_score:
                    best_doc, best_score = doc, mine
            score += TITLE_BONUS * titled * weight_all
            score += DEFINITION_BONUS * defined * weight_all
            score += PHRASE_BONUS * weight_all if phrased else 0.0
            hits.append(self._hit(section, best_doc, score, words))
        order = {s.id: n for n, s in enumerate(self._sections)}
        hits.sort(key=lambda h: (-h.score, order[h.section.id]))
        return hits[:limit]

    def _coverage(self, doc: int, words: list[QueryWord]) -> float:
        """The share of a title's or term's words that the query matches, each word
        counting by its rarity: ``lambda`` covers most of "AWS Lambda" (every section
        says AWS), little of "CodeDeploy for Lambda and ECS, and rollbacks"."""
        own = set(self._docs[doc].words)
        covered = sum(self._rarity(t) for t in own if any(t in w.matches for w in words))
        whole = sum(self._rarity(t) for t in own)
        return covered / whole if whole else 0.0

    def _rarity(self, word: str) -> float:
        """How telling a word is: log(1 + sections / sections holding it)."""
        return math.log(1.0 + len(self._sections) / max(1, self._section_count.get(word, 1)))

    def _phrase(self, doc: int, words: list[QueryWord]) -> bool:
        """Whether the query's words stand side by side, in order, in a document."""
        tokens = self._docs[doc].words
        size = len(words)
        for start in range(len(tokens) - size + 1):
            if all(tokens[start + k] in words[k].matches for k in range(size)):
                return True
        return False

    def _hit(self, section: int, doc: int | None, score: float, words: list[QueryWord]) -> Hit:
        found = self._docs[doc] if doc is not None else None
        item = found.item if found is not None and found.kind != QUESTION else None
        if item is not None:
            text = plain_text(item.text, item.kind)
        else:
            text = plain_text(found.text) if found is not None else self._sections[section].title
        matched = set().union(*(w.matches for w in words))
        snippet, spans = _snippet(text, matched)
        return Hit(self._sections[section], item, score, snippet, spans)


def _saturate(count: float) -> float:
    """Mentions count less and less: 1 -> 1, 2 -> 1.33, many -> 2."""
    return 2.0 * count / (count + 1.0)


def _snippet(
    text: str, matched: set[str], width: int = SNIPPET_WIDTH
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About ``width`` characters of plain ``text`` around its first matched word, cut at
    word boundaries, and where the matched words are in it."""
    words = [(s, e) for w, s, e in _word_spans(text) if w in matched]
    first, first_end = min(words, default=(0, 0))
    start = 0
    if len(text) > width:
        start = max(0, min(first - width // 3, len(text) - width))
        space = text.find(" ", start, first) if start else -1
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        end = space if space > 0 else end
    prefix = "..." if start else ""
    out = prefix + text[start:end].strip() + ("..." if end < len(text) else "")
    shift = len(prefix) - start
    spans = tuple(sorted((s + shift, e + shift) for s, e in words if s >= start and e <= end))
    return out, spans
