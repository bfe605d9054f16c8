"""cgroup v1 against reference §2.1 and §1.14: layout, mkdir/rmdir, attach, kernfs generics."""

from __future__ import annotations

import errno
import os
import pathlib
import shutil

import pytest

from harness.fakes import SimulatedKernel
from harness.fakes import Topology
from harness.fakes import booted_kernel
from tests.fakes._io import read
from tests.fakes._io import write

CG = "/sys/fs/cgroup"
PIDS = f"{CG}/pids"


def test_every_controller_has_a_root_with_the_core_files(kernel: SimulatedKernel) -> None:
    for name in kernel.topology.v1_controllers:
        entries = set(os.listdir(f"{CG}/{name}"))
        assert {"cgroup.procs", "tasks", "cgroup.clone_children", "notify_on_release"} <= entries
        assert {"cgroup.sane_behavior", "release_agent"} <= entries


def test_mkdir_creates_control_files_at_any_depth(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{PIDS}/a/b/c")
    entries = set(os.listdir(f"{PIDS}/a/b/c"))
    assert {"cgroup.procs", "tasks", "pids.max", "pids.current"} <= entries
    assert "release_agent" not in entries  # root only
    assert read(f"{PIDS}/a/b/c/pids.max") == "max\n"


def test_freezer_state_only_below_the_root(kernel: SimulatedKernel) -> None:
    assert "freezer.state" not in os.listdir(f"{CG}/freezer")
    os.mkdir(f"{CG}/freezer/x")
    assert read(f"{CG}/freezer/x/freezer.state") == "THAWED\n"


def test_mkdir_existing_is_eexist_and_newline_is_einval(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    with pytest.raises(OSError) as exc:
        os.mkdir(f"{PIDS}/a")
    assert exc.value.errno == errno.EEXIST
    with pytest.raises(OSError) as exc:
        os.mkdir(f"{PIDS}/bad\nname")
    assert exc.value.errno == errno.EINVAL
    assert not os.path.exists(f"{PIDS}/bad\nname")


def test_mkdir_in_the_cgroup_tmpfs_is_erofs(kernel: SimulatedKernel) -> None:
    with pytest.raises(OSError) as exc:
        os.mkdir(f"{CG}/unified")
    assert exc.value.errno == errno.EROFS


def test_rmdir_removes_a_cgroup_with_its_control_files(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    os.rmdir(f"{PIDS}/a")
    assert not os.path.exists(f"{PIDS}/a")
    pathlib.Path(f"{PIDS}/b").mkdir()
    pathlib.Path(f"{PIDS}/b").rmdir()
    assert not os.path.exists(f"{PIDS}/b")


def test_rmdir_is_ebusy_with_a_live_task_or_a_child(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{PIDS}/a/b")
    with pytest.raises(OSError) as exc:
        os.rmdir(f"{PIDS}/a")
    assert exc.value.errno == errno.EBUSY
    pid = kernel.spawn_process("sh")
    write(f"{PIDS}/a/b/cgroup.procs", str(pid))
    with pytest.raises(OSError) as exc:
        os.rmdir(f"{PIDS}/a/b")
    assert exc.value.errno == errno.EBUSY
    kernel.exit_process(pid)  # a zombie does not keep the cgroup busy
    os.rmdir(f"{PIDS}/a/b")
    os.rmdir(f"{PIDS}/a")


def test_rmdir_of_a_hierarchy_root_is_ebusy(kernel: SimulatedKernel) -> None:
    with pytest.raises(OSError) as exc:
        os.rmdir(PIDS)
    assert exc.value.errno == errno.EBUSY


def test_rmtree_works_on_an_empty_cgroup_tree(kernel: SimulatedKernel) -> None:
    os.makedirs(f"{PIDS}/a/b")
    shutil.rmtree(f"{PIDS}/a", ignore_errors=True)
    assert not os.path.exists(f"{PIDS}/a")


def test_unlinking_a_control_file_is_eperm(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    with pytest.raises(OSError) as exc:
        os.unlink(f"{PIDS}/a/cgroup.procs")
    assert exc.value.errno == errno.EPERM
    assert os.path.exists(f"{PIDS}/a/cgroup.procs")


@pytest.mark.parametrize("name", ["cgroup.procs", "tasks"])
def test_attach_moves_the_task_and_lists_it(kernel: SimulatedKernel, name: str) -> None:
    os.mkdir(f"{PIDS}/a")
    pid = kernel.spawn_process("sh")
    write(f"{PIDS}/a/{name}", f" {pid}\n")
    assert read(f"{PIDS}/a/cgroup.procs") == f"{pid}\n"
    assert str(pid) not in read(f"{PIDS}/cgroup.procs").split()
    assert kernel.cgroup_pids("pids", "/a") == [pid]
    proc = kernel.process(pid)
    assert proc is not None and proc.cgroups["pids"] == "/a"
    assert read(f"{PIDS}/a/pids.current") == "1\n"


def test_attach_accepts_kstrtoint_base_prefixes(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    pid = kernel.spawn_process("sh")
    write(f"{PIDS}/a/cgroup.procs", hex(pid))
    assert kernel.cgroup_pids("pids", "/a") == [pid]


@pytest.mark.parametrize("payload", ["abc", "1 2", "-1", "1000,1001", "99999999999"])
def test_attach_rejects_anything_but_one_pid(kernel: SimulatedKernel, payload: str) -> None:
    kernel.spawn_process("a")
    kernel.spawn_process("b")
    os.mkdir(f"{PIDS}/a")
    with pytest.raises(OSError) as exc:
        write(f"{PIDS}/a/cgroup.procs", payload)
    assert exc.value.errno == errno.EINVAL
    assert kernel.cgroup_pids("pids", "/a") == []


def test_attach_of_a_missing_pid_is_esrch(kernel: SimulatedKernel) -> None:
    with pytest.raises(OSError) as exc:
        write(f"{PIDS}/cgroup.procs", "4242")
    assert exc.value.errno == errno.ESRCH


def test_attach_of_pid_zero_succeeds_and_moves_nothing(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    pid = kernel.spawn_process("sh")
    write(f"{PIDS}/a/cgroup.procs", "0")
    assert kernel.cgroup_pids("pids", "/a") == []
    assert kernel.cgroup_pids("pids", "/") == [pid]


def test_spawned_children_inherit_every_cgroup(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    parent = kernel.spawn_process("sh")
    kernel.move_to_cgroup(parent, "pids", "/a")
    child = kernel.fork(parent)
    assert kernel.cgroup_pids("pids", "/a") == [parent, child]
    assert read(f"{PIDS}/a/pids.current") == "2\n"


def test_move_to_cgroup_errors(kernel: SimulatedKernel) -> None:
    with pytest.raises(OSError) as exc:
        kernel.move_to_cgroup(4242, "pids", "/")
    assert exc.value.errno == errno.ESRCH
    pid = kernel.spawn_process("sh")
    with pytest.raises(OSError) as exc:
        kernel.move_to_cgroup(pid, "pids", "/missing")
    assert exc.value.errno == errno.ENODEV


def test_a_read_only_file_opens_for_writing_and_refuses_the_write(
    kernel: SimulatedKernel,
) -> None:
    """Root's open succeeds (cgroupfs has a kernfs write op); the write is EINVAL."""
    os.mkdir(f"{PIDS}/a")
    os.close(os.open(f"{PIDS}/a/pids.current", os.O_WRONLY | os.O_TRUNC))
    with pytest.raises(OSError) as exc:
        write(f"{PIDS}/a/pids.current", "1")
    assert exc.value.errno == errno.EINVAL


def test_reading_a_write_only_file_is_einval(kernel: SimulatedKernel) -> None:
    with pytest.raises(OSError) as exc:
        read(f"{CG}/devices/devices.allow")
    assert exc.value.errno == errno.EINVAL
    write(f"{CG}/devices/devices.allow", "a *:* rwm")


def test_a_write_over_4096_bytes_is_e2big(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    with pytest.raises(OSError) as exc:
        write(f"{PIDS}/a/pids.max", "1" * 4097)
    assert exc.value.errno == errno.E2BIG


def test_a_write_through_a_stale_handle_is_enodev(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    fd = os.open(f"{PIDS}/a/pids.max", os.O_WRONLY)
    os.rmdir(f"{PIDS}/a")
    with pytest.raises(OSError) as exc:
        os.write(fd, b"10")
    assert exc.value.errno == errno.ENODEV
    os.close(fd)


def test_file_modes_survive_os_open(kernel: SimulatedKernel) -> None:
    write(f"{PIDS}/notify_on_release", "1")
    assert os.stat(f"{PIDS}/notify_on_release").st_mode & 0o777 == 0o644
    assert os.stat(f"{PIDS}/cgroup.sane_behavior").st_mode & 0o777 == 0o444
    assert read(f"{PIDS}/notify_on_release") == "1\n"


def test_each_write_is_one_command_through_one_handle(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    fd = os.open(f"{PIDS}/a/pids.max", os.O_WRONLY)
    with pytest.raises(OSError):
        os.write(fd, b"bogus")
    os.write(fd, b"20")  # the failed bytes are not merged into this write
    os.close(fd)
    assert read(f"{PIDS}/a/pids.max") == "20\n"
    with open(f"{PIDS}/a/pids.max", "a") as f:
        f.write("30")
    assert read(f"{PIDS}/a/pids.max") == "30\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("max", "max\n"), ("0", "0\n"), ("100\n", "100\n"), ("-1", None), ("lots", None)],
)
def test_pids_max_values(kernel: SimulatedKernel, value: str, expected: str | None) -> None:
    os.mkdir(f"{PIDS}/a")
    if expected is None:
        with pytest.raises(OSError) as exc:
            write(f"{PIDS}/a/pids.max", value)
        assert exc.value.errno == errno.EINVAL
        assert read(f"{PIDS}/a/pids.max") == "max\n"
    else:
        write(f"{PIDS}/a/pids.max", value)
        assert read(f"{PIDS}/a/pids.max") == expected


def test_memory_limit_parses_suffixes_and_refuses_the_root(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/memory/a")
    write(f"{CG}/memory/a/memory.limit_in_bytes", "64M")
    assert read(f"{CG}/memory/a/memory.limit_in_bytes") == f"{64 * 1024 * 1024}\n"
    with pytest.raises(OSError) as exc:
        write(f"{CG}/memory/memory.limit_in_bytes", "64M")
    assert exc.value.errno == errno.EINVAL


def test_cpu_quota_rules(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/cpu/a")
    write(f"{CG}/cpu/a/cpu.cfs_quota_us", "50000")
    assert read(f"{CG}/cpu/a/cpu.cfs_quota_us") == "50000\n"
    for path, value in [("a/cpu.cfs_quota_us", "10"), ("cpu.cfs_quota_us", "50000")]:
        with pytest.raises(OSError) as exc:
            write(f"{CG}/cpu/{path}", value)
        assert exc.value.errno == errno.EINVAL


def test_cpuset_without_cpus_refuses_tasks_with_enospc(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/cpuset/a")
    pid = kernel.spawn_process("sh")
    assert read(f"{CG}/cpuset/a/cpuset.cpus") == "\n"
    with pytest.raises(OSError) as exc:
        write(f"{CG}/cpuset/a/cgroup.procs", str(pid))
    assert exc.value.errno == errno.ENOSPC
    write(f"{CG}/cpuset/a/cpuset.cpus", read(f"{CG}/cpuset/cpuset.cpus"))
    write(f"{CG}/cpuset/a/cpuset.mems", read(f"{CG}/cpuset/cpuset.mems"))
    write(f"{CG}/cpuset/a/cgroup.procs", str(pid))
    assert kernel.cgroup_pids("cpuset", "/a") == [pid]


def test_cpuset_clone_children_copies_the_parent(kernel: SimulatedKernel) -> None:
    write(f"{CG}/cpuset/cgroup.clone_children", "1")
    os.mkdir(f"{CG}/cpuset/a")
    assert read(f"{CG}/cpuset/a/cpuset.cpus") == "0-1\n"
    with pytest.raises(OSError) as exc:
        write(f"{CG}/cpuset/a/cpuset.cpus", "0-5")
    assert exc.value.errno == errno.EINVAL


def test_a_host_whose_cpuset_root_clones_children() -> None:
    with booted_kernel(Topology(cpuset_clone_children=True)) as kernel:
        assert read(f"{CG}/cpuset/cgroup.clone_children") == "1\n"
        os.makedirs(f"{CG}/cpuset/a/b")
        assert read(f"{CG}/cpuset/a/b/cpuset.mems") == "0\n"
        pid = kernel.spawn_process("sh")
        write(f"{CG}/cpuset/a/b/cgroup.procs", str(pid))
        assert kernel.cgroup_pids("cpuset", "/a/b") == [pid]


def test_notify_on_release_is_inherited(kernel: SimulatedKernel) -> None:
    write(f"{PIDS}/notify_on_release", "1")
    os.mkdir(f"{PIDS}/a")
    assert read(f"{PIDS}/a/notify_on_release") == "1\n"
