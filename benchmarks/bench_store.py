"""Benchmark of dvatui's store: write/read latency, and crash safety against stock TinyDB.

    python benchmarks/bench_store.py            # ~1 minute: latency + 100 kill runs each
    python benchmarks/bench_store.py --runs 20  # quicker

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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
WORKER = ROOT / "tests" / "unit" / "store_worker.py"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(WORKER.parent))  # the crash test's line reader, shared

from test_store_crash import Lines  # noqa: E402
from tinydb import TinyDB  # noqa: E402

from dvatui.store import CorruptStoreError, Store  # noqa: E402
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
        store.record_answer(question_id=f"chapter{i % 20}-q{i}", section_id=f"s{i % 60}",
                            chapter_id=f"chapter{i % 20}", chosen=(i % 4,), correct=i % 3 > 0)
        build.append(time.perf_counter() - started)
    for i in range(100):
        store.add_bookmark(target_id=f"chapter{i % 20}-item{i}", kind="item",
                           chapter_id=f"chapter{i % 20}", section_id=f"s{i}",
                           label=f"Item {i}: a typical label of forty characters",
                           comment="a short comment" if i % 3 == 0 else "")
    store.set_setting("theme", "dark")
    size = db.stat().st_size
    print(f"store: 500 answers, 100 bookmarks -> file {size / 1024:.1f} KiB")
    print(f"  record_answer while growing 0->500:        {_ms(build)}")

    counter = iter(range(10**6))
    answers = _time(lambda: store.record_answer(
        question_id=f"extra-q{next(counter)}", section_id="s", chapter_id="c", chosen=(1, 2),
        correct=True), 100)
    print(f"  record_answer at ~500-600 answers (x100):  {_ms(answers)}")
    toggles = _time(lambda: store.toggle_bookmark(
        target_id="toggled", kind="section", chapter_id="c", section_id="s", label="T"), 100)
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
    stock_path.write_bytes(json.dumps(
        {k: v for k, v in json.loads(db.read_bytes()).items() if k != "_meta"}).encode())
    with TinyDB(stock_path) as tiny:
        table = tiny.table("answers")
        stock = _time(lambda: table.insert({"question_id": "x", "chosen": [1]}), 100)
    print(f"  reference: stock JSONStorage insert (x100): {_ms(stock)}  (no lock, not atomic)")
    print(f"  file size after the benchmark: {db.stat().st_size / 1024:.1f} KiB")


# ----------------------------------------------------------------------------- crash loop


def _spawn(*args: object) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)


def _count_answers(db: Path, ours: bool) -> int | None:
    """Answers in the file, or None if it does not parse (a corrupt file)."""
    if not db.exists():
        return 0
    raw = db.read_bytes()
    try:
        if ours:
            _, tables = parse_store_bytes(raw, db)
        else:
            tables = json.loads(raw) if raw else {}
        return len(tables.get("answers", {}))
    except (ValueError, CorruptStoreError, AttributeError):
        return None


def crash_loop(folder: Path, runs: int, ours: bool, seed: int) -> dict[str, int]:
    db = folder / ("ours.json" if ours else "stock.json")
    rng = random.Random(seed)
    pattern = temp_file_pattern(db.name)
    tally = {"runs": runs, "corrupt": 0, "lost_acked": 0, "beyond_ack+1": 0, "stray_temp": 0,
             "acks": 0}
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="kill -9 runs per storage")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reader-seconds", type=float, default=2.0)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        folder = Path(tmp)
        bench_latency(folder)
        print(f"\nkill -9 crash loop, {args.runs} runs each (file swings up to 400 KB; "
              "3/4 of kills land 0-80 ms after the first ack, 1/4 0-80 ms after start):")
        for ours in (True, False):
            started = time.monotonic()
            tally = crash_loop(folder, args.runs, ours, args.seed)
            name = "ours (SafeJSONStorage + lock)" if ours else "stock JSONStorage (control)"
            print(f"  {name:30s} corrupt {tally['corrupt']:3d}   lost acked write "
                  f"{tally['lost_acked']:3d}   > ack+1 {tally['beyond_ack+1']:3d}   "
                  f"stray temp at kill {tally['stray_temp']:3d}   acks {tally['acks']:5d}   "
                  f"({time.monotonic() - started:.0f} s)")
        print(f"\nlock-free reader while another process writes ({args.reader_seconds:g} s):")
        for ours in (True, False):
            reads, torn = torn_reads(folder, ours, args.reader_seconds)
            name = "ours" if ours else "stock JSONStorage (control)"
            print(f"  {name:30s} torn reads {torn} of {reads}")


if __name__ == "__main__":
    main()
