"""``rtgate cleanup`` removes what a killed real-host run left (by its prefix, dead pids only)
and nothing of a run still alive.  Needs root: the leftovers are cgroups and mounts."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._debris import making_leftovers
from tests._real import real_host_off
from tests.test_broken_variants import rtgate

pytestmark = pytest.mark.skipif(
    real_host_off() is not None, reason=f"cleanup works on the real host: {real_host_off()}"
)

CGROUPS = Path("/sys/fs/cgroup")


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _write(path: Path, value: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(value)


@pytest.fixture
def killed_run() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """What a run killed with SIGKILL leaves: a pinned state dir, groups with a frozen process
    (while they exist, no other test checks this machine for leftovers: tests/_debris.py)."""
    with making_leftovers():
        yield from _killed_run()


def _killed_run() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    prefix = f"rtgate-{_dead_pid()}-1"
    state = Path("/run") / prefix / "state" / f"{prefix}-c"
    state.mkdir(parents=True)
    subprocess.run(["mount", "--bind", str(state), str(state)], check=True)
    freezer = CGROUPS / "freezer" / f"{prefix}-c"
    (CGROUPS / "devices" / f"{prefix}-c" / "sub").mkdir(parents=True)
    freezer.mkdir()
    sleeper = subprocess.Popen(["sleep", "600"])
    _write(freezer / "cgroup.procs", str(sleeper.pid))
    _write(freezer / "freezer.state", "FROZEN")
    yield prefix, sleeper
    # whatever cleanup missed goes here, so that a failing test leaves nothing either
    if freezer.exists():
        _write(freezer / "freezer.state", "THAWED")
    sleeper.kill()
    sleeper.wait()
    subprocess.run(["umount", str(state)], capture_output=True, check=False)
    devices = CGROUPS / "devices" / f"{prefix}-c"
    for group in (freezer, devices / "sub", devices):
        if group.exists():
            group.rmdir()
    subprocess.run(["rm", "-rf", str(Path("/run") / prefix)], check=False)


@pytest.fixture
def live_run() -> Iterator[Path]:
    """A group of a run in progress (this process): cleanup must leave it."""
    group = CGROUPS / "devices" / f"rtgate-{os.getpid()}-999-live"
    group.mkdir()
    yield group
    group.rmdir()


def test_cleanup_removes_a_dead_runs_leftovers_only(
    killed_run: tuple[str, subprocess.Popen[bytes]], live_run: Path
) -> None:
    prefix, sleeper = killed_run
    listed = rtgate("cleanup", "--dry-run")
    assert listed.returncode == 0, listed.stderr
    assert f"would remove mount /run/{prefix}/state/{prefix}-c" in listed.stdout
    assert f"would remove group /sys/fs/cgroup/freezer/{prefix}-c" in listed.stdout
    assert (CGROUPS / "freezer" / f"{prefix}-c").exists(), "--dry-run removed something"

    done = rtgate("cleanup")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (Path("/run") / prefix).exists()
    assert not (CGROUPS / "freezer" / f"{prefix}-c").exists()
    assert not (CGROUPS / "devices" / f"{prefix}-c").exists()
    assert sleeper.wait(timeout=10) == -signal.SIGKILL, "the frozen process was thawed and killed"
    assert live_run.exists(), "a live run's group must not be touched"
    assert str(live_run) not in done.stdout
