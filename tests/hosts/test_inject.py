"""The syscall fault engine against this machine's kernel: it fails exactly the operations a
plan names, on the paths it names, with their errnos, as many times as it says, whatever the
program's language or threads, and lets everything else run.

Needs root and seccomp user notification; without them the tests skip saying what is missing.
"""

from __future__ import annotations

import errno
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.fakes.faults import FaultPlan
from harness.fakes.faults import KernelOp
from harness.hosts.inject import supervised
from harness.hosts.inject import unsupported
from tests._real import real_host_off

_MISSING = unsupported() or real_host_off()
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=f"fault engine: {_MISSING}")


@pytest.fixture
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="rtgate-inject-") as where:
        yield Path(where)


def _run(plan: FaultPlan, *argv: str) -> tuple[subprocess.CompletedProcess[str], list[KernelOp]]:
    log: list[KernelOp] = []
    with supervised(plan, log) as extra:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, **extra)  # noqa: S603
    return proc, log


def test_rmdir_of_the_named_directory_fails_and_no_other(scratch: Path) -> None:
    target, other = scratch / "target", scratch / "other"
    target.mkdir()
    other.mkdir()
    plan = FaultPlan()
    fault = plan.fail("rmdir", str(target), errno.EBUSY)
    proc, log = _run(plan, "rmdir", str(target), str(other))
    assert proc.returncode != 0
    assert "Device or resource busy" in proc.stderr
    assert target.is_dir() and not other.exists()
    assert [f.path for f in plan.fired] == [str(target)] and plan.fired[0].fault is fault
    assert KernelOp("rmdir", str(other), None, None) in log


def test_a_path_relative_to_a_directory_fd_is_resolved(scratch: Path) -> None:
    """rm -r removes entries with unlinkat(<fd of the parent>, name): the fault still finds
    the one named directory."""
    inner = scratch / "tree" / "inner"
    inner.mkdir(parents=True)
    (inner / "file").write_text("x")
    plan = FaultPlan()
    plan.fail("rmdir", str(inner), errno.EACCES, count=None)
    proc, log = _run(plan, "rm", "-r", str(scratch / "tree"))
    assert proc.returncode != 0 and "Permission denied" in proc.stderr
    assert inner.is_dir() and not (inner / "file").exists()
    assert KernelOp("unlink", str(inner / "file"), None, None) in log


def test_the_first_attempt_only_counts_across_threads(scratch: Path) -> None:
    """Three threads of one program each try to make the same directory: with the default
    count of 1 only the first attempt of the whole program fails."""
    target = scratch / "made"
    program = textwrap.dedent(f"""
        import os, threading
        def attempt():
            try:
                os.mkdir({str(target)!r}); print("made")
            except OSError as err:
                print(err.errno)
        for _ in range(3):
            t = threading.Thread(target=attempt); t.start(); t.join()
    """)
    plan = FaultPlan()
    plan.fail("mkdir", str(target), errno.ENOSPC)
    proc, _ = _run(plan, sys.executable, "-c", program)
    assert proc.stdout.split() == [str(errno.ENOSPC), "made", str(errno.EEXIST)]


def test_every_attempt_from_the_nth_fails(scratch: Path) -> None:
    target = scratch / "made"
    program = textwrap.dedent(f"""
        import os
        for _ in range(4):
            try:
                os.mkdir({str(target)!r}); print("made")
            except OSError as err:
                print(err.errno)
    """)
    plan = FaultPlan()
    plan.fail("mkdir", str(target), errno.EACCES, nth=2, count=None)
    proc, _ = _run(plan, sys.executable, "-c", program)
    assert proc.stdout.split() == ["made"] + [str(errno.EACCES)] * 3


def test_a_write_fails_on_the_file_its_fd_is_open_on(scratch: Path) -> None:
    target, other = scratch / "state", scratch / "other"
    target.write_text("")
    other.write_text("")
    plan = FaultPlan()
    plan.fail("write", str(target), errno.EBUSY)
    program = textwrap.dedent(f"""
        import os
        for path in ({str(other)!r}, {str(target)!r}):
            fd = os.open(path, os.O_WRONLY)
            try:
                print(os.write(fd, b"FROZEN"))
            except OSError as err:
                print(err.errno)
    """)
    proc, _ = _run(plan, sys.executable, "-c", program)
    assert proc.stdout.split() == ["6", str(errno.EBUSY)]
    assert target.read_text() == "" and other.read_text() == "FROZEN"


def test_descendants_are_under_the_same_plan(scratch: Path) -> None:
    target = scratch / "d"
    target.mkdir()
    plan = FaultPlan()
    plan.fail("rmdir", str(target), errno.EBUSY)
    proc, _ = _run(plan, "sh", "-c", f"sh -c 'rmdir {target}'")
    assert proc.returncode != 0 and target.is_dir()


def test_a_program_that_cannot_be_executed_leaves_no_thread_behind(scratch: Path) -> None:
    plan = FaultPlan()
    plan.fail("rmdir", str(scratch), errno.EBUSY)
    with pytest.raises(FileNotFoundError):
        _run(plan, str(scratch / "no-such-program"))
    assert not [t for t in threading.enumerate() if t.name == "rtgate-faults"]
