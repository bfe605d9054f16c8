"""Building blocks of the scenarios: configs, and containers brought into a state.

States are reached through the subject's public API wherever the API can reach them (created,
running, paused, stopped); ``restored`` and ``loaded`` are set with ``state_for``, which is how
runc's own tests reach them too.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.hosts import HostCannot
from harness.hosts.base import POLL_INTERVAL_S
from harness.hosts.facts import resctrl_mounts
from harness.spec import tables
from harness.spec.teardown import error_source
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.api import Hook
from harness.subjects.api import Hooks
from harness.subjects.api import IntelRdtConfig
from harness.subjects.api import Process
from harness.subjects.cli import OciCli
from harness.subjects.cli import SubjectCli

__all__ = [
    "INIT",
    "bring_to",
    "classify_teardown_error",
    "config_for",
    "container_dirs",
    "init_pid",
    "inject",
    "make_init_gone",
    "state_name",
]

#: what a scenario needs of a real host: None when this one will do, else why not
Needs = Callable[[Host], "str | None"]
#: the ``on_host`` fixture: ``on_host(machine, needs)`` gives (host, factory)
OnHost = Callable[..., AbstractContextManager[tuple[Host, Any]]]
#: the ``cli_on`` fixture: ``cli_on(machine, needs)`` gives (host, the subject's command line)
CliOnHost = Callable[..., AbstractContextManager[tuple[Host, "SubjectCli | OciCli"]]]

#: the program every container runs
INIT = Process(args=("/bin/sleep", "infinity"))


def config_for(
    cid: str,
    *,
    pid_namespace: bool = True,
    l3_schema: str | None = None,
    poststop: tuple[str, ...] = (),
    prestart: tuple[str, ...] = (),
    poststart: tuple[str, ...] = (),
    hook_timeout: float | None = None,
    joined_pid_namespace: str | None = None,
) -> Config:
    """A config whose cgroup path is ``/<cid>``; hooks are paths of installed programs.

    ``joined_pid_namespace``: the path of a PID namespace the container joins (not private).
    """

    def hooks(paths: tuple[str, ...]) -> tuple[Hook, ...]:
        return tuple(Hook(path=p, args=(p, cid), timeout=hook_timeout) for p in paths)

    return Config(
        namespaces=(
            (f"pid={joined_pid_namespace}", "mount")
            if joined_pid_namespace
            else ("pid", "mount")
            if pid_namespace
            else ("mount",)
        ),
        cgroups=CgroupConfig(path=f"/{cid}"),
        intel_rdt=IntelRdtConfig(l3_cache_schema=l3_schema) if l3_schema is not None else None,
        hooks=Hooks(prestart=hooks(prestart), poststart=hooks(poststart), poststop=hooks(poststop)),
        labels=(f"bundle=/var/lib/rtgate/bundles/{cid}",),
        version="1.0.0",
    )


def state_name(c: Any) -> str:
    """The name of the container's in-memory state ("stopped", "restored", ...)."""
    return str(c.state.name)


def init_pid(c: Any) -> int:
    assert c.init_process is not None, "the container has no init process"
    return int(c.init_process.pid)


def make_init_gone(host: Host, c: Any) -> int:
    """Init ends and stays a zombie until its parent reaps it.

    A running init just ends.  A frozen init cannot run its own exit, so it is killed the way
    it happens on a real host: SIGKILL (kept pending by the v1 freezer), someone thaws the
    cgroup, init dies, and the cgroup is frozen again (with only a zombie left, at once).
    """
    pid = init_pid(c)
    if host.is_frozen(pid):
        freezer, frozen, thawed = host.freezer_file(pid)
        host.system.signal(pid, signal.SIGKILL)
        _write(freezer, thawed)
        host.await_exit(pid)
        _write(freezer, frozen)
    else:
        host.end_process(pid)
    return pid


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def inject(host: Host, op: str, path: str, err: int) -> Any:
    """Make the next ``op`` on ``path`` fail with ``err``, or skip saying why this host
    cannot."""
    try:
        return host.fail(op, path, err)
    except HostCannot as why:
        pytest.skip(str(why))


def container_dirs(host: Host, c: Any) -> dict[str, bool]:
    """Which of the container's directories still exist: state dir, cgroups, resctrl group."""
    return {
        "state-dir": os.path.isdir(os.path.join(host.state_root, c.id)),
        "cgroup": bool(host.cgroup_dirs(f"/{c.id}")),
        "rdt": os.path.isdir(host.resctrl_group(c.id)),
    }


def bring_to(factory: Any, host: Host, cid: str, state: str, config: Config) -> Any:
    """A container in ``state`` with a live init (``stopped``: destroyed, init dropped)."""
    c = factory.create(cid, config)
    if state == "created":
        c.start(INIT)
        return c
    c.run(INIT)
    if state == "running":
        return c
    if state == "paused":
        c.pause()
        return c
    if state == "stopped":
        c.signal(signal.SIGKILL)
        c.destroy()
        return c
    if state == "restored":
        c.state = c.state_for("restored")
        return c
    if state == "loaded":
        loaded = factory.load(cid)
        loaded.state = loaded.state_for("loaded")
        return loaded
    raise ValueError(f"unknown state {state!r}")


def install_hooks(host: Host, **programs: HookProgram) -> dict[str, str]:
    """Install simulated hook programs by name; returns name -> path."""
    return {name: host.hook_program(name, program) for name, program in programs.items()}


