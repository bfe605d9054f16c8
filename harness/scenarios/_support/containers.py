"""Containers of the factory API brought into a state, and what a scenario asks of them.

States are reached through the subject's public API wherever the API can reach them (created,
running, paused, stopped); ``restored`` and ``loaded`` are set with ``state_for``, which is how
runc's own tests reach them too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import re
import signal
import stat
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import Any

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.hosts import HostCannot
from harness.scenarios._support.skips import skip_for_host
from harness.spec import start_errors
from harness.spec import tables
from harness.spec.teardown import error_source
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.api import Hook
from harness.subjects.api import Hooks
from harness.subjects.api import IntelRdtConfig
from harness.subjects.api import Process
from harness.subjects.base import Container
from harness.subjects.base import Factory

#: the program every container runs
INIT = Process(args=("/bin/sleep", "infinity"))
#: the ociVersion of every config the scenarios write (the seed's hooks read it back)
CONFIG_VERSION = "1.0.0"


def config_for(
    cid: str,
    *,
    pid_namespace: bool = True,
    l3_schema: str | None = None,
    rdt: dict[str, str] | None = None,
    poststop: tuple[str, ...] = (),
    prestart: tuple[str, ...] = (),
    poststart: tuple[str, ...] = (),
    hook_timeout: float | None = None,
    joined_pid_namespace: str | None = None,
) -> Config:
    """A config whose cgroup path is ``/<cid>``; hooks are paths of installed programs.

    ``joined_pid_namespace``: the path of a PID namespace the container joins (not private).
    ``rdt``: intelRdt fields (the ``rdt_group`` fixture's), instead of ``l3_schema`` alone.
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
        intel_rdt=(
            IntelRdtConfig(**rdt)
            if rdt is not None
            else IntelRdtConfig(l3_cache_schema=l3_schema)
            if l3_schema is not None
            else None
        ),
        hooks=Hooks(prestart=hooks(prestart), poststart=hooks(poststart), poststop=hooks(poststop)),
        labels=(f"bundle=/var/lib/rtgate/bundles/{cid}",),
        version=CONFIG_VERSION,
    )


def state_file(host: Host, cid: str) -> dict[str, Any]:
    """Container ``cid``'s state.json as the runtime last wrote it, parsed."""
    with open(os.path.join(host.state_root, cid, "state.json"), encoding="utf-8") as f:
        return dict(json.load(f))


def state_name(c: Container) -> str:
    """The name of the container's in-memory state ("stopped", "restored", ...)."""
    return str(c.state.name)


def init_pid(c: Container) -> int:
    assert c.init_process is not None, "the container has no init process"
    return int(c.init_process.pid)


def program_of(pid: int) -> tuple[list[str], list[str], str]:
    """What ``pid`` runs: /proc/<pid>/cmdline, environ and the cwd link."""

    def nul_list(name: str) -> list[str]:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return [item.decode() for item in f.read().split(b"\0")[:-1]]

    return nul_list("cmdline"), nul_list("environ"), os.readlink(f"/proc/{pid}/cwd")


def raised(call: Callable[[], object]) -> Exception | None:
    """The error ``call`` raises, or None."""
    try:
        call()
    except Exception as err:  # noqa: BLE001 - the error is what is checked
        return err
    return None


def error_of(call: Callable[[], object]) -> str:
    """The text of the error ``call`` raises, or "no error"."""
    err = raised(call)
    return "no error" if err is None else str(err)


def start_with_fault(host: Host, c: Container, op: str, path: str, err: int) -> str:
    """Start ``c``'s init with the first ``op`` on ``path`` failing with ``err``; the error
    text.  The fault must fire: a start that never reached it checked nothing."""
    fault = inject(host, op, path, err)
    got = error_of(lambda: c.start(INIT))
    assert host.fired(fault), f"the {op} fault on {path} never fired"
    return got


def path_error(op: str, path: str, err: int) -> str:
    """Go's *PathError text, as a runtime reports a failed syscall: "<op> <path>: <errno>"."""
    return f"{op} {path}: {os.strerror(err).lower()}"


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    """The process's umask is ``mask`` in the body: a runtime makes its files and directories
    under its caller's umask, and a rule about their modes says what that leaves."""
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)


def mode_of(path: str) -> int:
    """The permission bits of ``path``."""
    return stat.S_IMODE(os.stat(path).st_mode)


def kill_all_path(host: Host, profile: str, cid: str) -> str:
    """The control file through which killing every process of container ``cid`` goes under
    ``profile``: the pid listing, or cgroup.kill."""
    hierarchy, name = tables.kill_all_file(profile, host.cgroup_mode())
    hierarchy = host.process_hierarchy() if hierarchy == "v1" else hierarchy
    return os.path.join(host.cgroup_dir(hierarchy, f"/{cid}"), name)


def written_values(host: Host, path: str, since: int) -> list[str] | None:
    """What was written to ``path`` since operation ``since``; None where the host logs the
    paths it wrote but not the data (a real host)."""
    writes = [op.data for op in host.operations()[since:] if op.op == "write" and op.path == path]
    if not writes or None in writes:
        return None
    return [data.decode().strip() for data in writes if data is not None]


