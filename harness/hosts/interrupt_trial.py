"""One interrupted run, measured: start ``rtgate run`` in a fresh interpreter, signal it once
its tests run, and say what it exited with, what its report says and what it left on the
host.  For the interrupt tests and for reliability scripts (``bench/reliability.py``)::

    from harness.hosts.interrupt_trial import interrupt_run

    trial = interrupt_run("group-term", ["--host", "real", "--subject", "oci:runc"],
                          at_s=random.uniform(0, 20))
    assert trial.clean, trial.describe()

What is left is looked for twice: by the leftovers finder ``rtgate cleanup`` uses (names of the
run's pid), and independently of it, in every process's cgroup paths (a name of the run) and
environment (a mark the trial gives the run, which its processes inherit).  Only the run this
starts is ever signalled: its pid, or its own process group.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from typing import Literal

from harness.hosts.leftovers import find_leftovers
from harness.hosts.leftovers import owned_by

__all__ = ["SIGNAL_KINDS", "InterruptTrial", "SignalKind", "interrupt_run", "marked_processes"]

#: how a trial stops the run: SIGINT or SIGTERM to its process, the same twice in a row
#: (a double Ctrl-C), or to its whole process group (a terminal's Ctrl-C, a CI job's timeout)
SignalKind = Literal["int", "term", "double-int", "double-term", "group-int", "group-term"]
SIGNAL_KINDS: tuple[SignalKind, ...] = (
    "int", "term", "double-int", "double-term", "group-int", "group-term",
)  # fmt: skip
#: the environment variable that marks the trial's processes
MARK_VARIABLE = "RTGATE_TRIAL"
#: pytest's progress line once a test of a module has ended: the tests are running
_RUNNING = re.compile(r"^\S+\.py [.sxXFE]", re.MULTILINE)
_POLL_S = 0.02


@dataclasses.dataclass(frozen=True, slots=True)
class InterruptTrial:
    """What one interrupted run did and left."""

    kind: SignalKind
    #: the pid of the run (its names are ``rtgate-<pid>-...``)
    run_pid: int
    #: seconds after its tests started running that the signal was sent (None: never; the
    #: run ended, or never got to its tests, first)
    signalled_at_s: float | None
    exit_code: int
    #: stdout and stderr, interleaved
    output: str
    #: compliance.json as the run left it (None: none was written)
    report: dict[str, Any] | None
    #: what the leftovers finder found of this run (``rtgate cleanup --dry-run``'s lines)
    leftovers: tuple[str, ...]
    #: live processes marked as the run's: ``<pid> <comm>: <why>``
    processes: tuple[str, ...]
    #: the trial's mark in the environment of the run's processes
    mark: str

    @property
    def clean(self) -> bool:
        """Nothing of the run is left on the host."""
        return not self.leftovers and not self.processes

    def remove_leftovers(self) -> list[str]:
        """Remove what the run left (so the next trial starts clean): what the finder finds
        of it now, and the processes that carry the trial's mark; what could not be."""
        from harness.hosts.leftovers import remove_leftovers

        for line in marked_processes(self.run_pid, self.mark):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split()[0]), signal.SIGKILL)
        return remove_leftovers(find_leftovers().owned_by(self.run_pid))

    def describe(self) -> str:
        """The trial in a few lines, for a failing assertion or a reliability log."""
        complete = None if self.report is None else self.report["run"]["complete"]
        lines = [
            f"{self.kind} at {self.signalled_at_s}: exit {self.exit_code}, report complete"
            f" {complete}",
            *self.leftovers,
            *self.processes,
            *self.output.splitlines()[-8:],
        ]
        return "\n".join(lines)


def interrupt_run(
    kind: SignalKind,
    run_args: list[str] | tuple[str, ...] = (),
    *,
    at_s: float = 0.0,
    report_dir: str | os.PathLike[str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    deadline_s: float = 600.0,
) -> InterruptTrial:
    """Run ``rtgate run <run_args>``, send ``kind`` ``at_s`` seconds after its first test
    started, wait for it to end, and look at what it left.

    Raises:
        subprocess.TimeoutExpired: the run did not end within ``deadline_s`` (it is killed).
    """
    out_dir = Path(report_dir) if report_dir else Path(tempfile.mkdtemp(prefix="rtgate-trial."))
    out_dir.mkdir(parents=True, exist_ok=True)
    mark = uuid.uuid4().hex
    log = out_dir / "trial.log"
    argv = [sys.executable, "-m", "rtgate", "run", "--report-dir", str(out_dir), *run_args]
    env = {**os.environ, MARK_VARIABLE: mark}
    with open(log, "w+b") as sink:
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, rtgate's own command
            argv, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            when = _signal_when_running(proc, kind, log, at_s, time.monotonic() + deadline_s)
            code = proc.wait(timeout=deadline_s)
        except BaseException:
            _kill_group(proc)
            raise
    return InterruptTrial(
        kind=kind,
        run_pid=proc.pid,
        signalled_at_s=when,
        exit_code=code,
        output=log.read_text(errors="replace"),
        report=_report(out_dir / "compliance.json"),
        leftovers=tuple(find_leftovers().owned_by(proc.pid).describe()),
        processes=tuple(marked_processes(proc.pid, mark)),
        mark=mark,
    )


def _signal_when_running(
    proc: subprocess.Popen[bytes], kind: SignalKind, log: Path, at_s: float, deadline: float
) -> float | None:
    """Wait until a test runs, then ``at_s`` more, then signal; None if the run ended first."""
    while not _RUNNING.search(log.read_text(errors="replace")):
        if proc.poll() is not None:
            return None
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(proc.args, deadline)
        time.sleep(_POLL_S)
    started = time.monotonic()
    while time.monotonic() - started < at_s:
        if proc.poll() is not None:
            return None
        time.sleep(_POLL_S)
    signum = signal.SIGTERM if kind.endswith("term") else signal.SIGINT
    for _ in range(2 if kind.startswith("double") else 1):
        if proc.poll() is not None:
            break
        if kind.startswith("group"):
            os.killpg(proc.pid, signum)  # the run's own group: start_new_session above
        else:
            proc.send_signal(signum)
    return round(time.monotonic() - started, 3)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run's own process group, and reap the run."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _report(path: Path) -> dict[str, Any] | None:
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded


def marked_processes(run_pid: int, mark: str | None = None) -> list[str]:
    """Live processes that are the run's by their cgroups (a path with one of its names) or,
    given ``mark``, by the trial's mark in their environment; independent of the leftovers
    finder.  ``<pid> <comm>: <why>`` each."""
    found = []
    needle = f"{MARK_VARIABLE}={mark}".encode() if mark else None
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        why = _why_marked(int(name), run_pid, needle)
        if why:
            found.append(f"{name} {_comm(int(name))}: {why}")
    return found


def _why_marked(pid: int, run_pid: int, needle: bytes | None) -> str | None:
    try:
        with open(f"/proc/{pid}/cgroup", encoding="utf-8") as f:
            groups = [line.rstrip("\n").split(":", 2)[-1] for line in f]
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            if f.read().rpartition(")")[2].split()[:1] in (["Z"], ["X"]):
                return None  # gone but for its exit status
        environ = b""
        if needle is not None:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read()
    except OSError:
        return None
    inside = [g for g in groups if owned_by(g, run_pid)]
    if inside:
        return f"in cgroup {inside[0]}"
    if needle is not None and needle in environ.split(b"\0"):
        return f"marked {MARK_VARIABLE} in its environment"
    return None


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return "?"
