"""Whole ``rtgate run`` sessions made once per ``make test`` and shared by every test that needs
the same one (issue 18: one full-suite run per preset, not one per test that reads it).

A run is keyed by its arguments.  The first test that asks for it runs it, under a lock that the
other xdist workers wait on, and stores its exit code, output and report directory next to the
session's temporary directories; later askers, on any worker, read that.  A test gets a
:class:`SharedRun` and must not change its report directory (it copies it to change it).
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

__all__ = ["SharedRun", "shared_run"]

ROOT = Path(__file__).resolve().parent.parent
#: seconds one run may take on a slow, busy machine
RUN_TIMEOUT_S = 900
_COMMAND = "import sys; from harness.cli import main; sys.exit(main())"


@dataclasses.dataclass(frozen=True)
class SharedRun:
    """What one ``rtgate run`` ended with: read-only for the tests that share it."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    report_dir: Path

    def report(self) -> dict:
        return json.loads((self.report_dir / "compliance.json").read_text())


def _store(factory: pytest.TempPathFactory) -> Path:
    """A directory every worker of this session sees: the parent of a worker's base temp is
    the session's own (pytest-of-<user>/pytest-N), the base temp itself when serial."""
    base = factory.getbasetemp()
    where = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    store = where / "rtgate-shared-runs"
    store.mkdir(exist_ok=True)
    return store


def shared_run(factory: pytest.TempPathFactory, args: Sequence[str]) -> SharedRun:
    """``rtgate run *args --report-dir <its own>``, run once for the whole test session."""
    key = hashlib.sha256("\0".join(args).encode()).hexdigest()[:16]
    store = _store(factory)
    report_dir = store / key
    record = store / f"{key}.json"
    with open(store / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held until this run is stored
        if not record.exists():
            done = subprocess.run(
                [sys.executable, "-c", _COMMAND, "run", *args, "--report-dir", str(report_dir)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT_S,
            )
            stored = {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
            record.write_text(json.dumps(stored))
    stored = json.loads(record.read_text())
    return SharedRun(
        tuple(args), stored["returncode"], stored["stdout"], stored["stderr"], report_dir
    )
