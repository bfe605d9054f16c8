"""SimulatedSystem honours the reference runtime's System contract on the simulated kernel."""

from __future__ import annotations

import errno
import os
import signal
import stat
from collections.abc import Iterator

import pytest

from harness.errors import FakeKernelError
from harness.fakes import HookProgram
from harness.fakes import ProgramRun
from harness.fakes import SimulatedKernel
from harness.fakes import booted_kernel
from harness.hosts.simulated_system import RUNC_INIT
from harness.hosts.simulated_system import SimulatedSystem
from reference_impl.system import ProcessSpec
from reference_impl.system import System


@pytest.fixture
def kernel() -> Iterator[SimulatedKernel]:
    """A default host (cgroup v1, resctrl mounted) patched in for the test."""
    with booted_kernel() as k:
        yield k


@pytest.fixture
def system(kernel: SimulatedKernel) -> SimulatedSystem:
    return SimulatedSystem(kernel)


def test_it_is_a_system(system: SimulatedSystem) -> None:
    assert isinstance(system, System)


def test_spawn_runs_init_that_writes_the_exec_fifo(
    system: SimulatedSystem, kernel: SimulatedKernel
) -> None:
    os.makedirs("/run/c")
    system.mkfifo("/run/c/exec.fifo", 0o622)
    assert stat.S_ISFIFO(os.stat("/run/c/exec.fifo").st_mode)
    pid = system.spawn(
        ProcessSpec(args=("/usr/bin/sleep", "1"), exec_fifo="/run/c/exec.fifo", namespaces=("pid",))
    )
    proc = kernel.process(pid)
    assert proc is not None and proc.comm == "sleep" and proc.pidns == pid
    assert system.read_fifo("/run/c/exec.fifo") == b"0"
    assert system.read_fifo("/run/c/exec.fifo") == b""  # a pipe is drained by reading


def test_mkfifo_errors(system: SimulatedSystem) -> None:
    system.mkfifo("/run/f", 0o600)
    with pytest.raises(OSError) as exc:
        system.mkfifo("/run/f", 0o600)
    assert exc.value.errno == errno.EEXIST
    with pytest.raises(OSError) as exc:
        system.mkfifo("/run/missing/f", 0o600)
    assert exc.value.errno == errno.ENOENT
    with pytest.raises(OSError) as exc:
        system.read_fifo("/run/none")
    assert exc.value.errno == errno.ENOENT


def test_wait_and_proc_stat(system: SimulatedSystem, kernel: SimulatedKernel) -> None:
    pid = system.spawn(ProcessSpec(args=("sh",)))
    before = system.monotonic()
    assert system.wait(pid, timeout=1.5) is None
    assert system.monotonic() == before + 1.5
    assert system.proc_stat(pid).state == "S"
    system.signal(pid, signal.SIGKILL)
    assert system.proc_stat(pid).is_zombie_or_dead
    assert system.wait(pid) == -signal.SIGKILL
    with pytest.raises(OSError) as exc:
        system.wait(pid)
    assert exc.value.errno == errno.ECHILD
    with pytest.raises(OSError):
        system.proc_stat(pid)


def test_wait_without_timeout_on_a_live_child_is_a_harness_error(
    system: SimulatedSystem,
) -> None:
    pid = system.spawn(ProcessSpec(args=("sh",)))
    with pytest.raises(FakeKernelError):
        system.wait(pid)


def test_wait_for_a_grandchild_is_echild(system: SimulatedSystem, kernel: SimulatedKernel) -> None:
    pid = system.spawn(ProcessSpec(args=("sh",)))
    child = kernel.fork(pid)
    with pytest.raises(OSError) as exc:
        system.wait(child, timeout=1)
    assert exc.value.errno == errno.ECHILD


def test_signal_to_a_missing_pid_is_esrch(system: SimulatedSystem) -> None:
    with pytest.raises(OSError) as exc:
        system.signal(4242, signal.SIGTERM)
    assert exc.value.errno == errno.ESRCH


