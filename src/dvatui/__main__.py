"""Entry point for ``python -m dvatui`` and the ``dvatui`` console script."""

from __future__ import annotations

import sys

from dvatui.startup import pause_collector

pause_collector()  # until the first frame (or a subcommand starts): see dvatui/startup.py

from dvatui.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
