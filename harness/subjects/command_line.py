"""A subject's command line, as the CLI scenarios drive it.

- :class:`ApiCommandLine`: an API subject behind ``reference_impl.cli``.  On a simulated host each
  command runs in process, and the host is told when it is over (as when a runc process exits,
  the processes it started live on under the host's init); on a real host each command is a
  program of its own (``python -m reference_impl.cli``), as runc's are.
- :class:`OciCommandLine`: an OCI runtime binary (runc, crun, ...) on a real host, its
  containers kept under the host's own ``--root``, its bundles made with a static busybox root.

Both record every command (argv, exit code, stdout, the end of stderr, duration) for the
report, and make the bundles their runtime needs.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from harness.subjects.base import ApiSubject
from harness.subjects.base import OciSubject
from harness.subjects.base import Subject
from harness.subjects.bounded import CallTimedOut
from harness.subjects.bounded import bounded_call
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import Hook
from harness.subjects.oci import Hooks
from harness.subjects.oci import IntelRdt
from harness.subjects.oci import Namespace
from harness.subjects.oci import OciRuntime
from harness.subjects.oci import Resources
from harness.subjects.oci import make_bundle
from harness.subjects.oci.bundle import bundle_path
from harness.subjects.oci.config import DEFAULT_OCI_VERSION
from harness.subjects.oci.runtime import CommandRecord
from reference_impl import cli as reference_cli

__all__ = [
    "CONTAINER_NAMESPACES",
    "ApiCommandLine",
    "CommandLine",
    "CommandRecord",
    "OciCommandLine",
    "command_line_for",
]

#: a command that runs longer than this is stopped and recorded as timed out
COMMAND_TIMEOUT_S = 60.0
HookSpec = dict[str, list[dict[str, Any]]]
#: the namespaces of a scenario's container: those ``runc spec`` gives (runc v1.1.5
#: libcontainer/specconv/example.go Example: pid, network, ipc, uts, mount), in its order; a
#: private network namespace holds only a loopback link, which no scenario needs up
CONTAINER_NAMESPACES = (
    Namespace("pid"), Namespace("network"), Namespace("ipc"), Namespace("uts"), Namespace("mount")
)  # fmt: skip


class _CommandLine:
    """What both command lines share: records, and reading ``state``."""

    host: Any
    records: list[CommandRecord]
    #: the ``ociVersion`` bundles declare unless a rule asks for another
    oci_version: str = DEFAULT_OCI_VERSION
    #: the newest runtime-spec release the rules of the test come from (the catalog's
    #: ``spec_version``): the suite's fixtures set it; None outside them
    rule_version: str | None = None

    def __call__(self, *argv: str, timeout: float | None = None) -> CommandRecord:
        """Run one command (``timeout``: its deadline in seconds, else the command's own)."""
        raise NotImplementedError

    def bundle(
        self,
        name: str,
        args: tuple[str, ...] = ("/bin/sleep", "600"),
        hooks: HookSpec | None = None,
        *,
        namespaces: tuple[Namespace, ...] = CONTAINER_NAMESPACES,
        intel_rdt: IntelRdt | None = None,
        resources: Resources | None = None,
        oci_version: str | None = None,
    ) -> str:
        """The bundle of the container called ``name``: ``args`` run, cgroupsPath ``/<id>``,
        ``hooks`` by phase ({"poststop": [{"path": ..., "args": [...], "timeout": 1}]}),
        ``namespaces`` (``runc spec``'s: a private pid, network, ipc, uts and mount namespace,
        unless given),
        ``linux.intelRdt`` when ``intel_rdt`` is given, ``linux.resources`` when
        ``resources`` is; ``ociVersion`` ``oci_version`` for a rule of a later spec, else the
        subject's."""
        config = _config(self.host.container_id(name), args, hooks)
        config = dataclasses.replace(
            config,
            namespaces=namespaces,
            intel_rdt=intel_rdt,
            resources=resources,
            oci_version=oci_version or self.oci_version,
        )
        return self._write_bundle(name, config)

    def bundle_of(self, name: str, config: ContainerConfig) -> str:
        """The bundle of the container called ``name`` with ``config`` as it is (a config rule
        sets what :meth:`bundle` does not); its ociVersion the subject's unless ``config``
        names another than the default."""
        if config.oci_version == DEFAULT_OCI_VERSION:
            config = dataclasses.replace(config, oci_version=self.oci_version)
        return self._write_bundle(name, config)

    def bundle_path(self, name: str) -> str:
        """Where the bundle of the container called ``name`` is (or will be) made."""
        raise NotImplementedError

    def _write_bundle(self, name: str, config: ContainerConfig) -> str:
        raise NotImplementedError

    def program_argv(self, *argv: str) -> tuple[str, ...]:
        """The whole command line that runs ``argv`` as a program: what a replay types."""
        raise NotImplementedError

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

    def init_pid(self, cid: str) -> int:
        """The pid ``state`` gives for ``cid``'s init; 0 when state fails or gives none."""
        return int((self.state(cid) or {}).get("pid") or 0)


class ApiCommandLine(_CommandLine):
    """runc-style commands over an API subject on one host."""

    def __init__(self, subject: ApiSubject, host: Any, profile: str) -> None:
        self.subject = subject
        self.host = host
        self.profile = profile
        self.records = []
        if host.executes_programs:  # its commands are programs: faults reach them
            host.commands_run_as_programs()

    def _arguments(self, argv: tuple[str, ...]) -> tuple[str, ...]:
        return ("--root", self.host.state_root, "--profile", self.profile, *argv)

    def __call__(self, *argv: str, timeout: float | None = None) -> CommandRecord:
        full = self._arguments(argv)
        start = time.monotonic()
        if not self.host.executes_programs:  # a simulated kernel: the command runs in process
            result = self._in_process(argv, full, start)
        else:
            result = self._program(argv, timeout or COMMAND_TIMEOUT_S)
        self.host.runtime_exited()  # the command's process is over: its orphans are reaped
        result = dataclasses.replace(result, duration_s=time.monotonic() - start)
        self.records.append(result)
        return result

    def _in_process(
        self, argv: tuple[str, ...], full: tuple[str, ...], start: float
    ) -> CommandRecord:
        """The command run by the reference's CLI in this process, bounded as every call into
        the subject is (:mod:`harness.subjects.bounded`); one that hangs is recorded as timed
        out before the test ends in :class:`~harness.subjects.bounded.CallTimedOut`."""
        out, err = io.StringIO(), io.StringIO()

        def command() -> int:
            factory, system = self.subject.make_factory, self.host.system
            return reference_cli.main(
                list(full), system=system, new_factory=factory, stdout=out, stderr=err
            )

        try:
            code = bounded_call(self.subject.name, f"the command `{' '.join(argv)}`", command)
        except CallTimedOut:
            late = time.monotonic() - start
            self.records.append(CommandRecord(argv, -1, late, "", "", timed_out=True))
            raise
        return CommandRecord(argv, code, 0.0, err.getvalue(), out.getvalue())

    def program_argv(self, *argv: str) -> tuple[str, ...]:
        factory = () if self.subject.name == "reference" else (
            "--factory", self.subject.name.removeprefix("python:")
        )  # fmt: skip
        return (sys.executable, "-m", "reference_impl.cli", *factory, *self._arguments(argv))

    def _program(self, argv: tuple[str, ...], limit: float) -> CommandRecord:
        """The command as a program of its own; its output goes to files, so that it never
        waits for a reader while this waits for it."""
        command = list(self.program_argv(*argv))
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            with self.host.launching() as under_faults:
                proc = subprocess.Popen(  # noqa: S603 - our own program
                    command, stdout=out, stderr=err, **under_faults
                )
                timed_out = not self._wait(proc, limit)
            texts = []
            for f in (out, err):
                f.seek(0)
                texts.append(f.read().decode(errors="replace"))
        if timed_out:
            return CommandRecord(argv, -1, limit, texts[1], texts[0], timed_out=True)
        return CommandRecord(argv, proc.returncode, 0.0, texts[1], texts[0])

    def _wait(self, proc: subprocess.Popen[bytes], limit: float) -> bool:
        """Wait for ``proc`` until it ends (True) or ``limit`` seconds pass (False: it is
        killed).  While it runs, what it kills must be reaped as an init would, or a killed
        process stays a zombie that signal 0 still finds: the wait blocks on the pidfds of
        every live process below this one and wakes when one of them ends, to reap it."""
        from harness.hosts.processes import await_any_end  # the hosts package is heavy
        from harness.hosts.processes import descendants

        deadline = time.monotonic() + limit
        while True:
            self.host.runtime_exited(waited_for=proc.pid)
            if proc.poll() is not None:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                proc.wait()
                return False
            await_any_end([proc.pid, *descendants()], left)

    def bundle_path(self, name: str) -> str:
        return str(self.host.bundle_dir(name))

    def _write_bundle(self, name: str, config: ContainerConfig) -> str:
        """config.json alone: the reference starts host programs and needs no root.  One write
        of the whole text: ``json.dump`` writes it in hundreds of pieces, each a call through
        the simulated filesystem's file wrapper (a sixth of the command-line machine's time)."""
        bundle = self.bundle_path(name)
        os.makedirs(os.path.join(bundle, "rootfs"), exist_ok=True)
        with open(os.path.join(bundle, "config.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps(config.to_json(), indent=2))
        return bundle


class OciCommandLine(_CommandLine):
    """An OCI runtime binary on a real host."""

    def __init__(self, subject: OciSubject, host: Any, profile: str) -> None:
        self.host = host
        self.profile = profile
        self.oci_version = subject.oci_version
        self.runtime = OciRuntime(
            subject.binary,
            os.path.join(host.root, "oci-root"),
            global_args=subject.runtime_args,
            launching=host.launching,
        )
        host.commands_run_as_programs()  # faults reach its commands
        self.records = self.runtime.records

    def program_argv(self, *argv: str) -> tuple[str, ...]:
        runtime = self.runtime
        return (runtime.binary, *runtime.global_args, "--root", runtime.root_dir, *argv)

    def __call__(self, *argv: str, timeout: float | None = None) -> CommandRecord:
        record = self.runtime.command(argv, timeout)
        self.host.runtime_exited()  # the runtime's commands leave orphans: reap them
        return record

    def bundle_path(self, name: str) -> str:
        return bundle_path(self.host.bundle_root, self.host.prefix, name)

    def _write_bundle(self, name: str, config: ContainerConfig) -> str:
        """A static busybox root next to config.json: the program runs inside the
        container."""
        return make_bundle(self.host.bundle_root, self.host.prefix, name, config).path


def _config(cid: str, args: tuple[str, ...], hooks: HookSpec | None) -> ContainerConfig:
    """The container config of a scenario: its args, cgroupsPath ``/<id>``, its hooks."""
    phases = {
        phase: tuple(
            Hook(
                path=h["path"],
                args=tuple(h.get("args", ())),
                env=tuple(h.get("env", ())),
                timeout=h.get("timeout"),
            )
            for h in entries
        )
        for phase, entries in (hooks or {}).items()
    }
    return ContainerConfig(
        args=args,
        hostname=cid,
        namespaces=CONTAINER_NAMESPACES,
        cgroups_path=f"/{cid}",
        hooks=Hooks(**phases),
    )


#: the command line the CLI scenarios drive, of either kind
CommandLine = ApiCommandLine | OciCommandLine


def command_line_for(subject: Subject, host: Any, profile: str) -> CommandLine:
    """The command line the CLI scenarios drive for ``subject`` on ``host``: its kind's."""
    return subject.kind.command_line(subject, host, profile)
