"""resctrl against reference §1.2–1.13: layout, groups, CLOSIDs, tasks, schemata texts."""

from __future__ import annotations

import errno
import os

import pytest

from harness.fakes import ResctrlTopology
from harness.fakes import SimulatedKernel
from harness.fakes import Topology
from harness.fakes import booted_kernel
from tests.fakes._io import RESCTRL
from tests.fakes._io import read
from tests.fakes._io import write

STATUS = f"{RESCTRL}/info/last_cmd_status"


def test_layout_and_info_formats(kernel: SimulatedKernel) -> None:
    assert {"cpus", "cpus_list", "mode", "schemata", "size", "tasks", "info"} <= set(
        os.listdir(RESCTRL)
    )
    assert read(f"{RESCTRL}/info/L3/cbm_mask") == "7ff\n"
    assert read(f"{RESCTRL}/info/L3/min_cbm_bits") == "1\n"
    assert read(f"{RESCTRL}/info/L3/num_closids") == "16\n"
    assert read(f"{RESCTRL}/info/L3/shareable_bits") == "0\n"
    assert read(STATUS) == "ok\n"
    assert read(f"{RESCTRL}/schemata") == "L3:0=7ff;1=7ff\n"
    assert read(f"{RESCTRL}/cpus_list") == "0-1\n"
    assert read(f"{RESCTRL}/mode") == "shareable\n"
    assert read(f"{RESCTRL}/size") == f"L3:0={11 * 1024 * 1024};1={11 * 1024 * 1024}\n"


def test_mount_line_and_cpu_flag(kernel: SimulatedKernel) -> None:
    mounts = read("/proc/self/mountinfo").splitlines()
    line = next(m for m in mounts if " - resctrl " in m)
    assert line.split()[4] == RESCTRL
    assert line.endswith(" - resctrl resctrl rw")
    flag_lines = [x for x in read("/proc/cpuinfo").splitlines() if x.startswith("flags")]
    assert len(flag_lines) == 2
    assert all("cat_l3" in x.split(":", 1)[1].split() for x in flag_lines)


def test_unmounted_resctrl_has_an_empty_mount_point() -> None:
    with booted_kernel(Topology(resctrl_mounted=False)) as kernel:
        assert os.listdir(RESCTRL) == []
        assert " - resctrl " not in read("/proc/self/mountinfo")
        assert "cat_l3" in read("/proc/cpuinfo")
        with pytest.raises(OSError) as exc:
            os.mkdir(f"{RESCTRL}/g")
        assert exc.value.errno == errno.EPERM
        assert kernel.resctrl is None


def test_no_rdt_means_no_flag_and_no_mount_point() -> None:
    with booted_kernel(Topology(resctrl=None)):
        assert not os.path.exists(RESCTRL)
        assert "cat_l3" not in read("/proc/cpuinfo")
        assert " - resctrl " not in read("/proc/self/mountinfo")


