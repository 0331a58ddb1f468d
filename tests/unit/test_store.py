"""Unit tests of dvatui.store: API round trips, file format, paths, corrupt files, read-only."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tinydb import TinyDB

from dvatui.store import (
    SCHEMA_VERSION,
    Answer,
    Bookmark,
    CorruptStoreError,
    FutureSchemaError,
    NotBookmarkedError,
    ReadOnlyStoreError,
    SafeJSONStorage,
    Store,
    StoreBusyError,
    StoreError,
    StoreReadError,
    StoreWriteError,
    default_db_path,
    open_store,
    reset_store,
    resolve_db_path,
)
from dvatui.store.locking import store_lock
from dvatui.store.storage import parse_store_bytes, sweep_temp_files, temp_file_pattern


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "dvatui.json"


@pytest.fixture(autouse=True)
def _umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: new files would be 0644 without our chmod
    yield
    os.umask(old)


def mark(store: Store, target_id: str, **extra: str) -> Bookmark:
    fields = {"kind": "item", "chapter_id": "ch1", "section_id": "ch1-s1", "label": target_id}
    fields.update(extra)
    return store.add_bookmark(target_id=target_id, **fields)  # type: ignore[arg-type]


def answer(store: Store, qid: str, chosen: tuple[int, ...] = (0,), correct: bool = True) -> Answer:
    return store.record_answer(
        question_id=qid, section_id="ch1-s1", chapter_id="ch1", chosen=chosen, correct=correct
    )


def raw_json(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def temp_files(path: Path) -> list[str]:
    pattern = temp_file_pattern(path.name)
    return [name for name in os.listdir(path.parent) if pattern.match(name)]


def valid_store_bytes(db: Path) -> bytes:
    store = Store.open(db)
    mark(store, "n1")
    answer(store, "q1")
    store.set_setting("theme", "dark")
    return db.read_bytes()


# ------------------------------------------------------------------------ round trips


def test_missing_file_is_an_empty_store_and_creates_nothing(db: Path) -> None:
    store = Store.open(db)
    assert store.bookmarks() == [] and store.answers() == []
    assert store.get_setting("theme", "light") == "light"
    snap = store.snapshot()
    assert snap.generation == 0 and snap.answer_count == 0 and not snap.bookmarks
    assert not db.parent.exists()


def test_bookmark_round_trip_and_order(db: Path) -> None:
    store = Store.open(db)
    first = mark(store, "n1", kind="section", label="Lambda — concurrency")
    time.sleep(0.001)
    second = mark(store, "n2", comment="re-read")
    assert first == Bookmark(
        "n1", "section", "ch1", "ch1-s1", "Lambda — concurrency", "", first.created_at
    )
    assert second.comment == "re-read"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", first.created_at)
    assert Store.open(db).bookmarks() == [first, second]
    assert store.is_bookmarked("n2") and not store.is_bookmarked("n3")


def test_add_bookmark_is_idempotent(db: Path) -> None:
    store = Store.open(db)
    original = mark(store, "n1", label="first label")
    generation = store.snapshot().generation
    again = mark(store, "n1", label="another label")
    assert again == original
    assert store.snapshot().generation == generation  # nothing was written
    assert len(store.bookmarks()) == 1


def test_toggle_and_remove(db: Path) -> None:
    store = Store.open(db)
    args = {"target_id": "n1", "kind": "item", "chapter_id": "c", "section_id": "s", "label": "L"}
    assert store.toggle_bookmark(**args) is True  # type: ignore[arg-type]
    assert store.is_bookmarked("n1")
    assert store.toggle_bookmark(**args) is False  # type: ignore[arg-type]
    assert not store.is_bookmarked("n1")
    assert store.remove_bookmark("n1") is False
    mark(store, "n1")
    assert store.remove_bookmark("n1") is True
    assert store.bookmarks() == []


def test_bookmark_comments(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1")
    store.set_bookmark_comment("n1", "ask about DLQs")
    assert Store.open(db).bookmarks()[0].comment == "ask about DLQs"
    generation = store.snapshot().generation
    store.set_bookmark_comment("n1", "ask about DLQs")
    assert store.snapshot().generation == generation
    with pytest.raises(NotBookmarkedError) as caught:
        store.set_bookmark_comment("n2", "x")
    assert isinstance(caught.value, StoreError) and isinstance(caught.value, LookupError)
    assert "n2" in str(caught.value)


def test_answers_keep_history_and_latest_wins(db: Path) -> None:
    store = Store.open(db)
    a1 = answer(store, "q1", (0,), False)
    answer(store, "q2", (1, 3), True)
    a3 = answer(store, "q1", (2,), True)
    history = Store.open(db).answers()
    assert [a.question_id for a in history] == ["q1", "q2", "q1"]
    assert history[0] == a1 and history[1].chosen == (1, 3)
    latest = store.latest_answers()
    assert latest["q1"] == a3 and latest["q2"].correct is True and len(latest) == 2
    snap = store.snapshot()
    assert snap.latest_answers["q1"] == a3 and snap.answer_count == 3


def test_settings_round_trip(db: Path) -> None:
    store = Store.open(db)
    store.set_setting("theme", "dark")
    store.set_setting("size", 3)
    store.set_setting("flag", True)
    store.set_setting("layout", {"panes": (1, 2), "name": "wide", "ratio": 0.5})
    store.set_setting("theme", "light")
    other = Store.open(db)
    assert other.get_setting("theme", None) == "light"
    assert other.get_setting("size", 0) == 3
    assert other.get_setting("flag", None) is True
    assert other.get_setting("layout", None) == {"panes": [1, 2], "name": "wide", "ratio": 0.5}
    assert other.get_setting("missing", 42) == 42
    store.set_setting("flag", 1)  # equal in Python, not in JSON: must be written
    assert other.get_setting("flag", None) == 1 and other.get_setting("flag", None) is not True
    copy = other.get_setting("layout", None)
    copy["name"] = "changed"
    assert other.get_setting("layout", None)["name"] == "wide"
    settings_docs = raw_json(db)["settings"]
    assert isinstance(settings_docs, dict) and len(settings_docs) == 4


def test_settings_reject_non_json(db: Path) -> None:
    store = Store.open(db)
    with pytest.raises(TypeError):
        store.set_setting("x", float("nan"))
    with pytest.raises(TypeError):
        store.set_setting("x", object())  # type: ignore[arg-type]
    assert not db.exists()


def test_invalid_arguments_are_refused(db: Path) -> None:
    store = Store.open(db)
    with pytest.raises(ValueError):
        mark(store, "n1", kind="chapter")
    with pytest.raises(ValueError):
        mark(store, "")
    with pytest.raises(ValueError):
        answer(store, "q1", (-1,))
    with pytest.raises(TypeError):
        store.record_answer(question_id="q", section_id="s", chapter_id="c", chosen=(0,), correct=1)  # type: ignore[arg-type]
    assert not db.exists()


def test_snapshot_is_one_consistent_read(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1")
    answer(store, "q1")
    store.set_setting("theme", "dark")
    snap = store.snapshot()
    assert snap.is_bookmarked("n1") and not snap.is_bookmarked("n2")
    assert snap.bookmark("n1") == store.bookmarks()[0]
    assert snap.setting("theme") == "dark" and snap.setting("nope", 5) == 5
    assert snap.generation == 3 and snap.read_only is False
    with pytest.raises(TypeError):
        snap.settings["theme"] = "x"  # type: ignore[index]


# ------------------------------------------------------------------------ file format


def test_file_has_meta_header_and_tinydb_never_sees_it(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1", label="Überblick ✓")
    answer(store, "q1")
    data = raw_json(db)
    meta = data["_meta"]
    assert isinstance(meta, dict)
    assert meta["schema_version"] == SCHEMA_VERSION == 2 and meta["generation"] == 2
    assert meta["writer"].startswith("dvatui ") and meta["written_at"].endswith("+00:00")
    # Data format 2: answers live in history segments; the main file keeps progress.
    assert set(data) == {"_meta", "bookmarks", "progress", "history"}
    assert "Überblick ✓".encode() in db.read_bytes()  # UTF-8, not \\u escapes
    text = db.read_text(encoding="utf-8")
    assert text == json.dumps(data, ensure_ascii=False, sort_keys=True)
    tiny = TinyDB(db, storage=SafeJSONStorage)
    assert tiny.tables() == {"bookmarks", "progress", "history"}
    segment = db.with_name("dvatui.json.history") / "answers-000001.json"
    tiny_history = TinyDB(segment, storage=SafeJSONStorage, keep_backup=False)
    assert [d["question_id"] for d in tiny_history.table("answers").all()] == ["q1"]
    assert [a.question_id for a in store.answers()] == ["q1"]


def test_previous_generation_is_kept_as_bak(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1")
    backup = db.with_name("dvatui.json.bak")
    assert not backup.exists()  # nothing to keep before the first write
    old_inode = db.stat().st_ino
    old_bytes = db.read_bytes()
    answer(store, "q1")
    assert backup.read_bytes() == old_bytes
    assert backup.stat().st_ino == old_inode  # a hard link, not a copy
    meta, _ = parse_store_bytes(backup.read_bytes(), backup)
    assert meta.generation == 1


def test_new_file_is_0600_and_folder_0700_created_lazily(tmp_path: Path) -> None:
    path = default_db_path()
    assert path == tmp_path / "xdg-data" / "dvatui" / "dvatui.json"
    store = Store.open(path)
    assert store.bookmarks() == []
    assert not path.parent.exists()
    mark(store, "n1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.with_name("dvatui.json.lock").stat().st_mode) == 0o600


def test_existing_mode_is_kept(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1")
    db.chmod(0o640)
    answer(store, "q1")
    assert stat.S_IMODE(db.stat().st_mode) == 0o640


def test_symlinked_path_updates_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "data.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    store = Store.open(link)
    mark(store, "n1")
    answer(store, "q1")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert [b.target_id for b in Store.open(target).bookmarks()] == ["n1"]
    assert (real_dir / "data.json.bak").exists() and (real_dir / "data.json.lock").exists()
    assert not (tmp_path / "link.json.bak").exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_resolve_db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = tmp_path / "xdg-data" / "dvatui" / "dvatui.json"
    assert resolve_db_path(None) == default
    assert not default.parent.exists()
    monkeypatch.setenv("DVATUI_DB", str(tmp_path / "env.json"))
    assert resolve_db_path(None) == tmp_path / "env.json"
    assert resolve_db_path(str(tmp_path / "cli.json")) == tmp_path / "cli.json"
    monkeypatch.setenv("DVATUI_DB", "")
    assert resolve_db_path("") == default
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_db_path("~/d.json") == tmp_path / "home" / "d.json"
    monkeypatch.chdir(tmp_path)
    assert resolve_db_path("rel/d.json") == tmp_path / "rel" / "d.json"


# ------------------------------------------------------------------------ writes that fail


def test_failed_replace_leaves_file_and_no_temp(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(db)
    mark(store, "n1")
    before = db.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StoreWriteError) as caught:
        answer(store, "q1")
    assert isinstance(caught.value, OSError) and caught.value.errno == errno.EIO
    assert "not changed" in str(caught.value)
    monkeypatch.undo()
    assert db.read_bytes() == before
    assert temp_files(db) == []


def test_unusable_paths_give_plain_store_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreReadError) as caught:
        Store.open(blocker / "dvatui.json")
    assert caught.value.errno == errno.ENOTDIR and isinstance(caught.value, OSError)
    assert "could not read" in str(caught.value) and "--db" in str(caught.value)
    with pytest.raises(StoreReadError) as caught:
        Store.open(tmp_path, read_only=True)  # a folder given as the data file
    assert caught.value.errno == errno.EISDIR
    with pytest.raises(StoreWriteError) as refused:
        mark(Store(blocker / "dvatui.json"), "n1")
    assert refused.value.errno == errno.ENOTDIR
    assert blocker.read_text() == "x"
    db = tmp_path / "data" / "dvatui.json"
    db.with_name("dvatui.json.lock").mkdir(parents=True)  # the lock file cannot be created
    with pytest.raises(StoreWriteError) as refused:
        mark(Store(db), "n1")
    assert "could not save" in str(refused.value) and not db.exists()


def test_stale_temp_files_are_swept(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1")
    old = db.parent / ".dvatui.json.abcd1234.tmp"
    fresh = db.parent / ".dvatui.json.wxyz_678.tmp"
    unrelated = db.parent / ".dvatui.json.old.abcd1234.tmp"
    for path in (old, fresh, unrelated):
        path.write_bytes(b'{"half": ')
    past = time.time() - 120
    os.utime(old, (past, past))
    SafeJSONStorage(db)  # without the lock: only files older than 60 s
    assert not old.exists() and fresh.exists()
    Store.open(db)  # with the lock held every temp file is stale
    assert not fresh.exists()
    assert unrelated.exists()
    assert sweep_temp_files(db) == []


# ------------------------------------------------------------------------ corrupt files

VALID_META = {"schema_version": 1, "generation": 3, "written_at": "x", "writer": "dvatui 0.1.0"}


def _with_meta(tables: dict[str, object], **meta: object) -> bytes:
    return json.dumps({"_meta": {**VALID_META, **meta}, **tables}).encode()


CORRUPT_CASES: dict[str, bytes | None] = {
    "empty": b"",
    "whitespace": b"  \n\t \n",
    "truncated": None,  # built from a valid file below
    "trailing-garbage": None,
    "nul-filled": b"\0" * 4096,
    "bom": None,
    "invalid-utf8": None,
    "list": b"[]",
    "null": b"null",
    "stock-tinydb-list-table": b'{"_default": [1]}',
    "stock-tinydb-file": b'{"_default": {"1": {"a": 1}}}',
    "table-doc-not-object": _with_meta({"_default": {"1": 5}}),
    "table-is-list": _with_meta({"answers": [1, 2]}),
    "doc-id-not-number": _with_meta({"answers": {"one": {"a": 1}}}),
    "meta-not-object": json.dumps({"_meta": [1], "answers": {}}).encode(),
    "meta-version-text": _with_meta({}, schema_version="1"),
    "meta-version-zero": _with_meta({}, schema_version=0),
    "meta-no-generation": json.dumps({"_meta": {"schema_version": 1}}).encode(),
    "nan": b'{"_meta": {"schema_version": 1, "generation": 1, "written_at": "x", '
    b'"writer": "w"}, "settings": {"1": {"key": "k", "value": NaN}}}',
}


def corrupt_bytes(case: str, valid: bytes) -> bytes:
    built = {
        "truncated": valid[: len(valid) // 2],
        "trailing-garbage": valid + b'"}}',
        "bom": b"\xef\xbb\xbf" + valid,
        "invalid-utf8": valid.replace(b'"dark"', b'"d\xff\xferk"'),
    }
    content = CORRUPT_CASES[case]
    return built[case] if content is None else content


@pytest.mark.parametrize("case", list(CORRUPT_CASES))
def test_corrupt_file_is_kept_and_reported(db: Path, case: str) -> None:
    content = corrupt_bytes(case, valid_store_bytes(db))
    db.write_bytes(content)
    inode = db.stat().st_ino
    with pytest.raises(CorruptStoreError) as caught:
        Store.open(db)
    error = caught.value
    assert db.read_bytes() == content and db.stat().st_ino == inode  # original untouched
    assert error.backup_path is not None
    assert re.fullmatch(r"dvatui\.json\.corrupt-\d{8}T\d{6}Z", error.backup_path.name)
    assert error.backup_path.read_bytes() == content  # byte-identical copy
    assert stat.S_IMODE(error.backup_path.stat().st_mode) == 0o600
    message = str(error)
    for needed in (str(db), str(error.backup_path), "`dvatui reset-data`", "did not change"):
        assert needed in message
    assert error.previous_path == db.with_name("dvatui.json.bak")  # valid_store_bytes made one

    # Opening again reuses the identical copy; writing is refused and changes nothing.
    with pytest.raises(CorruptStoreError) as again:
        Store.open(db)
    assert again.value.backup_path == error.backup_path
    with pytest.raises(CorruptStoreError):
        mark(Store(db), "n2")
    with pytest.raises(CorruptStoreError):
        Store.open(db, read_only=True)
    assert db.read_bytes() == content
    copies = [name for name in os.listdir(db.parent) if ".corrupt-" in name]
    assert copies == [error.backup_path.name]
    assert temp_files(db) == []


def test_corruption_after_open_is_caught_on_read_and_write(db: Path) -> None:
    store = Store.open(db)
    mark(store, "n1")
    db.write_bytes(b'{"_meta": ')
    with pytest.raises(CorruptStoreError) as caught:
        store.bookmarks()
    assert caught.value.backup_path is not None
    with pytest.raises(CorruptStoreError):
        answer(store, "q1")
    assert db.read_bytes() == b'{"_meta": '


def test_future_schema_is_kept_refused_then_readable_read_only(db: Path) -> None:
    doc = {
        "target_id": "n1",
        "kind": "item",
        "chapter_id": "c",
        "section_id": "s",
        "label": "L",
        "comment": "",
        "created_at": "2030-01-01T00:00:00+00:00",
    }
    future = SCHEMA_VERSION + 1
    content = _with_meta(
        {"bookmarks": {"1": doc}, "new_table": {"x": "a newer shape"}},
        schema_version=future,
        writer="dvatui 9.0",
    )
    db.parent.mkdir()
    db.write_bytes(content)
    with pytest.raises(FutureSchemaError) as caught:
        open_store(db)
    error = caught.value
    assert error.found_version == future and error.known_version == SCHEMA_VERSION
    assert error.backup_path is not None and error.backup_path.read_bytes() == content
    assert re.fullmatch(r"dvatui\.json\.future-\d{8}T\d{6}Z", error.backup_path.name)
    assert "newer dvatui" in str(error) and str(error.backup_path) in str(error)
    assert "reset-data" in str(error)

    store = Store.open(db, read_only=True)
    assert store.read_only and store.future_version == future
    assert [b.target_id for b in store.bookmarks()] == ["n1"]
    with pytest.raises(ReadOnlyStoreError) as refused:
        mark(store, "n2")
    assert "newer dvatui" in str(refused.value) and str(db) in str(refused.value)
    for change in (
        lambda: store.remove_bookmark("n1"),
        lambda: store.set_bookmark_comment("n1", "x"),
        lambda: store.set_setting("k", 1),
        lambda: answer(store, "q1"),
        lambda: store.toggle_bookmark(
            target_id="n1", kind="item", chapter_id="c", section_id="s", label="L"
        ),
    ):
        with pytest.raises(ReadOnlyStoreError):
            change()
    with pytest.raises(FutureSchemaError):  # a writable store never writes over it either
        mark(Store(db), "n2")
    assert db.read_bytes() == content


def test_read_only_current_file(db: Path) -> None:
    valid = valid_store_bytes(db)
    store = Store.open(db, read_only=True)
    assert store.future_version is None and len(store.bookmarks()) == 1
    with pytest.raises(ReadOnlyStoreError):
        store.set_setting("theme", "light")
    assert db.read_bytes() == valid


def test_reset_store(db: Path) -> None:
    assert reset_store(db) is None  # nothing to keep
    assert Store.open(db).snapshot().generation == 1
    valid = valid_store_bytes(db)
    backup_before = db.with_name("dvatui.json.bak").read_bytes()
    kept = reset_store(db)
    assert kept is not None and re.fullmatch(r"dvatui\.json\.reset-\d{8}T\d{6}Z", kept.name)
    assert kept.read_bytes() == valid
    fresh = Store.open(db)
    assert fresh.bookmarks() == [] and fresh.answers() == []
    assert db.with_name("dvatui.json.bak").read_bytes() == backup_before  # .bak left alone

    db.write_bytes(b"\0\0\0")
    with pytest.raises(CorruptStoreError) as caught:
        Store.open(db)
    assert reset_store(db) == caught.value.backup_path  # not copied twice
    assert Store.open(db).bookmarks() == []
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


# ------------------------------------------------------------------------ several stores


def test_two_store_objects_interleave(db: Path) -> None:
    one, two = Store.open(db), Store.open(db)
    mark(one, "n1")
    assert two.is_bookmarked("n1")  # no stale cache
    answer(two, "q1")
    mark(two, "n2")
    answer(one, "q2")
    assert (
        one.toggle_bookmark(target_id="n2", kind="item", chapter_id="c", section_id="s", label="L")
        is False
    )
    assert not two.is_bookmarked("n2")
    assert [a.question_id for a in two.answers()] == ["q1", "q2"]
    assert [a.question_id for a in one.answers()] == ["q1", "q2"]
    assert one.snapshot().generation == two.snapshot().generation == 5


def test_threads_share_the_lock(
    db: Path, in_threads: Callable[[Callable[[int], None], int], None]
) -> None:
    stores = [Store.open(db), Store.open(db)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                answer(stores[n % 2], f"t{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    in_threads(work, 4)
    assert errors == []
    assert len({a.question_id for a in Store.open(db).answers()}) == 100


def test_busy_lock_times_out_clearly(db: Path) -> None:
    store = Store.open(db, lock_timeout=0.2)
    mark(store, "n1")
    before = db.read_bytes()
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with store_lock(store.lock_path):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(5)
        with pytest.raises(StoreBusyError) as caught:
            answer(store, "q1")
        assert "another dvatui process" in str(caught.value)
        assert str(store.lock_path) in str(caught.value)
        assert store.bookmarks()[0].target_id == "n1"  # reads need no lock
    finally:
        release.set()
        thread.join()
    assert db.read_bytes() == before
    answer(store, "q1")
