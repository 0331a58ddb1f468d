"""Benchmark of dvatui's store: write/read latency, and crash safety against stock TinyDB.

    python benchmarks/bench_store.py            # ~1 minute: latency + 100 kill runs each
    python benchmarks/bench_store.py --runs 20  # quicker
    python benchmarks/bench_store.py --history 1000 10000 100000 --json

With ``--history N`` it measures how the store's costs depend on the length of the answer
history instead: it builds a store with N past answers (600 questions, 100 bookmarks) and
prints, per N, one JSON object (``--json``) or a line of text with

* ``history``: N;
* ``write_ms_median`` / ``write_ms_p95``: one ``record_answer`` (lock, history segment,
  main file, fsyncs), 60 times;
* ``open_ms``: ``Store.open`` on a new ``Store`` (lock, validation, repair check), median;
* ``idle_check_ms``: ``Store.changed()`` when nothing changed (a stat), median of 2,000;
* ``bookmark_ms_median``: adding or removing a bookmark;
* ``bookmarks_process_ms`` and ``bookmarks_process_ratio``: the whole ``dvatui bookmarks``
  process on this store, and divided by the same on an empty store (what opening costs for
  what does not need the history);
* ``main_file_kib``: the size of the main data file.

Prints:
* median / p95 latency of each write (every write is lock + fresh TinyDB + fsync + rename +
  directory fsync) and of reads, for a store of ~500 answers and ~100 bookmarks; file size;
* the kill -9 crash loop (tests/unit/store_worker.py, file swinging up to 400 KB) run against
  our store and, as the NEGATIVE CONTROL, against stock ``tinydb.JSONStorage``: how many runs
  left a corrupt file, lost an acknowledged write, or left a stray temp file;
* lock-free readers during writes: how many reads saw a torn file, ours vs stock.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
WORKER = ROOT / "tests" / "unit" / "store_worker.py"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(WORKER.parent))  # the crash test's line reader, shared

from test_store_crash import Lines  # noqa: E402
from tinydb import TinyDB  # noqa: E402

from dvatui.store import Answer, CorruptStoreError, ExportData, Store  # noqa: E402
from dvatui.store.documents import history_state_of  # noqa: E402
from dvatui.store.history import iter_answers, pending_after  # noqa: E402
from dvatui.store.storage import parse_store_bytes, temp_file_pattern  # noqa: E402


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1e3:6.2f} ms   p95 {p95 * 1e3:6.2f} ms"


def _time(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def bench_latency(folder: Path) -> None:
    db = folder / "dvatui.json"
    store = Store.open(db)
    build = []
    for i in range(500):
        started = time.perf_counter()
        store.record_answer(
            question_id=f"chapter{i % 20}-q{i}",
            section_id=f"s{i % 60}",
            chapter_id=f"chapter{i % 20}",
            chosen=(i % 4,),
            correct=i % 3 > 0,
        )
        build.append(time.perf_counter() - started)
    for i in range(100):
        store.add_bookmark(
            target_id=f"chapter{i % 20}-item{i}",
            kind="item",
            chapter_id=f"chapter{i % 20}",
            section_id=f"s{i}",
            label=f"Item {i}: a typical label of forty characters",
            comment="a short comment" if i % 3 == 0 else "",
        )
    store.set_setting("theme", "dark")
    size = db.stat().st_size
    print(f"store: 500 answers, 100 bookmarks -> file {size / 1024:.1f} KiB")
    print(f"  record_answer while growing 0->500:        {_ms(build)}")

    counter = iter(range(10**6))
    answers = _time(
        lambda: store.record_answer(
            question_id=f"extra-q{next(counter)}",
            section_id="s",
            chapter_id="c",
            chosen=(1, 2),
            correct=True,
        ),
        100,
    )
    print(f"  record_answer at ~500-600 answers (x100):  {_ms(answers)}")
    toggles = _time(
        lambda: store.toggle_bookmark(
            target_id="toggled", kind="section", chapter_id="c", section_id="s", label="T"
        ),
        100,
    )
    print(f"  toggle_bookmark (x100):                    {_ms(toggles)}")
    flips = iter(range(10**6))
    settings = _time(lambda: store.set_setting("counter", next(flips)), 100)
    print(f"  set_setting (x100):                        {_ms(settings)}")
    snapshots_cached = _time(store.snapshot, 200)
    print(f"  snapshot(), file unchanged (x200):         {_ms(snapshots_cached)}")
    snapshots_cold = _time(lambda: Store(db).snapshot(), 200)
    print(f"  snapshot() on a new Store (parse) (x200):  {_ms(snapshots_cold)}")
    opens = _time(lambda: Store.open(db), 50)
    print(f"  Store.open (lock + sweep + parse) (x50):   {_ms(opens)}")

    stock_path = folder / "stock.json"
    stock_path.write_bytes(
        json.dumps({k: v for k, v in json.loads(db.read_bytes()).items() if k != "_meta"}).encode()
    )
    with TinyDB(stock_path) as tiny:
        table = tiny.table("answers")
        stock = _time(lambda: table.insert({"question_id": "x", "chosen": [1]}), 100)
    print(f"  reference: stock JSONStorage insert (x100): {_ms(stock)}  (no lock, not atomic)")
    print(f"  file size after the benchmark: {db.stat().st_size / 1024:.1f} KiB")


# ----------------------------------------------------------------------------- crash loop


def _spawn(*args: object) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        [sys.executable, str(WORKER), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def _count_answers(db: Path, ours: bool) -> int | None:
    """Answers in the file, or None if it does not parse (a corrupt file)."""
    if not db.exists():
        return 0
    raw = db.read_bytes()
    try:
        if ours:  # answers live in history segments (an uncounted one included)
            _, tables = parse_store_bytes(raw, db)
            state = history_state_of(tables, db.name)
            folder = db.with_name(state.folder)
            _, on_disk = pending_after(folder, state)
            return sum(1 for _ in iter_answers(folder, on_disk))
        tables = json.loads(raw) if raw else {}
        return len(tables.get("answers", {}))
    except (ValueError, CorruptStoreError, AttributeError):
        return None


def crash_loop(folder: Path, runs: int, ours: bool, seed: int) -> dict[str, int]:
    db = folder / ("ours.json" if ours else "stock.json")
    rng = random.Random(seed)
    pattern = temp_file_pattern(db.name)
    tally = {
        "runs": runs,
        "corrupt": 0,
        "lost_acked": 0,
        "beyond_ack+1": 0,
        "stray_temp": 0,
        "acks": 0,
    }
    on_disk = 0
    for run in range(runs):
        stock = () if ours else ("--stock",)
        proc = _spawn("answers", db, "--swing", 400_000, "--seed", run, *stock)
        lines = Lines(proc)
        if run % 4:
            lines.wait_for("ack ", 15)
        time.sleep(rng.uniform(0.0, 0.08))
        proc.kill()
        proc.wait()
        lines.drain()
        acks = [int(line.split()[1]) for line in lines.lines if line.startswith("ack ")]
        tally["acks"] += len(acks)
        last_ack = acks[-1] if acks else on_disk
        if any(pattern.match(name) for name in os.listdir(folder)):
            tally["stray_temp"] += 1
        count = _count_answers(db, ours)
        if count is None:
            tally["corrupt"] += 1
            db.unlink()  # start the next run from a clean file
            on_disk = 0
            continue
        if count < last_ack:
            tally["lost_acked"] += 1
        elif count > last_ack + 1:
            tally["beyond_ack+1"] += 1
        on_disk = count
        if ours:
            Store.open(db)  # sweeps leftover temp files, as the app does at start
    return tally


# ----------------------------------------------------------------------------- torn reads


def torn_reads(folder: Path, ours: bool, seconds: float) -> tuple[int, int]:
    db = folder / ("readers-ours.json" if ours else "readers-stock.json")
    proc = _spawn("answers", db, "--swing", 400_000, *(() if ours else ("--stock",)))
    Lines(proc).wait_for("ack ", 15)
    reads = torn = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            raw = db.read_bytes()
            reads += 1
            try:
                if ours:
                    parse_store_bytes(raw, db)
                else:
                    json.loads(raw)
            except (ValueError, CorruptStoreError):
                torn += 1
    finally:
        proc.kill()
        proc.wait()
    return reads, torn


# ----------------------------------------------------------------------------- history


def _build_history(db: Path, count: int) -> Store:
    """A store holding ``count`` past answers over 600 questions, and 100 bookmarks."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    answers = [
        Answer(
            question_id=f"c{i % 25}-q{i % 600}",
            section_id=f"s{i % 160}",
            chapter_id=f"c{i % 25}",
            chosen=(i % 4,),
            correct=i % 3 > 0,
            answered_at=(start + timedelta(seconds=37 * i)).isoformat(),
            id=f"bench-{i:08d}",
        )
        for i in range(count)
    ]
    store = Store.open(db)
    store.import_document(ExportData([], answers, {"theme": "dva-night"}))
    for i in range(100):
        store.add_bookmark(
            target_id=f"c{i % 25}-item{i}",
            kind="item",
            chapter_id=f"c{i % 25}",
            section_id=f"s{i}",
            label=f"Item {i}: a typical label of forty chars",
            comment="a short comment" if i % 3 == 0 else "",
        )
    return store