def test_mkdir_makes_a_ctrl_mon_group(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    assert {"cpus", "cpus_list", "mode", "schemata", "size", "tasks"} == set(
        os.listdir(f"{RESCTRL}/g")
    )
    assert read(f"{RESCTRL}/g/schemata") == "L3:0=7ff;1=7ff\n"
    assert read(f"{RESCTRL}/g/tasks") == ""
    assert read(f"{RESCTRL}/g/cpus_list") == "\n"
    assert kernel.resctrl is not None and kernel.resctrl.groups["/g"].closid == 1


def test_closids_run_out_and_are_reused(kernel: SimulatedKernel) -> None:
    for i in range(15):
        os.mkdir(f"{RESCTRL}/g{i}")
    with pytest.raises(OSError) as exc:
        os.mkdir(f"{RESCTRL}/one-too-many")
    assert exc.value.errno == errno.ENOSPC
    assert read(STATUS) == "Out of CLOSIDs\n"
    assert not os.path.exists(f"{RESCTRL}/one-too-many")
    os.rmdir(f"{RESCTRL}/g3")
    assert read(STATUS) == "ok\n"  # rmdir is a command: it clears the status
    os.mkdir(f"{RESCTRL}/again")
    assert kernel.resctrl is not None and kernel.resctrl.groups["/again"].closid == 4


def test_small_closid_space() -> None:
    with booted_kernel(Topology(resctrl=ResctrlTopology(num_closids=2))):
        os.mkdir(f"{RESCTRL}/only")
        with pytest.raises(OSError) as exc:
            os.mkdir(f"{RESCTRL}/second")
        assert exc.value.errno == errno.ENOSPC


@pytest.mark.parametrize("path", ["g/nested", "info/x", "info/L3/x"])
def test_mkdir_outside_the_root_is_eperm(kernel: SimulatedKernel, path: str) -> None:
    os.mkdir(f"{RESCTRL}/g")
    with pytest.raises(OSError) as exc:
        os.mkdir(f"{RESCTRL}/{path}")
    assert exc.value.errno == errno.EPERM


def test_mkdir_existing_and_newline(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    with pytest.raises(OSError) as exc:
        os.mkdir(f"{RESCTRL}/g")
    assert exc.value.errno == errno.EEXIST
    with pytest.raises(OSError) as exc:
        os.mkdir(f"{RESCTRL}/a\nb")
    assert exc.value.errno == errno.EINVAL


@pytest.mark.parametrize(
    ("path", "err"),
    [("info", errno.EPERM), ("info/L3", errno.EPERM), ("", errno.EBUSY)],
)
def test_rmdir_of_kernel_dirs_fails(kernel: SimulatedKernel, path: str, err: int) -> None:
    with pytest.raises(OSError) as exc:
        os.rmdir(f"{RESCTRL}/{path}".rstrip("/"))
    assert exc.value.errno == err


def test_rmdir_with_tasks_sends_them_to_the_default_group(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    pid = kernel.spawn_process("sh")
    write(f"{RESCTRL}/g/tasks", f"{pid}\n")
    assert read(f"{RESCTRL}/g/tasks") == f"{pid}\n"
    assert str(pid) not in read(f"{RESCTRL}/tasks").split()
    os.rmdir(f"{RESCTRL}/g")
    assert not os.path.exists(f"{RESCTRL}/g")
    assert read(f"{RESCTRL}/tasks") == f"{pid}\n"
    proc = kernel.process(pid)
    assert proc is not None and proc.resctrl_group == "/"


def test_tasks_write_of_a_missing_pid(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    with pytest.raises(OSError) as exc:
        write(f"{RESCTRL}/g/tasks", "4242")
    assert exc.value.errno == errno.ESRCH
    assert read(STATUS) == "No task 4242\nError while processing task 4242\n"


def test_tasks_write_parse_errors_and_lists(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    a, b = kernel.spawn_process("a"), kernel.spawn_process("b")
    write(f"{RESCTRL}/g/tasks", "\n")  # nothing to do
    assert read(STATUS) == "ok\n"
    write(f"{RESCTRL}/g/tasks", f"{a}, {b}\n")
    assert read(f"{RESCTRL}/g/tasks").split() == [str(a), str(b)]
    with pytest.raises(OSError) as exc:
        write(f"{RESCTRL}/tasks", "x1")
    assert exc.value.errno == errno.EINVAL
    assert read(STATUS) == "Task list parsing error pid x1\n"
    with pytest.raises(OSError) as exc:
        write(f"{RESCTRL}/tasks", f"{a},-5,{b}")
    assert read(STATUS) == "Invalid pid -5\n"
    assert read(f"{RESCTRL}/g/tasks").split() == [str(b)]  # a moved before the error


SCHEMATA_ERRORS = [
    ("L3\n", "Missing ':'\n"),
    ("L3:0=7ff\n\n", "Missing ':'\n"),
    ("L3:\n", "Missing 'L3' value\n"),
    ("MB:0=100\n", "Unknown or unsupported resource name 'MB'\n"),
    ("l3:0=7ff\n", "Unknown or unsupported resource name 'l3'\n"),
    ("L3:0\n", "Missing '=' or non-numeric domain\n"),
    ("L3:0=f; 1=f\n", "Missing '=' or non-numeric domain\n"),
    ("L3:x=f\n", "Missing '=' or non-numeric domain\n"),
    ("L3:7=f\n", "ok\n"),
    ("L3:0=f;0=3\n", "Duplicate domain 0\n"),
    ("L3:0=f\nL3:0=3\n", "Duplicate domain 0\n"),
    ("L3:0=fg\n", "Non-hex character in the mask fg\n"),
    ("L3:0=\n", "Non-hex character in the mask \n"),
    ("L3:0=0\n", "Mask out of range\n"),
    ("L3:0=fff\n", "Mask out of range\n"),
    ("L3:0=5\n", "The mask 5 has non-consecutive 1-bits\n"),
    ("L3:0=0x50f\n", "The mask 50f has non-consecutive 1-bits\n"),
]


@pytest.mark.parametrize(("payload", "status"), SCHEMATA_ERRORS)
def test_schemata_errors(kernel: SimulatedKernel, payload: str, status: str) -> None:
    os.mkdir(f"{RESCTRL}/g")
    write(f"{RESCTRL}/g/schemata", "L3:1=3\n")
    with pytest.raises(OSError) as exc:
        write(f"{RESCTRL}/g/schemata", payload)
    assert exc.value.errno == errno.EINVAL
    assert read(STATUS) == status
    assert read(f"{RESCTRL}/g/schemata") == "L3:0=7ff;1=3\n"  # nothing applied


def test_min_cbm_bits() -> None:
    with booted_kernel(Topology(resctrl=ResctrlTopology(min_cbm_bits=2))):
        with pytest.raises(OSError):
            write(f"{RESCTRL}/schemata", "L3:0=4\n")
        assert read(STATUS) == "Need at least 2 bits in the mask\n"
        write(f"{RESCTRL}/schemata", "L3:0=c\n")
        assert read(f"{RESCTRL}/schemata") == "L3:0=c;1=7ff\n"


def test_a_write_without_newline_keeps_the_old_status(kernel: SimulatedKernel) -> None:
    with pytest.raises(OSError):
        write(f"{RESCTRL}/schemata", "L3:0=5\n")
    with pytest.raises(OSError) as exc:
        write(f"{RESCTRL}/schemata", "L3:0=f")
    assert exc.value.errno == errno.EINVAL
    assert read(STATUS) == "The mask 5 has non-consecutive 1-bits\n"
    write(f"{RESCTRL}/schemata", "L3:0=f\n")
    assert read(STATUS) == "ok\n"


def test_schemata_applies_all_lines_and_keeps_omitted_domains(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    write(f"{RESCTRL}/g/schemata", "  L3:0=0x00f0;1=3;\n")
    assert read(f"{RESCTRL}/g/schemata") == "L3:0=f0;1=3\n"
    write(f"{RESCTRL}/g/schemata", "L3:1=7ff\n")
    assert read(f"{RESCTRL}/g/schemata") == "L3:0=f0;1=7ff\n"
    assert read(f"{RESCTRL}/g/size").startswith(f"L3:0={4 * 1024 * 1024};")


def test_exclusive_mode(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{RESCTRL}/g")
    with pytest.raises(OSError):
        write(f"{RESCTRL}/g/mode", "exclusive\n")
    assert read(STATUS) == "Schemata overlaps\n"
    write(f"{RESCTRL}/schemata", "L3:0=7f0;1=7f0\n")
    write(f"{RESCTRL}/g/schemata", "L3:0=f;1=f\n")
    write(f"{RESCTRL}/g/mode", "exclusive\n")
    assert read(f"{RESCTRL}/g/mode") == "exclusive\n"
    with pytest.raises(OSError):
        write(f"{RESCTRL}/schemata", "L3:0=7ff\n")
    assert read(STATUS) == "Overlaps with exclusive group\n"
    os.mkdir(f"{RESCTRL}/h")
    assert read(f"{RESCTRL}/h/schemata") == "L3:0=7f0;1=7f0\n"
    with pytest.raises(OSError):
        write(f"{RESCTRL}/g/mode", "weird\n")
    assert read(STATUS) == "Unknown or unsupported mode\n"


def test_resctrl_files_cannot_be_unlinked(kernel: SimulatedKernel) -> None:
    with pytest.raises(OSError) as exc:
        os.unlink(f"{RESCTRL}/schemata")
    assert exc.value.errno == errno.EPERM
    with pytest.raises(OSError) as exc:
        os.rename(f"{RESCTRL}/info", f"{RESCTRL}/x")
    assert exc.value.errno == errno.ENOENT  # rdtgroup_rename: info has no rdtgroup
    os.mkdir(f"{RESCTRL}/g")
    with pytest.raises(OSError) as exc:
        os.rename(f"{RESCTRL}/g", f"{RESCTRL}/h")
    assert exc.value.errno == errno.EPERM
    assert read(STATUS) == "Source must be a MON group\n"
    with pytest.raises(OSError) as exc:
        os.rename(f"{RESCTRL}/g", "/tmp/g")
    assert exc.value.errno == errno.EXDEV


def test_a_read_only_file_opened_for_writing_is_eacces_even_for_root(
    kernel: SimulatedKernel,
) -> None:
    """resctrl's kernfs root has KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK: the open itself fails
    (unlike cgroupfs, where the write is EINVAL)."""
    os.mkdir(f"{RESCTRL}/g")
    for path in (f"{RESCTRL}/info/L3/cbm_mask", f"{RESCTRL}/g/size"):
        with pytest.raises(OSError) as exc:
            os.open(path, os.O_WRONLY)
        assert exc.value.errno == errno.EACCES
