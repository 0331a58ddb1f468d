"""The pty + pyte harness for the benchmarks; it lives in ``tests/e2e/ptyharness.py``."""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from ptyharness import PtySession, pty_env  # noqa: E402

__all__ = ["ROOT", "PtySession", "dvatui_command", "pty_env", "summary"]


def dvatui_command() -> list[str]:
    """The installed console script, next to this interpreter if it is not on PATH."""
    beside = Path(sys.executable).parent / "dvatui"
    found = str(beside) if beside.exists() else shutil.which("dvatui")
    if found is None:
        raise SystemExit("dvatui is not installed (pip install -e .)")
    return [found]


def summary(values: list[float], unit: str = "ms", scale: float = 1000.0) -> str:
    """``median (min-max, p95)`` of a list of measurements."""
    ordered = sorted(v * scale for v in values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(ordered):8.1f} {unit}  min {ordered[0]:8.1f}  "
        f"max {ordered[-1]:8.1f}  p95 {p95:8.1f}  (n={len(ordered)})"
    )
