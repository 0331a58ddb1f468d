"""The store's data format 2: history segments, progress, migration, backups, export/import."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dvatui.store import (
    SCHEMA_VERSION,
    Answer,
    CorruptStoreError,
    ImportFormatError,
    ReadOnlyStoreError,
    Store,
    StoreLinkError,
    parse_export,
    read_export_file,
)
from dvatui.store.history import SEGMENT_SIZE, segment_files
from dvatui.store.records import fold_progress
from dvatui.store.storage import Meta, encode_store, parse_store_bytes


class FakeClock:
    """A clock the test moves by hand (aware UTC)."""

    def __init__(self, start: datetime = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)  # every call a distinct instant
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "dvatui.json"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True)
def _umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def answer(store: Store, qid: str, correct: bool = True, section: str = "ch1-s1") -> Answer:
    return store.record_answer(
        question_id=qid,
        section_id=section,
        chapter_id="ch1",
        chosen=(0,) if correct else (1,),
        correct=correct,
    )


def mark(store: Store, target_id: str, comment: str = "") -> None:
    store.add_bookmark(
        target_id=target_id,
        kind="item",
        chapter_id="ch1",
        section_id="ch1-s1",
        label=target_id.upper(),
        comment=comment,
    )


def v1_file(path: Path, answers: int, *, bookmarks: int = 2) -> bytes:
    """A data file exactly as dvatui 0.1 (data format 1) wrote it."""
    tables: dict[str, dict[str, object]] = {"answers": {}, "bookmarks": {}, "settings": {}}
    for i in range(1, answers + 1):
        tables["answers"][str(i)] = {
            "question_id": f"q{i % 600}",
            "section_id": f"s{i % 40}",
            "chapter_id": "c1",
            "chosen": [i % 4],
            "correct": i % 3 != 0,
            "answered_at": (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i)).isoformat(
                timespec="microseconds"
            ),
        }
    for i in range(1, bookmarks + 1):
        tables["bookmarks"][str(i)] = {
            "target_id": f"n{i}",
            "kind": "item",
            "chapter_id": "c1",
            "section_id": "s1",
            "label": f"Note {i}",
            "comment": "why?" if i == 1 else "",
            "created_at": f"2026-02-0{i}T10:00:00.000000+00:00",
        }
    tables["settings"]["1"] = {"key": "theme", "value": "dva-day"}
    raw = encode_store(
        tables, Meta(1, answers + bookmarks + 1, "2026-03-01T00:00:00+00:00", "dvatui 0.1.0")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return raw


# ------------------------------------------------------------------------ history segments


def test_answers_go_to_segments_and_only_the_tail_is_rewritten(db: Path, clock: FakeClock) -> None:
    store = Store.open(db, clock=clock)
    for i in range(SEGMENT_SIZE + 3):
        answer(store, f"q{i % 7}", correct=i % 2 == 0)
    folder = db.with_name("dvatui.json.history")
    files = segment_files(folder)
    assert [n for n, _ in files] == [1, 2]
    full, tail = files[0][1], files[1][1]
    full_inode = full.stat().st_ino
    answer(store, "q-last")
    assert full.stat().st_ino == full_inode  # a full segment never changes again
    _, tables = parse_store_bytes(tail.read_bytes(), tail)
    assert len(tables["answers"]) == 4
    assert store.answer_count() == SEGMENT_SIZE + 4
    assert len(Store.open(db).answers()) == SEGMENT_SIZE + 4


def test_progress_is_a_fold_of_the_answers(db: Path, clock: FakeClock) -> None:
    store = Store.open(db, clock=clock)
    answer(store, "q1", correct=False)
    answer(store, "q1", correct=True)
    answer(store, "q2", correct=False)
    progress = Store.open(db).progress()
    q1 = progress["q1"]
    assert (q1.attempts, q1.correct_attempts, q1.latest_correct) == (2, 1, True)
    assert progress["q2"].latest_chosen == (1,) and not progress["q2"].latest_correct
    assert progress == fold_progress(store.answers())
    # the fold does not depend on the order answers arrive in (imports merge histories)
    assert fold_progress(list(reversed(store.answers()))) == progress
    snap = store.snapshot()
    assert snap.progress == progress and snap.answer_count == 3
    assert snap.latest_answers["q1"].correct is True


def test_a_crash_between_segment_and_main_file_is_folded_in(db: Path, clock: FakeClock) -> None:
    store = Store.open(db, clock=clock)
    answer(store, "q1")
    main_before = db.read_bytes()
    answer(store, "q2", correct=False)  # as if killed right after the segment was written:
    db.write_bytes(main_before)  # the main file still counts one answer
    assert Store.open(db, read_only=True).answer_count() == 1
    reopened = Store.open(db, clock=clock)  # a writable open repairs under the lock
    assert reopened.answer_count() == 2
    assert reopened.progress()["q2"].latest_correct is False
    answer(reopened, "q3")
    assert [a.question_id for a in reopened.answers()] == ["q1", "q2", "q3"]


def test_an_uncounted_new_segment_is_found_too(db: Path, clock: FakeClock) -> None:
    store = Store.open(db, clock=clock)
    for i in range(SEGMENT_SIZE):
        answer(store, f"q{i}")
    main_before = db.read_bytes()
    answer(store, "q-next")  # starts segment 2
    db.write_bytes(main_before)
    assert Store.open(db, clock=clock).answer_count() == SEGMENT_SIZE + 1


def test_a_damaged_segment_is_reported_and_kept(db: Path, clock: FakeClock) -> None:
    store = Store.open(db, clock=clock)
    answer(store, "q1")
    segment = db.with_name("dvatui.json.history") / "answers-000001.json"
    segment.write_bytes(b'{"_meta": ')
    with pytest.raises(CorruptStoreError) as caught:
        Store.open(db, clock=clock)
    assert str(segment) in str(caught.value)
    assert caught.value.backup_path is not None
    assert caught.value.backup_path.read_bytes() == b'{"_meta": '


def test_idle_check_is_a_stat(db: Path, clock: FakeClock) -> None:
    one, two = Store.open(db, clock=clock), Store.open(db, clock=clock)
    mark(one, "n1")
    assert two.changed()
    assert two.snapshot().is_bookmarked("n1")
    assert not two.changed() and not one.changed()  # its own write does not count
    answer(one, "q1")
    assert two.changed() and two.snapshot().progress["q1"].attempts == 1


def test_duplicate_keys_and_non_canonical_ids_are_damage(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1")
    text = db.read_text(encoding="utf-8")
    doc = json.loads(text)["bookmarks"]["1"]
    twice = text.replace('"bookmarks": {', '"bookmarks": {"007": ' + json.dumps(doc) + ", ", 1)
    db.write_text(twice, encoding="utf-8")
    with pytest.raises(CorruptStoreError) as caught:
        Store.open(db)
    assert "007" in str(caught.value)
    dup = text.replace('"bookmarks": {', '"bookmarks": {"1": {}, ', 1)
    db.write_text(dup, encoding="utf-8")
    with pytest.raises(CorruptStoreError) as caught:
        Store.open(db)
    assert "appears twice" in str(caught.value)
    assert db.read_text(encoding="utf-8") == dup  # never overwritten


def test_deep_settings_are_refused(db: Path) -> None:
    store = Store.open(db)
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValueError):
        store.set_setting("deep", deep)  # type: ignore[arg-type]
    assert not db.exists()


# ------------------------------------------------------------------------ symlinks


def test_links_to_foreign_files_or_nowhere_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "passwd"
    foreign.write_text("root:x:0:0:root:/root:/bin/bash\n")
    link = tmp_path / "link.json"
    link.symlink_to(foreign)
    with pytest.raises(StoreLinkError) as caught:
        Store.open(link, read_only=True)
    assert "not a dvatui data file" in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "passwd"]  # no copies

    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "missing" / "dir" / "data.json")
    with pytest.raises(StoreLinkError):
        Store.open(dangling)
    assert not (tmp_path / "missing").exists()


# ------------------------------------------------------------------------ migration


def test_a_format_1_file_migrates_once_and_is_kept_byte_for_byte(
    db: Path, clock: FakeClock
) -> None:
    raw = v1_file(db, 1200)
    store = Store.open(db, clock=clock)
    kept = store.migrated_from
    assert kept is not None and kept.read_bytes() == raw
    assert re.fullmatch(r"dvatui\.json\.schema1-\d{8}T\d{6}Z", kept.name)
    meta, tables = parse_store_bytes(db.read_bytes(), db)
    assert meta.schema_version == SCHEMA_VERSION and "answers" not in tables
    assert store.answer_count() == 1200
    answers = store.answers()
    assert len({a.id for a in answers}) == 1200
    assert [a.question_id for a in answers[:3]] == ["q1", "q2", "q3"]
    assert store.get_setting("theme") == "dva-day"
    marks = store.bookmarks()
    assert [b.target_id for b in marks] == ["n1", "n2"] and marks[0].comment == "why?"
    assert all(b.id for b in marks)
    # the same format-1 file gives the same ids on any machine (import adds nothing twice)
    other = db.parent.parent / "other" / "dvatui.json"
    v1_file(other, 1200)
    assert [a.id for a in Store.open(other, clock=clock).answers()] == [a.id for a in answers]
    # once: opening again changes nothing
    generation = store.snapshot().generation
    again = Store.open(db, clock=clock)
    assert again.migrated_from is None and again.snapshot().generation == generation


def test_a_format_1_file_reads_read_only_without_migrating(db: Path) -> None:
    raw = v1_file(db, 30)
    store = Store.open(db, read_only=True)
    assert store.answer_count() == 30 and len(store.answers()) == 30
    assert store.progress()["q3"].latest_correct is False
    assert db.read_bytes() == raw


@pytest.mark.slow
def test_a_100000_answer_format_1_file_migrates(db: Path, clock: FakeClock) -> None:
    v1_file(db, 100_000, bookmarks=100)
    store = Store.open(db, clock=clock)
    assert store.answer_count() == 100_000
    assert len(segment_files(store.history_dir)) == 100_000 // SEGMENT_SIZE
    assert len(store.progress()) == 600 and len(store.bookmarks()) == 100
    # the main file holds progress, not history: small, whatever the history's length
    assert db.stat().st_size < 250_000


# ------------------------------------------------------------------------ backups


def test_a_daily_backup_is_kept_and_rotated(db: Path, clock: FakeClock) -> None:
    store = Store.open(db, clock=clock)
    answer(store, "q0")
    for day in range(10):
        clock.advance(days=1)
        answer(store, f"q{day + 1}")
    infos = store.list_backups()
    daily = [i for i in infos if i.kind == "daily"]
    assert len(daily) == 7
    newest = daily[-1]
    assert newest.answers == 10  # the data as it was before that day's first change
    assert (newest.path / "data.json").is_file()


def test_restore_brings_back_a_backup_and_keeps_the_current_data(
    db: Path, clock: FakeClock
) -> None:
    store = Store.open(db, clock=clock)
    mark(store, "n1")
    for i in range(SEGMENT_SIZE + 5):
        answer(store, f"q{i % 9}")
    clock.advance(days=1)
    answer(store, "q-today")  # today's backup: SEGMENT_SIZE + 5 answers, bookmark n1
    store.remove_bookmark("n1")
    assert store.answer_count() == SEGMENT_SIZE + 6
    daily = [i for i in store.list_backups() if i.kind == "daily"][-1]
    info, kept = store.restore(daily.name)
    assert info.name == daily.name
    assert store.answer_count() == SEGMENT_SIZE + 5 and store.is_bookmarked("n1")
    assert store.progress() == fold_progress(store.answers())
    assert kept is not None and "before-restore" in kept.name
    # the data before the restore is itself a backup that can be restored
    store.restore(kept.name)
    assert store.answer_count() == SEGMENT_SIZE + 6 and not store.is_bookmarked("n1")
    folders = sorted(p.name for p in db.parent.iterdir() if ".history" in p.name)
    assert len(folders) == 1  # the replaced history folders are gone
    with pytest.raises(LookupError):
        store.restore("no-such-backup")


# ------------------------------------------------------------------------ export / import


def test_export_round_trip(db: Path, tmp_path: Path, clock: FakeClock) -> None:
    store = Store.open(db, clock=clock)
    mark(store, "n1", comment="tricky")
    answer(store, "q1")
    answer(store, "q2", correct=False)
    store.set_setting("theme", "dva-day")
    document = store.export_document()
    assert document["format"] == "dvatui-export" and document["version"] == 1
    assert set(document) >= {"exported_at", "bookmarks", "answers", "settings"}
    assert [a["question_id"] for a in document["answers"]] == ["q1", "q2"]
    assert all(a["id"] for a in document["answers"]) and document["bookmarks"][0]["id"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    fresh = Store.open(tmp_path / "fresh" / "dvatui.json", clock=clock)
    summary = fresh.import_document(read_export_file(path))
    assert (summary.answers_added, summary.bookmarks_added, summary.settings_added) == (2, 1, 1)
    assert fresh.answers() == store.answers()
    assert [a.id for a in fresh.answers()] == [a.id for a in store.answers()]
    assert fresh.bookmarks()[0].comment == "tricky"
    assert fresh.progress() == store.progress()


def test_import_merges_two_diverged_histories_and_is_idempotent(
    tmp_path: Path, clock: FakeClock
) -> None:
    laptop = Store.open(tmp_path / "laptop.json", clock=clock)
    server = Store.open(tmp_path / "server.json", clock=clock)
    answer(laptop, "q1", correct=False)
    mark(laptop, "n1", comment="laptop note")
    mark(laptop, "n2")
    clock.advance(minutes=5)
    answer(server, "q1", correct=True)  # later, on the server
    answer(server, "q2")
    mark(server, "n2", comment="server note")  # newer than the laptop's n2
    summary = laptop.import_document(parse_export(server.export_document()))
    assert summary.answers_added == 2 and summary.bookmarks_updated == 1
    assert summary.backup is not None and summary.backup.is_dir()
    assert len(laptop.answers()) == 3
    q1 = laptop.progress()["q1"]
    assert (q1.attempts, q1.latest_correct) == (2, True)  # the newer answer is the latest
    marks = {b.target_id: b for b in laptop.bookmarks()}
    assert marks["n1"].comment == "laptop note" and marks["n2"].comment == "server note"
    generation = laptop.snapshot().generation
    again = laptop.import_document(parse_export(server.export_document()))
    assert (again.answers_added, again.bookmarks_added, again.bookmarks_updated) == (0, 0, 0)
    assert again.answers_known == 2 and laptop.snapshot().generation == generation
    # and the other way round: both machines end with both histories
    server.import_document(parse_export(laptop.export_document()))
    assert {a.id for a in server.answers()} == {a.id for a in laptop.answers()}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "not a JSON object"),
        ('{"format": "something"}', '"format"'),
        ('{"format": "dvatui-export", "version": 9, "bookmarks": [], "answers": []}', "newer"),
        (
            '{"format": "dvatui-export", "version": 1, "bookmarks": {}, "answers": []}',
            "must be lists",
        ),
        (
            '{"format": "dvatui-export", "version": 1, "bookmarks": [], "answers": [{"id": 1}]}',
            "answers[0]",
        ),
        ("{not json", "not valid JSON"),
    ],
)
def test_a_malformed_import_changes_nothing(
    db: Path, tmp_path: Path, content: str, problem: str
) -> None:
    store = Store.open(db)
    answer(store, "q1")
    before = db.read_bytes()
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError) as caught:
        store.import_document(read_export_file(path))
    assert problem in str(caught.value) and str(path) in str(caught.value)
    assert "Nothing was changed" in str(caught.value)
    assert db.read_bytes() == before


# ------------------------------------------------------------------------ failure paths


def test_an_unusable_lock_opens_read_only_and_says_why(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1")
    lock = db.with_name("dvatui.json.lock")
    lock.unlink()
    lock.mkdir()  # a lock path that is a folder
    opened = Store.open(db)
    assert opened.read_only and opened.is_bookmarked("n1")
    assert opened.read_only_reason is not None and str(lock) in opened.read_only_reason
    with pytest.raises(ReadOnlyStoreError) as caught:
        mark(opened, "n2")
    assert str(lock) in str(caught.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            b'{"_meta": {"schema_version": 2, "x": "abc',
            "(Unterminated string starting at line 1, column",
        ),
        (b'{"_meta": 1' + b"1" * 5000 + b"}", "a number too long to read"),
    ],
)
def test_damage_messages_read_well(db: Path, content: bytes, words: str) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(content)
    with pytest.raises(CorruptStoreError) as caught:
        Store.open(db)
    assert words in str(caught.value) and "at at" not in str(caught.value)


def test_a_write_after_a_kill_between_backup_link_and_rename_leaves_no_temp(db: Path) -> None:
    """Killed after linking the old file to .bak but before the rename: both names are one
    inode, and renaming a link onto .bak would be a silent no-op that leaves the link."""
    store = Store.open(db)
    mark(store, "n1")
    backup = db.with_name("dvatui.json.bak")
    backup.unlink(missing_ok=True)
    os.link(db, backup)
    mark(store, "n2")
    leftovers = [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert Store.open(db).is_bookmarked("n2")


def test_mock_exams_travel_with_export_and_import(tmp_path: Path, clock: FakeClock) -> None:
    one = Store.open(tmp_path / "one.json", clock=clock)
    one.save_exam({"id": "e1", "started_at": "2030-01-01T00:00:00+00:00", "status": "finished"})
    document = one.export_document()
    assert [e["id"] for e in document["exams"]] == ["e1"]
    two = Store.open(tmp_path / "two.json", clock=clock)
    two.import_document(parse_export(document))
    two.import_document(parse_export(document))  # again: nothing twice
    assert [e["id"] for e in two.exams()] == ["e1"]
    old = dict(document)
    del old["exams"]  # documents without exams still import
    Store.open(tmp_path / "three.json", clock=clock).import_document(parse_export(old))
    bad = {**document, "exams": [{"no": "id"}]}
    with pytest.raises(ImportFormatError, match=r"exams\[0\]"):
        parse_export(bad)