def _process_ms(db: Path, repeat: int = 7) -> float:
    """Median wall time of a whole ``dvatui bookmarks`` process on ``db``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-m", "dvatui", "bookmarks", "--db", str(db)]
    subprocess.run(command, env=env, capture_output=True, check=True)  # warm the notes cache
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e3


def bench_history(folder: Path, count: int, empty_process_ms: float) -> dict[str, object]:
    db = folder / f"history-{count}" / "dvatui.json"
    store = _build_history(db, count)
    counter = iter(range(10**6))
    writes = _time(
        lambda: store.record_answer(
            question_id=f"c1-q{next(counter) % 600}",
            section_id="s1",
            chapter_id="c1",
            chosen=(1,),
            correct=True,
        ),
        60,
    )
    flips = iter(range(10**6))

    def bookmark() -> None:
        if next(flips) % 2:
            store.remove_bookmark("bench-toggle")
        else:
            store.add_bookmark(
                target_id="bench-toggle",
                kind="section",
                chapter_id="c1",
                section_id="s1",
                label="T",
            )

    bookmarks = _time(bookmark, 60)
    opens = _time(lambda: Store.open(db), 15)
    store.snapshot()
    idle = _time(store.changed, 2000)
    process = _process_ms(db)
    ordered = sorted(writes)
    return {
        "history": count,
        "write_ms_median": round(statistics.median(writes) * 1e3, 3),
        "write_ms_p95": round(ordered[round(0.95 * (len(ordered) - 1))] * 1e3, 3),
        "open_ms": round(statistics.median(opens) * 1e3, 3),
        "idle_check_ms": round(statistics.median(idle) * 1e3, 4),
        "bookmark_ms_median": round(statistics.median(bookmarks) * 1e3, 3),
        "bookmarks_process_ms": round(process, 1),
        "bookmarks_process_ratio": round(process / empty_process_ms, 3),
        "main_file_kib": round(db.stat().st_size / 1024, 1),
    }


def run_history(counts: list[int], as_json: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        folder = Path(tmp)
        empty = folder / "empty" / "dvatui.json"
        Store.open(empty).set_setting("theme", "dva-night")
        empty_ms = _process_ms(empty)
        if not as_json:
            print(
                f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
                f"`dvatui bookmarks` on an empty store: {empty_ms:.1f} ms"
            )
        for count in counts:
            result = bench_history(folder, count, empty_ms)
            if as_json:
                print(json.dumps(result), flush=True)
            else:
                print("  " + "  ".join(f"{k} {v}" for k, v in result.items()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="kill -9 runs per storage")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reader-seconds", type=float, default=2.0)
    parser.add_argument(
        "--history",
        type=int,
        nargs="+",
        metavar="N",
        help="measure costs against N past answers instead (one or more N)",
    )
    parser.add_argument("--json", action="store_true", help="with --history: one JSON object per N")
    args = parser.parse_args()
    if args.history:
        run_history(args.history, args.json)
        return
    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        folder = Path(tmp)
        bench_latency(folder)
        print(
            f"\nkill -9 crash loop, {args.runs} runs each (file swings up to 400 KB; "
            "3/4 of kills land 0-80 ms after the first ack, 1/4 0-80 ms after start):"
        )
        for ours in (True, False):
            started = time.monotonic()
            tally = crash_loop(folder, args.runs, ours, args.seed)
            name = "ours (SafeJSONStorage + lock)" if ours else "stock JSONStorage (control)"
            print(
                f"  {name:30s} corrupt {tally['corrupt']:3d}   lost acked write "
                f"{tally['lost_acked']:3d}   > ack+1 {tally['beyond_ack+1']:3d}   "
                f"stray temp at kill {tally['stray_temp']:3d}   acks {tally['acks']:5d}   "
                f"({time.monotonic() - started:.0f} s)"
            )
        print(f"\nlock-free reader while another process writes ({args.reader_seconds:g} s):")
        for ours in (True, False):
            reads, torn = torn_reads(folder, ours, args.reader_seconds)
            name = "ours" if ours else "stock JSONStorage (control)"
            print(f"  {name:30s} torn reads {torn} of {reads}")


if __name__ == "__main__":
    main()
