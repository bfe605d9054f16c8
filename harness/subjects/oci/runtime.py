"""A driver for any binary speaking the OCI runtime command line: runc, crun, a wrapper.

Every command goes through :meth:`OciRuntime._run`, which passes ``--root`` (so that a run's
containers are kept apart from everyone else's), stops the command at its own timeout, and
appends a :class:`CommandRecord` to :attr:`OciRuntime.records` for the report.  A command that
fails is a record with its exit code, not an exception: whether failing was right is the
scenario's question.  Only what makes the runtime impossible to drive raises:

::

    SubjectError                    (harness.errors)
     +-- RuntimeMissing             the binary is not there or cannot be executed
     +-- OciCommandError            a command whose output the driver needs failed
          +-- StatusTimeout         wait_for_status ran out of time

A command's stdout and stderr go to unlinked temporary files, not pipes: ``create`` and
``run --detach`` hand their stdio to the container's process, which would hold a pipe open for
as long as it lives.  Each command runs in a process group of its own and is waited for without
polling; at its timeout its whole process group is killed
(:mod:`harness.subjects.oci.process_group`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import AbstractContextManager
from contextlib import contextmanager
from contextlib import nullcontext
from typing import IO
from typing import Any

from harness.errors import SubjectError
from harness.subjects.oci.process_group import OWN_GROUP
from harness.subjects.oci.process_group import wait_or_kill_group

__all__ = [
    "CommandRecord",
    "OciCommandError",
    "OciRuntime",
    "OciTimeouts",
    "RuntimeMissing",
    "RuntimeVersion",
    "StatusTimeout",
]

#: how much of a command's stderr a record keeps (its end)
STDERR_TAIL = 2048
#: how much of a command's stdout a record keeps (its start: state JSON is small)
STDOUT_KEEP = 64 * 1024
#: polling of ``state`` starts this often and slows down to _POLL_MAX_S
_POLL_FIRST_S = 0.01
_POLL_MAX_S = 0.1
#: how much of stderr's last line a description shows
_DESCRIBE_LINE = 200


class RuntimeMissing(SubjectError):
    """The runtime binary does not exist or cannot be executed."""


class OciCommandError(SubjectError):
    """A command failed whose result the driver itself needs (``state``, ``--version``)."""

    def __init__(self, message: str, record: CommandRecord | None = None) -> None:
        super().__init__(message)
        self.record = record


class StatusTimeout(OciCommandError):
    """A container did not reach the wanted status before the deadline."""


@dataclasses.dataclass(frozen=True, slots=True)
class OciTimeouts:
    """Seconds each command may take before it is killed and recorded as timed out.

    ``delete`` is longer than runc's own 10 s wait for a killed init, so that runc's error,
    not ours, is what a stuck delete records.
    """

    create: float = 30.0
    start: float = 30.0
    state: float = 10.0
    kill: float = 10.0
    delete: float = 30.0
    pause: float = 10.0
    resume: float = 10.0
    run: float = 30.0
    list: float = 10.0
    version: float = 10.0


@dataclasses.dataclass(frozen=True, slots=True)
class CommandRecord:
    """One command as it ran."""

    argv: tuple[str, ...]
    #: the exit status; negative for a signal (a timed-out command was killed: -9)
    exit_code: int
    duration_s: float
    #: the last :data:`STDERR_TAIL` bytes of stderr, decoded
    stderr_tail: str
    stdout: str
    timed_out: bool = False
    #: the processes of its group its timeout killed, as "pid (comm)"
    killed: tuple[str, ...] = ()
    #: those of them still there a few seconds after the kill
    survived: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def describe(self) -> str:
        """The command, how it ended, and the last line of its stderr: for messages."""
        ending = "timed out" if self.timed_out else f"exited {self.exit_code}"
        if self.killed:
            ending += f" (its process group killed: {', '.join(self.killed)})"
        if self.survived:
            ending += f" (alive after the kill: {', '.join(self.survived)})"
        lines = self.stderr_tail.strip().splitlines()
        last = f": {lines[-1][-_DESCRIBE_LINE:]}" if lines else ""
        return f"`{' '.join(self.argv)}` {ending} after {self.duration_s:.2f}s{last}"


@dataclasses.dataclass(frozen=True, slots=True)
class RuntimeVersion:
    """What ``<runtime> --version`` said."""

    #: the first word of the first line: "runc", "crun"
    name: str
    #: "1.1.5+ds1", "1.8.1"
    version: str
    #: the runtime-spec version it names ("1.0.2-dev"), if it names one
    spec: str | None
    text: str


_VERSION_LINE = re.compile(r"^(\S+)\s+version\s+(\S+)", re.MULTILINE)
_SPEC_LINE = re.compile(r"^spec:\s*(\S+)", re.MULTILINE)


def parse_version(text: str) -> RuntimeVersion | None:
    """The name, version and spec version in ``--version`` output, or None if it has none."""
    found = _VERSION_LINE.search(text)
    if found is None:
        return None
    spec = _SPEC_LINE.search(text)
    return RuntimeVersion(found.group(1), found.group(2), spec.group(1) if spec else None, text)


def resolve_binary(binary: str) -> str:
    """The absolute path of ``binary`` (a name looked up on PATH, or a path).

    Raises:
        RuntimeMissing: not found, or not an executable file.
    """
    if os.sep in binary:
        path = os.path.abspath(binary)
        if not os.path.isfile(path) or not os.access(path, os.X_OK):
            raise RuntimeMissing(f"OCI runtime {binary!r}: no executable file at {path}")
        return path
    found = shutil.which(binary)
    if found is None:
        raise RuntimeMissing(
            f"OCI runtime {binary!r} not found: shutil.which({binary!r}) returned None "
            f"(PATH={os.environ.get('PATH', '')!r})"
        )
    return found


@contextmanager
def map_exec_errors(binary: str) -> Iterator[None]:
    """Turn a failure to execute the runtime into :class:`RuntimeMissing`."""
    try:
        yield
    except FileNotFoundError as err:
        raise RuntimeMissing(f"OCI runtime {binary}: vanished ({err.strerror})") from err
    except PermissionError as err:
        raise RuntimeMissing(f"OCI runtime {binary}: cannot execute ({err.strerror})") from err
    except OSError as err:
        raise RuntimeMissing(f"OCI runtime {binary}: cannot execute: {err}") from err


def _read_tail(f: IO[bytes], keep: int) -> str:
    size = f.seek(0, os.SEEK_END)
    f.seek(max(0, size - keep))
    return f.read().decode(errors="replace")


def _read_head(f: IO[bytes], keep: int) -> str:
    f.seek(0)
    return f.read(keep).decode(errors="replace")


class OciRuntime:
    """The commands of one runtime binary, over containers kept under ``root_dir``.

    Args:
        binary: a name looked up on PATH ("runc", "crun") or a path.
        root_dir: passed as ``--root`` to every container command; made if missing.
        timeouts: each command's timeout.
        launching: a context around each command's Popen giving it extra keyword arguments
            (a real host's fault engine); none by default.
        global_args: global flags the runtime needs, passed before ``--root`` and the
            command (``--runtime-arg``: ``("--debug", "--log-level=debug")``).

    Raises:
        RuntimeMissing: ``binary`` is not found or not executable.
    """

    def __init__(
        self,
        binary: str,
        root_dir: str,
        timeouts: OciTimeouts | None = None,
        global_args: Sequence[str] = (),
        launching: Callable[[], AbstractContextManager[dict[str, Any]]] | None = None,
    ) -> None:
        self.binary = resolve_binary(binary)
        #: around each command's Popen: extra keyword arguments for it (the host's faults)
        self.launching = launching or (lambda: nullcontext({}))
        self.root_dir = os.path.abspath(root_dir)
        #: given before ``--root`` on every container command
        self.global_args = tuple(global_args)
        self.timeouts = timeouts or OciTimeouts()
        #: every command run, oldest first; read (or clear) it for the report
        self.records: list[CommandRecord] = []
        os.makedirs(self.root_dir, 0o711, exist_ok=True)

    def __repr__(self) -> str:
        return f"OciRuntime({self.binary!r}, root_dir={self.root_dir!r})"

    # -- the one runner --------------------------------------------------------------------
    def _run(self, command: str, args: list[str], timeout: float) -> CommandRecord:
        """Run ``<binary> <global_args> --root <root_dir> <command> <args>`` and record it."""
        argv = (self.binary, *self.global_args, "--root", self.root_dir, command, *args)
        return self._execute(argv, timeout)

    def _execute(self, argv: tuple[str, ...], timeout: float) -> CommandRecord:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.monotonic()
            with self.launching() as extra:
                with map_exec_errors(self.binary):
                    # its own process group, whatever the host adds: what a timeout kills
                    proc = subprocess.Popen(  # noqa: S603 - argv, never a shell
                        argv,
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=err,
                        close_fds=True,
                        **{**extra, **OWN_GROUP},
                    )
                ending = wait_or_kill_group(proc, timeout)
            duration = time.monotonic() - start
            record = CommandRecord(
                argv=argv,
                exit_code=ending.exit_code,
                duration_s=duration,
                stderr_tail=_read_tail(err, STDERR_TAIL),
                stdout=_read_head(out, STDOUT_KEEP),
                timed_out=ending.timed_out,
                killed=ending.killed,
                survived=ending.survived,
            )
        self.records.append(record)
        return record

    # -- the operations ----------------------------------------------------------------------
    def command(
        self, args: list[str] | tuple[str, ...], timeout: float | None = None
    ) -> CommandRecord:
        """Any command line after ``--root``, as the scenarios spell it (``kill ID KILL``).

        The timeout is the command's own from :class:`OciTimeouts` (or ``timeout``)."""
        name = args[0] if args else ""
        limit = (
            timeout if timeout is not None else getattr(self.timeouts, name, self.timeouts.create)
        )
        return self._run(name, list(args[1:]), limit)

    def create(self, container_id: str, bundle: str) -> CommandRecord:
        """``create --bundle <bundle> <id>``."""
        return self._run("create", ["--bundle", bundle, container_id], self.timeouts.create)

    def start(self, container_id: str) -> CommandRecord:
        return self._run("start", [container_id], self.timeouts.start)

    def run(self, container_id: str, bundle: str) -> CommandRecord:
        """``run --detach --bundle <bundle> <id>``: create and start, returning once started."""
        args = ["--detach", "--bundle", bundle, container_id]
        return self._run("run", args, self.timeouts.run)

    def kill(
        self, container_id: str, signal: str = "TERM", all_processes: bool = False
    ) -> CommandRecord:
        """``kill [--all] <id> <signal>``; the signal is positional, as runc and crun take it."""
        args = ["--all"] if all_processes else []
        return self._run("kill", [*args, container_id, signal], self.timeouts.kill)

    def delete(self, container_id: str, force: bool = False) -> CommandRecord:
        args = ["--force"] if force else []
        return self._run("delete", [*args, container_id], self.timeouts.delete)

    def pause(self, container_id: str) -> CommandRecord:
        return self._run("pause", [container_id], self.timeouts.pause)

    def resume(self, container_id: str) -> CommandRecord:
        return self._run("resume", [container_id], self.timeouts.resume)

    def state_record(self, container_id: str) -> CommandRecord:
        """``state <id>`` as it ran, whether or not it succeeded."""
        return self._run("state", [container_id], self.timeouts.state)

    def state(self, container_id: str) -> dict[str, Any]:
        """The state JSON of ``container_id``.

        Raises:
            OciCommandError: the command failed or printed no JSON object.
        """
        record = self.state_record(container_id)
        return _json_object(record)

    def list_ids(self) -> list[str]:
        """The ids of the containers under ``root_dir`` (``list --format json``).

        Raises:
            OciCommandError: the command failed or printed something else than a JSON list.
        """
        record = self._run("list", ["--format", "json"], self.timeouts.list)
        if not record.ok:
            raise OciCommandError(f"list failed: {record.describe()}", record)
        try:
            listed = json.loads(record.stdout or "null") or []
        except ValueError as err:
            raise OciCommandError(f"list printed no JSON: {record.stdout[:200]!r}", record) from err
        if not isinstance(listed, list):
            raise OciCommandError(f"list printed no JSON list: {record.stdout[:200]!r}", record)
        return [str(entry.get("id")) for entry in listed if isinstance(entry, dict)]

    def version(self) -> RuntimeVersion:
        """What ``<binary> --version`` says (no ``--root``: it concerns no container).

        Raises:
            OciCommandError: the command failed or printed no "NAME version X" line.
        """
        record = self._execute((self.binary, "--version"), self.timeouts.version)
        parsed = parse_version(record.stdout) if record.ok else None
        if parsed is None:
            raise OciCommandError(f"--version gave no version: {record.describe()}", record)
        return parsed

    def wait_for_status(
        self, container_id: str, wanted: str | Collection[str], deadline: float = 10.0
    ) -> dict[str, Any]:
        """Poll ``state`` until the status is ``wanted`` (one of them); return that state.

        Polls every 10 ms at first, then at most every 100 ms, never past ``deadline``
        seconds from now.  A failing ``state`` is polled again (a container may be on its way).

        Raises:
            StatusTimeout: the deadline passed; says what was seen last.
        """
        wanted_set = {wanted} if isinstance(wanted, str) else set(wanted)
        end = time.monotonic() + deadline
        interval = _POLL_FIRST_S
        last = "nothing"
        while True:
            record = self.state_record(container_id)
            if record.ok:
                try:
                    state = _json_object(record)
                except OciCommandError as err:
                    last = str(err)
                else:
                    if state.get("status") in wanted_set:
                        return state
                    last = f"status {state.get('status')!r}"
            else:
                last = record.describe()
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise StatusTimeout(
                    f"container {container_id} not {'/'.join(sorted(wanted_set))} "
                    f"within {deadline}s; last seen: {last}",
                    record,
                )
            time.sleep(min(interval, remaining))
            interval = min(interval * 2, _POLL_MAX_S)


def _json_object(record: CommandRecord) -> dict[str, Any]:
    if not record.ok:
        raise OciCommandError(f"state failed: {record.describe()}", record)
    try:
        value = json.loads(record.stdout)
    except ValueError as err:
        raise OciCommandError(f"state printed no JSON: {record.stdout[:200]!r}", record) from err
    if not isinstance(value, dict):
        raise OciCommandError(f"state printed no JSON object: {record.stdout[:200]!r}", record)
    return value
