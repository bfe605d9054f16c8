"""cgroup v2 against reference §2.4 and cgroup-v2.rst: layout, subtree_control, procs, freeze,
kill, events, type, limits, controller files, /proc and mountinfo, on pure v2 and hybrid hosts."""

from __future__ import annotations

import dataclasses
import errno
import os
import signal
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import rule

from harness.fakes import SimulatedKernel
from harness.fakes import booted_kernel
from harness.fakes.topology import HYBRID_TOPOLOGY
from harness.fakes.topology import V2_TOPOLOGY
from tests.fakes._io import errno_of
from tests.fakes._io import read
from tests.fakes._io import write

CG = "/sys/fs/cgroup"
UNIFIED = "/sys/fs/cgroup/unified"


@pytest.fixture
def v2() -> Iterator[SimulatedKernel]:
    """A pure cgroup2 host."""
    with booted_kernel(V2_TOPOLOGY) as kernel:
        yield kernel


@pytest.fixture
def hybrid() -> Iterator[SimulatedKernel]:
    """A hybrid host like this machine."""
    with booted_kernel(HYBRID_TOPOLOGY) as kernel:
        yield kernel


# -- layout -----------------------------------------------------------------------------------
def test_the_root_has_the_core_files_and_every_controller(v2: SimulatedKernel) -> None:
    entries = set(os.listdir(CG))
    assert {
        "cgroup.procs",
        "cgroup.threads",
        "cgroup.controllers",
        "cgroup.subtree_control",
        "cgroup.max.descendants",
        "cgroup.max.depth",
        "cgroup.stat",
    } <= entries
    assert not {"cgroup.type", "cgroup.events", "cgroup.freeze", "cgroup.kill"} & entries
    assert read(f"{CG}/cgroup.controllers") == "cpuset cpu io memory hugetlb pids\n"
    assert read(f"{CG}/cgroup.subtree_control") == "\n"


