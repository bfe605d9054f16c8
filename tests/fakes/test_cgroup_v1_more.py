"""More cgroup v1 (reference §2.1–2.3): named hierarchies, the kernel's value parsing for
pids/memory/hugetlb, devices rules, tasks errors and freezer corner cases."""

from __future__ import annotations

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
from harness.fakes import Topology
from harness.fakes import booted_kernel
from tests.fakes._io import errno_of
from tests.fakes._io import read
from tests.fakes._io import write

CG = "/sys/fs/cgroup"
NAMED = Topology(v1_controllers=("freezer", "pids", "name=systemd"))


@pytest.fixture
def named() -> Iterator[SimulatedKernel]:
    """A v1 host with a named hierarchy."""
    with booted_kernel(NAMED) as kernel:
        yield kernel


# -- name=systemd -----------------------------------------------------------------------------
def test_a_named_hierarchy_has_only_core_files(named: SimulatedKernel) -> None:
    assert sorted(os.listdir(CG)) == ["freezer", "pids", "systemd"]
    assert set(os.listdir(f"{CG}/systemd")) == {
        "cgroup.procs",
        "tasks",
        "cgroup.clone_children",
        "notify_on_release",
        "cgroup.sane_behavior",
        "release_agent",
    }
    line = [m for m in read("/proc/self/mountinfo").splitlines() if f"{CG}/systemd " in m]
    assert len(line) == 1 and line[0].endswith(" - cgroup cgroup rw,name=systemd")


def test_a_named_hierarchy_in_proc_pid_cgroup(named: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/systemd/system.slice/x.service")
    pid = named.spawn_process("sh")
    write(f"{CG}/systemd/system.slice/x.service/cgroup.procs", str(pid))
    lines = read(f"/proc/{pid}/cgroup").splitlines()
    assert lines == [
        "4:name=systemd:/system.slice/x.service",
        "3:pids:/",
        "2:freezer:/",
    ]
    assert named.cgroup_pids("name=systemd", "/system.slice/x.service") == [pid]
    with pytest.raises(OSError) as exc:
        os.rmdir(f"{CG}/systemd/system.slice")
    assert exc.value.errno == errno.EBUSY


def test_unknown_hierarchy_names_are_harness_errors(named: SimulatedKernel) -> None:
    from harness.errors import FakeKernelError

    with pytest.raises(FakeKernelError, match="'controller' must be in"):
        named.cgroup_pids("memory", "/")


# -- tasks and cgroup.procs -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["tasks", "cgroup.procs"])
@pytest.mark.parametrize(
    ("payload", "err"),
    [("abc", errno.EINVAL), ("-5", errno.EINVAL), ("1.5", errno.EINVAL), ("4242", errno.ESRCH)],
)
def test_attach_errors_on_both_files(
    named: SimulatedKernel, name: str, payload: str, err: int
) -> None:
    os.mkdir(f"{CG}/pids/a")
    assert errno_of(lambda: write(f"{CG}/pids/a/{name}", payload)) == err


def test_a_write_to_a_removed_group_s_tasks_is_enodev(named: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/pids/a")
    pid = named.spawn_process("sh")
    fd = os.open(f"{CG}/pids/a/tasks", os.O_WRONLY)
    try:
        os.rmdir(f"{CG}/pids/a")
        assert errno_of(lambda: os.write(fd, str(pid).encode())) == errno.ENODEV
    finally:
        os.close(fd)
    assert named.cgroup_of(pid, "pids") == "/"


# -- values -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("0x10", "16"),
        ("-0", "0"),
        ("+7", "7"),
        (" 5 \n", "5"),
        ("4194304", "4194304"),
        ("4194305", errno.EINVAL),
        ("99999999999999999999", errno.ERANGE),
        ("max\n", "max"),
        ("Max", errno.EINVAL),
        ("", "max"),  # O_TRUNC only: nothing is written
    ],
)
def test_pids_max_parsing(kernel: SimulatedKernel, payload: str, expected: str | int) -> None:
    os.mkdir(f"{CG}/pids/a")
    err = errno_of(lambda: write(f"{CG}/pids/a/pids.max", payload))
    if isinstance(expected, int):
        assert err == expected
        assert read(f"{CG}/pids/a/pids.max") == "max\n"
    else:
        assert err is None
        assert read(f"{CG}/pids/a/pids.max") == expected + "\n"


