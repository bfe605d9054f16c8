"""The command line of an API subject: ``reference_impl.cli`` driving the subject's factory.

On a simulated host each command runs in process, and the host is told when it is over (as when
a runc process exits, the processes it started live on under the host's init).  On a real host
each command is a program of its own (``python -m reference_impl.cli``), as runc's are.  Every
command is recorded with its exit code, output and duration for the report.
"""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
import time
from typing import Any

from harness.subjects.base import ApiSubject
from reference_impl import cli as reference_cli

__all__ = ["CommandResult", "SubjectCli"]

#: a command that runs longer than this is stopped and recorded as timed out
COMMAND_TIMEOUT_S = 60.0


@dataclasses.dataclass(frozen=True, slots=True)
class CommandResult:
    """One command as it ran."""

    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False

    def describe(self) -> str:
        """``argv`` -> exit code and the end of stderr, for assertion messages."""
        tail = self.stderr.strip().splitlines()[-1:] or [""]
        return f"`{' '.join(self.argv)}` exited {self.exit_code}: {tail[0]}"


class SubjectCli:
    """runc-style commands over an API subject on one host."""

    def __init__(self, subject: ApiSubject, host: Any, profile: str) -> None:
        self.subject = subject
        self.host = host
        self.profile = profile
        self.records: list[CommandResult] = []

    def __call__(self, *argv: str) -> CommandResult:
        full = ("--root", self.host.state_root, "--profile", self.profile, *argv)
        start = time.monotonic()
        if self.host.name == "simulated":
            out, err = io.StringIO(), io.StringIO()
            code = reference_cli.main(
                list(full),
                system=self.host.system,
                new_factory=self.subject.make_factory,
                stdout=out,
                stderr=err,
            )
            result = CommandResult(argv, code, out.getvalue(), err.getvalue(), 0.0)
        else:
            result = self._program(argv, full)
        self.host.runtime_exited()  # the command's process is over: its orphans are reaped
        result = dataclasses.replace(result, duration_s=time.monotonic() - start)
        self.records.append(result)
        return result

    def _program(self, argv: tuple[str, ...], full: tuple[str, ...]) -> CommandResult:
        factory = () if self.subject.name == "reference" else (
            "--factory", self.subject.name.removeprefix("python:")
        )  # fmt: skip
        command = [sys.executable, "-m", "reference_impl.cli", *factory, *full]
        proc = subprocess.Popen(  # noqa: S603 - our own program
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + COMMAND_TIMEOUT_S
        while True:
            # While it runs, what it kills must be reaped as an init would, or a killed
            # process stays a zombie that signal 0 still finds.
            self.host.runtime_exited(waited_for=proc.pid)
            try:
                out, err = proc.communicate(timeout=0.01)
                return CommandResult(argv, proc.returncode, out, err, 0.0)
            except subprocess.TimeoutExpired:
                if time.monotonic() < deadline:
                    continue
            proc.kill()
            out, err = proc.communicate()
            return CommandResult(argv, -1, out, err, COMMAND_TIMEOUT_S, timed_out=True)

    def state(self, cid: str) -> dict[str, Any] | None:
        """The OCI state of ``cid``, or None when ``state`` fails."""
        result = self("state", cid)
        if result.exit_code != 0:
            return None
        try:
            parsed = json.loads(result.stdout)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def status(self, cid: str) -> str | None:
        state = self.state(cid)
        return None if state is None else str(state.get("status"))
