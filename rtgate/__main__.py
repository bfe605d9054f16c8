"""``python -m rtgate``: the ``rtgate`` command, for environments without its console script
on PATH (a venv not activated, a zipapp, ``python -m`` in CI)."""

from __future__ import annotations

from harness.cli import console_main

if __name__ == "__main__":
    console_main()
