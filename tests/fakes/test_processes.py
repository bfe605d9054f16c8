"""The process table: spawn, /proc/<pid>/stat, exit, reap, signals and PID namespaces."""

from __future__ import annotations

import errno
import os
import signal

import pytest

from harness.errors import FakeKernelError
from harness.fakes import RUNTIME_PID
from harness.fakes import SimulatedKernel
from reference_impl.system import read_proc_stat
from tests.fakes._io import read


def test_pids_increase_and_start_times_follow_the_clock(kernel: SimulatedKernel) -> None:
    first = kernel.spawn_process("a")
    kernel.clock.advance(2.5)
    second = kernel.spawn_process("b")
    assert second > first
    a, b = read_proc_stat(first), read_proc_stat(second)
    assert b.start_time - a.start_time == 250  # clock ticks at USER_HZ 100
    assert kernel.live_pids() == [first, second]


def test_proc_stat_has_the_kernel_layout(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("my (weird) comm name")
    text = read(f"/proc/{pid}/stat")
    assert text.startswith(f"{pid} (my (weird) comm) S {RUNTIME_PID} ")
    fields = text[text.rfind(")") + 2 :].split()
    assert len(fields) == 50  # fields 3..52
    proc = kernel.process(pid)
    assert proc is not None and fields[19] == str(proc.start_time)


def test_proc_pid_cgroup_lists_every_hierarchy(kernel: SimulatedKernel) -> None:
    os.mkdir("/sys/fs/cgroup/pids/a")
    pid = kernel.spawn_process("sh")
    kernel.move_to_cgroup(pid, "pids", "/a")
    lines = read(f"/proc/{pid}/cgroup").splitlines()
    assert len(lines) == len(kernel.topology.v1_controllers)
    assert any(line.endswith(":pids:/a") for line in lines)


def test_a_runtime_child_is_a_zombie_until_reaped(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("sh")
    kernel.exit_process(pid, 3)
    assert read_proc_stat(pid).state == "Z"
    assert kernel.live_pids() == []
    assert kernel.reap(pid) == 3
    assert kernel.process(pid) is None
    assert not os.path.exists(f"/proc/{pid}")
    with pytest.raises(OSError) as exc:
        kernel.reap(pid)
    assert exc.value.errno == errno.ECHILD


def test_reap_of_a_live_child_is_a_harness_error(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("sh")
    with pytest.raises(FakeKernelError):
        kernel.reap(pid)


def test_a_grandchild_is_not_the_runtimes_to_reap(kernel: SimulatedKernel) -> None:
    parent = kernel.spawn_process("sh")
    child = kernel.fork(parent)
    with pytest.raises(OSError) as exc:
        kernel.reap(child)
    assert exc.value.errno == errno.ECHILD
    kernel.exit_process(child)
    assert kernel.process(child) is None  # reaped by its parent at once


def test_signals(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("sh")
    kernel.deliver_signal(pid, 0)
    kernel.deliver_signal(pid, signal.SIGCHLD)  # ignored by default
    proc = kernel.process(pid)
    assert proc is not None and proc.state == "running"
    kernel.deliver_signal(pid, signal.SIGTERM)
    proc = kernel.process(pid)
    assert proc is not None and proc.state == "zombie"
    kernel.deliver_signal(pid, signal.SIGKILL)  # zombies ignore signals, kill(2) succeeds
    kernel.deliver_signal(pid, 0)
    assert kernel.reap(pid) == -signal.SIGTERM
    with pytest.raises(OSError) as exc:
        kernel.deliver_signal(pid, 0)
    assert exc.value.errno == errno.ESRCH


def test_a_bad_signal_number_is_einval(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("sh")
    with pytest.raises(OSError) as exc:
        kernel.deliver_signal(pid, 65)
    assert exc.value.errno == errno.EINVAL


def test_handled_signals_do_not_kill_but_sigkill_does(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("sh")
    kernel.ignore_signals(pid, signal.SIGTERM)
    kernel.deliver_signal(pid, signal.SIGTERM)
    assert kernel.live_pids() == [pid]
    with pytest.raises(OSError) as exc:
        kernel.ignore_signals(pid, signal.SIGKILL)
    assert exc.value.errno == errno.EINVAL
    kernel.deliver_signal(pid, signal.SIGKILL)
    assert kernel.live_pids() == []


def test_pid_namespace_members_die_with_their_init(kernel: SimulatedKernel) -> None:
    init = kernel.spawn_process("init", namespaces=("pid",))
    worker = kernel.fork(init)
    grandchild = kernel.fork(worker)
    bystander = kernel.spawn_process("other")
    proc = kernel.process(grandchild)
    assert proc is not None and proc.pidns == init
    kernel.exit_process(init)
    assert kernel.live_pids() == [bystander]
    assert kernel.reap(init) == 0


def test_a_frozen_namespace_member_dies_only_when_thawed(kernel: SimulatedKernel) -> None:
    init = kernel.spawn_process("init", namespaces=("pid",))
    worker = kernel.fork(init)
    os.mkdir("/sys/fs/cgroup/freezer/w")
    kernel.move_to_cgroup(worker, "freezer", "/w")
    with open("/sys/fs/cgroup/freezer/w/freezer.state", "w") as f:
        f.write("FROZEN")
    kernel.exit_process(init)
    assert kernel.live_pids() == [worker]
    with open("/sys/fs/cgroup/freezer/w/freezer.state", "w") as f:
        f.write("THAWED")
    assert kernel.live_pids() == []


def test_children_inherit_the_resctrl_group(kernel: SimulatedKernel) -> None:
    os.mkdir("/sys/fs/resctrl/g")
    parent = kernel.spawn_process("sh")
    with open("/sys/fs/resctrl/g/tasks", "w") as f:
        f.write(str(parent))
    child = kernel.fork(parent)
    proc = kernel.process(child)
    assert proc is not None and proc.resctrl_group == "/g"


def test_harness_misuse_is_a_fake_kernel_error(kernel: SimulatedKernel) -> None:
    with pytest.raises(FakeKernelError):
        kernel.fork(4242)
    with pytest.raises(FakeKernelError):
        kernel.exit_process(4242)
    with pytest.raises(FakeKernelError):
        kernel.deliver_signal(0, signal.SIGKILL)


def test_proc_shows_the_program_until_the_task_exits(kernel: SimulatedKernel) -> None:
    program = (("/bin/sleep", "infinity"), ("HOME=/root", "A=1"), "/tmp")
    pid = kernel.spawn_process("sleep", program=program)
    child = kernel.fork(pid)
    for task in (pid, child):  # a fork runs its parent's program
        assert read(f"/proc/{task}/cmdline") == "/bin/sleep\0infinity\0"
        assert read(f"/proc/{task}/environ") == "HOME=/root\0A=1\0"
        assert os.readlink(f"/proc/{task}/cwd") == "/tmp"
    kernel.exit_process(pid)
    # a zombie has no memory map and no working directory
    assert read(f"/proc/{pid}/cmdline") == read(f"/proc/{pid}/environ") == ""
    with pytest.raises(OSError) as err:
        os.readlink(f"/proc/{pid}/cwd")
    assert err.value.errno == errno.ENOENT


def test_a_process_without_a_program_runs_its_comm_in_the_root(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("worker")
    assert read(f"/proc/{pid}/cmdline") == "worker\0"
    assert read(f"/proc/{pid}/environ") == ""
    assert os.readlink(f"/proc/{pid}/cwd") == "/"


def test_a_slow_task_ends_once_its_exit_delay_has_passed(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("sh")
    kernel.set_exit_delay(pid, 0.05)
    kernel.deliver_signal(pid, signal.SIGKILL)
    kernel.deliver_signal(pid, signal.SIGKILL)  # a second signal changes nothing
    assert read_proc_stat(pid).state != "Z", "a slow task still runs right after SIGKILL"
    kernel.clock.advance(0.04)
    assert read_proc_stat(pid).state != "Z"
    kernel.clock.advance(0.02)
    assert read_proc_stat(pid).state == "Z"
    assert kernel.reap(pid) == -signal.SIGKILL


def test_a_wait_ends_when_the_clock_reaches_the_timer(kernel: SimulatedKernel) -> None:
    ended: list[float] = []
    start = kernel.clock.monotonic()
    kernel.clock.call_at(start + 1.0, lambda: ended.append(kernel.clock.monotonic()))
    kernel.clock.advance_until(start + 5.0, lambda: bool(ended))
    assert ended == [start + 1.0]
    assert kernel.clock.monotonic() == start + 1.0, "the wait stops at the event it waited for"
