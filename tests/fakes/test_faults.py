"""The fault plan (nth/count, any path, every op) and the audit log."""

from __future__ import annotations

import errno
import os
import signal

import pytest

from harness.fakes import FaultPlan
from harness.fakes import KernelOp
from harness.fakes import SimulatedKernel
from harness.hosts.simulated_system import SimulatedSystem
from tests.fakes._io import read
from tests.fakes._io import write

PIDS = "/sys/fs/cgroup/pids"


def _errnos(action: object, times: int) -> list[int | None]:
    results: list[int | None] = []
    for i in range(times):
        try:
            action(i)  # type: ignore[operator]
            results.append(None)
        except OSError as exc:
            results.append(exc.errno)
    return results


def test_nth_and_count_select_the_failing_occurrences(kernel: SimulatedKernel) -> None:
    kernel.faults.fail("mkdir", "/run/c*", errno.EIO, nth=2, count=2)
    outcome = _errnos(lambda i: os.mkdir(f"/run/c{i}"), 5)
    assert outcome == [None, errno.EIO, errno.EIO, None, None]
    assert [f.path for f in kernel.faults.fired] == ["/run/c1", "/run/c2"]
    assert not os.path.exists("/run/c1")


def test_count_none_fails_every_later_occurrence(kernel: SimulatedKernel) -> None:
    kernel.faults.fail("mkdir", "/run/*", errno.ENOSPC, nth=3, count=None)
    outcome = _errnos(lambda i: os.mkdir(f"/run/d{i}"), 5)
    assert outcome == [None, None, errno.ENOSPC, errno.ENOSPC, errno.ENOSPC]


def test_clear_disarms_but_keeps_history(kernel: SimulatedKernel) -> None:
    kernel.faults.fail("mkdir", "/run/x", errno.EIO, count=None)
    with pytest.raises(OSError):
        os.mkdir("/run/x")
    kernel.faults.clear()
    os.mkdir("/run/x")
    assert len(kernel.faults.fired) == 1
    assert kernel.faults.armed == ()


