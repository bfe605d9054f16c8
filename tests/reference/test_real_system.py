"""RealSystem, the reference's way to real processes and hook programs, on this machine's kernel.

Only processes these tests start are signalled or waited for.  Nothing sleeps a fixed time:
waits are on the process or polls of /proc with a deadline.
"""

from __future__ import annotations

import errno
import os
import signal
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest

from reference_impl.system import ProcessSpec
from reference_impl.system import RealSystem
from reference_impl.system import read_proc_stat

DEADLINE_S = 10.0


@pytest.fixture
def system() -> Iterator[RealSystem]:
    real = RealSystem()
    yield real
    for pid in list(real._children):  # kill what this test started, nothing else
        try:
            real.signal(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        real.wait(pid, timeout=DEADLINE_S)


def poll(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {DEADLINE_S} s waiting for {what}")
        time.sleep(0.005)


def test_spawned_process_shows_in_proc_with_a_start_time(system: RealSystem) -> None:
    pid = system.spawn(ProcessSpec(args=("sleep", "60")))
    stat = system.proc_stat(pid)
    assert stat.pid == pid
    assert stat.state in ("R", "S")
    assert stat.start_time > 0
    assert not stat.is_zombie_or_dead


def test_sigkill_ends_the_process_and_wait_returns_its_status(system: RealSystem) -> None:
    pid = system.spawn(ProcessSpec(args=("sleep", "60")))
    assert system.wait(pid, timeout=0.01) is None, "a live process is not reaped"
    system.signal(pid, signal.SIGKILL)
    assert system.wait(pid, timeout=DEADLINE_S) == -signal.SIGKILL


def test_an_exited_child_is_a_zombie_until_reaped(system: RealSystem) -> None:
    pid = system.spawn(ProcessSpec(args=("true",)))
    system.exec_program(pid)
    poll(lambda: system.proc_stat(pid).is_zombie_or_dead, f"pid {pid} to exit")
    assert system.proc_stat(pid).state == "Z"
    assert system.wait(pid, timeout=DEADLINE_S) == 0
    with pytest.raises(FileNotFoundError):
        system.proc_stat(pid)


def test_waiting_for_a_process_that_is_not_a_child_is_echild(system: RealSystem) -> None:
    with pytest.raises(OSError) as info:
        system.wait(os.getpid(), timeout=0)
    assert info.value.errno == errno.ECHILD


def test_init_blocks_on_the_exec_fifo_until_it_is_read(system: RealSystem, tmp_path: Path) -> None:
    fifo = str(tmp_path / "exec.fifo")
    system.mkfifo(fifo, 0o622)
    pid = system.spawn(ProcessSpec(args=("sleep", "60"), exec_fifo=fifo))
    cmdline = Path(f"/proc/{pid}/cmdline")
    assert b"sleep" not in cmdline.read_bytes().split(b"\0")[0], "init ran before start"
    assert system.read_fifo(fifo) == b"0\n"
    poll(lambda: cmdline.read_bytes().split(b"\0")[0] == b"sleep", "init to exec its program")


def test_hook_reads_stdin_and_its_exit_status_and_output_are_kept(system: RealSystem) -> None:
    script = 'read state; echo "got $state"; echo oops >&2; exit 3'
    result = system.run_hook(
        "/bin/sh", ("sh", "-c", script), ("A=1",), b'{"id":"x"}\n', timeout=DEADLINE_S
    )
    assert (result.exit_code, result.stdout, result.stderr, result.timed_out) == (
        3,
        'got {"id":"x"}\n',
        "oops\n",
        False,
    )


def test_hook_gets_exactly_the_given_environment(system: RealSystem) -> None:
    result = system.run_hook("/usr/bin/env", (), ("A=1", "B=two"), b"", timeout=DEADLINE_S)
    assert sorted(result.stdout.split()) == ["A=1", "B=two"]


def test_hook_past_its_timeout_is_killed(system: RealSystem) -> None:
    result = system.run_hook("/bin/sleep", ("sleep", "60"), (), b"", timeout=0.1)
    assert result.timed_out
    assert result.exit_code is None


def test_proc_stat_parses_a_command_name_with_spaces_and_parentheses(fs: object) -> None:
    fields = ["S", "1"] + ["0"] * 17 + ["4242"] + ["0"] * 20
    Path("/proc/77").mkdir(parents=True)
    Path("/proc/77/stat").write_text("77 (a) b (c)) " + " ".join(fields) + "\n")
    stat = read_proc_stat(77)
    assert (stat.state, stat.start_time) == ("S", 4242)


def test_proc_stat_refuses_a_file_without_the_kernels_format(fs: object) -> None:
    Path("/proc/78").mkdir(parents=True)
    Path("/proc/78/stat").write_text("78 no-parenthesis S 1\n")
    with pytest.raises(ValueError, match="malformed"):
        read_proc_stat(78)


def test_a_process_execs_its_program_only_once_let(system: RealSystem) -> None:
    """A process started in a running container waits, as runc's init does for its lookup,
    so a program that is not there fails the lookup and not the spawn."""
    pid = system.spawn(ProcessSpec(args=("/no/such/program",)))
    assert system.wait(pid, timeout=0.05) is None, "the process ran before it was let"
    with pytest.raises(FileNotFoundError):
        system.exec_stat(pid, "/no/such/program")
    pid = system.spawn(ProcessSpec(args=("true",), env=("PATH=/usr/bin:/bin",)))
    system.exec_program(pid)
    assert system.wait(pid, timeout=DEADLINE_S) == 0


def test_exec_stat_resolves_in_the_process_view(system: RealSystem, tmp_path: Path) -> None:
    (tmp_path / "prog").write_text("#!/bin/sh\n")
    (tmp_path / "prog").chmod(0o644)
    pid = system.spawn(ProcessSpec(args=("true",), cwd=str(tmp_path)))
    assert system.exec_stat(pid, "prog").st_mode & 0o777 == 0o644, "relative: from its cwd"
    assert system.exec_stat(pid, str(tmp_path / "prog")).st_ino == (tmp_path / "prog").stat().st_ino
    with pytest.raises(NotADirectoryError):
        system.exec_stat(pid, "prog/x")