def test_hooks_exit_and_record_their_runs(system: SimulatedSystem, kernel: SimulatedKernel) -> None:
    program = kernel.programs.install("/hooks/prestart", HookProgram.exit(3, "out", "err"))
    assert os.access("/hooks/prestart", os.X_OK)
    assert kernel.programs.get("/hooks/prestart") is program
    kernel.clock.advance(1)
    result = system.run_hook("/hooks/prestart", ("prestart", "x"), ("A=1",), b"{}", 5.0)
    assert (result.exit_code, result.stdout, result.stderr, result.timed_out) == (
        3,
        "out",
        "err",
        False,
    )
    assert program.runs == [ProgramRun(("prestart", "x"), ("A=1",), b"{}", 1001.0)]


def test_a_hanging_hook_times_out_on_the_virtual_clock(
    system: SimulatedSystem, kernel: SimulatedKernel
) -> None:
    program = kernel.programs.install("/hooks/hang", HookProgram.hang())
    start = system.monotonic()
    result = system.run_hook("/hooks/hang", (), (), b"", 2.0)
    assert result.timed_out and result.exit_code is None
    assert system.monotonic() == start + 2.0
    with pytest.raises(FakeKernelError):
        system.run_hook("/hooks/hang", (), (), b"", None)
    assert len(program.runs) == 2


def test_a_missing_hook_is_enoent(system: SimulatedSystem) -> None:
    with pytest.raises(OSError) as exc:
        system.run_hook("/hooks/none", (), (), b"", 1.0)
    assert exc.value.errno == errno.ENOENT


def test_sleep_advances_the_clock(system: SimulatedSystem) -> None:
    start = system.monotonic()
    system.sleep(0.25)
    assert system.monotonic() == start + 0.25
    with pytest.raises(ValueError, match="cannot go back"):
        system.sleep(-1)


def test_the_programs_of_containers_are_executable_files(system: SimulatedSystem) -> None:
    for path in ("/bin/sh", "/bin/sleep"):
        assert stat.S_ISREG(os.stat(path).st_mode) and os.stat(path).st_mode & 0o111, path


def test_exec_stat_resolves_from_the_process_cwd(
    system: SimulatedSystem, kernel: SimulatedKernel
) -> None:
    pid = system.spawn(ProcessSpec(args=("/bin/sleep", "1"), cwd="/bin"))
    assert system.exec_stat(pid, "sleep").st_mode & 0o111
    assert system.exec_stat(pid, "/bin/sh").st_mode & 0o111
    with pytest.raises(FileNotFoundError):
        system.exec_stat(pid, "/no/such")
    system.exec_program(pid)
    kernel.exit_process(pid, 0)
    with pytest.raises(OSError) as info:
        system.exec_stat(pid, "/bin/sh")
    assert info.value.errno == errno.ESRCH


def _cmdline(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [item.decode() for item in f.read().split(b"\0")[:-1]]


def test_a_process_without_an_exec_fifo_is_runc_init_until_it_execs(
    system: SimulatedSystem, kernel: SimulatedKernel
) -> None:
    """runc's init for a process in a running container execs the program only once its
    lookup passed; until then /proc shows runc's own init."""
    spec = ProcessSpec(args=("/bin/sleep", "9"), env=("A=1",), cwd="/tmp")
    pid = system.spawn(spec)
    assert _cmdline(pid) == list(RUNC_INIT)
    assert os.readlink(f"/proc/{pid}/cwd") == "/tmp"
    system.exec_program(pid)
    assert _cmdline(pid) == ["/bin/sleep", "9"]
    with open(f"/proc/{pid}/environ", "rb") as f:
        assert f.read() == b"A=1\0"
    process = kernel.process(pid)
    assert process is not None and process.comm == "sleep"
    with pytest.raises(FakeKernelError, match="not spawned here to exec"):
        system.exec_program(pid)  # it already exec'd


def test_an_init_is_its_program_from_its_spawn_and_never_execs_again(
    system: SimulatedSystem,
) -> None:
    os.makedirs("/run/c", exist_ok=True)
    system.mkfifo("/run/c/exec.fifo", 0o622)
    pid = system.spawn(ProcessSpec(args=("/bin/sleep", "9"), exec_fifo="/run/c/exec.fifo"))
    assert _cmdline(pid) == ["/bin/sleep", "9"]
    with pytest.raises(FakeKernelError, match="not spawned here to exec"):
        system.exec_program(pid)