def test_cgroup_rmdir_fault_wins_over_the_model(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    kernel.faults.fail("rmdir", f"{PIDS}/a", errno.EBUSY)
    with pytest.raises(OSError) as exc:
        os.rmdir(f"{PIDS}/a")
    assert exc.value.errno == errno.EBUSY
    os.rmdir(f"{PIDS}/a")  # only the first occurrence failed


def test_unlink_and_rmdir_of_the_state_dir(kernel: SimulatedKernel) -> None:
    os.makedirs("/run/rt/c1")
    with open("/run/rt/c1/state.json", "w") as f:
        f.write("{}")
    kernel.faults.fail("unlink", "/run/rt/*/state.json", errno.EROFS)
    kernel.faults.fail("rmdir", "/run/rt/c1", errno.EACCES)
    with pytest.raises(OSError) as exc:
        os.unlink("/run/rt/c1/state.json")
    assert exc.value.errno == errno.EROFS
    os.unlink("/run/rt/c1/state.json")
    with pytest.raises(OSError) as exc:
        os.rmdir("/run/rt/c1")
    assert exc.value.errno == errno.EACCES


def test_open_faults_on_kernel_and_regular_files(kernel: SimulatedKernel) -> None:
    with open("/run/file", "w") as f:
        f.write("x")
    kernel.faults.fail("open", "/run/file", errno.EMFILE)
    kernel.faults.fail("open", "/proc/self/mountinfo", errno.ENOMEM)
    with pytest.raises(OSError) as exc:
        read("/run/file")
    assert exc.value.errno == errno.EMFILE
    with pytest.raises(OSError) as exc:
        read("/proc/self/mountinfo")
    assert exc.value.errno == errno.ENOMEM
    assert read("/run/file") == "x"


def test_write_faults_on_kernel_files(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    kernel.faults.fail("write", f"{PIDS}/*/pids.max", errno.EIO)
    with pytest.raises(OSError) as exc:
        write(f"{PIDS}/a/pids.max", "5")
    assert exc.value.errno == errno.EIO
    assert read(f"{PIDS}/a/pids.max") == "max\n"  # the model never saw it
    write(f"{PIDS}/a/pids.max", "5")
    assert read(f"{PIDS}/a/pids.max") == "5\n"


def test_write_faults_on_regular_files(kernel: SimulatedKernel) -> None:
    kernel.faults.fail("write", "/run/*.json", errno.ENOSPC)
    with pytest.raises(OSError) as exc:
        write("/run/state.json", "{}")
    assert exc.value.errno == errno.ENOSPC
    write("/run/state.json", "{}")
    assert read("/run/state.json") == "{}"


def test_chmod_faults_fail_a_chmod_but_not_the_mode_open_gives(kernel: SimulatedKernel) -> None:
    kernel.faults.fail("chmod", "/run/fifo*", errno.EPERM, count=None)
    fd = os.open("/run/fifo", os.O_CREAT | os.O_WRONLY, 0o644)  # pyfakefs chmods inside open
    os.close(fd)
    with pytest.raises(OSError) as exc:
        os.chmod("/run/fifo", 0o622)
    assert exc.value.errno == errno.EPERM
    assert oct(os.stat("/run/fifo").st_mode & 0o777) == oct(0o644 & ~kernel.fs.umask)
    assert KernelOp("chmod", "/run/fifo", None, errno.EPERM) in kernel.log


def test_the_log_records_ops_payloads_and_errnos(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{PIDS}/a")
    pid = kernel.spawn_process("sh")
    write(f"{PIDS}/a/cgroup.procs", str(pid))
    with pytest.raises(OSError):
        write(f"{PIDS}/a/cgroup.procs", "junk")
    assert KernelOp("mkdir", f"{PIDS}/a") in kernel.log
    assert KernelOp("write", f"{PIDS}/a/cgroup.procs", str(pid).encode()) in kernel.log
    assert KernelOp("write", f"{PIDS}/a/cgroup.procs", b"junk", errno.EINVAL) in kernel.log
    assert kernel.log.count(KernelOp("open", f"{PIDS}/a/cgroup.procs")) == 2


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("chown", "/x", errno.EIO), {}),
        (("mkdir", "relative", errno.EIO), {}),
        (("mkdir", "/x", 0), {}),
        (("mkdir", "/x", errno.EIO), {"nth": 0}),
        (("mkdir", "/x", errno.EIO), {"count": 0}),
    ],
)
def test_bad_faults_are_rejected(args: tuple[str, str, int], kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be"):
        FaultPlan().fail(*args, **kwargs)  # type: ignore[arg-type]


def test_kill_faults_fail_the_signal_and_deliver_nothing(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("sleeper")
    kernel.faults.fail("kill", f"/proc/{pid}", errno.ESRCH)
    with pytest.raises(OSError) as exc:
        kernel.deliver_signal(pid, signal.SIGKILL)
    assert exc.value.errno == errno.ESRCH
    assert kernel.process(pid) is not None and kernel.process(pid).state != "zombie"
    assert kernel.log[-1] == KernelOp("kill", f"/proc/{pid}", None, errno.ESRCH)
    kernel.deliver_signal(pid, signal.SIGKILL)  # only the first occurrence failed
    assert kernel.process(pid).state == "zombie"


def test_opendir_fails_a_listing_but_not_an_rmdir(kernel: SimulatedKernel) -> None:
    os.mkdir("/run/d")
    kernel.faults.fail("opendir", "/run/d", errno.EACCES, count=None)
    with pytest.raises(OSError) as exc:
        list(os.scandir("/run/d"))
    assert exc.value.errno == errno.EACCES
    with pytest.raises(OSError):
        os.listdir("/run/d")
    os.rmdir("/run/d")  # rmdir's own directory check is no listing
    assert not os.path.exists("/run/d")


def test_mknod_fails_a_fifo(kernel: SimulatedKernel) -> None:
    kernel.faults.fail("mknod", "/run/fifo", errno.ENOSPC)
    with pytest.raises(OSError) as exc:
        SimulatedSystem(kernel).mkfifo("/run/fifo", 0o622)
    assert exc.value.errno == errno.ENOSPC
    assert not os.path.exists("/run/fifo")
    assert [(op.op, op.errno) for op in kernel.log if op.path == "/run/fifo"] == [
        ("mknod", errno.ENOSPC)
    ]


def test_lstat_fails_before_the_lookup_and_stat_is_untouched(kernel: SimulatedKernel) -> None:
    kernel.faults.fail("lstat", "/run/gone", errno.ENOMEM)
    assert not os.path.exists("/run/gone")  # stat(2): no fault of its own
    with pytest.raises(OSError) as exc:
        os.lstat("/run/gone")
    assert exc.value.errno == errno.ENOMEM
    with pytest.raises(FileNotFoundError):
        os.lstat("/run/gone")  # the fault fired once; the path is missing
    assert [(op.op, op.errno) for op in kernel.log if op.path == "/run/gone"] == [
        ("lstat", errno.ENOMEM)
    ]


def test_lstat_fails_the_path_itself_only(kernel: SimulatedKernel) -> None:
    os.makedirs("/run/l/sub")
    kernel.faults.fail("lstat", "/run/l", errno.EIO, count=None)
    with pytest.raises(OSError) as exc:
        os.lstat("/run/l")
    assert exc.value.errno == errno.EIO
    assert os.stat("/run/l").st_ino  # a stat that follows symlinks is no lstat
    assert [e.name for e in os.scandir("/run")] == ["l"]  # nor a listing of its parent
    assert os.lstat("/run/l/sub").st_ino  # nor an lstat of what lies below it
    looks = [(op.op, op.errno) for op in kernel.log if op.path == "/run/l" and op.op != "mkdir"]
    assert looks == [("lstat", errno.EIO)]
