"""``RTGATE_NO_REAL=1 make test``: as root, the tests that use this machine as a real host
skip, each saying why, and touch nothing; unset, they run as before (the rest of the suite
is that proof)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests._real import NO_REAL

ROOT = Path(__file__).resolve().parent.parent

#: files whose every test uses the real host: cleanup, the syscall fault engine
REAL_ONLY = ("tests/cli/test_cleanup.py", "tests/hosts/test_inject.py")


def test_turned_off_the_real_host_tests_skip_saying_why() -> None:
    env = {**os.environ, NO_REAL: "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *REAL_ONLY],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" not in summary and " skipped" in summary, summary
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips and all(f"{NO_REAL}=1: the real-host tests are turned off" in s for s in skips)
