"""Search ranking, progress tallies and theme files."""

from __future__ import annotations

from pathlib import Path

from dvatui.domain.loader import load_corpus
from dvatui.domain.progress import chapter_tally, domain_tallies, section_tally
from dvatui.domain.search import SearchIndex
from dvatui.themes import load_themes

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"


def test_search_ranks_title_hits_first_and_needs_every_word() -> None:
    index = SearchIndex(load_corpus(NOTES))
    hits = index.search("canary")
    assert [h.section.id for h in hits][:1] == ["beta/rollouts"]
    assert hits[0].item is not None and "Canary" in hits[0].item.text
    assert "canary" in hits[0].snippet.lower()
    assert index.search("canary gamma") == []  # no section has both
    assert index.search("First Section")[0].section.id == "alpha/first-section"
    assert index.search("   ") == []


def test_search_phrase_bonus() -> None:
    index = SearchIndex(load_corpus(NOTES))
    hits = index.search("second fact")
    assert hits[0].item is not None and "second fact" in hits[0].item.text


def test_tallies_use_the_latest_answer() -> None:
    corpus = load_corpus(NOTES)
    latest = {"beta-canary": True, "beta-two": False, "sample-first": True}
    rollouts = corpus.section("beta/rollouts")
    assert rollouts is not None
    t = section_tally(rollouts, latest)
    assert (t.total, t.answered, t.correct) == (3, 2, 1)
    assert t.percent == 50.0
    beta = corpus.chapter("beta")
    assert beta is not None
    assert chapter_tally(beta, latest).answered == 2
    by_domain = domain_tallies(corpus, latest)
    assert by_domain["deployment"].answered == 2
    assert by_domain["development"].correct == 1


def test_shipped_themes_load() -> None:
    from dvatui.paths import shipped_themes_dir

    loaded = load_themes(shipped_themes_dir())
    assert loaded.errors == []
    assert {t.name for t in loaded.themes} >= {"dva-night", "dva-paper"}


def test_bad_theme_files_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text("name: good\nprimary: '#336699'\n")
    (tmp_path / "nokey.yaml").write_text("name: nokey\n")
    (tmp_path / "typo.yaml").write_text("name: typo\nprimary: '#336699'\nprimery: x\n")
    (tmp_path / "broken.yml").write_text("name: [\n")
    loaded = load_themes(tmp_path)
    assert [t.name for t in loaded.themes] == ["good"]
    assert len(loaded.errors) == 3
    assert any("typo.yaml" in e and "primery" in e for e in loaded.errors)


def test_snippets_are_plain_text() -> None:
    from dvatui.domain.search import plain_text

    assert plain_text("- **Alpha**: the `first` [fact](https://x.y)") == "Alpha: the first fact"
    assert plain_text("| a | **20 RCU** |\n|---|:--:|\n| b | 1 |", "table") == "a · 20 RCU; b · 1"
    assert plain_text('```json\n{"a": 1}\n```', "code") == '{"a": 1}'
    assert plain_text("> **Changed in 2025:** it\n> moved", "quote") == "Changed in 2025: it moved"
