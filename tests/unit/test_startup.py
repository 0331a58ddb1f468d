"""The collector pause of ``dvatui``'s start-up (dvatui/startup.py)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import gc, io, contextlib
import dvatui.__main__
paused = not gc.isenabled()
from dvatui.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["outline"])
print(paused, gc.isenabled(), gc.get_freeze_count() > 0)
"""


def test_the_console_script_pauses_the_collector_and_a_subcommand_resumes_it() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["True", "True", "True"]


def test_resume_does_nothing_unless_paused() -> None:
    import gc

    from dvatui import startup

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    startup.resume_collector()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    startup.pause_collector()
    try:
        assert not gc.isenabled()
    finally:
        startup.resume_collector()
        gc.unfreeze()
    assert gc.isenabled()