def make_init_gone(host: Host, c: Container) -> int:
    """Init ends and stays a zombie until its parent reaps it.

    A running init just ends.  A frozen init cannot run its own exit, so it is killed the way
    it happens on a real host: SIGKILL (kept pending by the v1 freezer), someone thaws the
    cgroup, init dies, and the cgroup is frozen again (with only a zombie left, at once).
    """
    pid = init_pid(c)
    if host.is_frozen(pid) and _frozen_by_its_group(host, pid):
        freezer, frozen, thawed = host.freezer_file(pid)
        host.system.signal(pid, signal.SIGKILL)
        _write(freezer, thawed)
        host.await_exit(pid)
        _write(freezer, frozen)
    else:
        host.end_process(pid)
    return pid


def _frozen_by_its_group(host: Host, pid: int) -> bool:
    """Whether ``pid``'s freezer asks for it frozen.  A D state alone is no proof: on a busy
    real host a running task sleeps uninterruptibly for a moment (a page fault, an exec's
    read), and freezing its group back after its end would leave a container paused that the
    test wants stopped."""
    freezer, frozen, _ = host.freezer_file(pid)
    with open(freezer, encoding="ascii") as f:
        return f.read().strip() == frozen


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def inject(host: Host, op: str, path: str, err: int, nth: int = 1, every: bool = False) -> Any:
    """Make the ``nth`` next ``op`` on ``path`` fail with ``err`` (``every``: and each one after
    it, until ``host.clear_faults()``), or skip saying why this host cannot."""
    try:
        return host.fail(op, path, err, nth=nth, every=every)
    except HostCannot as why:
        skip_for_host(f"an injectable {op} fault", str(why))


def container_dirs(host: Host, c: Container) -> dict[str, bool]:
    """Which of the container's directories still exist: state dir, cgroups, resctrl group."""
    return {
        "state-dir": os.path.isdir(os.path.join(host.state_root, c.id)),
        "cgroup": bool(host.cgroup_dirs(f"/{c.id}")),
        "rdt": os.path.isdir(host.resctrl_group(c.id)),
    }


def bring_to(factory: Factory, host: Host, cid: str, state: str, config: Config) -> Any:
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


#: a process started into a container that has its init: the setns path, never an init
EXTRA = Process(args=("/bin/sleep", "infinity"), init=False)


def start_extra(c: Container, host: Host, process: Process = EXTRA) -> int:
    """Start one more process (:data:`EXTRA` unless given) in ``c`` and return its pid (the
    one child that was not there)."""
    before = host.live_children()
    c.start(process)
    new = host.live_children() - before
    assert len(new) == 1, f"Start of one process must start one: new pids {sorted(new)}"
    return new.pop()


def freezer_fails(host: Host, c: Container) -> Any:
    """The next write of the container's freezer file fails with EIO."""
    freezer, _, _ = host.freezer_file(init_pid(c))
    return inject(host, "write", freezer, errno.EIO)


def with_pids_limit(config: Config, limit: int) -> Config:
    """``config`` with its cgroup's pids limit set to ``limit`` (an update for Set)."""
    assert config.cgroups is not None, "the config has no cgroup"
    return dataclasses.replace(
        config, cgroups=dataclasses.replace(config.cgroups, pids_limit=limit)
    )


def pids_limit_file(host: Host, cgroup_path: str) -> str:
    """The control file a pids limit of the cgroup at ``cgroup_path`` is written to."""
    if host.cgroup_mode() == "v2":
        return os.path.join(host.cgroup_dir("unified", cgroup_path), tables.v2_file("pids_limit"))
    hierarchy, name = tables.v1_limit_file("pids_limit")
    return os.path.join(host.cgroup_dir(hierarchy, cgroup_path), name)


def first_part_missing(text: str, parts: Iterable[str]) -> str | None:
    """The first of ``parts`` that ``text`` does not hold after the ones before it."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            return part
        at = found + len(part)
    return None


def layers_missing(got: str, layers: Iterable[str], profile: str) -> str | None:
    """What a start error ``got`` lacks of its ``layers`` (outermost first), in the profile's
    words: the seed's quoting ``<layer> caused "...`` in order, or runc's ``<layer>: `` as the
    error's head; None when it has them all."""
    if start_errors.errors_quoted(profile):
        return first_part_missing(got, [f"{layer} caused" for layer in layers])
    head = "".join(f"{layer}: " for layer in layers)
    return None if got.startswith(head) else head


#: how a failed join of each step names the pid (the seed's and runc 1.2's words)
_JOIN_PID = {
    "join_cgroups": re.compile(r"adding pid (\d+) to cgroups"),
    "join_rdt": re.compile(r"(?:adding|add) pid (\d+)"),
}


def joined_pid(
    got: str, rule: str, profile: str, verify: Any, step: str = "join_cgroups"
) -> str | None:
    """The pid a failed join (``step``: of the cgroups, or "join_rdt" of the resctrl group) of
    a process started in a running container names, once checked to sit in the profile's
    layers of that step; None, its check failed, when it names none."""
    match = _JOIN_PID[step].search(got)
    verify(rule, match is not None, f"Start must fail naming the pid it joins: {got!r}")
    if match is None:
        return None
    pid = match.group(1)
    layers = [
        layer.format(pid=pid) for layer in start_errors.start_step_error_layers(step, profile)
    ]
    missing = layers_missing(got, layers, profile)
    verify(rule, missing is None, f"{missing!r} is missing, or out of order: {got!r}")
    return pid
