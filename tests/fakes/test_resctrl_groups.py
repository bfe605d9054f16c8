"""resctrl groups against reference §1.1, §1.8–1.13: MON groups and RMIDs, tasks, cpus, modes,
pseudo-locking, initial allocation, mon_data, unmount and remount."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.fakes import ResctrlTopology
from harness.fakes import SimulatedKernel
from harness.fakes import Topology
from harness.fakes import booted_kernel
from harness.fakes.topology import MbaTopology
from harness.fakes.topology import MonitoringTopology
from tests.fakes._io import RESCTRL
from tests.fakes._io import read
from tests.fakes._io import write

STATUS = f"{RESCTRL}/info/last_cmd_status"
MON = MonitoringTopology(num_rmids=4)


@contextmanager
def rdt(num_cpus: int = 4, **fields: Any) -> Iterator[SimulatedKernel]:
    """A host with ``num_cpus`` CPUs whose ResctrlTopology has ``fields``."""
    topo = ResctrlTopology(**fields)
    with booted_kernel(Topology(resctrl=topo, num_cpus=num_cpus)) as kernel:
        yield kernel


def fails(action: Callable[[], object], err: int) -> str:
    """Run ``action()``, expect OSError ``err``, return last_cmd_status."""
    __tracebackhide__ = True
    with pytest.raises(OSError) as exc:
        action()
    assert exc.value.errno == err
    return read(STATUS)


# -- monitoring layout ------------------------------------------------------------------------
def test_monitoring_layout() -> None:
    with rdt(monitoring=MON):
        assert read(f"{RESCTRL}/info/L3_MON/num_rmids") == "4\n"
        assert read(f"{RESCTRL}/info/L3_MON/mon_features") == (
            "llc_occupancy\nmbm_total_bytes\nmbm_local_bytes\n"
        )
        assert os.listdir(f"{RESCTRL}/mon_groups") == []
        assert sorted(os.listdir(f"{RESCTRL}/mon_data")) == ["mon_L3_00", "mon_L3_01"]
        assert read(f"{RESCTRL}/mon_data/mon_L3_01/llc_occupancy") == "0\n"
        os.mkdir(f"{RESCTRL}/g")
        assert {"mon_data", "mon_groups", "schemata", "tasks"} <= set(os.listdir(f"{RESCTRL}/g"))
        os.mkdir(f"{RESCTRL}/g/mon_groups/m")
        assert set(os.listdir(f"{RESCTRL}/g/mon_groups/m")) == {
            "cpus",
            "cpus_list",
            "tasks",
            "mon_data",
        }
        flags = read("/proc/cpuinfo")
        assert all(
            f in flags for f in ("cqm_llc", "cqm_occup_llc", "cqm_mbm_total", "cqm_mbm_local")
        )


def test_ctrl_mon_counters_sum_their_mon_groups() -> None:
    with rdt(monitoring=MON) as k:
        os.mkdir(f"{RESCTRL}/g")
        os.mkdir(f"{RESCTRL}/g/mon_groups/m")
        fs = k.resctrl
        assert fs is not None
        g, m = fs.groups["/g"], fs.groups["/g/mon_groups/m"]
        assert (g.rmid, m.rmid) == (1, 2)
        fs.counters[(1, 0, "mbm_local_bytes")] = 100
        fs.counters[(2, 0, "mbm_local_bytes")] = 23
        assert read(f"{RESCTRL}/g/mon_data/mon_L3_00/mbm_local_bytes") == "123\n"
        assert read(f"{RESCTRL}/g/mon_groups/m/mon_data/mon_L3_00/mbm_local_bytes") == "23\n"
        fs.counters[(2, 1, "mbm_total_bytes")] = "Unavailable"
        assert read(f"{RESCTRL}/g/mon_data/mon_L3_01/mbm_total_bytes") == "Unavailable\n"


def test_rmids_run_out() -> None:
    with rdt(monitoring=MON):
        os.mkdir(f"{RESCTRL}/g")
        os.mkdir(f"{RESCTRL}/mon_groups/a")
        os.mkdir(f"{RESCTRL}/g/mon_groups/b")
        assert fails(lambda: os.mkdir(f"{RESCTRL}/mon_groups/c"), errno.ENOSPC) == "Out of RMIDs\n"
        assert fails(lambda: os.mkdir(f"{RESCTRL}/h"), errno.ENOSPC) == "Out of RMIDs\n"
        assert not os.path.exists(f"{RESCTRL}/h")
        os.rmdir(f"{RESCTRL}/mon_groups/a")
        os.mkdir(f"{RESCTRL}/mon_groups/c")


@pytest.mark.parametrize(
    "path",
    ["g/x", "g/mon_groups/m/x", "mon_groups/mon_groups", "mon_data/x", "info/x", "info/L3/x"],
)
def test_mkdir_outside_root_and_mon_groups_is_eperm(path: str) -> None:
    with rdt(monitoring=MON):
        os.mkdir(f"{RESCTRL}/g")
        os.mkdir(f"{RESCTRL}/g/mon_groups/m")
        assert fails(lambda: os.mkdir(f"{RESCTRL}/{path}"), errno.EPERM) == "ok\n"


def test_mon_groups_need_monitoring() -> None:
    with rdt():
        os.mkdir(f"{RESCTRL}/mon_groups")  # only a CTRL_MON group with that name
        assert fails(lambda: os.mkdir(f"{RESCTRL}/mon_groups/x"), errno.EPERM) == "ok\n"


@pytest.mark.parametrize(
    "path",
    ["info", "info/L3", "info/L3_MON", "mon_groups", "mon_data", "mon_data/mon_L3_00",
     "g/mon_groups", "g/mon_data"],
)  # fmt: skip
def test_rmdir_of_kernel_dirs_is_eperm(path: str) -> None:
    with rdt(monitoring=MON):
        os.mkdir(f"{RESCTRL}/g")
        with pytest.raises(OSError) as exc:
            os.rmdir(f"{RESCTRL}/{path}")
        assert exc.value.errno == errno.EPERM
        assert os.path.isdir(f"{RESCTRL}/{path}")


# -- tasks ------------------------------------------------------------------------------------
def test_mon_group_tasks_and_rmdir_back_to_parent() -> None:
    with rdt(monitoring=MON) as kernel:
        os.mkdir(f"{RESCTRL}/g")
        os.mkdir(f"{RESCTRL}/g/mon_groups/m")
        a, b = kernel.spawn_process("a"), kernel.spawn_process("b")
        assert fails(lambda: write(f"{RESCTRL}/g/mon_groups/m/tasks", f"{a}\n"), errno.EINVAL) == (
            f"Can't move task to different control group\nError while processing task {a}\n"
        )
        write(f"{RESCTRL}/g/tasks", f"{a},{b}\n")
        write(f"{RESCTRL}/g/mon_groups/m/tasks", f"{a}\n")
        assert read(f"{RESCTRL}/g/mon_groups/m/tasks") == f"{a}\n"
        assert read(f"{RESCTRL}/g/tasks").split() == [str(a), str(b)]  # CLOSID match
        os.rmdir(f"{RESCTRL}/g/mon_groups/m")
        proc = kernel.process(a)
        assert proc is not None and proc.resctrl_group == "/g"
        os.mkdir(f"{RESCTRL}/g/mon_groups/m2")
        write(f"{RESCTRL}/g/mon_groups/m2/tasks", f"{b}\n")
        os.rmdir(f"{RESCTRL}/g")  # MON groups go with it, their tasks to the default group
        assert read(f"{RESCTRL}/tasks").split() == [str(a), str(b)]
        assert os.listdir(f"{RESCTRL}/mon_groups") == []


def test_root_mon_group_moves() -> None:
    with rdt(monitoring=MON) as kernel:
        os.mkdir(f"{RESCTRL}/mon_groups/m")
        pid = kernel.spawn_process("p")
        write(f"{RESCTRL}/mon_groups/m/tasks", f"{pid}\n")
        assert read(f"{RESCTRL}/mon_groups/m/tasks") == f"{pid}\n"
        assert read(f"{RESCTRL}/tasks") == f"{pid}\n"
        child = kernel.fork(pid)
        assert read(f"{RESCTRL}/mon_groups/m/tasks").split() == [str(pid), str(child)]


def test_pid_zero_moves_the_writer(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    write(f"{RESCTRL}/g/tasks", "0\n")
    assert read(STATUS) == "ok\n"
    assert kernel.resctrl is not None and kernel.resctrl.writer_group == "/g"
    os.rmdir(f"{RESCTRL}/g")
    assert kernel.resctrl.writer_group == "/"


def test_tasks_hex_pid_and_stop_at_first_missing(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    a, b = kernel.spawn_process("a"), kernel.spawn_process("b")
    assert fails(lambda: write(f"{RESCTRL}/g/tasks", f"{hex(a)},4242,{b}\n"), errno.ESRCH) == (
        "No task 4242\nError while processing task 4242\n"
    )
    assert read(f"{RESCTRL}/g/tasks") == f"{a}\n"


def test_old_kernels_take_one_pid() -> None:
    with rdt(era="5.x") as kernel:
        os.mkdir(f"{RESCTRL}/g")
        a, b = kernel.spawn_process("a"), kernel.spawn_process("b")
        assert fails(lambda: write(f"{RESCTRL}/g/tasks", "4242\n"), errno.ESRCH) == "No task 4242\n"
        # a parse error returns before the status is cleared: the old text stays
        assert fails(lambda: write(f"{RESCTRL}/g/tasks", f"{a},{b}\n"), errno.EINVAL) == (
            "No task 4242\n"
        )
        assert fails(lambda: write(f"{RESCTRL}/g/tasks", "-3\n"), errno.EINVAL) == "No task 4242\n"
        write(f"{RESCTRL}/g/tasks", f" {a}\n")
        assert read(f"{RESCTRL}/g/tasks") == f"{a}\n"
        assert read(STATUS) == "ok\n"


# -- cpus -------------------------------------------------------------------------------------
def test_cpus_move_between_groups() -> None:
    with rdt(num_cpus=4):
        assert read(f"{RESCTRL}/cpus") == "f\n"
        assert read(f"{RESCTRL}/cpus_list") == "0-3\n"
        os.mkdir(f"{RESCTRL}/g")
        assert read(f"{RESCTRL}/g/cpus") == "0\n"
        write(f"{RESCTRL}/g/cpus_list", "1,3\n")
        assert read(f"{RESCTRL}/g/cpus") == "a\n"
        assert read(f"{RESCTRL}/cpus_list") == "0,2\n"
        write(f"{RESCTRL}/g/cpus", "2\n")  # 3 dropped -> default group
        assert read(f"{RESCTRL}/cpus_list") == "0,2-3\n"
        os.rmdir(f"{RESCTRL}/g")
        assert read(f"{RESCTRL}/cpus_list") == "0-3\n"


@pytest.mark.parametrize(
    ("file", "payload", "status"),
    [
        ("g/cpus_list", "x\n", "Bad CPU list/mask\n"),
        ("g/cpus_list", "3-1\n", "Bad CPU list/mask\n"),
        ("g/cpus", "1g\n", "Bad CPU list/mask\n"),
        ("g/cpus_list", "0-4\n", "Can only assign online CPUs\n"),
        ("g/cpus", "10\n", "Can only assign online CPUs\n"),
        ("cpus", "7\n", "Can't drop CPUs from default group\n"),
    ],
)
def test_cpus_errors(file: str, payload: str, status: str) -> None:
    with rdt(num_cpus=4):
        os.mkdir(f"{RESCTRL}/g")
        assert fails(lambda: write(f"{RESCTRL}/{file}", payload), errno.EINVAL) == status
        assert read(f"{RESCTRL}/cpus") == "f\n"


def test_mon_group_cpus_must_belong_to_the_parent() -> None:
    with rdt(num_cpus=4, monitoring=MON):
        os.mkdir(f"{RESCTRL}/g")
        os.mkdir(f"{RESCTRL}/g/mon_groups/m")
        write(f"{RESCTRL}/g/cpus_list", "0-1\n")
        assert fails(lambda: write(f"{RESCTRL}/g/mon_groups/m/cpus_list", "2\n"), errno.EINVAL) == (
            "Can only add CPUs to mongroup that belong to parent\n"
        )
        write(f"{RESCTRL}/g/mon_groups/m/cpus_list", "1\n")
        assert read(f"{RESCTRL}/g/mon_groups/m/cpus_list") == "1\n"


# -- modes, exclusive and pseudo-locked regions ---------------------------------------------------
def test_new_group_takes_free_bits_never_exclusive_ones() -> None:
    with rdt(cbm_mask=0xFF, min_cbm_bits=2, cache_ids=(0,), shareable_bits=0xC0):
        write(f"{RESCTRL}/schemata", "L3:0=c0\n")
        os.mkdir(f"{RESCTRL}/a")
        assert read(f"{RESCTRL}/a/schemata") == "L3:0=ff\n"
        write(f"{RESCTRL}/a/schemata", "L3:0=3f\n")
        write(f"{RESCTRL}/a/mode", "exclusive\n")
        assert read(f"{RESCTRL}/info/L3/bit_usage") == "0=XXEEEEEE\n"
        os.mkdir(f"{RESCTRL}/b")
        assert read(f"{RESCTRL}/b/schemata") == "L3:0=c0\n"  # shareable bits + default's
        assert fails(lambda: write(f"{RESCTRL}/b/mode", "exclusive\n"), errno.EINVAL) == (
            "Schemata overlaps\n"
        )
        assert fails(lambda: write(f"{RESCTRL}/b/schemata", "L3:0=1\n"), errno.EINVAL) == (
            "Need at least 2 bits in the mask\n"
        )
        assert fails(lambda: write(f"{RESCTRL}/b/schemata", "L3:0=3\n"), errno.EINVAL) == (
            "Overlaps with exclusive group\n"
        )


def test_no_space_for_a_new_group() -> None:
    with rdt(cbm_mask=0xF, min_cbm_bits=2, cache_ids=(0,)):
        write(f"{RESCTRL}/schemata", "L3:0=3\n")
        os.mkdir(f"{RESCTRL}/a")
        write(f"{RESCTRL}/a/schemata", "L3:0=c\n")
        write(f"{RESCTRL}/a/mode", "exclusive\n")
        write(f"{RESCTRL}/mode", "exclusive\n")
        assert fails(lambda: os.mkdir(f"{RESCTRL}/b"), errno.ENOSPC) == "No space on L3:0\n"
        assert not os.path.exists(f"{RESCTRL}/b")
        write(f"{RESCTRL}/mode", "shareable\n")
        os.mkdir(f"{RESCTRL}/b")
        assert read(f"{RESCTRL}/b/schemata") == "L3:0=3\n"


def test_exclusive_group_refuses_other_groups_bits(kernel: SimulatedKernel) -> None:
    write(f"{RESCTRL}/schemata", "L3:0=7f0;1=7f0\n")
    os.mkdir(f"{RESCTRL}/g")
    write(f"{RESCTRL}/g/schemata", "L3:0=f;1=f\n")
    write(f"{RESCTRL}/g/mode", "exclusive\n")
    assert fails(lambda: write(f"{RESCTRL}/g/schemata", "L3:0=1f\n"), errno.EINVAL) == (
        "Overlaps with other group\n"
    )
    write(f"{RESCTRL}/g/mode", "exclusive\n")  # same mode: a no-op
    assert read(STATUS) == "ok\n"
    assert fails(lambda: write(f"{RESCTRL}/g/mode", "exclusive"), errno.EINVAL) == "ok\n"


def test_pseudo_locking() -> None:
    with rdt(pseudo_locking=True) as kernel:
        write(f"{RESCTRL}/schemata", "L3:0=7f0;1=7f0\n")
        assert fails(lambda: write(f"{RESCTRL}/mode", "pseudo-locksetup\n"), errno.EINVAL) == (
            "Cannot pseudo-lock default group\n"
        )
        os.mkdir(f"{RESCTRL}/p")
        pid = kernel.spawn_process("x")
        write(f"{RESCTRL}/p/tasks", f"{pid}\n")
        assert fails(lambda: write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n"), errno.EINVAL) == (
            "Tasks assigned to resource group\n"
        )
        write(f"{RESCTRL}/tasks", f"{pid}\n")
        # the kernel makes tasks unopenable in locksetup; a handle opened before still writes
        fd = os.open(f"{RESCTRL}/p/tasks", os.O_WRONLY)
        write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n")
        assert read(f"{RESCTRL}/p/schemata") == "L3:uninitialized\n"
        assert read(f"{RESCTRL}/p/size") == "L3:0=0;1=0\n"
        try:
            assert fails(lambda: os.write(fd, f"{pid}\n".encode()), errno.EINVAL) == (
                "Pseudo-locking in progress\n"
            )
        finally:
            os.close(fd)
        write(f"{RESCTRL}/p/schemata", "L3:1=3;0=3\n")  # only the first domain counts
        assert read(f"{RESCTRL}/p/mode") == "pseudo-locked\n"
        assert read(f"{RESCTRL}/p/schemata") == "L3:1=3\n"
        assert read(f"{RESCTRL}/info/L3/bit_usage") == "0=SSSSSSS0000;1=SSSSSSS00PP\n"
        assert fails(lambda: write(f"{RESCTRL}/p/schemata", "L3:1=3\n"), errno.EINVAL) == (
            "Resource group is pseudo-locked\n"
        )
        assert fails(lambda: write(f"{RESCTRL}/schemata", "L3:1=7fe\n"), errno.EINVAL) == (
            "CBM overlaps with pseudo-locked region\n"
        )
        assert fails(lambda: write(f"{RESCTRL}/p/mode", "shareable\n"), errno.EINVAL) == (
            "Cannot change pseudo-locked group\n"
        )
        os.mkdir(f"{RESCTRL}/q")  # the locked group's CLOSID is free again
        assert read(f"{RESCTRL}/q/schemata") == "L3:0=7ff;1=7fc\n"
        write(f"{RESCTRL}/q/schemata", "L3:0=3;1=c\n")
        write(f"{RESCTRL}/q/mode", "pseudo-locksetup\n")
        assert fails(lambda: write(f"{RESCTRL}/q/schemata", "L3:1=c\n"), errno.EINVAL) == (
            "Pseudo-locked region in hierarchy\n"
        )
        assert fails(lambda: write(f"{RESCTRL}/q/schemata", "MB:1=10\n"), errno.EINVAL) == (
            "Unknown or unsupported resource name 'MB'\n"
        )


def test_locksetup_refusals_in_order() -> None:
    with rdt(cdp=True, pseudo_locking=True):
        os.mkdir(f"{RESCTRL}/p")
        assert fails(lambda: write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n"), errno.EINVAL) == (
            "CDP enabled\n"
        )
    with rdt():
        os.mkdir(f"{RESCTRL}/p")
        assert fails(lambda: write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n"), errno.EINVAL) == (
            "Unknown or unsupported mode\n"
        )
        assert fails(lambda: write(f"{RESCTRL}/p/mode", "pseudo-locked\n"), errno.EINVAL) == (
            "Unknown or unsupported mode\n"
        )
    with rdt(pseudo_locking=True, mba=MbaTopology(), monitoring=MON):
        os.mkdir(f"{RESCTRL}/p")
        os.mkdir(f"{RESCTRL}/p/mon_groups/m")
        assert fails(lambda: write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n"), errno.EINVAL) == (
            "Monitoring in progress\n"
        )
        os.rmdir(f"{RESCTRL}/p/mon_groups/m")
        write(f"{RESCTRL}/p/cpus_list", "1\n")
        assert fails(lambda: write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n"), errno.EINVAL) == (
            "CPUs assigned to resource group\n"
        )
        write(f"{RESCTRL}/p/cpus_list", "\n")
        write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n")
        assert fails(lambda: write(f"{RESCTRL}/p/schemata", "MB:0=50\n"), errno.EINVAL) == (
            "Cannot pseudo-lock MBA resource\n"
        )
        assert fails(lambda: os.mkdir(f"{RESCTRL}/p/mon_groups/m"), errno.EINVAL) == (
            "Pseudo-locking in progress\n"
        )
        write(f"{RESCTRL}/p/mode", "shareable\n")


# -- mount lifecycle ---------------------------------------------------------------------------
def test_unmount_resets_everything_and_remount_with_cdp() -> None:
    with rdt(cdp_capable=True, monitoring=MON) as kernel:
        os.mkdir(f"{RESCTRL}/g")
        os.mkdir(f"{RESCTRL}/g/mon_groups/m")
        pid = kernel.spawn_process("p")
        write(f"{RESCTRL}/g/tasks", f"{pid}\n")
        write(f"{RESCTRL}/schemata", "L3:0=f\n")
        kernel.unmount_resctrl()
        assert os.listdir(RESCTRL) == []
        assert " - resctrl " not in read("/proc/self/mountinfo")
        proc = kernel.process(pid)
        assert proc is not None and proc.resctrl_group == "/"
        with pytest.raises(OSError) as exc:
            kernel.unmount_resctrl()
        assert exc.value.errno == errno.EINVAL
        kernel.mount_resctrl(cdp=True)
        assert "L3CODE" in os.listdir(f"{RESCTRL}/info")
        assert read(f"{RESCTRL}/schemata") == "L3DATA:0=7ff;1=7ff\nL3CODE:0=7ff;1=7ff\n"
        assert read(f"{RESCTRL}/tasks") == f"{pid}\n"
        assert read(STATUS) == "ok\n"
        with pytest.raises(OSError) as exc:
            kernel.mount_resctrl()
        assert exc.value.errno == errno.EBUSY
        kernel.unmount_resctrl()
        kernel.mount_resctrl()
        assert read(f"{RESCTRL}/schemata") == "    L3:0=7ff;1=7ff\n"


@pytest.mark.parametrize(
    ("fields", "options"),
    [
        ({}, {"cdp": True}),
        ({"mba": MbaTopology()}, {"mba_MBps": True}),
        ({"mba": MbaTopology(delay_linear=False), "monitoring": MON}, {"mba_MBps": True}),
    ],
)
def test_mount_options_need_hardware(fields: dict[str, object], options: dict[str, bool]) -> None:
    with rdt(**fields) as kernel:
        kernel.unmount_resctrl()
        with pytest.raises(OSError) as exc:
            kernel.mount_resctrl(**options)
        assert exc.value.errno == errno.EINVAL
        assert os.listdir(RESCTRL) == []


def test_max_threshold_occupancy() -> None:
    with rdt(monitoring=MON):
        path = f"{RESCTRL}/info/L3_MON/max_threshold_occupancy"
        write(path, "0x1000\n")
        assert read(path) == "4096\n"
        assert fails(lambda: write(path, f"{(11 << 20) + 1}\n"), errno.EINVAL) == "ok\n"


def test_stale_group_handle_is_enodev(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    fd = os.open(f"{RESCTRL}/g/schemata", os.O_WRONLY)
    try:
        os.rmdir(f"{RESCTRL}/g")
        with pytest.raises(OSError) as exc:
            os.write(fd, b"L3:0=f\n")
        assert exc.value.errno == errno.ENODEV
    finally:
        try:
            os.close(fd)
        except OSError:
            pass


def test_v4_group_texts() -> None:
    with rdt(era="4.x", num_closids=2) as kernel:
        os.mkdir(f"{RESCTRL}/a")
        assert fails(lambda: os.mkdir(f"{RESCTRL}/b"), errno.ENOSPC) == "out of CLOSIDs\n"
        write(f"{RESCTRL}/a/schemata", "L3:0=f\n")
        assert fails(lambda: write(f"{RESCTRL}/a/mode", "exclusive\n"), errno.EINVAL) == (
            "schemata overlaps\n"
        )
        assert fails(lambda: write(f"{RESCTRL}/a/mode", "x\n"), errno.EINVAL) == (
            "unknown/unsupported mode\n"
        )
        pid = kernel.spawn_process("p")
        write(f"{RESCTRL}/a/tasks", f"{pid}\n")
        assert read(f"{RESCTRL}/a/tasks") == f"{pid}\n"


# -- rename, debug, locksetup permissions --------------------------------------------------------
def test_mon_group_moves_to_another_control_group() -> None:
    with rdt(monitoring=MON) as kernel:
        os.mkdir(f"{RESCTRL}/a")
        os.mkdir(f"{RESCTRL}/b")
        os.mkdir(f"{RESCTRL}/a/mon_groups/m")
        pid = kernel.spawn_process("p")
        write(f"{RESCTRL}/a/tasks", f"{pid}\n")
        write(f"{RESCTRL}/a/mon_groups/m/tasks", f"{pid}\n")
        os.rename(f"{RESCTRL}/a/mon_groups/m", f"{RESCTRL}/b/mon_groups/n")
        assert read(STATUS) == "ok\n"
        assert not os.path.exists(f"{RESCTRL}/a/mon_groups/m")
        assert read(f"{RESCTRL}/b/mon_groups/n/tasks") == f"{pid}\n"
        assert read(f"{RESCTRL}/b/tasks") == f"{pid}\n"  # it took b's CLOSID
        assert read(f"{RESCTRL}/a/tasks") == ""


DESTINATION = "Destination must be a mon_groups subdirectory\n"


@pytest.mark.parametrize(
    ("src", "dst", "status"),
    [
        ("a", "c", "Source must be a MON group\n"),
        ("a/mon_groups/m", "c", DESTINATION),
        ("a/mon_groups/m", "a/mon_groups/mon_groups", DESTINATION),
        ("a/tasks", "mon_groups/t", "Source and destination must be directories"),
    ],
)  # fmt: skip
def test_rename_refusals(src: str, dst: str, status: str) -> None:
    with rdt(monitoring=MON):
        os.mkdir(f"{RESCTRL}/a")
        os.mkdir(f"{RESCTRL}/a/mon_groups/m")
        assert fails(lambda: os.rename(f"{RESCTRL}/{src}", f"{RESCTRL}/{dst}"), errno.EPERM) == (
            status
        )
        assert os.path.exists(f"{RESCTRL}/{src}")


def test_rename_of_a_mon_group_with_cpus_and_on_old_kernels() -> None:
    with rdt(monitoring=MON):
        os.mkdir(f"{RESCTRL}/a")
        os.mkdir(f"{RESCTRL}/a/mon_groups/m")
        write(f"{RESCTRL}/a/cpus_list", "1\n")
        write(f"{RESCTRL}/a/mon_groups/m/cpus_list", "1\n")
        assert fails(
            lambda: os.rename(f"{RESCTRL}/a/mon_groups/m", f"{RESCTRL}/mon_groups/m"), errno.EPERM
        ) == ("Cannot move a MON group that monitors CPUs\n")
        os.rename(f"{RESCTRL}/a/mon_groups/m", f"{RESCTRL}/a/mon_groups/renamed")
        assert read(f"{RESCTRL}/a/mon_groups/renamed/cpus_list") == "1\n"
    with rdt(monitoring=MON, era="5.x"):
        os.mkdir(f"{RESCTRL}/mon_groups/m")
        assert fails(
            lambda: os.rename(f"{RESCTRL}/mon_groups/m", f"{RESCTRL}/mon_groups/n"), errno.EPERM
        ) == ("ok\n")


def test_debug_mount_shows_hardware_ids() -> None:
    with rdt(monitoring=MON) as kernel:
        kernel.unmount_resctrl()
        kernel.mount_resctrl(debug=True)
        assert " - resctrl resctrl rw,debug" in read("/proc/self/mountinfo")
        os.mkdir(f"{RESCTRL}/a")
        os.mkdir(f"{RESCTRL}/a/mon_groups/m")
        assert read(f"{RESCTRL}/a/ctrl_hw_id") == "1\n"
        assert read(f"{RESCTRL}/a/mon_groups/m/mon_hw_id") == "2\n"
        assert "ctrl_hw_id" not in os.listdir(f"{RESCTRL}/a/mon_groups/m")


def test_locksetup_makes_tasks_and_cpus_unopenable() -> None:
    with rdt(pseudo_locking=True):
        write(f"{RESCTRL}/schemata", "L3:0=7f0;1=7f0\n")
        os.mkdir(f"{RESCTRL}/p")
        write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n")
        for name in ("tasks", "cpus", "cpus_list"):
            with pytest.raises(OSError) as exc:
                write(f"{RESCTRL}/p/{name}", "0\n")
            assert exc.value.errno == errno.EACCES
            with pytest.raises(OSError) as exc:
                read(f"{RESCTRL}/p/{name}")
            assert exc.value.errno == errno.EACCES
        write(f"{RESCTRL}/p/mode", "shareable\n")
        write(f"{RESCTRL}/p/cpus_list", "1\n")
        assert read(f"{RESCTRL}/p/cpus_list") == "1\n"
        write(f"{RESCTRL}/p/cpus_list", "\n")
        write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n")
        write(f"{RESCTRL}/p/schemata", "L3:0=3\n")
        with pytest.raises(OSError) as exc:
            read(f"{RESCTRL}/p/tasks")
        assert exc.value.errno == errno.EACCES


def test_rmids_are_reused_least_recently_freed_first() -> None:
    with rdt(monitoring=MonitoringTopology(num_rmids=5)) as kernel:
        for name in ("a", "b", "c"):
            os.mkdir(f"{RESCTRL}/mon_groups/{name}")
        os.rmdir(f"{RESCTRL}/mon_groups/a")  # rmid 1 to the tail, after the never-used 4
        os.mkdir(f"{RESCTRL}/mon_groups/d")
        fs = kernel.resctrl
        assert fs is not None
        assert fs.groups["/mon_groups/d"].rmid == 4
        os.mkdir(f"{RESCTRL}/mon_groups/e")
        assert fs.groups["/mon_groups/e"].rmid == 1


def test_busy_rmids_wait_in_limbo() -> None:
    with rdt(monitoring=MonitoringTopology(num_rmids=3)) as kernel:
        fs = kernel.resctrl
        assert fs is not None
        os.mkdir(f"{RESCTRL}/mon_groups/a")
        os.mkdir(f"{RESCTRL}/mon_groups/b")
        fs.counters[(1, 0, "llc_occupancy")] = 2 << 20  # above the 1 MiB threshold
        os.rmdir(f"{RESCTRL}/mon_groups/a")
        assert fails(lambda: os.mkdir(f"{RESCTRL}/mon_groups/c"), errno.EBUSY) == ("Out of RMIDs\n")
        fs.counters[(1, 0, "llc_occupancy")] = 4096
        os.mkdir(f"{RESCTRL}/mon_groups/c")
        assert fs.groups["/mon_groups/c"].rmid == 1


def test_locksetup_gives_up_the_rmid() -> None:
    with rdt(monitoring=MonitoringTopology(num_rmids=3), pseudo_locking=True) as kernel:
        fs = kernel.resctrl
        assert fs is not None
        write(f"{RESCTRL}/schemata", "L3:0=7f0;1=7f0\n")
        os.mkdir(f"{RESCTRL}/p")
        write(f"{RESCTRL}/p/mode", "pseudo-locksetup\n")
        assert fs.groups["/p"].rmid is None
        os.mkdir(f"{RESCTRL}/mon_groups/a")
        os.mkdir(f"{RESCTRL}/mon_groups/b")  # p's RMID was free
        with pytest.raises(OSError) as exc:
            write(f"{RESCTRL}/p/mode", "shareable\n")
        assert exc.value.errno == errno.ENOSPC
        assert read(f"{RESCTRL}/p/mode") == "pseudo-locksetup\n"
        os.rmdir(f"{RESCTRL}/mon_groups/a")
        write(f"{RESCTRL}/p/mode", "shareable\n")
        assert fs.groups["/p"].rmid is not None


def test_mounting_a_host_booted_without_resctrl_mounted() -> None:
    with booted_kernel(Topology(resctrl_mounted=False)) as kernel:
        assert os.listdir(RESCTRL) == []
        kernel.mount_resctrl()
        assert read(f"{RESCTRL}/schemata") == "L3:0=7ff;1=7ff\n"
        assert " - resctrl resctrl rw\n" in read("/proc/self/mountinfo")
    with booted_kernel(Topology(resctrl=None)) as kernel:
        with pytest.raises(OSError) as exc:
            kernel.mount_resctrl()
        assert exc.value.errno == errno.ENODEV
