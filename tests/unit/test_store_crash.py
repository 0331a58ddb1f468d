"""The store under real process death, concurrent processes, a full disk and lock-free readers.

These spawn ``store_worker.py`` (same folder) and kill it with SIGKILL, so they exercise the
real kernel behaviour: page cache, ``flock`` release on death, ``os.replace`` atomicity.
"""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from dvatui.store import CorruptStoreError, Store, StoreBusyError
from dvatui.store.documents import history_state_of
from dvatui.store.history import iter_answers, pending_after
from dvatui.store.storage import parse_store_bytes, temp_file_pattern

WORKER = Path(__file__).with_name("store_worker.py")
SRC = Path(__file__).resolve().parents[2] / "src"


def spawn(*args: object, user: int | None = None) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        [sys.executable, str(WORKER), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        user=user,
    )


class Lines:
    """Complete lines a worker printed, read without ever blocking past a deadline."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.fd = proc.stdout.fileno()
        self.partial = b""
        self.lines: list[str] = []

    def _feed(self, chunk: bytes) -> None:
        *done, self.partial = (self.partial + chunk).split(b"\n")
        self.lines.extend(line.decode() for line in done)

    def wait_for(self, prefix: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not any(line.startswith(prefix) for line in self.lines):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                return False
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return False
            self._feed(chunk)
        return True

    def drain(self) -> None:
        """Read everything left (call after the process is dead)."""
        while chunk := os.read(self.fd, 65536):
            self._feed(chunk)

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode(errors="replace")


def temp_files(db: Path) -> list[str]:
    pattern = temp_file_pattern(db.name)
    return sorted(name for name in os.listdir(db.parent) if pattern.match(name))


def answer_ids(db: Path) -> list[str]:
    """Question ids of the answers on disk, in the order recorded; every file must be valid.

    Counts the answers in the history segments, including one a crash left after its
    segment was written but before the main file counted it (the next open folds it in).
    """
    if not db.exists():
        return []
    raw = db.read_bytes()
    json.loads(raw)  # plain JSON first: a torn file fails here
    _, tables = parse_store_bytes(raw, db)
    state = history_state_of(tables, db.name)
    folder = db.with_name(state.folder)
    _, on_disk = pending_after(folder, state)  # parses every segment it reads
    return [a.question_id for a in iter_answers(folder, on_disk)]


def test_kill_9_crash_loop_loses_nothing_acknowledged(tmp_path: Path) -> None:
    """T1: SIGKILL a writer at random moments, 40 times, on one file that keeps growing."""
    db = tmp_path / "dvatui.json"
    rng = random.Random(1127)
    on_disk = 0
    total_acks = 0
    stray_temps_seen = 0
    for run in range(40):
        proc = spawn("answers", db, "--swing", 60_000, "--seed", run)
        lines = Lines(proc)
        try:
            if run % 4:  # most runs: kill while it is writing, after the first ack
                assert lines.wait_for("ack ", timeout=15), lines.stderr()
            time.sleep(rng.uniform(0.0, 0.08))
        finally:
            proc.kill()
            proc.wait()
        lines.drain()
        acks = [int(line.split()[1]) for line in lines.lines if line.startswith("ack ")]
        last_ack = acks[-1] if acks else on_disk
        total_acks += len(acks)

        ids = answer_ids(db)
        assert last_ack <= len(ids) <= last_ack + 1, (run, last_ack, len(ids))
        assert ids == [f"q{i}" for i in range(1, len(ids) + 1)]
        backup = db.with_name(db.name + ".bak")
        if backup.exists():
            parse_store_bytes(backup.read_bytes(), backup)
        stray_temps_seen += bool(temp_files(db))

        Store.open(db)  # the next open sweeps; it also needs the dead writer's lock released
        assert temp_files(db) == []
        on_disk = len(ids)
    # The harness must really have killed writers mid-stream, not only idle processes.
    assert total_acks >= 40
    assert on_disk >= total_acks
    print(f"acks={total_acks} answers={on_disk} runs-with-stray-temp={stray_temps_seen}")


def test_disk_full_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    """T5: a write that hits RLIMIT_FSIZE raises OSError; the file and .bak are untouched."""
    db = tmp_path / "dvatui.json"
    store = Store.open(db)
    for i in range(20):
        store.record_answer(
            question_id=f"q{i}", section_id="s", chapter_id="c", chosen=(1,), correct=True
        )
    store.add_bookmark(target_id="b", kind="section", chapter_id="c", section_id="s", label="B")
    before = db.read_bytes()
    backup = db.with_name(db.name + ".bak")
    backup_before = backup.read_bytes()

    proc = spawn("diskfull", db, 10_000)
    out, err = proc.communicate(timeout=30)
    assert out.decode().startswith("oserror 27 "), (out, err)  # EFBIG
    assert db.read_bytes() == before
    assert backup.read_bytes() == backup_before
    assert temp_files(db) == []
    assert len(Store.open(db).answers()) == 20


def test_four_processes_lose_no_write(tmp_path: Path) -> None:
    """T2: 4 processes x 100 answers (+25 bookmarks each) on one file: every write is there."""
    db = tmp_path / "dvatui.json"
    procs = [spawn("hammer", db, worker, 100) for worker in range(4)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.decode().strip() == "done", err.decode()
    store = Store.open(db)
    ids = [a.question_id for a in store.answers()]
    assert len(ids) == 400
    assert set(ids) == {f"w{w}-{i}" for w in range(4) for i in range(100)}
    marks = {b.target_id for b in store.bookmarks()}
    assert marks == {f"w{w}-b{i}" for w in range(4) for i in range(0, 100, 4)}
    assert store.snapshot().generation == 500


def test_lock_free_readers_never_see_a_torn_file(tmp_path: Path) -> None:
    """T4: read while another process rewrites the file (sizes swinging up to 200 KB)."""
    db = tmp_path / "dvatui.json"
    Store.open(db).set_setting("start", True)
    reader = Store.open(db)
    proc = spawn("answers", db, "--swing", 200_000)
    lines = Lines(proc)
    reads = 0
    generations: set[int] = set()
    try:
        assert lines.wait_for("ack ", timeout=15), lines.stderr()
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                generations.add(reader.snapshot().generation)
            except CorruptStoreError as exc:  # pragma: no cover - this is the failure
                pytest.fail(f"torn read after {reads} reads: {exc.problem}")
            reads += 1
    finally:
        proc.kill()
        proc.wait()
    assert reads > 50
    assert len(generations) > 5  # the reader did see the writer's changes


def test_a_killed_lock_holder_frees_the_lock(tmp_path: Path) -> None:
    """T3: while another process holds the lock writes wait, then fail clearly; kill -9 frees it."""
    db = tmp_path / "dvatui.json"
    proc = spawn("hold", db)
    lines = Lines(proc)
    try:
        assert lines.wait_for("locked", timeout=15), lines.stderr()
        store = Store(db, lock_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as caught:
            store.set_setting("k", 1)
        assert 0.25 < time.monotonic() - started < 3
        assert str(db.with_name(db.name + ".lock")) in str(caught.value)
        assert not db.exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    started = time.monotonic()
    Store(db, lock_timeout=2).set_setting("k", 1)
    assert time.monotonic() - started < 1
    assert Store.open(db).get_setting("k", None) == 1


NOBODY = 65534


def _interpreter_for(uid: int, probe_dir: Path) -> str | None:
    """A Python that ``uid`` can run (the venv's may live under root's private home)."""
    candidates = [
        sys.executable,
        os.path.realpath(sys.executable),
        "/usr/bin/python3",
        shutil.which("python3") or "",
    ]
    for candidate in dict.fromkeys(c for c in candidates if c):
        try:
            probe = subprocess.run(
                [
                    candidate,
                    "-c",
                    "import sys; sys.path.insert(0, sys.argv[1]); import dvatui.store",
                    str(probe_dir),
                ],
                user=uid,
                capture_output=True,
                check=False,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    return None


def _write_as_nobody(tmp_path: Path) -> tuple[bytes, bytes]:
    """As root: run the 'write' worker as 'nobody' on a folder nobody may not write to.

    The worker, dvatui and the dependencies the store imports are copied to a world-readable
    folder first, so the test does not depend on where the checkout or the venv live
    (msgspec is compiled: the probe finds a Python that can load the copy). In CI
    (CI=true) a machine where this cannot run fails the test instead of skipping it.
    """
    import filelock
    import msgspec
    import platformdirs
    import tinydb

    base = Path(tempfile.mkdtemp(prefix="dvatui-ro-"))
    try:
        base.chmod(0o755)
        lib = base / "lib"
        lib.mkdir(mode=0o755)
        shutil.copytree(SRC / "dvatui", lib / "dvatui")
        for module in (tinydb, filelock, platformdirs, msgspec):
            shutil.copytree(Path(module.__file__).parent, lib / module.__name__)
        shutil.copy(WORKER, lib / WORKER.name)
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        folder = base / "ro"
        folder.mkdir(mode=0o755)  # owned by root: nobody cannot create files in it
        python = _interpreter_for(NOBODY, lib)
        if python is None:
            why = "no Python on this machine can import dvatui as the 'nobody' user"
            if os.environ.get("CI"):
                pytest.fail(f"{why}: the unwritable-folder test must run in CI")
            pytest.skip(why)
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(lib), "HOME": str(base)}
        proc = subprocess.Popen(
            [python, str(lib / WORKER.name), "write", str(folder / "dvatui.json")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            user=NOBODY,
        )
        return proc.communicate(timeout=60)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_unwritable_folder_gives_a_clear_error(tmp_path: Path) -> None:
    """T10: as a non-root user (root ignores permissions) a folder that cannot hold the lock
    opens read-only, and a change is refused naming the lock file and the reason."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        out, err = spawn("write", folder / "dvatui.json").communicate(timeout=30)
    else:
        out, err = _write_as_nobody(tmp_path)
    text = out.decode()
    assert text.startswith("error ReadOnlyStoreError None:"), (text, err.decode())
    assert "permission denied" in text.lower() and "dvatui.json.lock" in text
    assert "read-only" in text and "not saved" in text
