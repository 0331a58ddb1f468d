"""Time from spawn to the first usable screen: dvatui against a bare Textual app (a
Header; a Tree of 147 lines, 40 columns wide, beside a Static; a Footer).

Both run in a pty at 80x24 (or ``--size``; TERM=xterm-256color), 5 timed runs each after
one warm-up, alternating, with their byte code cached and dvatui's user folders in a
temporary folder (see ``_pty.bench_env``); dvatui studies a copy of the shipped notes taken
at the start (``--live-notes``: the checkout's, which someone may be editing).
A start after a quit at the same size draws its first frame from what the last session kept
(``first-screen.json``, written when the warm-up run quits); ``--no-kept-screen`` removes it
before each start.
Run: ``.venv/bin/python benchmarks/bench_startup.py [--runs N] [--size 160x48] [--no-kept-screen]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _pty import PtySession, bench_env, dvatui_command, freeze_notes, summary

from dvatui.domain.loader import load_corpus
from dvatui.domain.model import Corpus
from dvatui.paths import shipped_notes_dir

MARKER = "BARE-APP-READY"
BARE_APP = f'''
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Static, Tree


class Bare(App[None]):
    # The tree beside the text, as dvatui's panes are (without this the Static took the
    # whole width and the tree was never on screen).
    CSS = "Tree {{ width: 40; }} Static {{ width: 1fr; }}"
    BINDINGS = [Binding("b", "bell", "Bookmark"), Binding("n", "bell", "Next section"),
                Binding("q", "quit", "Quit")]

    def compose(self):
        yield Header()
        with Horizontal():
            tree = Tree("Notes")
            tree.show_root = False
            for c in range(21):
                chapter = tree.root.add(f"Chapter {{c}} with a reasonably long title", expand=True)
                for s in range(6):
                    chapter.add_leaf(f"Section {{c}}.{{s}}: some words about AWS  0/3")
            yield tree
            yield Static("{MARKER}\\n" + "Lorem ipsum dolor sit amet. " * 40)
        yield Footer()


if __name__ == "__main__":
    Bare().run()
'''


def time_to_usable(
    argv: list[str], env: dict[str, str], ready: list[str], size: tuple[int, int] = (80, 24)
) -> tuple[float, float, int]:
    """(seconds to the first byte, seconds to usable, bytes at usable) for one start."""
    with PtySession(argv, cols=size[0], rows=size[1], env=env) as s:
        s.wait_until(lambda p: p.bytes_read > 0, 30, "first byte")
        first = time.perf_counter() - s.started
        s.wait_until(lambda p: all(t in p.text() for t in ready), 30, " and ".join(ready))
        return first, time.perf_counter() - s.started, s.bytes_read


def bare_ready(size: tuple[int, int]) -> list[str]:
    """What the bare app's first screen must show to count as usable: its Static and the
    last line of its tree on screen. A first frame reaches the terminal top to bottom, in
    several reads when it is large (at 160x48 the Static's first line is in the first ~2 KB
    of ~26 KB): dvatui's counts only once its bottom line (the key bar) is there, and so
    must the bare app's. Not its footer's keys: Textual's Footer fills them in a later
    frame (~60 ms after the first), while dvatui's key bar is in its first frame."""
    last = size[1] - 4  # below the header; above the tree's scrollbar and the footer
    chapter, line = divmod(last, 7)  # a chapter line, then its 6 sections
    return [MARKER, f"Chapter {chapter} with" if line == 0 else f"Section {chapter}.{line - 1}:"]


def ready_texts(corpus: Corpus) -> list[str]:
    """What dvatui's first screen must show to count as usable: the chapter (in the tree or
    the breadcrumb), the first words of the note, the quiz's first question and the key bar.
    A frame with the panes still empty does not count."""
    section = next(corpus.sections())
    words = " ".join(section.items[0].text.split()[:3])
    return [corpus.chapters[0].title, words, "Question 1/", "Bookmark"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-animations", action="store_true", help="TEXTUAL_ANIMATIONS=none")
    parser.add_argument(
        "--live-notes", action="store_true", help="the checkout's notes, not a copy taken now"
    )
    parser.add_argument("--size", default="80x24", help="the terminal, COLSxROWS (80x24)")
    parser.add_argument(
        "--no-kept-screen",
        action="store_true",
        help="remove first-screen.json before each start (as a first start, or another size)",
    )
    args = parser.parse_args()
    cols, rows = (int(n) for n in args.size.lower().split("x"))
    corpus = load_corpus(shipped_notes_dir())
    with tempfile.TemporaryDirectory() as tmp:
        if not args.live_notes:
            freeze_notes(Path(tmp))
        script = Path(tmp) / "bare_app.py"
        script.write_text(BARE_APP)
        cases = {
            "dvatui": (dvatui_command(), ready_texts(corpus)),
            "bare": ([sys.executable, str(script)], bare_ready((cols, rows))),
        }
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in cases}
        for run in range(args.runs + 1):
            for name, (argv, ready) in cases.items():
                env = bench_env(
                    Path(tmp), Path(tmp) / f"{name}-{run}.json", animations=not args.no_animations
                )
                if args.no_kept_screen:
                    kept = Path(tmp) / "xdg-cache" / "dvatui" / "first-screen.json"
                    kept.unlink(missing_ok=True)
                measured = time_to_usable(argv, env, ready, (cols, rows))
                if run:  # run 0 warms the .pyc and file caches
                    results[name].append(measured)
    print(
        f"Startup in a pty at {cols}x{rows}, {args.runs} runs each "
        f"(animations {'off' if args.no_animations else 'default'}):"
    )
    medians = {}
    for name, rows in results.items():
        medians[name] = statistics.median(r[1] for r in rows)
        print(f"  {name:7s} usable     {summary([r[1] for r in rows])}")
        print(f"  {name:7s} first byte {summary([r[0] for r in rows])}")
        print(f"  {name:7s} bytes at usable: median {statistics.median(r[2] for r in rows):.0f}")
    ratio = medians["dvatui"] / medians["bare"]
    print(
        f"ratio dvatui/bare (median usable): {ratio:.2f}  (goal <= 1.15: "
        f"{'met' if ratio <= 1.15 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
