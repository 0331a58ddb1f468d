"""The learner's own notes: flashcards reviewed and re-attached, bookmarks that follow edits.

Plain pytest on a temporary notes folder and data file, with an injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dvatui.domain.loader import load_corpus
from dvatui.domain.reattach import THRESHOLD, best_match, change_hint, similarity
from dvatui.study import StudySession

NOON = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)

NOTES = """\
# Queues

## Visibility

- A received message stays hidden for the visibility timeout, 30 seconds by default.
- Long polling waits up to 20 seconds for a message to arrive.
- A dead-letter queue catches messages that failed maxReceiveCount times.

Retention maximum::14 days

## Fan-out

- SNS pushes one message to many SQS queues.
"""


class Clock:
    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def notes(tmp_path: Path, write_notes: Callable[[Path, dict[str, str]], Path]) -> Path:
    return write_notes(tmp_path / "notes", {"queues.md": NOTES})


def session_on(notes: Path, db: Path, clock: Clock) -> StudySession:
    session = StudySession(load_corpus(notes), db, clock=clock)
    session.open()
    return session


def reload(session: StudySession, notes: Path, text: str) -> None:
    (notes / "queues.md").write_text(text)
    session.swap_corpus(load_corpus(notes))


def item_with(session: StudySession, words: str) -> str:
    for section in session.corpus.sections():
        for item in section.items:
            if words in item.text:
                return item.id
    raise AssertionError(words)


# -- flashcards --------------------------------------------------------------------------


def test_a_card_is_in_the_review_queue_and_rated_like_anki(notes: Path, tmp_path: Path) -> None:
    clock = Clock()
    session = session_on(notes, tmp_path / "db.json", clock)
    (card,) = session.corpus.cards()
    assert card.id in session.review_queue()
    assert session.rate_card(card.id, 4)
    assert session.flush() == []
    progress = session.card_progress(card.id)
    assert progress is not None and progress.latest_correct and progress.text == card.text
    assert card.id not in session.review_queue()  # Easy: not due again today
    assert session.next_review(card.id) is not None
    clock.now = NOON + timedelta(days=30)
    assert card.id in session.review_queue()
    assert not session.rate_card(card.id, 5) and not session.rate_card("nope~1", 3)


def test_again_counts_as_a_miss(notes: Path, tmp_path: Path) -> None:
    session = session_on(notes, tmp_path / "db.json", Clock())
    (card,) = session.corpus.cards()
    session.rate_card(card.id, 1)
    assert [c.id for c in session.practice_cards("missed")] == [card.id]
    assert session.practice_cards("unseen") == []
    assert session.practice_cards("domain:security") == []


def test_an_edited_card_keeps_its_schedule_when_the_edit_is_small(
    notes: Path, tmp_path: Path
) -> None:
    clock = Clock()
    session = session_on(notes, tmp_path / "db.json", clock)
    (card,) = session.corpus.cards()
    session.rate_card(card.id, 4)
    session.flush()
    due_before = session.cards()[card.id]
    reload(
        session,
        notes,
        NOTES.replace("Retention maximum::14 days", "Retention maximum::14 days at most"),
    )
    (edited,) = session.corpus.cards()
    assert edited.id != card.id
    assert session.card_aliases() == {edited.id: card.id}
    assert session.cards()[edited.id] == due_before
    assert edited.id not in session.review_queue()  # still scheduled, not "new"
    # rated again: its own progress now, carried over from the old card
    clock.now = NOON + timedelta(days=60)
    session.rate_card(edited.id, 3)
    session.flush()
    progress = session.card_progress(edited.id)
    assert progress is not None and progress.attempts == 2
    # a rewrite is a new card
    reload(
        session, notes, NOTES.replace("Retention maximum::14 days", "Max batch size::10 messages")
    )
    (other,) = session.corpus.cards()
    assert other.id not in session.card_aliases() and other.id in session.review_queue()


# -- bookmarks that follow edits ------------------------------------------------------------

EDITS = [
    # (what the learner did to the bookmarked item, expected status, item it lands on)
    ("typo fixed", "visibility timout", "visibility timeout", "moved"),
    ("word added", "stays hidden for", "stays hidden (invisible) for", "moved"),
    (
        "sentence rewritten",
        "A received message stays hidden for the visibility timeout, 30 seconds by default.",
        "Consumers must delete a message before it reappears.",
        "detached",
    ),
]


@pytest.mark.parametrize(("what", "old", "new", "status"), EDITS, ids=[e[0] for e in EDITS])
def test_a_bookmark_follows_an_edited_item(
    notes: Path, tmp_path: Path, what: str, old: str, new: str, status: str
) -> None:
    base = (
        NOTES.replace("visibility timeout", "visibility timout") if what == "typo fixed" else NOTES
    )
    (notes / "queues.md").write_text(base)
    session = session_on(notes, tmp_path / "db.json", Clock())
    target = item_with(session, "stays hidden")
    saved = session.corpus.item(target)[1].text  # type: ignore[index]
    session.set_bookmark(target, True)
    session.flush()
    reload(session, notes, base.replace(old, new))
    (entry,) = session.bookmark_entries()
    assert entry.status == status, what
    assert entry.text == saved  # the text as bookmarked, whole
    if status == "moved":
        assert entry.target_id == item_with(session, "hidden")
        assert entry.target_id in session.bookmarked  # the note pane marks the new item
        assert entry.hint.startswith(("-", "+"))
        # b on the item it moved to removes the bookmark (no second one)
        session.set_bookmark(entry.target_id, False)
        session.flush()
        assert session.bookmark_entries() == []
    else:
        assert not entry.found and entry.hint == "was in Queues"


def test_a_deleted_item_detaches_and_a_moved_item_is_found_in_its_chapter(
    notes: Path, tmp_path: Path
) -> None:
    session = session_on(notes, tmp_path / "db.json", Clock())
    target = item_with(session, "dead-letter")
    session.set_bookmark(target, True)
    session.flush()
    line = "- A dead-letter queue catches messages that failed maxReceiveCount times.\n"
    moved = NOTES.replace(line, "").replace(
        "- SNS pushes",
        "- A dead-letter queue catches the messages that failed maxReceiveCount times.\n"
        "- SNS pushes",
    )
    reload(session, notes, moved)
    (entry,) = session.bookmark_entries()
    assert entry.status == "moved" and entry.where.endswith("Fan-out")
    reload(session, notes, NOTES.replace(line, ""))
    (entry,) = session.bookmark_entries()
    assert entry.status == "detached" and "dead-letter" in entry.text


def test_the_threshold_and_the_hint() -> None:
    assert similarity("Long polling waits 20 s", "long polling waits 20 s!") == 100
    assert best_match("abc def ghi", [[("x", "totally different")]]) is None
    assert best_match("abc def ghi", [[("x", "zzz")], [("y", "abc def ghij")]]) == best_match(
        "abc def ghi", [[("y", "abc def ghij")]]
    )
    assert 60 <= THRESHOLD <= 80
    assert change_hint("a b c", "a x c") == "-b +x"
    assert change_hint("a b", "a b") == "(only spacing or punctuation changed)"
