"""Entry point for ``python -m dvatui`` and the ``dvatui`` console script."""

from __future__ import annotations

import sys

from dvatui.cli import main

if __name__ == "__main__":
    sys.exit(main())