UNLIMITED = "9223372036854771712"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("4096", "4096"),
        ("4097", "4096"),
        ("0x2000", "8192"),
        ("1k", "0"),
        ("8K", "8192"),
        ("1M", str(1 << 20)),
        ("2g", str(2 << 30)),
        ("1T", str(1 << 40)),
        ("\n", "0"),  # memparse of nothing is 0, as in the kernel
        ("-1", UNLIMITED),
        ("18446744073709551615", UNLIMITED),  # capped at PAGE_COUNTER_MAX
        ("-2", errno.EINVAL),
        ("1KB", errno.EINVAL),
        ("max", errno.EINVAL),
        ("1 2", errno.EINVAL),
    ],
)
def test_memory_limit_parsing(kernel: SimulatedKernel, payload: str, expected: str | int) -> None:
    os.mkdir(f"{CG}/memory/a")
    write(f"{CG}/memory/a/memory.limit_in_bytes", "12345678")
    before = read(f"{CG}/memory/a/memory.limit_in_bytes")
    err = errno_of(lambda: write(f"{CG}/memory/a/memory.limit_in_bytes", payload))
    if isinstance(expected, int):
        assert err == expected
        assert read(f"{CG}/memory/a/memory.limit_in_bytes") == before
    else:
        assert err is None
        assert read(f"{CG}/memory/a/memory.limit_in_bytes") == expected + "\n"


