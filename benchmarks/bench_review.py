"""Review mode against a long history: opening it and moving to the next question.

Builds a data file holding N past reviews (default 100,000) of the shipped notes' questions,
with every card replayed through FSRS, then runs the installed ``dvatui`` in a pseudo-
terminal at 80x24 (TERM=xterm-256color, no animations) and measures, key to screen:

* ``R`` from the main screen until review mode shows "Question 1/", 25 times (``q`` goes
  back between tries, untimed);
* ``n`` in review mode until "Question k+1/" is on screen, 50 times.

Prints medians and p95 (the goal: both at most 50 ms median with 100,000 past reviews).

Run: ``.venv/bin/python benchmarks/bench_review.py [--history N] [--json]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _pty import PtySession, dvatui_command, pty_env  # noqa: E402

from dvatui.domain.loader import load_corpus  # noqa: E402
from dvatui.paths import shipped_notes_dir  # noqa: E402
from dvatui.store import Answer, ExportData, Store  # noqa: E402
from dvatui.study import StudySession  # noqa: E402


def build(db: Path, count: int) -> float:
    """A store with ``count`` past reviews over the shipped questions; returns seconds taken."""
    started = time.perf_counter()
    corpus = load_corpus(shipped_notes_dir())
    questions = corpus.questions()
    first = datetime.now(UTC) - timedelta(days=400)
    step = timedelta(days=399) / max(count, 1)
    answers = []
    for i in range(count):
        q = questions[i % len(questions)]
        correct = i % 4 != 0
        answers.append(
            Answer(
                question_id=q.id,
                section_id=q.section_id,
                chapter_id=q.chapter_id,
                chosen=(0,),
                correct=correct,
                answered_at=(first + step * i).isoformat(),
                id=f"bench-{i:08d}",
                rating=3 if correct else 1,
            )
        )
    session = StudySession(corpus, db)
    store = Store.open(db, card_builder=session.rebuild_card)
    store.import_document(ExportData([], answers, {}))
    return time.perf_counter() - started


def ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered) * 1e3, 2), "p95": round(p95 * 1e3, 2)}


def measure(db: Path, opens: int, nexts: int) -> dict[str, dict[str, float]]:
    open_times: list[float] = []
    next_times: list[float] = []
    with PtySession(dvatui_command(), cols=80, rows=24, env=pty_env(db, animations=False)) as s:
        s.wait_for("Bookmark", 30)
        s.wait_quiet(0.3)
        for _ in range(opens):
            started = time.perf_counter()
            s.send(b"R")
            s.wait_for("Question 1/", 10)
            open_times.append(time.perf_counter() - started)
            s.wait_quiet(0.05)
            s.send(b"q")
            s.wait_gone("Question 1/", 10)
            s.wait_quiet(0.05)
        s.send(b"R")
        s.wait_for("Question 1/", 10)
        s.wait_quiet(0.1)
        for k in range(1, nexts + 1):
            started = time.perf_counter()
            s.send(b"n")
            s.wait_for(f"Question {k + 1}/", 10)
            next_times.append(time.perf_counter() - started)
            s.wait_quiet(0.05)
        s.send(b"q")
        s.close()
    return {"open_review": ms(open_times), "next_question": ms(next_times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", type=int, default=100_000, help="past reviews")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        db = Path(tmp) / "dvatui.json"
        built = build(db, args.history)
        result = measure(db, 25, 50)
    document = {"history": args.history, "build_s": round(built, 1), **result}
    if args.json:
        print(json.dumps(document))
        return
    print(f"{args.history} past reviews (built in {built:.1f} s), pty at 80x24, key to screen:")
    for name, figures in result.items():
        print(f"  {name:14s} median {figures['median']:6.2f} ms   p95 {figures['p95']:6.2f} ms")


if __name__ == "__main__":
    main()
