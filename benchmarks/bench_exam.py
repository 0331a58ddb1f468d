"""The mock exam's speed: drawing and showing an exam, and every exam key.

Runs the installed ``dvatui`` in a pseudo-terminal at 80x24 (no animations) on a fresh data
file, then, key to screen:

* ``X`` then ``s`` (start): until "Question 1 of 65" is on screen, 10 times (each exam is
  submitted and closed between tries, untimed);
* in an exam: ``n`` (next question), ``p`` (previous), ``1`` (pick: until the status line
  counts it), ``f`` (flag: until the heading shows it), 40 of each.

Prints medians and p95 (the goals: starting <= 100 ms, every key <= 50 ms median).

Run: ``.venv/bin/python benchmarks/bench_exam.py [--json]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _pty import PtySession, dvatui_command, pty_env


def figures(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered) * 1e3, 2), "p95": round(p95 * 1e3, 2)}


def timed(s: PtySession, key: bytes, shown: str) -> float:
    started = time.perf_counter()
    s.send(key)
    s.wait_for(shown, 10)
    elapsed = time.perf_counter() - started
    s.wait_quiet(0.05)
    return elapsed


def run(starts: int, presses: int) -> dict[str, dict[str, float]]:
    results: dict[str, list[float]] = {"start": [], "n": [], "p": [], "pick": [], "flag": []}
    with tempfile.TemporaryDirectory(prefix="bench-exam-") as tmp:
        db = Path(tmp) / "dvatui.json"
        with PtySession(dvatui_command(), cols=80, rows=24, env=pty_env(db, animations=False)) as s:
            s.wait_for("Bookmark", 30)
            s.wait_quiet(0.3)
            for attempt in range(starts):
                s.send(b"X")
                s.wait_for("Start a mock exam?", 10)
                s.wait_quiet(0.05)
                results["start"].append(timed(s, b"s", "Question 1 of 65"))
                if attempt == starts - 1:
                    break
                s.send(b"sy")  # submit at once
                s.wait_for("estimated score", 10)
                s.send(b"q")
                s.wait_gone("estimated score", 10)
                s.wait_quiet(0.1)
            for k in range(1, presses + 1):
                results["n"].append(timed(s, b"n", f"Question {k + 1} of 65"))
            for k in range(presses, 0, -1):
                results["p"].append(timed(s, b"p", f"Question {k} of 65"))
            for k in range(1, presses + 1):
                results["pick"].append(timed(s, b"1", f"{k} answered"))
                s.send(b"n")
                s.wait_for(f"Question {k + 1} of 65", 10)
                s.wait_quiet(0.05)
            for k in range(presses):
                results["flag"].append(timed(s, b"f", f"{k + 1} flagged"))
                s.send(b"p")
                s.wait_for(f"Question {presses - k} of 65", 10)
                s.wait_quiet(0.05)
            s.send(b"q")
            s.close()
    return {name: figures(values) for name, values in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args()
    result = run(10, 40)
    if args.json:
        print(json.dumps(result))
        return
    print("mock exam, pty at 80x24, key to screen:")
    for name, values in result.items():
        print(f"  {name:6s} median {values['median']:7.2f} ms   p95 {values['p95']:7.2f} ms")


if __name__ == "__main__":
    main()