def test_a_child_has_the_non_root_files_and_no_controller_files(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    entries = set(os.listdir(f"{CG}/a"))
    assert {"cgroup.type", "cgroup.events", "cgroup.freeze", "cgroup.kill"} <= entries
    assert not {"memory.max", "pids.max", "cpu.weight", "cpu.max"} & entries
    assert read(f"{CG}/a/cgroup.type") == "domain\n"
    assert read(f"{CG}/a/cgroup.events") == "populated 0\nfrozen 0\n"
    assert read(f"{CG}/a/cgroup.freeze") == "0\n"
    assert read(f"{CG}/a/cgroup.controllers") == "\n"


def test_cgroup_kill_is_write_only(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    assert errno_of(lambda: read(f"{CG}/a/cgroup.kill")) == errno.EINVAL


# -- subtree_control --------------------------------------------------------------------------
def test_enabling_controllers_adds_their_files_to_children(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    write(f"{CG}/cgroup.subtree_control", "+pids +memory +cpu")
    assert read(f"{CG}/cgroup.subtree_control") == "cpu memory pids\n"
    assert read(f"{CG}/a/cgroup.controllers") == "cpu memory pids\n"
    entries = set(os.listdir(f"{CG}/a"))
    assert {"memory.max", "pids.max", "cpu.weight", "cpu.max"} <= entries
    os.mkdir(f"{CG}/b")
    assert {"memory.max", "pids.max"} <= set(os.listdir(f"{CG}/b"))
    assert read(f"{CG}/a/memory.max") == "max\n"
    assert read(f"{CG}/a/cpu.max") == "max 100000\n"
    assert read(f"{CG}/a/cpu.weight") == "100\n"


def test_disabling_removes_the_files_and_stale_handles_get_enodev(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    write(f"{CG}/cgroup.subtree_control", "+memory")
    fd = os.open(f"{CG}/a/memory.max", os.O_WRONLY)
    try:
        write(f"{CG}/cgroup.subtree_control", "-memory")
        assert "memory.max" not in os.listdir(f"{CG}/a")
        assert errno_of(lambda: os.write(fd, b"4096")) == errno.ENODEV
    finally:
        os.close(fd)


@pytest.mark.parametrize("payload", ["memory", "+foo", "+blkio", "+freezer", "+", "*memory"])
def test_a_bad_token_is_einval_and_changes_nothing(v2: SimulatedKernel, payload: str) -> None:
    assert errno_of(lambda: write(f"{CG}/cgroup.subtree_control", payload)) == errno.EINVAL
    assert read(f"{CG}/cgroup.subtree_control") == "\n"


def test_writes_are_all_or_nothing_and_the_last_token_wins(v2: SimulatedKernel) -> None:
    assert errno_of(lambda: write(f"{CG}/cgroup.subtree_control", "+pids +bogus")) == errno.EINVAL
    assert read(f"{CG}/cgroup.subtree_control") == "\n"
    write(f"{CG}/cgroup.subtree_control", "+pids -pids  +memory\n")
    assert read(f"{CG}/cgroup.subtree_control") == "memory\n"


def test_enabling_what_the_parent_lacks_is_enoent(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/b")
    write(f"{CG}/cgroup.subtree_control", "+pids")
    assert errno_of(lambda: write(f"{CG}/a/cgroup.subtree_control", "+memory")) == errno.ENOENT
    write(f"{CG}/a/cgroup.subtree_control", "+pids")
    assert read(f"{CG}/a/b/cgroup.controllers") == "pids\n"


def test_disabling_what_a_child_still_uses_is_ebusy(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/b")
    write(f"{CG}/cgroup.subtree_control", "+memory")
    write(f"{CG}/a/cgroup.subtree_control", "+memory")
    assert errno_of(lambda: write(f"{CG}/cgroup.subtree_control", "-memory")) == errno.EBUSY
    write(f"{CG}/a/cgroup.subtree_control", "-memory")
    write(f"{CG}/cgroup.subtree_control", "-memory")
    assert read(f"{CG}/cgroup.subtree_control") == "\n"


def test_no_internal_processes_when_enabling(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/b")
    write(f"{CG}/cgroup.subtree_control", "+memory +pids")
    pid = v2.spawn_process("sh")
    write(f"{CG}/a/cgroup.procs", str(pid))
    assert errno_of(lambda: write(f"{CG}/a/cgroup.subtree_control", "+memory")) == errno.EBUSY
    # threaded controllers handle internal competition (cgroup_vet_subtree_control_enable)
    write(f"{CG}/a/cgroup.subtree_control", "+pids")
    write(f"{CG}/a/b/cgroup.procs", str(pid))
    write(f"{CG}/a/cgroup.subtree_control", "+memory")
    assert read(f"{CG}/a/cgroup.subtree_control") == "memory pids\n"


def test_no_internal_processes_when_attaching(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/b")
    write(f"{CG}/cgroup.subtree_control", "+memory")
    write(f"{CG}/a/cgroup.subtree_control", "+memory")
    pid = v2.spawn_process("sh")
    assert errno_of(lambda: write(f"{CG}/a/cgroup.procs", str(pid))) == errno.EBUSY
    write(f"{CG}/a/b/cgroup.procs", str(pid))
    write(f"{CG}/cgroup.procs", str(pid))  # the root is exempt
    assert v2.cgroup_of(pid, "unified") == "/"


def test_the_root_may_enable_controllers_with_processes(v2: SimulatedKernel) -> None:
    v2.spawn_process("init")
    write(f"{CG}/cgroup.subtree_control", "+memory")
    assert read(f"{CG}/cgroup.subtree_control") == "memory\n"


# -- procs, threads, rmdir --------------------------------------------------------------------
def test_procs_moves_a_process_and_lists_it(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    pid = v2.spawn_process("sh")
    write(f"{CG}/a/cgroup.procs", f"{pid}\n")
    assert read(f"{CG}/a/cgroup.procs") == f"{pid}\n"
    assert read(f"{CG}/a/cgroup.threads") == f"{pid}\n"
    assert str(pid) not in read(f"{CG}/cgroup.procs").split()
    assert v2.cgroup_pids("unified", "/a") == [pid]
    assert read(f"{CG}/a/cgroup.events") == "populated 1\nfrozen 0\n"
    assert read(f"/proc/{pid}/cgroup") == "0::/a\n"


@pytest.mark.parametrize("payload", ["abc", "-1", "1 2", ""])
def test_procs_rejects_anything_but_one_pid(v2: SimulatedKernel, payload: str) -> None:
    os.mkdir(f"{CG}/a")
    v2.spawn_process("sh")
    expected = None if payload == "" else errno.EINVAL  # an empty write is an O_TRUNC no-op
    assert errno_of(lambda: write(f"{CG}/a/cgroup.procs", payload)) == expected
    assert v2.cgroup_pids("unified", "/a") == []


def test_procs_of_a_missing_pid_is_esrch(v2: SimulatedKernel) -> None:
    assert errno_of(lambda: write(f"{CG}/cgroup.procs", "4242")) == errno.ESRCH


def test_threads_cannot_leave_their_domain(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    pid = v2.spawn_process("sh")
    assert errno_of(lambda: write(f"{CG}/a/cgroup.threads", str(pid))) == errno.EOPNOTSUPP
    write(f"{CG}/cgroup.threads", str(pid))  # within its own domain
    assert v2.cgroup_of(pid, "unified") == "/"


def test_rmdir_is_ebusy_while_populated_or_with_children(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/b")
    assert errno_of(lambda: os.rmdir(f"{CG}/a")) == errno.EBUSY
    pid = v2.spawn_process("sh")
    write(f"{CG}/a/b/cgroup.procs", str(pid))
    assert read(f"{CG}/a/cgroup.events").startswith("populated 1\n")
    assert errno_of(lambda: os.rmdir(f"{CG}/a/b")) == errno.EBUSY
    v2.exit_process(pid)
    assert read(f"{CG}/a/cgroup.events").startswith("populated 0\n")
    os.rmdir(f"{CG}/a/b")
    os.rmdir(f"{CG}/a")
    assert not os.path.exists(f"{CG}/a")
    assert errno_of(lambda: os.rmdir(CG)) == errno.EBUSY


def test_forked_children_inherit_the_cgroup(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    parent = v2.spawn_process("sh")
    v2.move_to_cgroup(parent, "unified", "/a")
    child = v2.fork(parent)
    assert v2.cgroup_pids("unified", "/a") == [parent, child]


# -- freeze -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "err"), [("abc", errno.EINVAL), ("2", errno.ERANGE), ("-1", errno.ERANGE)]
)
def test_cgroup_freeze_parsing(v2: SimulatedKernel, payload: str, err: int) -> None:
    os.mkdir(f"{CG}/a")
    assert errno_of(lambda: write(f"{CG}/a/cgroup.freeze", payload)) == err
    assert read(f"{CG}/a/cgroup.freeze") == "0\n"


def test_freezing_stops_the_subtree_and_thawing_resumes_it(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/b")
    pid = v2.spawn_process("sh")
    write(f"{CG}/a/b/cgroup.procs", str(pid))
    write(f"{CG}/a/cgroup.freeze", " 1\n")
    assert read(f"{CG}/a/cgroup.freeze") == "1\n"
    assert read(f"{CG}/a/b/cgroup.freeze") == "0\n"  # its own setting
    assert read(f"{CG}/a/b/cgroup.events") == "populated 1\nfrozen 1\n"
    proc = v2.process(pid)
    assert proc is not None and proc.state == "frozen"
    write(f"{CG}/a/cgroup.freeze", "0")
    assert read(f"{CG}/a/cgroup.events") == "populated 1\nfrozen 0\n"
    proc = v2.process(pid)
    assert proc is not None and proc.state == "running"


def test_an_empty_cgroup_and_a_new_child_are_frozen_at_once(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    write(f"{CG}/a/cgroup.freeze", "1")
    assert read(f"{CG}/a/cgroup.events") == "populated 0\nfrozen 1\n"
    os.mkdir(f"{CG}/a/new")
    assert read(f"{CG}/a/new/cgroup.events") == "populated 0\nfrozen 1\n"


def test_a_resisting_task_keeps_frozen_at_0_for_its_reads(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    pid = v2.spawn_process("sh", freeze_resistant_reads=2)
    write(f"{CG}/a/cgroup.procs", str(pid))
    write(f"{CG}/a/cgroup.freeze", "1")
    events = [read(f"{CG}/a/cgroup.events").split()[-1] for _ in range(3)]
    assert events == ["0", "0", "1"]


def test_moving_in_freezes_and_moving_out_thaws(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/cold")
    write(f"{CG}/cold/cgroup.freeze", "1")
    pid = v2.spawn_process("sh")
    write(f"{CG}/cold/cgroup.procs", str(pid))
    assert v2.process(pid).state == "frozen"  # type: ignore[union-attr]
    write(f"{CG}/cgroup.procs", str(pid))
    assert v2.process(pid).state == "running"  # type: ignore[union-attr]


def test_a_task_frozen_by_cgroup2_dies_from_sigkill_at_once(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    pid = v2.spawn_process("sh")
    write(f"{CG}/a/cgroup.procs", str(pid))
    write(f"{CG}/a/cgroup.freeze", "1")
    v2.deliver_signal(pid, signal.SIGKILL)
    proc = v2.process(pid)
    assert proc is not None and proc.state == "zombie" and proc.exit_code == -signal.SIGKILL
    assert read(f"{CG}/a/cgroup.events") == "populated 0\nfrozen 1\n"
    os.rmdir(f"{CG}/a")  # frozen and empty: removable


# -- kill -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "err"), [("0", errno.ERANGE), ("2", errno.ERANGE), ("x", errno.EINVAL)]
)
def test_cgroup_kill_accepts_only_1(v2: SimulatedKernel, payload: str, err: int) -> None:
    os.mkdir(f"{CG}/a")
    pid = v2.spawn_process("sh")
    write(f"{CG}/a/cgroup.procs", str(pid))
    assert errno_of(lambda: write(f"{CG}/a/cgroup.kill", payload)) == err
    assert v2.process(pid).state == "running"  # type: ignore[union-attr]


def test_cgroup_kill_kills_the_whole_subtree_even_frozen(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/b")
    outside = v2.spawn_process("bystander")
    top = v2.spawn_process("top")
    deep = v2.spawn_process("deep")
    write(f"{CG}/a/cgroup.procs", str(top))
    write(f"{CG}/a/b/cgroup.procs", str(deep))
    write(f"{CG}/a/b/cgroup.freeze", "1")
    write(f"{CG}/a/cgroup.kill", "1\n")
    assert read(f"{CG}/a/cgroup.events") == "populated 0\nfrozen 0\n"
    assert v2.process(top).state == "zombie"  # type: ignore[union-attr]
    assert v2.process(deep).state == "zombie"  # type: ignore[union-attr]
    assert v2.process(outside).state == "running"  # type: ignore[union-attr]
    os.rmdir(f"{CG}/a/b")


# -- cgroup.type ------------------------------------------------------------------------------
def test_cgroup_type_threaded_is_one_way_and_validated(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/t")
    os.mkdir(f"{CG}/a/d")
    assert errno_of(lambda: write(f"{CG}/a/t/cgroup.type", "domain")) == errno.EINVAL
    write(f"{CG}/a/t/cgroup.type", "threaded\n")
    assert read(f"{CG}/a/t/cgroup.type") == "threaded\n"
    assert read(f"{CG}/a/cgroup.type") == "domain threaded\n"
    assert read(f"{CG}/a/d/cgroup.type") == "domain invalid\n"
    pid = v2.spawn_process("sh")
    assert errno_of(lambda: write(f"{CG}/a/d/cgroup.procs", str(pid))) == errno.EOPNOTSUPP
    assert errno_of(lambda: read(f"{CG}/a/t/cgroup.procs")) == errno.EOPNOTSUPP
    with open(f"{CG}/a/t/cgroup.procs", "rb") as f:  # seq_file: the open succeeds, read(2) fails
        assert errno_of(f.read) == errno.EOPNOTSUPP
    write(f"{CG}/cgroup.subtree_control", "+pids +memory")
    write(f"{CG}/a/cgroup.subtree_control", "+pids")  # threaded controllers are fine
    assert read(f"{CG}/a/t/cgroup.controllers") == "pids\n"
    assert errno_of(lambda: write(f"{CG}/a/cgroup.subtree_control", "+memory")) == errno.EOPNOTSUPP


def test_a_populated_cgroup_cannot_become_threaded(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    pid = v2.spawn_process("sh")
    write(f"{CG}/a/cgroup.procs", str(pid))
    assert errno_of(lambda: write(f"{CG}/a/cgroup.type", "threaded")) == errno.EOPNOTSUPP


# -- limits and stat --------------------------------------------------------------------------
def test_max_descendants_and_depth_limit_mkdir_with_eagain(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    write(f"{CG}/a/cgroup.max.descendants", "1")
    write(f"{CG}/a/cgroup.max.depth", "2")
    os.mkdir(f"{CG}/a/b")
    assert errno_of(lambda: os.mkdir(f"{CG}/a/c")) == errno.EAGAIN
    write(f"{CG}/a/cgroup.max.descendants", "max")
    os.mkdir(f"{CG}/a/b/c")
    assert errno_of(lambda: os.mkdir(f"{CG}/a/b/c/d")) == errno.EAGAIN
    assert errno_of(lambda: write(f"{CG}/a/cgroup.max.depth", "-1")) == errno.ERANGE
    assert read(f"{CG}/a/cgroup.max.depth") == "2\n"
    assert read(f"{CG}/a/cgroup.max.descendants") == "max\n"
    stat = dict(line.split() for line in read(f"{CG}/a/cgroup.stat").splitlines())
    assert stat["nr_descendants"] == "2"
    assert stat["nr_dying_descendants"] == "0"


def test_cgroup_stat_counts_csses_per_subsystem_in_kernel_order() -> None:
    """``nr_subsys_<ss>``: live csses in the subtree where this cgroup has one, else 0; an
    implicit controller (perf_event) has a css everywhere."""
    topology = dataclasses.replace(V2_TOPOLOGY, v2_implicit=("perf_event",))
    with booted_kernel(topology):
        os.makedirs(f"{CG}/a/b")
        write(f"{CG}/cgroup.subtree_control", "+pids")
        stat = read(f"{CG}/a/cgroup.stat").splitlines()
        names = [line.split()[0] for line in stat if line.startswith("nr_subsys_")]
        assert names.index("nr_subsys_perf_event") < names.index("nr_subsys_hugetlb")
        assert "nr_subsys_perf_event 2" in stat
        assert "nr_subsys_pids 1" in stat
        assert "nr_subsys_memory 0" in stat
        assert "nr_dying_subsys_perf_event 0" in stat
        assert "nr_subsys_pids 2" in read(f"{CG}/cgroup.stat").splitlines()


# -- controller files -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("memory.max", "1G", str(1 << 30)),
        ("memory.max", "4097", "4096"),
        ("memory.max", "max", "max"),
        ("memory.max", "-1", errno.EINVAL),
        ("memory.max", "12abc", errno.EINVAL),
        ("memory.low", "1m", str(1 << 20)),
        ("pids.max", "10", "10"),
        ("pids.max", "max", "max"),
        ("pids.max", "-1", errno.EINVAL),
        ("pids.max", "x", errno.EINVAL),
        ("cpu.weight", "10000", "10000"),
        ("cpu.weight", "0", errno.ERANGE),
        ("cpu.weight", "10001", errno.ERANGE),
        ("cpu.weight", "w", errno.EINVAL),
        ("cpu.max", "50000", "50000 100000"),
        ("cpu.max", "50000 200000", "50000 200000"),
        ("cpu.max", "max 10000", "max 10000"),
        ("cpu.max", "500", errno.EINVAL),
        ("cpu.max", "max 2000000", errno.EINVAL),
        ("cpu.max", "-1", errno.EINVAL),
        ("cpuset.cpus", "0-1", "0-1"),
        ("cpuset.cpus", "5", errno.EINVAL),
        ("hugetlb.2MB.max", "3M", str(2 << 20)),
    ],
)
def test_controller_file_values(
    v2: SimulatedKernel, name: str, payload: str, expected: str | int
) -> None:
    os.mkdir(f"{CG}/a")
    write(f"{CG}/cgroup.subtree_control", "+cpuset +cpu +memory +hugetlb +pids")
    before = read(f"{CG}/a/{name}")
    err = errno_of(lambda: write(f"{CG}/a/{name}", payload))
    if isinstance(expected, int):
        assert err == expected
        assert read(f"{CG}/a/{name}") == before
    else:
        assert err is None
        assert read(f"{CG}/a/{name}") == expected + "\n"


def test_pids_current_and_cpuset_effective_follow_the_tree(v2: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/a/b")
    write(f"{CG}/cgroup.subtree_control", "+cpuset +pids")
    write(f"{CG}/a/cgroup.subtree_control", "+cpuset +pids")
    pid = v2.spawn_process("sh")
    write(f"{CG}/a/b/cgroup.procs", str(pid))
    assert read(f"{CG}/a/pids.current") == "1\n"
    assert read(f"{CG}/a/b/cpuset.cpus.effective") == "0-1\n"
    write(f"{CG}/a/cpuset.cpus", "1")
    assert read(f"{CG}/a/b/cpuset.cpus.effective") == "1\n"


# -- /proc and mountinfo ----------------------------------------------------------------------
def test_mountinfo_of_a_pure_v2_host(v2: SimulatedKernel) -> None:
    lines = [m for m in read("/proc/self/mountinfo").splitlines() if "cgroup" in m]
    assert len(lines) == 1
    assert lines[0].split()[4] == CG
    assert lines[0].split(" - ")[1].startswith("cgroup2 cgroup2 rw")
    assert not v2.hierarchies


def test_hybrid_layout_matches_this_machine(hybrid: SimulatedKernel) -> None:
    names = set(os.listdir(CG))
    assert names == {
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
        "systemd", "unified",
    }  # fmt: skip
    mounts = read("/proc/self/mountinfo").splitlines()
    systemd = [m for m in mounts if m.split()[4] == f"{CG}/systemd"]
    assert systemd and systemd[0].endswith(" - cgroup cgroup rw,name=systemd")
    unified = [m for m in mounts if m.split()[4] == UNIFIED]
    assert unified and unified[0].endswith(" - cgroup2 cgroup2 rw")
    assert unified[0].split(" ", 4)[4] == f"{UNIFIED} rw,relatime - cgroup2 cgroup2 rw"
    cpu = [m for m in mounts if m.split()[4] == f"{CG}/cpu"]
    assert cpu[0].split(" ", 4)[4] == f"{CG}/cpu rw,relatime - cgroup cgroup rw,cpu"
    assert read(f"{UNIFIED}/cgroup.controllers") == "hugetlb\n"
    assert {"cgroup.procs", "tasks"} <= set(os.listdir(f"{CG}/systemd"))


def test_hybrid_proc_pid_cgroup_lists_v1_named_and_unified(hybrid: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/systemd/svc")
    os.mkdir(f"{UNIFIED}/svc")
    pid = hybrid.spawn_process("sh")
    write(f"{CG}/systemd/svc/cgroup.procs", str(pid))
    hybrid.move_to_cgroup(pid, "unified", "/svc")
    lines = read(f"/proc/{pid}/cgroup").splitlines()
    assert lines[-1] == "0::/svc"
    named = [line for line in lines if ":name=systemd:" in line]
    assert len(named) == 1 and named[0].endswith(":name=systemd:/svc")
    assert len(lines) == len(HYBRID_TOPOLOGY.v1_controllers) + 1
    assert hybrid.cgroup_of(pid, "name=systemd") == "/svc"
    assert hybrid.cgroup_of(pid, "hugetlb") == "/svc"  # hugetlb lives in the unified hierarchy


def test_hybrid_unified_root_cannot_enable_v1_bound_controllers(hybrid: SimulatedKernel) -> None:
    assert errno_of(lambda: write(f"{UNIFIED}/cgroup.subtree_control", "+memory")) == errno.ENOENT
    write(f"{UNIFIED}/cgroup.subtree_control", "+hugetlb")
    os.mkdir(f"{UNIFIED}/a")
    assert "hugetlb.2MB.max" in os.listdir(f"{UNIFIED}/a")


def test_hybrid_v1_freezer_still_holds_sigkill(hybrid: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/freezer/f")
    pid = hybrid.spawn_process("sh")
    write(f"{CG}/freezer/f/cgroup.procs", str(pid))
    write(f"{CG}/freezer/f/freezer.state", "FROZEN")
    hybrid.deliver_signal(pid, signal.SIGKILL)
    assert hybrid.process(pid).state == "frozen"  # type: ignore[union-attr]
    write(f"{CG}/freezer/f/freezer.state", "THAWED")
    assert hybrid.process(pid).state == "zombie"  # type: ignore[union-attr]


def test_fork_beyond_pids_max_is_eagain_only_where_pids_is_enabled(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    write(f"{CG}/cgroup.subtree_control", "+pids")
    write(f"{CG}/a/pids.max", "1")
    parent = v2.spawn_process("sh")
    write(f"{CG}/a/cgroup.procs", str(parent))
    with pytest.raises(OSError) as exc:
        v2.fork(parent)
    assert exc.value.errno == errno.EAGAIN
    assert read(f"{CG}/a/pids.events") == "max 1\n"
    write(f"{CG}/cgroup.subtree_control", "-pids")
    v2.fork(parent)  # the limit no longer applies
    assert len(v2.cgroup_pids("unified", "/a")) == 2


def test_cgroup2_directories_cannot_be_renamed(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    assert errno_of(lambda: os.rename(f"{CG}/a", f"{CG}/b")) == errno.EPERM
    assert errno_of(lambda: os.rename(CG, "/sys/fs/cg")) is not None


# -- a stateful check of the v2 invariants ----------------------------------------------------
NAMES = ("a", "b")
CONTROLLERS = ("cpu", "memory", "pids")
DOMAIN = {"memory"}


class SubtreeMachine(RuleBasedStateMachine):
    """Random mkdir/rmdir/subtree_control/attach/freeze on a v2 host, checked against
    invariants the kernel keeps whatever the order of operations."""

    def __init__(self) -> None:
        super().__init__()
        self._stack = ExitStack()
        self.kernel = self._stack.enter_context(booted_kernel(V2_TOPOLOGY))
        self.pids = [self.kernel.spawn_process(f"p{i}") for i in range(2)]

    def teardown(self) -> None:
        self._stack.close()

    def _groups(self) -> list[str]:
        found = [CG]
        for directory, subdirs, _ in os.walk(CG):
            found += [f"{directory}/{d}" for d in subdirs]
        return found

    @rule(parent=st.integers(0, 8), name=st.sampled_from(NAMES))
    def mkdir(self, parent: int, name: str) -> None:
        groups = self._groups()
        errno_of(lambda: os.mkdir(f"{groups[parent % len(groups)]}/{name}"))

    @rule(index=st.integers(0, 8))
    def rmdir(self, index: int) -> None:
        groups = self._groups()
        path = groups[index % len(groups)]
        populated = read(f"{path}/cgroup.events").startswith("populated 1") if path != CG else True
        children = any(os.path.isdir(f"{path}/{n}") for n in os.listdir(path))
        err = errno_of(lambda: os.rmdir(path))
        if path != CG and not populated and not children:
            assert err is None
        else:
            assert err == errno.EBUSY

    @rule(index=st.integers(0, 8), sign=st.sampled_from("+-"), name=st.sampled_from(CONTROLLERS))
    def subtree(self, index: int, sign: str, name: str) -> None:
        groups = self._groups()
        path = groups[index % len(groups)]
        err = errno_of(lambda: write(f"{path}/cgroup.subtree_control", sign + name))
        assert err in (None, errno.ENOENT, errno.EBUSY)

    @rule(who=st.integers(0, 1), index=st.integers(0, 8))
    def attach(self, who: int, index: int) -> None:
        groups = self._groups()
        path = groups[index % len(groups)]
        err = errno_of(lambda: write(f"{path}/cgroup.procs", str(self.pids[who])))
        assert err in (None, errno.EBUSY)

    @rule(index=st.integers(0, 8), value=st.sampled_from("01"))
    def freeze(self, index: int, value: str) -> None:
        groups = self._groups()
        if len(groups) > 1:
            write(f"{groups[1 + index % (len(groups) - 1)]}/cgroup.freeze", value)

    @invariant()
    def controllers_flow_down_and_files_follow(self) -> None:
        for path in self._groups()[1:]:
            parent = os.path.dirname(path)
            enabled = read(f"{parent}/cgroup.subtree_control").split()
            assert read(f"{path}/cgroup.controllers").split() == enabled
            assert set(read(f"{path}/cgroup.subtree_control").split()) <= set(enabled)
            files = set(os.listdir(path))
            assert ("memory.max" in files) == ("memory" in enabled)
            assert ("pids.max" in files) == ("pids" in enabled)
            assert ("cpu.weight" in files) == ("cpu" in enabled)

    @invariant()
    def no_internal_processes_with_domain_controllers(self) -> None:
        for path in self._groups()[1:]:
            if DOMAIN & set(read(f"{path}/cgroup.subtree_control").split()):
                assert read(f"{path}/cgroup.procs") == ""

    @invariant()
    def tasks_are_frozen_exactly_below_a_freeze(self) -> None:
        for pid in self.pids:
            where = self.kernel.cgroup_of(pid, "unified")
            frozen = False
            path = where
            while path not in ("/", ""):
                frozen = frozen or read(f"{CG}{path}/cgroup.freeze") == "1\n"
                path = os.path.dirname(path)
            assert (self.kernel.process(pid).state == "frozen") == frozen  # type: ignore[union-attr]


TestSubtreeMachine = SubtreeMachine.TestCase
TestSubtreeMachine.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)


def test_cpu_stat_is_a_core_file_that_the_cpu_controller_extends(v2: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/a")
    assert read(f"{CG}/cpu.stat").startswith("usage_usec 0\n")
    assert "nr_throttled" not in read(f"{CG}/a/cpu.stat")
    write(f"{CG}/cgroup.subtree_control", "+cpu")
    assert "nr_throttled 0\n" in read(f"{CG}/a/cpu.stat")


def test_pressure_files_follow_cgroup_pressure(v2: SimulatedKernel) -> None:
    """PSI files are core files (the root's too); ``cgroup.pressure`` 0 hides them."""
    os.mkdir(f"{CG}/a")
    assert {"cgroup.pressure", "cpu.pressure", "io.pressure", "memory.pressure"} <= set(
        os.listdir(CG)
    )
    assert "cgroup.stat.local" not in os.listdir(CG)
    assert read(f"{CG}/a/cgroup.stat.local") == "frozen_usec 0\n"
    assert read(f"{CG}/a/io.pressure").startswith("some avg10=0.00 ")
    assert errno_of(lambda: write(f"{CG}/a/memory.pressure", "some 150000 1000000")) == errno.EINVAL
    assert errno_of(lambda: write(f"{CG}/a/memory.pressure", "some 1 100")) == errno.EINVAL
    write(f"{CG}/a/cgroup.pressure", "0")
    assert "cpu.pressure" not in os.listdir(f"{CG}/a")
    write(f"{CG}/a/cgroup.pressure", "1")
    assert "cpu.pressure" in os.listdir(f"{CG}/a")
