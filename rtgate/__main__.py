"""``python -m rtgate``: the ``rtgate`` command, for environments without its console script
on PATH (a venv not activated, a zipapp, ``python -m`` in CI)."""

from __future__ import annotations

import sys

from harness.cli import main

if __name__ == "__main__":
    sys.exit(main())
