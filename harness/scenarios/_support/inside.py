"""A container that reports on itself: the config rules' way to see what the runtime made.

One container checks many properties at once, so the gate stays fast: its init is a busybox
``sh -c`` script that runs one probe command per property (``cat /proc/$$/status``,
``umask``, a write attempt, ...), each writing into its own file of a directory the harness
bind-mounts into the container at :data:`FINDINGS_MOUNT`, then a ``done`` file, then
``exec sleep``.  The harness waits for ``done``, reads the files and deletes the container;
the scenario compares them with what config.json asked.

A subject that cannot run the script inside a container skips, saying what the probe found:
on the simulated host no program runs (the findings directory stays empty); the Python
reference on a real host starts plain host processes, so init's root is not the bundle's
rootfs (compared by device and inode through /proc/<pid>/root).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from collections.abc import Sequence

import pytest

from harness.hosts import Host
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.setting_up import setting_up
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci.details import ConfigDetails
from harness.subjects.oci.details import Mount

__all__ = ["FINDINGS_MOUNT", "PROBE_ARGS", "Probe", "findings_of", "init_args"]

#: where the findings directory is inside the container
FINDINGS_MOUNT = "/rtgate-findings"
#: the file the script writes after every probe
DONE = "done"
#: the words after the script in init's argv: config.md:156's args, checked as given
PROBE_ARGS = ("rtgate-probe", "two words")
#: how a skip begins when the subject ran no script inside a container
NOT_INSIDE = "the subject ran no program inside the container"


@dataclasses.dataclass(frozen=True, slots=True)
class Probe:
    """One property: ``command``'s output and errors go to the findings file ``name``."""

    name: str
    command: str


def _script(probes: Sequence[Probe]) -> str:
    """The init script: each probe in turn (``$$`` is init itself), then ``done``, then a
    sleep that keeps init alive until the harness deletes the container."""
    lines = [f"o={FINDINGS_MOUNT}"]
    lines += [f"{{ {probe.command} ; }} > $o/{probe.name} 2>&1" for probe in probes]
    lines += [f"echo done > $o/{DONE}", "exec sleep 600"]  # echo: no special builtin, so a
    # failed redirection (a plain host process has no findings directory) does not end the shell
    return "\n".join(lines)


def init_args(probes: Sequence[Probe]) -> tuple[str, ...]:
    """process.args of a container that runs ``probes``."""
    return ("/bin/sh", "-c", _script(probes), *PROBE_ARGS)


def _with_findings(config: ContainerConfig, directory: str) -> ContainerConfig:
    """``config`` with the findings directory bind-mounted last."""
    details = config.details or ConfigDetails()
    mount = Mount(FINDINGS_MOUNT, "bind", directory, ("rbind", "rw"))
    details = dataclasses.replace(details, mounts=(*details.mounts, mount))
    return dataclasses.replace(config, details=details)


def _same_root(pid: int, rootfs: str) -> str | None:
    """None when init ``pid``'s root is ``rootfs``; else what was found instead."""
    try:
        theirs = os.stat(f"/proc/{pid}/root")
        ours = os.stat(rootfs)
    except OSError as err:
        return f"/proc/{pid}/root cannot be compared with {rootfs}: {err}"
    if (theirs.st_dev, theirs.st_ino) == (ours.st_dev, ours.st_ino):
        return None
    return (
        f"init {pid}'s root (/proc/{pid}/root: device {theirs.st_dev}, inode {theirs.st_ino}) "
        f"is not the bundle's rootfs {rootfs} (device {ours.st_dev}, inode {ours.st_ino})"
    )


def _skip_unless_inside(cli: CommandLine, host: Host, pid: int, bundle: str, out: str) -> None:
    """Skip, saying what was found, unless init ``pid`` runs inside the bundle's rootfs."""
    if not host.executes_programs:
        pytest.skip(
            f"{NOT_INSIDE}: on {host.describe()} no program runs (init {pid} of the state is "
            f"the kernel model's), and {out} holds {sorted(os.listdir(out))}, no findings"
        )
    found = _same_root(pid, os.path.join(bundle, "rootfs"))
    if found is not None:
        pytest.skip(f"{NOT_INSIDE}: {found}")


def findings_of(
    cli: CommandLine,
    host: Host,
    name: str,
    config: ContainerConfig,
    prepare: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Run the container ``name`` with ``config`` (whose args are :func:`init_args`) and
    return its findings by probe name; ``prepare(rootfs)`` puts files into the root first.

    The container is deleted (``delete --force``) before this returns.
    """
    bundle = cli.bundle_path(name)
    out = bundle + ".findings"
    os.makedirs(out)
    os.chmod(out, 0o777)  # a process of any uid writes its findings
    cli.bundle_of(name, _with_findings(config, out))
    rootfs = os.path.join(bundle, "rootfs")
    # the mount point made here: a runtime in a user namespace of its own cannot make it
    os.makedirs(rootfs + FINDINGS_MOUNT, exist_ok=True)
    if prepare is not None:
        prepare(rootfs)
    cid = host.container_id(name)
    try:
        for argv in (("create", "--bundle", bundle, cid), ("start", cid)):
            result = cli(*argv)
            setting_up(result.exit_code == 0, result.describe())
        pid = cli.init_pid(cid)
        setting_up(pid > 0, f"state of {cid} gives no init pid")
        _skip_unless_inside(cli, host, pid, bundle, out)
        done = os.path.join(out, DONE)
        setting_up(
            eventually(host, lambda: os.path.exists(done)),
            lambda: f"init wrote no {done} within {host.settle_s} s: {sorted(os.listdir(out))}",
        )
        return _read(out)
    finally:
        cli("delete", "--force", cid)


def _read(directory: str) -> dict[str, str]:
    found = {}
    for entry in os.listdir(directory):
        with open(os.path.join(directory, entry), encoding="utf-8", errors="replace") as f:
            found[entry] = f.read()
    return found
