"""Run a command in a real pseudo-terminal and read what it draws through a pyte screen.

Used by the end-to-end tests and by ``benchmarks/``. Everything runs in the calling thread
(no reader thread), so it is safe to use from pytest.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Mapping, Sequence

import pyte

Check = Callable[["PtySession"], bool]


def pty_env(
    db_path: str | os.PathLike[str] | None = None,
    *,
    animations: bool = True,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for a measured run: 256 colours, no SSH hints, an isolated data file."""
    env = dict(os.environ)
    for name in ("COLORTERM", "NO_COLOR", "SSH_CONNECTION", "SSH_TTY", "TEXTUAL_ANIMATIONS"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    for name in ("LC_ALL", "LC_CTYPE", "DVATUI_ASCII"):  # a UTF-8 terminal (not ASCII only)
        env.pop(name, None)
    env["LANG"] = "C.UTF-8"
    if db_path is not None:
        env["DVATUI_DB"] = str(db_path)
    if not animations:
        env["TEXTUAL_ANIMATIONS"] = "none"
    env.update(extra or {})
    return env


def _make_controlling_tty() -> None:  # runs in the child, after setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtySession:
    """One process on a pty of ``cols`` x ``rows``, its output fed to a pyte screen."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cols: int = 80,
        rows: int = 24,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes_read = 0
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(env or os.environ),
            start_new_session=True,
            preexec_fn=_make_controlling_tty,
            close_fds=True,
        )
        os.close(slave)
        self.fd = master

    # -- reading ----------------------------------------------------------------------------
    def pump(self, timeout: float = 0.0) -> int:
        """Read what is available (waiting up to ``timeout`` for the first chunk)."""
        got = 0
        while True:
            ready, _, _ = select.select([self.fd], [], [], timeout if got == 0 else 0)
            if not ready:
                return got
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                return got
            if not data:
                return got
            got += len(data)
            self.bytes_read += len(data)
            self.stream.feed(data)

    def text(self) -> str:
        """The screen as text, one line per row."""
        return "\n".join(self.screen.display)

    def wait_until(self, check: Check, timeout: float = 10.0, what: str = "condition") -> float:
        """Pump until ``check(self)`` holds; returns seconds waited. TimeoutError otherwise."""
        start = time.perf_counter()
        while True:
            if check(self):
                return time.perf_counter() - start
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                raise TimeoutError(f"{what} not seen after {timeout}s; screen:\n{self.text()}")
            if self.pump(min(left, 0.05)) == 0 and self.proc.poll() is not None:
                self.pump()
                if check(self):
                    return time.perf_counter() - start
                raise RuntimeError(
                    f"process exited ({self.proc.returncode}) while waiting "
                    f"for {what}; screen:\n{self.text()}"
                )

    def wait_for(self, text: str, timeout: float = 10.0) -> float:
        """Wait until ``text`` is on the screen; returns seconds waited."""
        return self.wait_until(lambda s: text in s.text(), timeout, repr(text))

    def wait_gone(self, text: str, timeout: float = 10.0) -> float:
        """Wait until ``text`` is no longer on the screen."""
        return self.wait_until(lambda s: text not in s.text(), timeout, f"{text!r} gone")

    def wait_quiet(
        self, quiet: float = 0.05, timeout: float = 5.0, first_within: float = 0.0
    ) -> tuple[int, float | None]:
        """Read until no output for ``quiet`` s (waiting up to ``first_within`` s for the first
        byte): (bytes read, seconds to the first byte or None)."""
        start = time.perf_counter()
        total, first = 0, None
        while time.perf_counter() - start < timeout:
            got = self.pump(max(quiet, first_within) if first is None else quiet)
            if got == 0:
                break
            if first is None:
                first = time.perf_counter() - start
            total += got
        return total, first

    # -- writing ----------------------------------------------------------------------------
    def send(self, keys: bytes | str) -> None:
        """Type ``keys`` (raw bytes, e.g. b"\\t" for tab)."""
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    # -- ending -----------------------------------------------------------------------------
    def wait_exit(self, timeout: float = 10.0) -> int | None:
        """Keep reading until the process ends; its exit code, or None on timeout."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if self.proc.poll() is not None:
                self.pump()
                return self.proc.returncode
            self.pump(0.05)
        return None

    def close(self, quit_keys: bytes | None = b"q", timeout: float = 5.0) -> int:
        """Quit politely, then SIGTERM, then SIGKILL. Returns the exit code."""
        if self.proc.poll() is None and quit_keys:
            with contextlib.suppress(OSError):
                self.send(quit_keys)
        code = self.wait_exit(timeout)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if code is not None:
                break
            self.proc.send_signal(sig)
            code = self.wait_exit(timeout)
        self._close_fd()
        return code if code is not None else self.proc.wait()

    def _close_fd(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> PtySession:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.close()
        self._close_fd()
