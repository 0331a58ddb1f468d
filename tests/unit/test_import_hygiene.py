"""The core (domain, store, cli subcommands) must not import Textual."""

from __future__ import annotations

import subprocess
import sys


def test_core_does_not_import_textual() -> None:
    code = (
        "import sys, dvatui.domain.loader, dvatui.domain.check, dvatui.domain.search, "
        "dvatui.domain.progress, dvatui.store, dvatui.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_check_command_runs_without_textual() -> None:
    code = (
        "import sys; from dvatui.cli import main; rc = main(['outline']); "
        "assert 'textual' not in sys.modules, 'textual imported'; print(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("0")
