"""A planted cache cannot run code or change the notes; folders are 0700 under any umask."""

from __future__ import annotations

import json
import os
import pickle
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dvatui.domain import cache
from dvatui.domain.loader import load_corpus
from dvatui.store import Store

GOOD = "# Good\n\n## S\n\n- a fact\n"


@pytest.fixture
def notes(tmp_path: Path, write_notes: Callable[[Path, dict[str, str]], Path]) -> Path:
    return write_notes(tmp_path / "notes", {"01-good.md": GOOD})


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def evil_pickle(marker: Path) -> bytes:
    """A pickle that creates ``marker`` when loaded: ``builtins.open(marker, "w")``."""
    return b"cbuiltins\nopen\n(" + pickle.dumps(str(marker), protocol=0)[:-1] + b"S'w'\ntR."


def forged_cache(notes: Path, title: str) -> str:
    """A well-formed JSON cache for ``notes`` whose chapter title is ``title``."""
    corpus = load_corpus(notes)
    corpus.chapters[0].title = title
    key = cache._fingerprint(notes)
    assert key is not None
    return cache.encode_corpus(corpus, key).decode()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_evil_pickle_is_live(tmp_path: Path) -> None:
    """The payload really runs code when unpickled, so the next test means something."""
    marker = tmp_path / "ran"
    pickle.loads(evil_pickle(marker))  # the attack, on purpose
    assert marker.exists()


def test_a_planted_pickle_never_runs(notes: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    folder = cache.cache_dir()
    folder.mkdir(mode=0o700)
    key = cache._fingerprint(notes)
    for name in (f"corpus-{key}.pickle", f"corpus-{key}.json"):
        (folder / name).write_bytes(evil_pickle(marker))
        (folder / name).chmod(0o600)
    corpus = cache.load_corpus_cached(notes)
    assert corpus.chapters[0].title == "Good"
    assert not marker.exists()
    assert not (folder / f"corpus-{key}.pickle").exists()  # old-format files are removed
    assert json.loads((folder / f"corpus-{key}.json").read_text())["key"] == key


def test_a_forged_cache_in_a_private_folder_is_used(notes: Path) -> None:
    """The control for the tests below: in a safe folder a valid cache file is read."""
    folder = cache.cache_dir()
    folder.mkdir(mode=0o700)
    path = folder / f"corpus-{cache._fingerprint(notes)}.json"
    path.write_text(forged_cache(notes, "From the cache"))
    path.chmod(0o600)
    assert cache.load_corpus_cached(notes).chapters[0].title == "From the cache"


@pytest.mark.parametrize("folder_mode", [0o777, 0o770, 0o722, 0o1777])
def test_a_writable_cache_folder_is_not_trusted(notes: Path, folder_mode: int) -> None:
    folder = cache.cache_dir()
    folder.mkdir()
    folder.chmod(folder_mode)
    path = folder / f"corpus-{cache._fingerprint(notes)}.json"
    path.write_text(forged_cache(notes, "Planted"))
    path.chmod(0o600)
    assert cache.load_corpus_cached(notes).chapters[0].title == "Good"
    assert mode(folder) == 0o700  # ours: tightened, and its old files dropped
    assert json.loads(path.read_text())["chapters"][0][1] == "Good"
    assert cache.load_corpus_cached(notes).chapters[0].title == "Good"


@pytest.mark.parametrize("file_mode", [0o666, 0o620, 0o602])
def test_a_writable_cache_file_is_not_trusted(notes: Path, file_mode: int) -> None:
    folder = cache.cache_dir()
    folder.mkdir(mode=0o700)
    path = folder / f"corpus-{cache._fingerprint(notes)}.json"
    path.write_text(forged_cache(notes, "Planted"))
    path.chmod(file_mode)
    assert cache.load_corpus_cached(notes).chapters[0].title == "Good"
    assert mode(path) == 0o600


def test_a_cache_folder_of_another_user_is_left_alone(
    notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = cache.cache_dir()
    folder.mkdir(mode=0o700)
    path = folder / f"corpus-{cache._fingerprint(notes)}.json"
    path.write_text(forged_cache(notes, "Planted"))
    path.chmod(0o600)
    uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: uid + 4242)
    assert cache.load_corpus_cached(notes).chapters[0].title == "Good"
    assert json.loads(path.read_text())["chapters"][0][1] == "Planted"  # not written either


def test_a_cache_folder_that_is_a_symlink_is_not_used(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real-cache"
    real.mkdir(mode=0o700)
    (real / f"corpus-{cache._fingerprint(notes)}.json").write_text(forged_cache(notes, "P"))
    (real / f"corpus-{cache._fingerprint(notes)}.json").chmod(0o600)
    link = tmp_path / "link-cache"
    link.symlink_to(real)
    monkeypatch.setenv(cache.CACHE_ENV, str(link))
    assert cache.load_corpus_cached(notes).chapters[0].title == "Good"


@pytest.mark.usefixtures("umask_000")
def test_cache_folders_are_private_under_umask_000(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "home" / ".cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(base / "dvatui"))
    cache.load_corpus_cached(notes)
    for folder in (tmp_path / "home", base, base / "dvatui"):
        assert mode(folder) == 0o700, folder
    files = sorted((base / "dvatui").iterdir())
    assert [file.suffix for file in files] == [".json", ".prepared"]
    assert all(mode(file) == 0o600 for file in files)
    assert cache.load_corpus_cached(notes).chapters[0].title == "Good"


@pytest.mark.usefixtures("umask_000")
def test_data_folders_are_private_under_umask_000(tmp_path: Path) -> None:
    db = tmp_path / "data" / "deeper" / "dvatui.json"
    store = Store.open(db)
    store.add_bookmark(
        target_id="good/s", kind="section", chapter_id="good", section_id="good/s", label="S"
    )
    for folder in (tmp_path / "data", tmp_path / "data" / "deeper"):
        assert mode(folder) == 0o700, folder
    for file in db.parent.iterdir():
        if file.is_file():
            assert mode(file) & 0o077 == 0, file


def test_a_file_name_that_is_not_utf8_loads_without_a_cache(tmp_path: Path) -> None:
    """JSON cannot hold a file name that is not UTF-8 (Python keeps its bytes as surrogates):
    such notes load every time, uncached, and nothing fails."""
    folder = tmp_path / "notes"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.md")  # Latin-1, as an old archive may name it
    (folder / name).write_text(GOOD, encoding="utf-8")
    first = cache.load_corpus_cached(folder)
    assert first.chapters and str(first.chapters[0].path).endswith(name)
    assert not list(cache.cache_dir().glob("corpus-*"))
    again = cache.load_corpus_cached(folder)
    assert [c.title for c in again.chapters] == [c.title for c in first.chapters]
