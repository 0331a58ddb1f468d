"""Command palette providers: go to a section, open a bookmark.

They read the notes and bookmarks from the study session (``app.session``) and ask the
screen the palette was opened on to show the target (``TargetRequested``); that screen
lists them in its ``COMMANDS``.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from dvatui.messages import ExamRequested, PracticeRequested, TargetRequested, study_app
from dvatui.study import StudySession


def literal_highlight(matcher: Matcher, text: str) -> Content:
    """``text`` as literal content (never markup: it comes from notes and the data file),
    with the letters the query matched highlighted as the palette does."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def literal_help(text: str) -> str:
    """Help text for a hit: the palette parses it as markup, so escape the user's text."""
    return escape(text)


class _StudyProvider(Provider):
    @property
    def session(self) -> StudySession:
        return study_app(self.screen).session

    def _go(self, target_id: str) -> partial[bool]:
        """The palette's callback: ask the calling screen to show ``target_id``."""
        return partial(self.screen.post_message, TargetRequested(target_id))


class SectionCommands(_StudyProvider):
    """ "Go to section: …" for every section of the notes, whatever the order of the words
    typed: ``lambda conc`` finds "Concurrency and throttling (AWS Lambda)"."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        words = query.lower().split()
        corpus = self.session.corpus
        for section in corpus.sections():
            chapter = corpus.chapter(section.chapter_id)
            where = f" ({chapter.title})" if chapter and section.level > 1 else ""
            label = f"Go to section: {section.title}{where}"
            score = matcher.match(label)
            shown = literal_highlight(matcher, label) if score > 0 else Content(label)
            offsets = self.word_offsets(words, label) if len(words) > 1 else None
            if offsets:
                any_order = matcher.fuzzy_search.score(label, offsets)
                if any_order > score:
                    score = any_order
                    shown = Content(label)
                    for offset in offsets:
                        shown = shown.stylize(matcher.match_style, offset, offset + 1)
            if score > 0:
                yield Hit(
                    score,
                    shown,
                    self._go(section.id),
                    text=label,
                    help="Show this section's notes and quiz",
                )

    @staticmethod
    def word_offsets(words: list[str], label: str) -> list[int] | None:
        """Where each of ``words`` is in ``label``, in any order: at the start of a word of
        the label if it can be, else anywhere; None when one of them is not in it."""
        low = label.lower()
        if len(low) != len(label):
            return None  # lower-casing moved the letters: offsets would not fit the label
        starts = [
            i for i, ch in enumerate(low) if ch.isalnum() and (i == 0 or not low[i - 1].isalnum())
        ]
        found: set[int] = set()
        for word in words:
            at = next((i for i in starts if low.startswith(word, i)), low.find(word))
            if at < 0:
                return None
            found.update(i for i in range(at, at + len(word)) if not low[i].isspace())
        return sorted(found)

    async def discover(self) -> Hits:
        for chapter in self.session.corpus.chapters:
            yield DiscoveryHit(
                Content(f"Go to section: {chapter.title}"),
                self._go(chapter.overview.id),
                text=f"Go to section: {chapter.title}",
                help="Show this chapter",
            )


class BookmarkCommands(_StudyProvider):
    """ "Open bookmark: …" for every bookmark."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.session.bookmark_entries():
            label = f"Open bookmark: {entry.bookmark.label}"
            score = matcher.match(f"{label} {entry.where} {entry.bookmark.comment}")
            if score > 0:
                yield Hit(
                    score,
                    literal_highlight(matcher, label),
                    self._go(entry.bookmark.target_id),
                    text=label,
                    help=literal_help(entry.where),
                )

    async def discover(self) -> Hits:
        for entry in self.session.bookmark_entries():
            yield DiscoveryHit(
                Content(f"Open bookmark: {entry.bookmark.label}"),
                self._go(entry.bookmark.target_id),
                text=f"Open bookmark: {entry.bookmark.label}",
                help=literal_help(entry.where),
            )


class PracticeCommands(_StudyProvider):
    """ "Practice: …" sets: a domain, a chapter, bookmarked sections, flags, misses..."""

    def _sets(self) -> list[tuple[str, str]]:
        from dvatui.domain.model import DOMAINS

        sets = [
            ("missed", "questions whose latest answer is wrong"),
            ("unseen", "questions never answered"),
            ("flagged", "the questions you flagged (f)"),
            ("leeches", "questions you keep forgetting (8 lapses)"),
            ("bookmarked", "the questions of bookmarked sections"),
            ("all", "everything, shuffled"),
        ]
        sets += [(f"domain:{d}", f"the {d} domain") for d in DOMAINS]
        sets += [(f"chapter:{c.id}", c.title) for c in self.session.corpus.chapters]
        return sets

    def _request(self, name: str) -> partial[bool]:
        return partial(self.screen.post_message, PracticeRequested(name, 20))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        exam = "Mock exam: resume the unfinished one, or start 65 timed questions"
        if (score := matcher.match(exam)) > 0:
            yield Hit(
                score,
                literal_highlight(matcher, exam),
                partial(self.screen.post_message, ExamRequested()),
                text=exam,
            )
        for name, about in self._sets():
            label = f"Practice: {name} ({about})"
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    literal_highlight(matcher, label),
                    self._request(name),
                    text=label,
                    help="20 questions, shuffled, in review mode",
                )

    async def discover(self) -> Hits:
        exam = "Mock exam: resume the unfinished one, or start 65 timed questions"
        yield DiscoveryHit(
            Content(exam), partial(self.screen.post_message, ExamRequested()), text=exam
        )
        for name, about in self._sets()[:5]:
            label = f"Practice: {name} ({about})"
            yield DiscoveryHit(Content(label), self._request(name), text=label)
