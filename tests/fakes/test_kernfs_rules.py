"""Kernel-wide control-file rules (reference §1.14) and the fault plan, on every cgroup layout:
EACCES at open even for root, E2BIG beyond 4096 bytes, ENODEV through stale handles, O_TRUNC
does nothing, unlink is EPERM, every read renders the current state, and every operation on
every file and directory can be made to fail."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness.fakes import KernelOp
from harness.fakes import SimulatedKernel
from harness.fakes import Topology
from harness.fakes import booted_kernel
from harness.fakes.topology import DEFAULT_TOPOLOGY
from harness.fakes.topology import HYBRID_TOPOLOGY
from harness.fakes.topology import V2_TOPOLOGY
from tests.fakes._io import errno_of
from tests.fakes._io import read
from tests.fakes._io import write


@dataclass(frozen=True)
class Layout:
    """Where one hierarchy of a host is and which of its files to exercise."""

    topology: Topology
    #: the hierarchy's mount point
    root: str
    #: written to the root before a test (enables the limit file in children)
    enable: str | None
    #: a read-write file of a child, a value it accepts and how it reads back
    limit: str
    value: str
    shown: str
    #: a read-only file of a child, and a write-only file (``{child}`` is the child's path)
    read_only: str
    write_only: str


LAYOUTS = {
    "v1": Layout(
        DEFAULT_TOPOLOGY, "/sys/fs/cgroup/pids", None, "pids.max", "7", "7\n",
        "pids.current", "/sys/fs/cgroup/devices/devices.allow",
    ),
    "v2": Layout(
        V2_TOPOLOGY, "/sys/fs/cgroup", "+pids +memory", "memory.max", "1M", f"{1 << 20}\n",
        "cgroup.events", "{child}/cgroup.kill",
    ),
    "hybrid-unified": Layout(
        HYBRID_TOPOLOGY, "/sys/fs/cgroup/unified", "+hugetlb", "hugetlb.2MB.max", "2M",
        f"{2 << 20}\n", "cgroup.controllers", "{child}/cgroup.kill",
    ),
    "hybrid-v1": Layout(
        HYBRID_TOPOLOGY, "/sys/fs/cgroup/memory", None, "memory.limit_in_bytes", "8K", "8192\n",
        "memory.usage_in_bytes", "/sys/fs/cgroup/devices/devices.deny",
    ),
}  # fmt: skip


@pytest.fixture(params=sorted(LAYOUTS))
def host(request: pytest.FixtureRequest) -> Iterator[tuple[SimulatedKernel, Layout, str]]:
    """A host of each layout with one child cgroup ``g``; yields (kernel, layout, child)."""
    layout = LAYOUTS[request.param]
    with booted_kernel(layout.topology) as kernel:
        if layout.enable is not None:
            write(f"{layout.root}/cgroup.subtree_control", layout.enable)
        os.mkdir(f"{layout.root}/g")
        yield kernel, layout, f"{layout.root}/g"


# -- open permissions -------------------------------------------------------------------------
def test_a_read_only_file_opens_for_writing_and_the_write_is_einval(host: tuple) -> None:
    """cgroupfs files all have a kernfs write op: root's open succeeds, cgroup_file_write
    answers EINVAL for a cftype without a write handler."""
    _, layout, child = host
    path = f"{child}/{layout.read_only}"
    before = read(path)
    for flags in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC):
        os.close(os.open(path, flags))
    open(path, "w").close()
    fd = os.open(path, os.O_WRONLY)
    try:
        assert errno_of(lambda: os.write(fd, b"0")) == errno.EINVAL
    finally:
        os.close(fd)
    assert errno_of(lambda: write(path, "0")) == errno.EINVAL
    assert read(path) == before


def test_a_write_only_file_opens_for_reading_and_the_read_is_einval(host: tuple) -> None:
    """The kernfs read op exists too: reading a cftype without a show handler is EINVAL."""
    _, layout, child = host
    path = layout.write_only.format(child=child)
    assert errno_of(lambda: read(path)) == errno.EINVAL
    fd = os.open(path, os.O_RDWR)
    try:
        assert errno_of(lambda: os.read(fd, 100)) == errno.EINVAL
    finally:
        os.close(fd)


def test_proc_files_are_read_only_for_root(host: tuple) -> None:
    kernel, _, _ = host
    pid = kernel.spawn_process("sh")
    for path in (f"/proc/{pid}/cgroup", f"/proc/{pid}/stat", "/proc/self/mountinfo"):
        assert errno_of(lambda: open(path, "w").close()) == errno.EACCES  # noqa: B023


# -- write size and stale handles -------------------------------------------------------------
def test_one_write_over_4096_bytes_is_e2big(host: tuple) -> None:
    _, layout, child = host
    path = f"{child}/{layout.limit}"
    padded = layout.value.rjust(4096)
    assert errno_of(lambda: write(path, padded + " ")) == errno.E2BIG
    assert read(path) != layout.shown
    write(path, padded)  # exactly 4096 bytes: handed to the parser whole
    assert read(path) == layout.shown


def test_a_write_through_a_handle_of_a_removed_group_is_enodev(host: tuple) -> None:
    kernel, layout, child = host
    path = f"{child}/{layout.limit}"
    fd = os.open(path, os.O_WRONLY)
    try:
        os.rmdir(child)
        assert errno_of(lambda: os.write(fd, layout.value.encode())) == errno.ENODEV
    finally:
        os.close(fd)
    assert kernel.log[-1] == KernelOp("write", path, layout.value.encode(), errno.ENODEV)


def test_a_read_through_a_handle_of_a_removed_group_is_enodev(host: tuple) -> None:
    _, layout, child = host
    with open(f"{child}/{layout.limit}") as handle:
        os.rmdir(child)
        assert errno_of(handle.read) == errno.ENODEV


# -- O_TRUNC, unlink, st_size -----------------------------------------------------------------
def test_o_trunc_changes_nothing(host: tuple) -> None:
    kernel, layout, child = host
    path = f"{child}/{layout.limit}"
    write(path, layout.value)
    writes = [op for op in kernel.log if op.op == "write"]
    open(path, "w").close()
    os.close(os.open(path, os.O_WRONLY | os.O_TRUNC))
    with open(path, "wb"):
        pass
    assert read(path) == layout.shown
    assert [op for op in kernel.log if op.op == "write"] == writes
    assert os.stat(path).st_size == 0


def test_a_w_handle_that_writes_acts_once(host: tuple) -> None:
    _, layout, child = host
    path = f"{child}/{layout.limit}"
    with open(path, "w") as handle:
        handle.write(layout.value)
    assert read(path) == layout.shown


def test_unlinking_a_control_file_is_eperm(host: tuple) -> None:
    _, layout, child = host
    for name in (layout.limit, layout.read_only, "cgroup.procs"):
        assert errno_of(lambda: os.unlink(f"{child}/{name}")) == errno.EPERM  # noqa: B023
        assert os.path.exists(f"{child}/{name}")
    assert errno_of(lambda: os.unlink(f"{layout.root}/cgroup.procs")) == errno.EPERM


# -- rendering --------------------------------------------------------------------------------
def test_every_read_renders_the_current_state(host: tuple) -> None:
    kernel, _, child = host
    pid = kernel.spawn_process("sh")
    assert read(f"{child}/cgroup.procs") == ""
    write(f"{child}/cgroup.procs", str(pid))
    assert read(f"{child}/cgroup.procs") == f"{pid}\n"
    kernel.exit_process(pid)
    assert read(f"{child}/cgroup.procs") == ""


def test_concurrent_read_handles_each_keep_their_view(host: tuple) -> None:
    kernel, _, child = host
    first = open(f"{child}/cgroup.procs")
    pid = kernel.spawn_process("sh")
    write(f"{child}/cgroup.procs", str(pid))
    second = open(f"{child}/cgroup.procs")
    try:
        assert first.read() == ""
        assert second.read() == f"{pid}\n"
    finally:
        first.close()
        second.close()


# -- the fault plan reaches every operation ---------------------------------------------------
def test_mkdir_and_rmdir_faults(host: tuple) -> None:
    kernel, layout, child = host
    kernel.faults.fail("mkdir", f"{layout.root}/new", errno.ENOSPC)
    assert errno_of(lambda: os.mkdir(f"{layout.root}/new")) == errno.ENOSPC
    assert not os.path.exists(f"{layout.root}/new")
    os.mkdir(f"{layout.root}/new")  # only the first occurrence fails
    kernel.faults.fail("rmdir", child, errno.EIO)
    assert errno_of(lambda: os.rmdir(child)) == errno.EIO
    assert os.path.isdir(child)
    os.rmdir(child)
    assert [f.op for f in kernel.faults.fired] == ["mkdir", "rmdir"]


def test_open_write_read_and_unlink_faults(host: tuple) -> None:
    kernel, layout, child = host
    path = f"{child}/{layout.limit}"
    kernel.faults.fail("open", path, errno.EMFILE)
    assert errno_of(lambda: read(path)) == errno.EMFILE
    kernel.faults.fail("write", path, errno.EIO)
    assert errno_of(lambda: write(path, layout.value)) == errno.EIO
    assert read(path) != layout.shown  # the failed write did nothing
    write(path, layout.value)
    kernel.faults.fail("read", path, errno.EINTR)
    with open(path) as handle:
        assert errno_of(handle.read) == errno.EINTR
        assert handle.read() == layout.shown  # the next read is fine
    kernel.faults.fail("unlink", path, errno.EROFS)
    assert errno_of(lambda: os.unlink(path)) == errno.EROFS
    assert [f.op for f in kernel.faults.fired] == ["open", "write", "read", "unlink"]
    failed = [(op.op, op.errno) for op in kernel.log if op.errno is not None]
    assert failed == [
        ("open", errno.EMFILE),
        ("write", errno.EIO),
        ("read", errno.EINTR),
        ("unlink", errno.EROFS),
    ]


def test_faults_reach_every_file_of_the_hierarchy(host: tuple) -> None:
    kernel, layout, child = host
    kernel.faults.fail("open", f"{layout.root}/*", errno.EIO, count=None)
    names = sorted(os.listdir(child))
    for name in names:
        path = f"{child}/{name}"
        if os.path.isfile(path):
            assert errno_of(lambda: os.close(os.open(path, os.O_RDONLY))) == errno.EIO  # noqa: B023
    assert len(kernel.faults.fired) == sum(os.path.isfile(f"{child}/{n}") for n in names)


@pytest.mark.parametrize(
    "path",
    [
        "/sys/fs/cgroup/memory/nosuch.file",
        "/sys/fs/cgroup/pids/made/nosuch.file",
        "/sys/fs/resctrl/nosuch.file",
    ],
)
def test_creating_a_file_in_a_kernel_directory_is_eacces(
    kernel: SimulatedKernel, path: str
) -> None:
    os.makedirs("/sys/fs/cgroup/pids/made", exist_ok=True)
    with pytest.raises(PermissionError) as info:
        open(path, "w")  # noqa: SIM115 - the open itself must fail
    assert info.value.errno == errno.EACCES
    assert not os.path.exists(path), "a refused create leaves nothing behind"
