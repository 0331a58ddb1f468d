"""The start-up corpus cache: hits, misses on notes or code changes, damage, its format."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from dvatui.domain import cache
from dvatui.domain.loader import load_corpus
from dvatui.domain.model import Corpus
from dvatui.paths import shipped_notes_dir


class Parses:
    """Counts the parses behind ``load_corpus_cached``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = cache._parse

        def counting(root: Path) -> Corpus:
            self.count += 1
            return real(root)

        monkeypatch.setattr(cache, "_parse", counting)


NOTES = {
    "01-one.md": "---\ntitle: One\ndomains: [security]\n---\n# One\n\nIntro.\n\n## S\n\n"
    "- a fact\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```quiz\nid: q1\n? Which?\n- [x] this\n"
    "- [ ] that\n> because\n```\n\n### Sub\n\n> a quote\n",
    "02-plain.txt": "# Plain\n\nTopic\n1. first\n2. second\n3. third\n4. fourth\n",
    "03-broken.md": "---\ntitle: [\n---\n# Broken\n",
}


@pytest.fixture
def notes(tmp_path: Path, write_notes: Callable[[Path, dict[str, str]], Path]) -> Path:
    return write_notes(tmp_path / "notes", NOTES)


def cache_files() -> list[Path]:
    """The corpus cache files (the prepared sections beside each are not listed)."""
    return sorted(cache.cache_dir().glob("corpus-*.json"))


def test_hit_returns_the_same_corpus_without_parsing(
    notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    first = cache.load_corpus_cached(notes)
    assert parses.count == 1
    second = cache.load_corpus_cached(notes)
    assert parses.count == 1
    assert cache.encode_corpus(second) == cache.encode_corpus(first)
    assert second.problems == first.problems and second.problems
    assert second.question("q1") is second.chapters[0].sections[0].questions[0]
    (only,) = cache_files()
    assert sorted(cache.cache_dir().glob("corpus-*")) == [only, only.with_suffix(".prepared")]


def test_round_trip_of_the_shipped_notes() -> None:
    corpus = load_corpus(shipped_notes_dir())
    again = cache.decode_corpus(cache.encode_corpus(corpus, "k"), "k")
    assert again.chapters == corpus.chapters
    assert again.problems == corpus.problems
    assert again.root == corpus.root


def test_editing_the_notes_misses(notes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses = Parses(monkeypatch)
    cache.load_corpus_cached(notes)
    file = notes / "01-one.md"
    file.write_text(file.read_text().replace("a fact", "an edited fact"))
    corpus = cache.load_corpus_cached(notes)
    assert parses.count == 2
    assert "- an edited fact" in [i.text for i in corpus.chapters[0].sections[0].items]
    (notes / "04-new.md").write_text("# New\n")
    assert cache.load_corpus_cached(notes).chapter("new") is not None
    assert parses.count == 3
    assert len(cache_files()) == 1  # stale caches are removed
    assert len(list(cache.cache_dir().glob("corpus-*.prepared"))) == 1


def test_a_code_change_misses(notes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses = Parses(monkeypatch)
    cache.load_corpus_cached(notes)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "a parser fix")
    cache.load_corpus_cached(notes)
    assert parses.count == 2
    cache.load_corpus_cached(notes)
    assert parses.count == 2


def test_code_fingerprint_follows_the_domain_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "loader.py").write_text("x = 1\n")
    monkeypatch.setattr(cache, "_DOMAIN_DIR", tmp_path)
    cache.code_fingerprint.cache_clear()
    try:
        before = cache.code_fingerprint()
        (tmp_path / "loader.py").write_text("x = 2\n")
        cache.code_fingerprint.cache_clear()
        assert cache.code_fingerprint() != before
    finally:
        cache.code_fingerprint.cache_clear()


WELL_FORMED = (
    b'{"format": "dvatui-corpus-cache", "version": 4, "key": "KEY", "root": "/", '
    b'"chapters": [["c", "C", [], "/c.md", 1, ["c", "C", 1, "c", "/c.md", 1, '
    b'[["c#1", "bullet", "x", 2, "markdown"]], [["q", "c", "c", "?", '
    b'[["a", true, "x"], ["b", false, "y"]], "", "security", "/c.md", 3, null, 0, null]], '
    b'[], null, []], [], "markdown"]], "problems": []}'
)


def test_the_checks_behind_the_damage_cases() -> None:
    """The last two damage cases below are this cache with one thing wrong."""
    corpus = cache.decode_corpus(WELL_FORMED, "KEY")
    assert corpus.chapters[0].overview.items[0].kind == "bullet"
    assert corpus.question("q") is not None
    assert corpus.chapter("c") is not None and corpus.chapter("c").path is corpus.question("q").path
    for wrong in (
        WELL_FORMED.replace(b'"bullet"', b'"script"'),
        WELL_FORMED.replace(b'"y"', b'"x"'),
    ):
        with pytest.raises(ValueError):
            cache.decode_corpus(wrong, "KEY")
    with pytest.raises(ValueError, match="other notes"):
        cache.decode_corpus(WELL_FORMED, "another key")


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"format": "dvatui-corpus-cache"}',
        b"\x80\x04\x95garbage",
        b'{"format": "dvatui-corpus-cache", "version": 4, "key": "KEY", "root": "/", '
        b'"chapters": [[1, 2, 3]], "problems": []}',
        WELL_FORMED.replace(b'"bullet"', b'"script"'),  # a note item kind that does not exist
        WELL_FORMED.replace(b'"y"', b'"x"'),  # two choices with one id (the model refuses it)
    ],
)
def test_a_damaged_cache_is_ignored_and_rewritten(
    notes: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    parses = Parses(monkeypatch)
    expected = cache.encode_corpus(cache.load_corpus_cached(notes))
    (path,) = cache_files()
    key = path.name.removeprefix("corpus-").removesuffix(".json")
    path.write_bytes(damage.replace(b"KEY", key.encode()))
    assert cache.encode_corpus(cache.load_corpus_cached(notes)) == expected
    assert parses.count == 2
    assert json.loads(path.read_text())["key"] == key
    cache.load_corpus_cached(notes)
    assert parses.count == 2


def test_an_unwritable_cache_folder_still_loads(
    tmp_path: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    assert cache.load_corpus_cached(notes).chapter("one") is not None


def test_no_cache_when_disabled(notes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.DISABLE_ENV, "1")
    cache.load_corpus_cached(notes)
    assert not cache.cache_dir().exists()


def test_cache_file_is_private(notes: Path) -> None:
    cache.load_corpus_cached(notes)
    (path,) = cache_files()
    assert path.stat().st_mode & 0o777 == 0o600
    assert cache.cache_dir().stat().st_mode & 0o777 == 0o700


def test_a_file_owned_by_someone_else_is_not_read(
    notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    cache.load_corpus_cached(notes)
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 4242)  # now the files are "theirs"
    cache.load_corpus_cached(notes)
    assert parses.count == 2
