"""Which note item teaches a question's answer: ``see:`` lines and the automatic pick."""

from __future__ import annotations

import pytest

from dvatui.domain.cache import decode_corpus, encode_corpus
from dvatui.domain.check import check_corpus
from dvatui.domain.loader import load_corpus
from dvatui.domain.model import Corpus, Question
from dvatui.domain.targets import (
    content_words,
    phrase_form,
    resolve_target,
    target_item,
    target_problems,
)
from dvatui.paths import shipped_notes_dir

NOTES = """\
# Chapter

Intro about the whole chapter.

## Rollouts

- **Blue/green** keeps two environments and switches traffic at once.
- **Canary** sends a small share of traffic to the new version first.

| Strategy | Traffic | Old version kept | Rollback |
|---|---|---|---|
| canary | small share first | yes | switch traffic back |
| blue/green | all at once | yes | switch traffic back |
| rolling | batch by batch | no | redeploy the old version |

- A rollback is fastest when the old version is still running.

```quiz
id: canary
? A team wants a small share of traffic on the new version first. Which strategy?
- [ ] Blue/green
- [x] Canary
> Canary sends a small share first; blue/green switches all traffic at once.

id: fastest
? Which makes a rollback fastest?
- [x] Keeping the old version running
- [ ] Deleting the old version
> A running old version only needs traffic switched back.

id: by-see
see: all at once
? Which strategy moves all traffic in one step?
- [x] Blue/green
- [ ] Canary
> Blue/green switches at once.

id: in-chapter
see: **INTRO** about
? Where is the chapter introduced?
- [x] At the top
- [ ] Nowhere
> Read the intro.

id: ambiguous
see: traffic
? Ambiguous?
- [x] Yes
- [ ] No
> e

id: missing
see: no such words
? Missing?
- [x] Yes
- [ ] No
> e
```

### Details

- A canary needs an alarm to decide when to go on.

```quiz
id: alarm
? What decides when a canary goes on?
- [x] A CloudWatch alarm
- [ ] A cron job
> An alarm watches the new version.
```

## Empty

```quiz
id: nothing
? A question in a section without notes?
- [x] Yes
- [ ] No
> e
```
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    path = tmp_path_factory.mktemp("notes") / "notes.md"
    path.write_text(NOTES)
    return load_corpus(path)


def q(corpus: Corpus, qid: str) -> Question:
    question = corpus.question(qid)
    assert question is not None
    return question


def text_of(corpus: Corpus, qid: str) -> str:
    item = target_item(corpus, q(corpus, qid))
    assert item is not None
    return item.text


def test_content_words_drop_stop_words_and_plurals() -> None:
    assert content_words("The buckets' policies are THE key") == {"bucket", "policy", "key"}
    assert content_words("Use a 30-day status") == {"30", "day", "status"}


def test_phrase_form_ignores_case_emphasis_and_spacing() -> None:
    assert phrase_form("**Canary**  sends `a`\n share") == "canary sends a share"


def test_the_automatic_pick_shares_the_most_words_with_the_answer(corpus: Corpus) -> None:
    assert text_of(corpus, "canary").startswith("- **Canary** sends")
    assert text_of(corpus, "fastest").startswith("- A rollback is fastest")
    # The table comes first and shares as many words, but its length keeps it from winning.
    assert resolve_target(corpus, q(corpus, "fastest")).by == "words"


def test_a_subsection_question_looks_in_its_subsection(corpus: Corpus) -> None:
    target = resolve_target(corpus, q(corpus, "alarm"))
    assert target.section is not None and target.section.title == "Details"
    assert target.item is not None and "alarm" in target.item.text


def test_see_names_the_item_in_the_section_then_the_chapter(corpus: Corpus) -> None:
    by_see = resolve_target(corpus, q(corpus, "by-see"))
    assert by_see.by == "see" and by_see.problem is None
    assert by_see.item is not None and by_see.item.kind == "table"
    in_chapter = resolve_target(corpus, q(corpus, "in-chapter"))
    assert in_chapter.by == "see" and in_chapter.section is not None
    assert in_chapter.section.level == 1  # the chapter's introduction
    assert in_chapter.item is not None and in_chapter.item.text.startswith("Intro about")


def test_a_bad_see_line_is_an_error_at_its_line(corpus: Corpus) -> None:
    ambiguous = resolve_target(corpus, q(corpus, "ambiguous"))
    assert ambiguous.problem is not None and ambiguous.problem.severity == "error"
    assert ambiguous.problem.line == q(corpus, "ambiguous").see_line
    assert "'traffic' matches 3 note items" in ambiguous.problem.message
    assert ambiguous.item is not None and ambiguous.by == "words"  # r still lands somewhere
    missing = resolve_target(corpus, q(corpus, "missing"))
    assert missing.problem is not None
    assert "'no such words' matches no note item" in missing.problem.message


def test_a_section_without_notes_is_a_warning(corpus: Corpus) -> None:
    target = resolve_target(corpus, q(corpus, "nothing"))
    assert target.item is None and target.by == "none"
    assert target.problem is not None and target.problem.severity == "warning"
    assert target.problem.line == q(corpus, "nothing").line


def test_check_reports_target_problems_with_file_and_line(corpus: Corpus) -> None:
    report = check_corpus(corpus, shipped=False)
    found = [str(p) for p in report.problems]
    for problem in target_problems(corpus):
        assert str(problem) in found
    assert sum("notes.md:" in s and "see:" in s for s in found) == 2
    assert sum("section has no notes" in s for s in found) == 1


def test_see_survives_the_cache(corpus: Corpus) -> None:
    again = decode_corpus(encode_corpus(corpus))
    question = again.question("by-see")
    assert question is not None
    assert (question.see, question.see_line) == ("all at once", q(corpus, "by-see").see_line)
    assert question.choice_ids == q(corpus, "by-see").choice_ids


def test_every_shipped_question_resolves_to_one_item() -> None:
    corpus = load_corpus(shipped_notes_dir())
    questions = corpus.questions()
    assert len(questions) >= 539
    for question in questions:
        target = resolve_target(corpus, question)
        assert target.problem is None, target.problem
        assert target.item is not None and target.section is not None, question.id
        assert target.item in target.section.items
        assert corpus.item(target.item.id) == (target.section, target.item)
