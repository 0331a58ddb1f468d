"""Command palette providers: go to a section, open a bookmark."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from dvatui.screens.main import MainScreen


def _main(provider: Provider) -> MainScreen | None:
    from dvatui.screens.main import MainScreen

    for screen in reversed(provider.app.screen_stack):
        if isinstance(screen, MainScreen):
            return screen
    return None


class SectionCommands(Provider):
    """"Go to section: …" for every section of the notes."""

    async def search(self, query: str) -> Hits:
        main = _main(self)
        if main is None:
            return
        matcher = self.matcher(query)
        for section in main.corpus.sections():
            chapter = main.corpus.chapter(section.chapter_id)
            where = f" ({chapter.title})" if chapter and section.level > 1 else ""
            label = f"Go to section: {section.title}{where}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(main.jump_to, section.id),
                          help="Show this section's notes and quiz")

    async def discover(self) -> Hits:
        main = _main(self)
        if main is None:
            return
        for chapter in main.corpus.chapters:
            yield DiscoveryHit(f"Go to section: {chapter.title}",
                               partial(main.jump_to, chapter.overview.id),
                               help="Show this chapter")


class BookmarkCommands(Provider):
    """"Open bookmark: …" for every bookmark."""

    async def search(self, query: str) -> Hits:
        main = _main(self)
        if main is None:
            return
        matcher = self.matcher(query)
        for entry in main.bookmark_entries():
            label = f"Open bookmark: {entry.bookmark.label}"
            score = matcher.match(f"{label} {entry.where} {entry.bookmark.comment}")
            if score > 0:
                yield Hit(score, matcher.highlight(label),
                          partial(main.jump_to, entry.bookmark.target_id), help=entry.where)

    async def discover(self) -> Hits:
        main = _main(self)
        if main is None:
            return
        for entry in main.bookmark_entries():
            yield DiscoveryHit(f"Open bookmark: {entry.bookmark.label}",
                               partial(main.jump_to, entry.bookmark.target_id), help=entry.where)