def classify_teardown_error(
    err: BaseException, host: Host, cid: str, profile: str = tables.DEFAULT_PROFILE
) -> str:
    """Which teardown step an error of destroying ``cid`` on ``host`` comes from (see
    :func:`harness.spec.teardown.error_source`)."""
    return error_source(
        str(err),
        profile,
        rdt_group=host.resctrl_group(cid),
        state_dir=os.path.join(host.state_root, cid),
    )


def cgroups_are(kind: str) -> Needs:
    """A host's ``needs``: its cgroups are ``kind`` ("v1", "v2" or "hybrid")."""

    def check(host: Host) -> str | None:
        if host.cgroup_mode() == kind:
            return None
        found = host.describe_cgroups()
        return f"the rule is about a {kind} cgroup host; on {host.describe()} {found}"

    return check


def resctrl_with(*infos: str, absent: tuple[str, ...] = ()) -> Needs:
    """A host's ``needs``: resctrl is mounted with these info/ directories (L3, MB, ...) and
    without the ``absent`` ones."""

    def check(host: Host) -> str | None:
        info = os.path.join("/sys/fs/resctrl", "info")
        if not os.path.isdir(info):
            return f"{host.rdt_unavailable() or 'resctrl has no info/'} ({host.describe()})"
        held = set(os.listdir(info))
        missing = [name for name in infos if name not in held]
        extra = [name for name in absent if name in held]
        if not missing and not extra:
            return None
        wanted = ", ".join([*infos, *(f"no {name}" for name in absent)])
        return f"resctrl info/ holds {', '.join(sorted(held))}; the rule needs {wanted}"

    return check


def resctrl_unmounted(host: Host) -> str | None:
    """A host's ``needs``: resctrl is not mounted."""
    if resctrl_mounts():
        return f"resctrl is mounted on {host.describe()}; the rule needs it unmounted"
    return None


# -- the command line ------------------------------------------------------------------------
Snapshot = tuple[str | None, int, tuple[str, ...], bool]


def eventually(host: Host, condition: Callable[[], bool]) -> bool:
    """``condition`` holds now, or within the host's settle time (a real kernel kills a
    moment after kill returns)."""
    deadline = time.monotonic() + host.settle_s
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_INTERVAL_S)
    return True


def snapshot(cli: SubjectCli | OciCli, host: Host, cid: str) -> Snapshot:
    """What an operation that fails must leave as it was: status, pid, cgroups, init alive."""
    state = cli.state(cid) or {}
    pid = int(state.get("pid") or 0)
    alive = pid > 0 and host.is_alive(pid)
    return state.get("status"), pid, tuple(host.cgroup_dirs(f"/{cid}")), alive


def cli_bring_to(
    cli: SubjectCli | OciCli,
    host: Host,
    name: str,
    state: str,
    hooks: dict[str, list[dict[str, Any]]] | None = None,
) -> str:
    """A container called ``name`` in ``state``, reached through the command line."""
    cid = host.container_id(name)
    steps = {"created": [("create",)], "running": [("create",), ("start",)],
             "paused": [("create",), ("start",), ("pause",)],
             "stopped": [("create",), ("start",), ("kill", "KILL")]}[state]  # fmt: skip
    for step in steps:
        if step[0] == "create":
            argv: tuple[str, ...] = (
                "create",
                "--bundle",
                cli.bundle(name, hooks=hooks),
                cid,
            )
        else:
            argv = (step[0], cid, *step[1:])
        result = cli(*argv)
        assert result.exit_code == 0, f"setting up {state}: {result.describe()}"
    assert eventually(host, lambda: cli.status(cid) == state), (
        f"setting up {state}: state reports {cli.status(cid)}"
    )
    return cid


def gone(cli: SubjectCli | OciCli, host: Host, cid: str, pid: int) -> list[str]:
    """What is left of a deleted container (empty when nothing is)."""
    left = []
    if cli("state", cid).exit_code == 0:
        left.append("state still answers")
    if os.path.exists(state_dir(cli, host, cid)):
        left.append("its state dir")
    left += host.cgroup_dirs(f"/{cid}")
    if pid and not host.dies(pid):
        left.append(f"its init {pid}")
    return left


def state_dir(cli: SubjectCli | OciCli, host: Host, cid: str) -> str:
    """Where the command line's runtime keeps ``cid``'s state: ``<--root>/<id>`` (an OCI
    runtime's own root on the host, the reference's ``host.state_root``)."""
    if isinstance(cli, OciCli):
        return os.path.join(cli.runtime.root_dir, cid)
    return os.path.join(host.state_root, cid)


def left_by_create(cli: SubjectCli | OciCli, host: Host, cid: str, before: set[int]) -> list[str]:
    """What a create that failed left behind (empty when nothing)."""
    left = []
    if cli("state", cid).exit_code == 0:
        left.append("state answers")
    if os.path.exists(state_dir(cli, host, cid)):
        left.append(f"its state dir {state_dir(cli, host, cid)}")
    left += host.cgroup_dirs(f"/{cid}")
    # a real kernel ends a killed init a moment after the command returns
    if not eventually(host, lambda: not (host.live_processes() - before)):
        left.append(f"processes {sorted(host.live_processes() - before)}")
    return left
