"""The study session: grading, intents, refresh, queued writes, locate, swap_corpus.

Plain pytest on a real data file in tmp_path, with an injected clock; writes that block are
held on a ``threading.Event`` the test releases, never on a sleep.
"""

from __future__ import annotations

import errno
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dvatui.domain.loader import load_corpus
from dvatui.domain.model import Corpus
from dvatui.store import Answer, Bookmark, CorruptStoreError, Store, StoreWriteError
from dvatui.study import StudySession

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"
NOON = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)


class Ticker:
    """A clock that starts at noon and moves one second each time it is read."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> datetime:
        self.reads += 1
        return NOON + timedelta(seconds=self.reads - 1)


clock = Ticker()


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(NOTES)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "dvatui.json"


def opened(corpus: Corpus, db: Path, **kwargs: Any) -> StudySession:
    session = StudySession(corpus, db, clock=Ticker(), **kwargs)
    session.open()
    return session


def on_disk(db: Path) -> Store:
    return Store.open(db, read_only=True)


# --------------------------------------------------------------------------- grading


def test_a_single_answer_is_graded_shown_at_once_and_saved_by_run_pending(
    corpus: Corpus, db: Path
) -> None:
    session = opened(corpus, db)
    result = session.answer("beta-canary", (1,))
    assert result is not None and result.correct
    assert session.results == {"beta-canary": True}
    assert session.progress["beta-canary"].latest_at.startswith("2030-01-02T12:00:0")
    assert session.pending == 1 and on_disk(db).answers() == []  # not on disk yet
    assert session.run_pending() == []
    assert session.pending == 0
    assert [(a.question_id, a.chosen, a.correct) for a in on_disk(db).answers()] == [
        ("beta-canary", (1,), True)
    ]


def test_choose_n_is_right_only_with_exactly_the_right_set(corpus: Corpus, db: Path) -> None:
    session = opened(corpus, db)
    verdicts = [session.answer("beta-two", chosen) for chosen in [(0,), (0, 2), (0, 1, 2), (1, 0)]]
    assert [g.correct for g in verdicts if g is not None] == [False, False, False, True]
    progress = session.progress["beta-two"]
    assert (progress.attempts, progress.correct_attempts) == (4, 1)
    assert progress.latest_chosen == (0, 1) and progress.latest_correct
    assert session.run_pending() == []
    assert [a.correct for a in on_disk(db).answers()] == [False, False, False, True]
    again = opened(corpus, db)  # progress folded from the file is the same
    assert (again.progress["beta-two"].attempts, again.results) == (4, {"beta-two": True})


def test_an_unknown_question_is_not_graded(corpus: Corpus, db: Path) -> None:
    session = opened(corpus, db)
    assert session.answer("no-such-question", (0,)) is None
    assert session.pending == 0


# --------------------------------------------------------------------------- bookmarks


def test_bookmarks_are_intents_two_sessions_both_adding_keep_one(corpus: Corpus, db: Path) -> None:
    first, second = opened(corpus, db), opened(corpus, db)
    # Both screens show "not bookmarked" and the learner presses b in each: a toggle would
    # add, then remove. An intent adds twice and keeps one.
    assert first.set_bookmark("beta/rollouts", True)
    assert second.set_bookmark("beta/rollouts", True)
    assert first.run_pending() == [] and second.run_pending() == []
    assert [b.target_id for b in on_disk(db).bookmarks()] == ["beta/rollouts"]
    first.refresh()
    second.refresh()
    assert first.bookmarked == second.bookmarked == frozenset({"beta/rollouts"})


def test_a_bookmark_remembers_where_it_points(corpus: Corpus, db: Path) -> None:
    session = opened(corpus, db)
    item = corpus.section("alpha/second-section/a-subsection").items[0]  # type: ignore[union-attr]
    assert session.set_bookmark(item.id, True)
    (mark,) = session.bookmarks
    assert (mark.kind, mark.section_id, mark.chapter_id, mark.label) == (
        "item",
        "alpha/second-section/a-subsection",
        "alpha",
        "Epsilon fact.",
    )
    assert mark.created_at.startswith("2030-01-02T12:00:0")
    assert session.set_bookmark_comment(item.id, "tricky")
    assert not session.set_bookmark_comment("beta/rollouts", "not bookmarked")
    assert not session.set_bookmark("not/in/the-notes", True)
    session.run_pending()
    (saved,) = on_disk(db).bookmarks()
    assert (saved.target_id, saved.kind, saved.comment) == (item.id, "item", "tricky")
    (entry,) = session.bookmark_entries()
    assert (entry.where, entry.found) == ("Alpha Chapter › A Subsection", True)
    session.set_bookmark(item.id, False)
    assert session.bookmarks == () and session.bookmark_entries() == []
    session.run_pending()
    assert on_disk(db).bookmarks() == []


def test_removing_a_bookmark_of_notes_that_are_gone_works(corpus: Corpus, db: Path) -> None:
    Store.open(db).add_bookmark(
        target_id="gone/section",
        kind="section",
        chapter_id="gone",
        section_id="gone/section",
        label="Gone",
    )
    session = opened(corpus, db)
    (entry,) = session.bookmark_entries()
    assert (entry.where, entry.found) == ("not in these notes", False)
    assert session.set_bookmark("gone/section", False)
    assert session.run_pending() == [] and on_disk(db).bookmarks() == []


# --------------------------------------------------------------------------- refresh


def test_refresh_sees_another_sessions_answer_and_keeps_its_own_pending_changes(
    corpus: Corpus, db: Path
) -> None:
    mine, other = opened(corpus, db), opened(corpus, db)
    assert mine.refresh() is False  # nothing changed
    mine.set_bookmark("beta/rollouts", True)  # queued, not written yet
    other.answer("beta-canary", (0,))
    other.run_pending()
    assert mine.refresh() is True
    assert mine.results == {"beta-canary": False}
    assert mine.bookmarked == {"beta/rollouts"}  # still shown while its write is queued
    assert mine.refresh() is False
    mine.run_pending()
    assert mine.refresh() is False  # its own write: nothing visible changed


def test_refresh_is_skipped_while_a_write_is_running(corpus: Corpus, db: Path) -> None:
    gate, entered = threading.Event(), threading.Event()
    session = opened(corpus, db, opener=gated_store(gate, entered))
    session.answer("beta-canary", (1,))
    runner = threading.Thread(target=session.run_pending)
    runner.start()
    assert entered.wait(10)
    Store.open(db).add_bookmark(
        target_id="beta", kind="section", chapter_id="beta", section_id="beta", label="Beta Chapter"
    )
    assert session.refresh() is False  # does not wait for the disk
    gate.set()
    runner.join(10)
    assert session.refresh() is True
    assert session.bookmarked == {"beta"} and session.results == {"beta-canary": True}


# --------------------------------------------------------------------------- failures


class FailingStore(Store):
    """A data file whose bookmark writes fail, as on a full disk."""

    def add_bookmark(self, **kwargs: Any) -> Bookmark:
        raise StoreWriteError(errno.ENOSPC, "No space left on device", str(self.path))


def test_a_failed_write_is_reported_and_the_state_reloaded(corpus: Corpus, db: Path) -> None:
    Store.open(db).record_answer(
        question_id="beta-two",
        section_id="beta/rollouts",
        chapter_id="beta",
        chosen=(0, 1),
        correct=True,
    )
    session = opened(corpus, db, opener=FailingStore.open)
    session.set_bookmark("beta/rollouts", True)
    session.answer("beta-canary", (1,))  # queued after the failing one: still saved
    assert session.bookmarked == {"beta/rollouts"}
    (failure,) = session.run_pending()
    assert failure.what == "the bookmark"
    assert failure.message.startswith("Could not save the bookmark: ")
    assert "No space left on device" in failure.message
    assert session.bookmarked == frozenset()  # the truth: it is not on disk
    assert session.results == {"beta-two": True, "beta-canary": True}
    assert [a.question_id for a in on_disk(db).answers()] == ["beta-two", "beta-canary"]


def test_read_only_changes_are_not_shown_and_say_why(corpus: Corpus, db: Path) -> None:
    session = StudySession(corpus, db, clock=clock)
    session.open(read_only=True)
    assert session.read_only and not session.writable
    session.set_bookmark("beta", True)
    session.answer("beta-canary", (1,))
    assert session.bookmarked == frozenset() and session.results == {}
    failures = session.run_pending()
    assert [f.what for f in failures] == ["the bookmark", "your answer"]
    assert "read-only" in failures[0].message
    assert not session.set_setting("theme", "dva-paper")  # preferences: quietly skipped


def test_changes_before_the_file_is_open_fail_in_plain_words(corpus: Corpus, db: Path) -> None:
    session = StudySession(corpus, db, clock=clock)
    session.set_bookmark("beta", True)
    (failure,) = session.run_pending()
    assert failure.message == "Your data file is not open, so the bookmark was not saved."
    assert session.refresh() is False


def test_a_damaged_file_raises_and_start_fresh_keeps_a_copy(corpus: Corpus, db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"{not json")
    session = StudySession(corpus, db, clock=clock)
    with pytest.raises(CorruptStoreError):
        session.open()
    assert not session.is_open
    kept = session.start_fresh()
    assert kept is not None and kept.read_bytes() == b"{not json"
    assert session.is_open and session.bookmarks == ()


# --------------------------------------------------------------------------- flush, order


def gated_store(gate: threading.Event, entered: threading.Event) -> Any:
    class GatedStore(Store):
        def record_answer(self, **kwargs: Any) -> Answer:
            entered.set()
            assert gate.wait(10), "the test never released the write"
            return super().record_answer(**kwargs)

    return GatedStore.open


def test_flush_writes_what_is_pending(corpus: Corpus, db: Path) -> None:
    session = opened(corpus, db)
    session.answer("beta-canary", (1,))
    session.set_bookmark("beta", True)
    session.set_position("beta/rollouts")
    assert session.save_position()
    assert not session.save_position()  # unchanged since: nothing more to write
    assert session.flush(1.0) == []
    assert session.pending == 0
    store = on_disk(db)
    assert len(store.answers()) == 1 and len(store.bookmarks()) == 1
    assert store.get_setting("last_section", None) == "beta/rollouts"
    assert opened(corpus, db).position == "beta/rollouts"


def test_flush_waits_for_a_running_write_at_most_its_timeout(corpus: Corpus, db: Path) -> None:
    gate, entered = threading.Event(), threading.Event()
    session = opened(corpus, db, opener=gated_store(gate, entered))
    session.answer("beta-canary", (1,))
    runner = threading.Thread(target=session.run_pending)
    runner.start()
    assert entered.wait(10)
    session.set_bookmark("beta", True)
    (busy,) = session.flush(0.01)
    assert "2 change(s) could not be saved" in busy.message
    gate.set()
    assert session.flush(10) == []
    runner.join(10)
    assert len(on_disk(db).answers()) == 1 and len(on_disk(db).bookmarks()) == 1


def test_runners_in_several_threads_keep_the_order(corpus: Corpus, db: Path) -> None:
    session = opened(corpus, db)
    picks = [(i % 4,) for i in range(12)]
    for chosen in picks:
        session.answer("beta-canary", chosen)
    runners = [threading.Thread(target=session.run_pending) for _ in range(4)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(30)
    assert session.pending == 0
    assert [a.chosen for a in on_disk(db).answers()] == picks


# --------------------------------------------------------------------------- the notes


def test_locate_gives_the_path_from_the_chapter_down(corpus: Corpus, db: Path) -> None:
    session = StudySession(corpus, db, clock=clock)
    sub = corpus.section("alpha/second-section/a-subsection")
    assert sub is not None
    item = session.locate(sub.items[0].id)
    assert item.path == "Alpha Chapter › Second Section › A Subsection › Epsilon fact."
    assert (item.kind, item.label, item.found) == ("item", "Epsilon fact.", True)
    section = session.locate("beta/rollouts")
    assert (section.path, section.where, section.kind) == (
        "Beta Chapter › Rollouts",
        "Beta Chapter › Rollouts",
        "section",
    )
    overview = session.locate("alpha")
    assert (overview.path, overview.where, overview.item) == (
        "Alpha Chapter",
        "Alpha Chapter",
        None,
    )
    intro = corpus.section("alpha").items[0]  # type: ignore[union-attr]
    assert session.locate(intro.id).path == "Alpha Chapter › A chapter used by the tests."
    missing = session.locate("gone#x")
    assert (missing.found, missing.path, missing.label) == (False, "not in these notes", "gone#x")


def test_questions_for_a_chapter_a_section_and_a_bare_subsection(
    tmp_path: Path, corpus: Corpus
) -> None:
    session = StudySession(corpus, tmp_path / "d.json", clock=clock)
    assert [q.id for q in session.questions_for("beta")] == [
        "beta-canary",
        "beta-fast-rollback",
        "beta-two",
    ]
    assert len(session.questions_for("alpha/second-section")) == 1  # with its subsection
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# C\n\n## S\n\n- s\n\n### Bare\n\n- b\n\n### Quizzed\n\n- q\n\n"
        "```quiz\n? Which?\n- [x] a\n- [ ] b\n> because\n```\n"
    )
    session.swap_corpus(load_corpus(notes))
    assert [q.stem for q in session.questions_for("notes/s/bare")] == ["Which?"]


def test_swap_corpus_keeps_the_data_and_locates_in_the_new_notes(
    tmp_path: Path, corpus: Corpus, db: Path
) -> None:
    session = opened(corpus, db)
    session.answer("beta-canary", (1,))
    session.set_bookmark("beta/rollouts", True)
    index = session.search_index()
    notes = tmp_path / "mine.md"
    notes.write_text("# Mine\n\n## Only\n\n- A fact about canaries.\n")
    session.swap_corpus(load_corpus(notes))
    assert session.results == {"beta-canary": True}  # the learner's data is unchanged
    assert session.bookmarked == {"beta/rollouts"}
    assert not session.locate("beta/rollouts").found
    assert session.locate("mine/only").path == "Mine › Only"
    assert session.overall().total == 0
    assert session.search_index() is not index
    assert session.search_index().search("canaries")[0].section.id == "mine/only"
    assert session.run_pending() == []


def test_overall_counts_latest_results(corpus: Corpus, db: Path) -> None:
    session = opened(corpus, db)
    session.answer("beta-canary", (0,))
    session.answer("beta-canary", (1,))
    session.answer("beta-two", (0,))
    tally = session.overall()
    assert (tally.total, tally.answered, tally.correct) == (len(corpus.questions()), 2, 1)


def test_settings_are_remembered_once(corpus: Corpus, db: Path) -> None:
    session = opened(corpus, db)
    queued: list[frozenset[str]] = []
    session.on_queued = queued.append
    assert session.set_setting("theme", "dva-paper")
    assert not session.set_setting("theme", "dva-paper")
    assert session.setting("theme") == "dva-paper" and session.setting("x", 3) == 3
    session.run_pending()
    assert on_disk(db).get_setting("theme", None) == "dva-paper"
    session.answer("beta-canary", (1,))
    assert queued == [frozenset(), frozenset({"beta/rollouts"})]


def test_the_session_does_not_import_textual() -> None:
    code = (
        "import sys, dvatui.study; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_bookmark_text_from_a_hand_edited_data_file_reaches_no_terminal_raw(
    tmp_path: Path,
) -> None:
    db = tmp_path / "d.json"
    Store.open(db).add_bookmark(
        target_id="t1",
        kind="item",
        chapter_id="c",
        section_id="s",
        label="evil \x1b]52;c;ZWNobyBQV05FRA==\x07 label",
        comment="\x1b[2J",
    )
    session = StudySession(load_corpus(NOTES), db)
    session.open()
    mark = session.bookmarks[0]
    assert "\x1b" not in mark.label and "\x07" not in mark.label and "\x1b" not in mark.comment
    assert "␛" in mark.label and mark.label.startswith("evil ")