def test_hugetlb_limit_rounds_to_huge_pages_and_not_on_root(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/hugetlb/a")
    write(f"{CG}/hugetlb/a/hugetlb.2MB.limit_in_bytes", "5M")
    assert read(f"{CG}/hugetlb/a/hugetlb.2MB.limit_in_bytes") == f"{4 << 20}\n"
    err = errno_of(lambda: write(f"{CG}/hugetlb/hugetlb.2MB.limit_in_bytes", "4M"))
    assert err == errno.EINVAL


# -- devices ----------------------------------------------------------------------------------
DEV = f"{CG}/devices"


def test_devices_default_allows_everything(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{DEV}/a")
    assert read(f"{DEV}/a/devices.list") == "a *:* rwm\n"


def test_devices_deny_all_then_allow_some(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{DEV}/a")
    write(f"{DEV}/a/devices.deny", "a")
    assert read(f"{DEV}/a/devices.list") == ""
    write(f"{DEV}/a/devices.allow", "c 1:3 rwm")
    write(f"{DEV}/a/devices.allow", "c 136:* rw\n")
    write(f"{DEV}/a/devices.allow", "c 1:3 r")  # merges into the existing exception
    assert read(f"{DEV}/a/devices.list") == "c 1:3 rwm\nc 136:* rw\n"
    write(f"{DEV}/a/devices.deny", "c 1:3 w")
    assert read(f"{DEV}/a/devices.list") == "c 1:3 rm\nc 136:* rw\n"


@pytest.mark.parametrize("payload", ["x 1:3 rwm", "c1:3 rwm", "c 1-3 rwm", "c 1:3 rwx", "c :3 r"])
def test_devices_rule_syntax_is_einval(kernel: SimulatedKernel, payload: str) -> None:
    os.mkdir(f"{DEV}/a")
    assert errno_of(lambda: write(f"{DEV}/a/devices.allow", payload)) == errno.EINVAL
    assert read(f"{DEV}/a/devices.list") == "a *:* rwm\n"


def test_devices_child_cannot_allow_more_than_its_parent(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{DEV}/p")
    write(f"{DEV}/p/devices.deny", "a")
    write(f"{DEV}/p/devices.allow", "c 1:3 r")
    os.mkdir(f"{DEV}/p/c")
    assert read(f"{DEV}/p/c/devices.list") == "c 1:3 r\n"  # inherited
    assert errno_of(lambda: write(f"{DEV}/p/c/devices.allow", "c 1:3 rw")) == errno.EPERM
    assert errno_of(lambda: write(f"{DEV}/p/c/devices.allow", "a")) == errno.EPERM
    write(f"{DEV}/p/c/devices.allow", "c 1:3 r")


def test_devices_all_on_a_cgroup_with_children_is_einval(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{DEV}/p/c")
    assert errno_of(lambda: write(f"{DEV}/p/devices.deny", "a")) == errno.EINVAL


def test_devices_allow_and_deny_are_write_only(kernel: SimulatedKernel) -> None:
    assert errno_of(lambda: read(f"{DEV}/devices.allow")) == errno.EINVAL
    assert errno_of(lambda: write(f"{DEV}/devices.list", "a")) == errno.EINVAL


# -- freezer ----------------------------------------------------------------------------------
FRZ = f"{CG}/freezer"


def test_a_task_moved_into_a_frozen_group_holds_it_at_freezing(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{FRZ}/p/c")
    write(f"{FRZ}/p/freezer.state", "FROZEN")
    assert read(f"{FRZ}/p/freezer.state") == "FROZEN\n"
    pid = kernel.spawn_process("sh", freeze_resistant_reads=1)
    write(f"{FRZ}/p/c/cgroup.procs", str(pid))
    assert read(f"{FRZ}/p/freezer.state") == "FREEZING\n"
    assert read(f"{FRZ}/p/freezer.state") == "FROZEN\n"
    assert read(f"{FRZ}/p/c/freezer.state") == "FROZEN\n"
    assert read(f"{FRZ}/p/c/freezer.parent_freezing") == "1\n"
    assert read(f"{FRZ}/p/c/freezer.self_freezing") == "0\n"


@pytest.mark.parametrize("payload", ["FREEZING", "frozen", "THAW", "1"])
def test_only_thawed_and_frozen_are_written(kernel: SimulatedKernel, payload: str) -> None:
    os.mkdir(f"{FRZ}/a")
    assert errno_of(lambda: write(f"{FRZ}/a/freezer.state", payload)) == errno.EINVAL


def test_thawing_a_child_of_a_frozen_parent_keeps_it_frozen(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{FRZ}/p/c")
    pid = kernel.spawn_process("sh")
    write(f"{FRZ}/p/c/cgroup.procs", str(pid))
    write(f"{FRZ}/p/freezer.state", "FROZEN")
    write(f"{FRZ}/p/c/freezer.state", "THAWED")
    assert read(f"{FRZ}/p/c/freezer.state") == "FROZEN\n"
    kernel.deliver_signal(pid, signal.SIGKILL)
    assert kernel.process(pid).state == "frozen"  # type: ignore[union-attr]
    write(f"{FRZ}/p/freezer.state", "THAWED")
    assert kernel.process(pid).state == "zombie"  # type: ignore[union-attr]
    os.rmdir(f"{FRZ}/p/c")


# -- pids limit on fork -----------------------------------------------------------------------
def test_fork_beyond_pids_max_is_eagain_and_counted(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/pids/p/c")
    write(f"{CG}/pids/p/pids.max", "2")
    parent = kernel.spawn_process("sh")
    write(f"{CG}/pids/p/c/cgroup.procs", str(parent))
    kernel.fork(parent)
    with pytest.raises(OSError) as exc:
        kernel.fork(parent)
    assert exc.value.errno == errno.EAGAIN
    assert read(f"{CG}/pids/p/c/pids.events") == "max 1\n"
    assert read(f"{CG}/pids/p/pids.current") == "2\n"
    outsider = kernel.spawn_process("late")
    write(f"{CG}/pids/p/cgroup.procs", str(outsider))  # attaching beyond the limit is allowed
    assert read(f"{CG}/pids/p/pids.current") == "3\n"


# -- rename -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("src", "dst", "err"),
    [
        (f"{CG}/pids/a", f"{CG}/pids/b/a", errno.EIO),
        (f"{CG}/pids/a/pids.max", f"{CG}/pids/a/x", errno.ENOTDIR),
        (f"{CG}/pids/a", f"{CG}/freezer/a", errno.EXDEV),
        (f"{CG}/pids/a", "/tmp/a", errno.EXDEV),
        (f"{CG}/pids/missing", f"{CG}/pids/m2", errno.ENOENT),
    ],
)
def test_v1_rename_errors(kernel: SimulatedKernel, src: str, dst: str, err: int) -> None:
    os.makedirs(f"{CG}/pids/a")
    os.makedirs(f"{CG}/pids/b")
    assert errno_of(lambda: os.rename(src, dst)) == err
    assert os.path.isdir(f"{CG}/pids/a")


def test_rename_can_be_failed_by_the_fault_plan(kernel: SimulatedKernel) -> None:
    os.mkdir("/run/x")
    kernel.faults.fail("rename", "/run/x", errno.EBUSY)
    assert errno_of(lambda: os.rename("/run/x", "/run/y")) == errno.EBUSY
    os.rename("/run/x", "/run/y")
    assert os.path.isdir("/run/y")


# -- cpu bandwidth ----------------------------------------------------------------------------
def test_a_child_quota_may_not_exceed_its_parent_s(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{CG}/cpu/p/c/g")
    write(f"{CG}/cpu/p/cpu.cfs_quota_us", "50000")  # half a CPU
    assert errno_of(lambda: write(f"{CG}/cpu/p/c/g/cpu.cfs_quota_us", "60000")) == errno.EINVAL
    write(f"{CG}/cpu/p/c/g/cpu.cfs_quota_us", "25000")
    write(f"{CG}/cpu/p/c/cpu.cfs_period_us", "50000")  # c is unlimited: only its period
    # shrinking the parent below a child's ratio is refused too
    assert errno_of(lambda: write(f"{CG}/cpu/p/cpu.cfs_quota_us", "20000")) == errno.EINVAL
    assert read(f"{CG}/cpu/p/cpu.cfs_quota_us") == "50000\n"
    write(f"{CG}/cpu/p/cpu.cfs_quota_us", "-1")
    write(f"{CG}/cpu/p/c/g/cpu.cfs_quota_us", "200000")  # no limited ancestor any more
    assert read(f"{CG}/cpu/p/c/g/cpu.cfs_quota_us") == "200000\n"


def test_v1_rename_within_the_parent_moves_the_subtree_and_its_tasks(
    kernel: SimulatedKernel,
) -> None:
    os.makedirs(f"{CG}/freezer/old/sub")
    os.mkdir(f"{CG}/freezer/taken")
    pid = kernel.spawn_process("sh")
    write(f"{CG}/freezer/old/sub/cgroup.procs", str(pid))
    write(f"{CG}/freezer/old/freezer.state", "FROZEN")
    assert errno_of(lambda: os.rename(f"{CG}/freezer/old", f"{CG}/freezer/taken")) == errno.EEXIST
    os.rename(f"{CG}/freezer/old", f"{CG}/freezer/new")
    assert not os.path.exists(f"{CG}/freezer/old")
    assert read(f"{CG}/freezer/new/sub/cgroup.procs") == f"{pid}\n"
    assert read(f"{CG}/freezer/new/freezer.state") == "FROZEN\n"
    assert kernel.cgroup_of(pid, "freezer") == "/new/sub"
    assert "freezer:/new/sub" in read(f"/proc/{pid}/cgroup")
    write(f"{CG}/freezer/new/freezer.state", "THAWED")
    assert kernel.process(pid).state == "running"  # type: ignore[union-attr]
    assert errno_of(lambda: os.rmdir(f"{CG}/freezer/new/sub")) == errno.EBUSY


# -- a stateful check of the freezer and rmdir against a plain model --------------------------
class FreezerMachine(RuleBasedStateMachine):
    """Random mkdir/rmdir/attach/FROZEN/THAWED/SIGKILL in the v1 freezer, against a model: the
    cgroups that exist, which were written FROZEN, where each task is, and who was killed."""

    def __init__(self) -> None:
        super().__init__()
        self._stack = ExitStack()
        host = booted_kernel(Topology(v1_controllers=("freezer",)))
        self.kernel = self._stack.enter_context(host)
        self.groups: set[str] = {"/"}
        self.frozen: set[str] = set()
        self.where: dict[int, str] = {}
        self.killed: set[int] = set()
        for i in range(3):
            self.where[self.kernel.spawn_process(f"t{i}")] = "/"

    def teardown(self) -> None:
        self._stack.close()

    def _pick(self, index: int) -> str:
        ordered = sorted(self.groups)
        return ordered[index % len(ordered)]

    def _freezing(self, path: str) -> bool:
        while True:
            if path in self.frozen:
                return True
            if path == "/":
                return False
            path = os.path.dirname(path)

    def _live(self) -> list[int]:
        procs = {pid: self.kernel.process(pid) for pid in self.where}
        return [pid for pid, proc in procs.items() if proc is not None and proc.state != "zombie"]

    @rule(index=st.integers(0, 9), name=st.sampled_from(("x", "y")))
    def mkdir(self, index: int, name: str) -> None:
        parent = self._pick(index)
        path = os.path.join(parent, name)
        err = errno_of(lambda: os.mkdir(FRZ + path))
        assert err == (errno.EEXIST if path in self.groups else None)
        self.groups.add(path)

    @rule(index=st.integers(0, 9))
    def rmdir(self, index: int) -> None:
        path = self._pick(index)
        busy = path == "/" or any(g.startswith(path + "/") for g in self.groups)
        busy = busy or any(self.where[p] == path for p in self._live())
        err = errno_of(lambda: os.rmdir(FRZ + path if path != "/" else FRZ))
        assert err == (errno.EBUSY if busy else None)
        if not busy:
            self.groups.discard(path)
            self.frozen.discard(path)

    @rule(index=st.integers(0, 9), which=st.integers(0, 2))
    def attach(self, index: int, which: int) -> None:
        path = self._pick(index)
        pid = sorted(self.where)[which]
        write(f"{FRZ}{path if path != '/' else ''}/cgroup.procs", str(pid))
        if pid in self._live():
            self.where[pid] = path

    @rule(index=st.integers(0, 9), state=st.sampled_from(("FROZEN", "THAWED")))
    def set_state(self, index: int, state: str) -> None:
        path = self._pick(index)
        if path == "/":
            return
        write(f"{FRZ}{path}/freezer.state", state)
        (self.frozen.add if state == "FROZEN" else self.frozen.discard)(path)

    @rule(which=st.integers(0, 2))
    def sigkill(self, which: int) -> None:
        pid = sorted(self.where)[which]
        self.kernel.deliver_signal(pid, signal.SIGKILL)
        self.killed.add(pid)

    @invariant()
    def states_follow_the_model(self) -> None:
        for path in self.groups - {"/"}:
            shown = read(f"{FRZ}{path}/freezer.state")
            assert shown == ("FROZEN\n" if self._freezing(path) else "THAWED\n")
        for pid, path in self.where.items():
            proc = self.kernel.process(pid)
            assert proc is not None
            if pid in self.killed and not self._freezing(path):
                assert proc.state == "zombie"
            elif pid in self.killed:
                assert proc.state in ("frozen", "zombie")  # killed before or after freezing
            else:
                assert proc.state == ("frozen" if self._freezing(path) else "running")


TestFreezerMachine = FreezerMachine.TestCase
TestFreezerMachine.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
