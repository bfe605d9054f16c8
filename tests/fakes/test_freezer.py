"""The v1 freezer against reference §2.2, and signals to frozen tasks."""

from __future__ import annotations

import errno
import os
import signal

import pytest

from harness.fakes import SimulatedKernel
from reference_impl.system import read_proc_stat
from tests.fakes._io import FREEZER
from tests.fakes._io import read
from tests.fakes._io import write


def _state(path: str = "c") -> str:
    return read(f"{FREEZER}/{path}/freezer.state").strip()


def _frozen_container(kernel: SimulatedKernel, resist: int = 0) -> int:
    os.mkdir(f"{FREEZER}/c")
    pid = kernel.spawn_process("sh", freeze_resistant_reads=resist)
    kernel.move_to_cgroup(pid, "freezer", "/c")
    write(f"{FREEZER}/c/freezer.state", "FROZEN")
    return pid


@pytest.mark.parametrize("value", ["FREEZING", "frozen", "THAW", "", "FROZEN THAWED"])
def test_only_thawed_or_frozen_may_be_written(kernel: SimulatedKernel, value: str) -> None:
    os.mkdir(f"{FREEZER}/c")
    with pytest.raises(OSError) as exc:
        write(f"{FREEZER}/c/freezer.state", value or b"\n")
    assert exc.value.errno == errno.EINVAL
    assert _state() == "THAWED"


def test_freezing_freezes_the_tasks(kernel: SimulatedKernel) -> None:
    pid = _frozen_container(kernel)
    assert _state() == "FROZEN"
    proc = kernel.process(pid)
    assert proc is not None and proc.state == "frozen"
    assert read_proc_stat(pid).state == "D"
    write(f"{FREEZER}/c/freezer.state", "THAWED\n")
    assert _state() == "THAWED"
    assert read_proc_stat(pid).state == "S"


def test_an_empty_cgroup_is_frozen_at_once(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{FREEZER}/c")
    write(f"{FREEZER}/c/freezer.state", "FROZEN")
    assert _state() == "FROZEN"


def test_a_resisting_task_shows_freezing_for_its_reads(kernel: SimulatedKernel) -> None:
    pid = _frozen_container(kernel, resist=2)
    assert [_state(), _state(), _state()] == ["FREEZING", "FREEZING", "FROZEN"]
    proc = kernel.process(pid)
    assert proc is not None and proc.state == "frozen"


def test_a_child_of_a_frozen_cgroup_starts_frozen(kernel: SimulatedKernel) -> None:
    _frozen_container(kernel)
    os.mkdir(f"{FREEZER}/c/sub")
    assert _state("c/sub") == "FROZEN"
    assert read(f"{FREEZER}/c/sub/freezer.parent_freezing") == "1\n"
    assert read(f"{FREEZER}/c/sub/freezer.self_freezing") == "0\n"
    write(f"{FREEZER}/c/sub/freezer.state", "THAWED")  # the parent still freezes it
    assert _state("c/sub") == "FROZEN"


def test_the_parent_reads_freezing_until_the_subtree_is_frozen(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{FREEZER}/c/sub")
    pid = kernel.spawn_process("sh", freeze_resistant_reads=1)
    kernel.move_to_cgroup(pid, "freezer", "/c/sub")
    write(f"{FREEZER}/c/freezer.state", "FROZEN")
    assert _state("c") == "FREEZING"
    assert _state("c") == "FROZEN"


def test_moving_tasks_in_freezes_and_out_thaws(kernel: SimulatedKernel) -> None:
    _frozen_container(kernel)
    pid = kernel.spawn_process("outsider")
    write(f"{FREEZER}/c/cgroup.procs", str(pid))
    assert read_proc_stat(pid).state == "D"
    write(f"{FREEZER}/cgroup.procs", str(pid))
    assert read_proc_stat(pid).state == "S"


def test_a_frozen_task_keeps_sigkill_pending_until_thawed(kernel: SimulatedKernel) -> None:
    pid = _frozen_container(kernel)
    kernel.deliver_signal(pid, signal.SIGKILL)
    proc = kernel.process(pid)
    assert proc is not None and proc.state == "frozen"
    assert proc.pending_signal == signal.SIGKILL
    write(f"{FREEZER}/c/freezer.state", "THAWED")
    proc = kernel.process(pid)
    assert proc is not None and proc.state == "zombie"
    assert kernel.reap(pid) == -signal.SIGKILL


def test_a_frozen_cgroup_with_a_pending_kill_is_still_busy(kernel: SimulatedKernel) -> None:
    pid = _frozen_container(kernel)
    kernel.deliver_signal(pid, signal.SIGKILL)
    with pytest.raises(OSError) as exc:
        os.rmdir(f"{FREEZER}/c")
    assert exc.value.errno == errno.EBUSY
    write(f"{FREEZER}/c/freezer.state", "THAWED")
    os.rmdir(f"{FREEZER}/c")


def test_a_forked_task_in_a_frozen_cgroup_is_frozen(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{FREEZER}/c")
    parent = kernel.spawn_process("sh")
    kernel.move_to_cgroup(parent, "freezer", "/c")
    write(f"{FREEZER}/c/freezer.state", "FROZEN")
    child = kernel.spawn_process("worker", parent=parent)
    proc = kernel.process(child)
    assert proc is not None and proc.state == "frozen"
