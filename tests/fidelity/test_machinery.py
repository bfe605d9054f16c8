"""The fidelity machinery itself: comparison, placeholders, host parsing, and that the real
backend leaves nothing behind, even when a probe fails half-way."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from harness.fidelity import Probe
from harness.fidelity import ProbeContext
from harness.fidelity import ProbeSkipped
from harness.fidelity import RealBackend
from harness.fidelity import Step
from harness.fidelity import compare
from harness.fidelity import first_difference
from harness.fidelity._real import PREFIX
from harness.fidelity._real import real_unavailable
from harness.hosts.facts import read_layout
from harness.hosts.facts import resctrl_absence

MOUNTINFO = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
"""


def test_first_difference_names_the_step_and_both_outcomes() -> None:
    real = (Step("mkdir <g1>", "ok"), Step("read <g1>/freezer.state", "ok: FROZEN"))
    sim = (Step("mkdir <g1>", "ok"), Step("read <g1>/freezer.state", "ok: FREEZING"))
    diff = first_difference("p", real, sim)
    assert diff is not None
    assert (diff.index, diff.action, diff.real, diff.simulated) == (
        1, "read <g1>/freezer.state", "ok: FROZEN", "ok: FREEZING",
    )  # fmt: skip
    assert first_difference("p", real, real) is None


def test_first_difference_when_one_side_stops_early() -> None:
    diff = first_difference("p", (Step("a", "ok"), Step("b", "ok")), (Step("a", "ok"),))
    assert diff is not None and diff.simulated == "(no such step)" and diff.real == "ok"


def test_read_layout_of_a_hybrid_host(tmp_path: Path) -> None:
    path = tmp_path / "mountinfo"
    path.write_text(MOUNTINFO)
    layout = read_layout(str(path))
    assert layout.mode == "hybrid"
    assert layout.v1 == {
        "cpu,cpuacct": "/sys/fs/cgroup/cpu,cpuacct",
        "freezer": "/sys/fs/cgroup/freezer",
        "name=systemd": "/sys/fs/cgroup/systemd",
    }
    assert layout.v2 == "/sys/fs/cgroup/unified"


def test_resctrl_absence_says_what_it_found(tmp_path: Path) -> None:
    path = tmp_path / "mountinfo"
    path.write_text(MOUNTINFO)
    reason = resctrl_absence(str(path))
    assert reason is not None and reason.startswith(f"no resctrl: {path} has no resctrl line")
    path.write_text(MOUNTINFO + "50 23 0:40 / /sys/fs/resctrl rw - resctrl resctrl rw\n")
    assert resctrl_absence(str(path)) is None


class _Backend:
    def __init__(self, name: str, steps: tuple[Step, ...] | None, error: Exception | None = None):
        self.name = name
        self.steps = steps
        self.error = error

    def run(self, probe: Probe) -> tuple[Step, ...]:
        if self.error is not None:
            raise self.error
        assert self.steps is not None
        return self.steps


def _noop(ctx: ProbeContext, mount: str) -> None:
    """Does nothing."""


PROBE = Probe("t.noop", "cgroup-v1", "/nowhere", _noop)


def test_compare_skips_when_the_real_side_cannot_run() -> None:
    result = compare(
        PROBE, _Backend("real", None, ProbeSkipped("no such mount")), _Backend("s", ())
    )
    assert result.skipped == "no such mount" and not result.same


def test_a_broken_simulated_backend_is_a_difference_not_a_crash() -> None:
    result = compare(PROBE, _Backend("real", (Step("a", "ok"),)), _Backend("simulated", None,
                     RuntimeError("boom")))  # fmt: skip
    assert result.difference is not None
    assert result.difference.simulated == "simulated backend -> error: RuntimeError: boom"


# -- the real backend on this machine ---------------------------------------------------------
FREEZER = "/sys/fs/cgroup/freezer"


def _leftovers() -> list[str]:
    """This process's groups at the root of every hierarchy (a probe makes its groups there);
    other runs' and other workers' groups are not looked at."""
    mine = f"{PREFIX}-{os.getpid()}-"
    layout = read_layout()
    mounts = [*layout.v1.values(), *([layout.v2] if layout.v2 else [])]
    return [
        os.path.join(mount, name)
        for mount in mounts
        for name in os.listdir(mount)
        if name.startswith(mine)
    ]


class _Boom(Exception):
    pass


def _freeze_then_fail(ctx: ProbeContext, mount: str) -> None:
    """Leaves a frozen group with a child and a SIGKILLed frozen process, then raises."""
    group = ctx.group(mount)
    child = ctx.group(group)
    ctx.mkdir(group)
    ctx.mkdir(child)
    pid = ctx.spawn()
    ctx.write(os.path.join(child, "cgroup.procs"), str(pid))
    ctx.write(os.path.join(group, "freezer.state"), "FROZEN")
    ctx.kill(pid, signal.SIGKILL)
    raise _Boom(pid)


def test_real_cleanup_after_a_probe_that_fails_half_way() -> None:
    probe = Probe("t.freeze-then-fail", "cgroup-v1", FREEZER, _freeze_then_fail)
    reason = real_unavailable(probe)
    if reason is not None:
        pytest.skip(reason)
    with pytest.raises(_Boom) as info:
        RealBackend().run(probe)
    pid = info.value.args[0]
    assert _leftovers() == []
    assert not os.path.exists(f"/proc/{pid}"), "the probe's process must be dead and reaped"
