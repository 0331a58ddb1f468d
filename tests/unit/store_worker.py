"""A helper process for the store's crash, concurrency and disk-full tests (and the benchmark).

Not a test module: tests run it with ``python store_worker.py MODE DB ...``. Each mode prints
one line per event and flushes it, so the parent knows exactly what was acknowledged.

Modes:
  answers DB [--swing N] [--stock] [--seed S]
      Loop forever: record answer number n (question id ``q<n>``, continuing from what the
      file holds) and print ``ack <n>`` once the call returned; with --swing, then store a
      padding setting of 0..N bytes, so the file grows and shrinks. --stock does the same with
      stock ``tinydb.JSONStorage`` (the negative control).
  hammer DB WORKER COUNT
      COUNT answers (question ids ``w<WORKER>-<i>``) and a bookmark every 4th one, then ``done``.
  diskfull DB EXTRA
      Ignore SIGXFSZ, cap file size at (size of DB + EXTRA) with RLIMIT_FSIZE, then try to
      store a setting bigger than that. Prints ``oserror <errno> <class>`` or ``no-error``.
  hold DB
      Take the store's lock, print ``locked``, and sleep (the parent kills it).
  write DB
      Open the store and add one bookmark; prints ``ok`` or ``error <class> <errno>: <message>``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path


def _answers(db: Path, argv: list[str]) -> None:
    swing = int(argv[argv.index("--swing") + 1]) if "--swing" in argv else 0
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
    rng = random.Random(seed)
    if "--stock" in argv:
        _answers_stock(db, swing, rng)
        return
    from dvatui.store import Store

    store = Store.open(db)
    n = len(store.answers())
    print(f"ready {n}", flush=True)
    while True:
        n += 1
        store.record_answer(
            question_id=f"q{n}", section_id="s", chapter_id="c", chosen=(n % 4,), correct=n % 2 == 0
        )
        print(f"ack {n}", flush=True)
        if swing:
            store.set_setting("padding", "x" * rng.randrange(swing))


def _answers_stock(db: Path, swing: int, rng: random.Random) -> None:
    from tinydb import Query, TinyDB

    tiny = TinyDB(db)  # stock JSONStorage, as most TinyDB apps use it
    answers = tiny.table("answers")
    settings = tiny.table("settings")
    n = len(answers)
    print(f"ready {n}", flush=True)
    while True:
        n += 1
        answers.insert(
            {
                "question_id": f"q{n}",
                "section_id": "s",
                "chapter_id": "c",
                "chosen": [n % 4],
                "correct": n % 2 == 0,
                "answered_at": "t",
            }
        )
        print(f"ack {n}", flush=True)
        if swing:
            settings.upsert(
                {"key": "padding", "value": "x" * rng.randrange(swing)}, Query().key == "padding"
            )


def _hammer(db: Path, worker: str, count: int) -> None:
    from dvatui.store import Store

    store = Store.open(db)
    for i in range(count):
        store.record_answer(
            question_id=f"w{worker}-{i}",
            section_id="s",
            chapter_id="c",
            chosen=(i % 4,),
            correct=True,
        )
        if i % 4 == 0:
            store.add_bookmark(
                target_id=f"w{worker}-b{i}",
                kind="item",
                chapter_id="c",
                section_id="s",
                label=f"bookmark {i} of worker {worker}",
            )
    print("done", flush=True)


def _diskfull(db: Path, extra: int) -> None:
    import resource
    import signal

    from dvatui.store import Store

    store = Store.open(db)
    limit = db.stat().st_size + extra
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        store.set_setting("padding", "x" * (limit + 10_000))
    except OSError as exc:
        print(f"oserror {exc.errno} {type(exc).__name__}", flush=True)
        return
    print("no-error", flush=True)


def _hold(db: Path) -> None:
    from dvatui.store import Store
    from dvatui.store.locking import store_lock

    store = Store(db)
    with store_lock(store.lock_path):
        print("locked", flush=True)
        time.sleep(60)


def _write(db: Path) -> None:
    from dvatui.store import Store

    try:
        store = Store.open(db)
        store.add_bookmark(target_id="t", kind="item", chapter_id="c", section_id="s", label="L")
    except Exception as exc:  # the parent checks which error and its message
        code = getattr(exc, "errno", None)
        print(f"error {type(exc).__name__} {code}: {exc}", flush=True)
        return
    print("ok", flush=True)


def main(argv: list[str]) -> None:
    mode, db = argv[0], Path(argv[1])
    if mode == "answers":
        _answers(db, argv[2:])
    elif mode == "hammer":
        _hammer(db, argv[2], int(argv[3]))
    elif mode == "diskfull":
        _diskfull(db, int(argv[2]))
    elif mode == "hold":
        _hold(db)
    elif mode == "write":
        _write(db)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
