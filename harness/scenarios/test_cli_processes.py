"""Containers of several processes in every teardown path: no process of the container survives
``delete`` of a stopped container nor ``delete --force`` of a created, running or paused one.

The shapes: init with a child beside it (``children``), and a daemonized grandchild
(``daemon``: init forks a child that forks and exits, so the grandchild is reparented), each
with the container's own PID namespace and without one (where only destroy's kill-all, not the
kernel's end of the namespace, can end them).  Where programs run (a real host) busybox sh
forks; the simulated kernel runs no programs, so there the host acts the forks out.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.command_line import gone
from harness.scenarios._support.command_line import reach_status
from harness.scenarios._support.setting_up import setting_up
from harness.scenarios._support.skips import skip_for_host
from harness.spec import tables
from harness.subjects.command_line import CONTAINER_NAMESPACES
from harness.subjects.command_line import CommandLine
from harness.subjects.command_line import OciCommandLine
from harness.subjects.oci import Namespace

#: init's program per shape, when it sleeps on (running, paused) and when it exits (stopped)
_PROGRAMS = {
    ("children", False): "/bin/sleep 600 & exec /bin/sleep 600",
    ("daemon", False): "/bin/sh -c '/bin/sleep 600 &'; exec /bin/sleep 600",
    ("daemon", True): "/bin/sh -c '/bin/sleep 600 &'; exit 0",
}
#: how many processes the container holds once its shape is reached
_COUNT = {("children", False): 2, ("daemon", False): 2, ("daemon", True): 1}
_NAMESPACES = {
    "own-pidns": CONTAINER_NAMESPACES,
    "no-pidns": tuple(ns for ns in CONTAINER_NAMESPACES if ns.type != "pid"),
}


#: why the reference's command line on a real host cannot show a case (its programs are host
#: processes: no namespace of their own, and no ``exec`` command)
_REFERENCE_CANNOT = {
    "own-pidns": "the reference's programs run in the host's PID namespace on a real host: "
    "the end of a container's PID namespace cannot be shown",
    "exec": "the reference's command line has no exec to start a second process",
}


def _skip_for_the_reference_on_a_real_host(cli: CommandLine, host: Host, case: str) -> None:
    if host.executes_programs and not isinstance(cli, OciCommandLine):
        pytest.skip(_REFERENCE_CANNOT[case])


def _skip_where_the_kill_cannot_reach_a_frozen_task(host: Host, profile: str) -> None:
    """runc 1.2's SIGKILL without a PID namespace of the container's own is one write of
    cgroup.kill, which on a hybrid host leaves the v1 freezer FROZEN: no source of the profile
    gives the kill of a paused tree there (harness/spec/resources.toml paused_kill_reaches)."""
    mode = host.cgroup_mode()
    if not tables.paused_kill_reaches(profile, mode):
        skip_for_host(
            "a freezer the profile's kill-all thaws (cgroup v1 or v2, not hybrid)",
            f"the rule is about a host where {profile} can kill a paused container without a "
            f"PID namespace; on {host.describe()} cgroups are {mode}: its SIGKILL writes "
            "cgroup.kill of the unified group and never thaws the v1 freezer that holds the "
            "tasks (runc v1.2.0 libcontainer/container_linux.go:389-404, init_linux.go:701-707)",
        )


def _tasks(host: Host, cid: str) -> list[int]:
    return host.cgroup_pids(host.process_hierarchy(), f"/{cid}")


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


def _act_out(host: Host, init: int, shape: str, init_exits: bool) -> None:
    """The simulated kernel's init runs no program: the host forks as sh would."""
    if shape == "children":
        host.fork(init)
    else:
        middle = host.fork(init)
        host.fork(middle)
        host.end_process(middle)  # the grandchild is reparented
    if init_exits:
        host.end_process(init)


def _started(
    cli: CommandLine,
    host: Host,
    name: str,
    shape: str,
    namespaces: tuple[Namespace, ...],
    exits: bool = False,
) -> tuple[str, list[int]]:
    """A started container of ``shape`` whose init sleeps on (or ``exits``): its id and the
    processes it holds (init first, unless it exited)."""
    cid = host.container_id(name)
    bundle = cli.bundle(name, ("/bin/sh", "-c", _PROGRAMS[shape, exits]), namespaces=namespaces)
    created = cli("create", "--bundle", bundle, cid)
    setting_up(created.exit_code == 0, created.describe())
    init = cli.init_pid(cid)  # read now: an init that exits has none
    setting_up(init > 0, f"state shows no pid for {cid}")
    started = cli("start", cid)
    setting_up(started.exit_code == 0, started.describe())
    if not host.executes_programs:
        _act_out(host, init, shape, exits)
    else:  # the shape is reached once every process left is a sleep (sh has exec'd or exited)
        reached = eventually(
            host,
            lambda: (
                len(_tasks(host, cid)) == _COUNT[shape, exits]
                and all(_comm(p) == "sleep" for p in _tasks(host, cid))
            ),
        )
        setting_up(reached, lambda: f"{shape} has processes {_tasks(host, cid)}")
    tasks = [p for p in _tasks(host, cid) if host.is_alive(p)]
    setting_up(len(tasks) == _COUNT[shape, exits], f"{shape} has processes {tasks}")
    return cid, sorted(tasks, key=lambda p: p != init)


def _survivors(cli: CommandLine, host: Host, cid: str, processes: list[int]) -> list[str]:
    """What is left of the deleted container: its state, state dir, cgroups, processes."""
    left = gone(cli, host, cid, 0)
    return left + [f"process {p}" for p in processes if not host.dies(p)]


def _tree_case(state: str, rule: str) -> list[Any]:
    return [
        pytest.param(
            state, shape, ns, id=f"{state}-{shape}-{ns}", marks=pytest.mark.requirement(rule)
        )
        for shape in ("children", "daemon")
        for ns in _NAMESPACES
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "shape", "pidns"),
    _tree_case("running", "CLI-DELETE-FORCE-KILLS-RUNNING-TREE")
    + _tree_case("paused", "CLI-DELETE-FORCE-KILLS-PAUSED-TREE"),
)
def test_forced_delete_leaves_no_process(
    cli: CommandLine, host: Host, verify: Any, profile: str, state: str, shape: str, pidns: str
) -> None:
    rule = f"CLI-DELETE-FORCE-KILLS-{state.upper()}-TREE"
    if pidns == "own-pidns":
        _skip_for_the_reference_on_a_real_host(cli, host, pidns)
    elif state == "paused":
        _skip_where_the_kill_cannot_reach_a_frozen_task(host, profile)
    cid, processes = _started(
        cli, host, f"{state[0]}{shape[0]}{pidns[0]}", shape, _NAMESPACES[pidns]
    )
    if state == "paused":
        paused = cli("pause", cid)
        setting_up(paused.exit_code == 0, paused.describe())
    result = cli("delete", "--force", cid)
    verify(rule, result.exit_code == 0, result.describe())
    left = _survivors(cli, host, cid, processes)
    verify(rule, left == [], f"delete --force of {state} {shape} ({pidns}) left: {left}")


@pytest.mark.requirement("CLI-DELETE-FORCE-KILLS-CREATED-TREE")
def test_forced_delete_of_a_created_container_leaves_no_process(
    cli: CommandLine, host: Host, verify: Any
) -> None:
    """A created container's init has run no program: the second process is one exec'd into
    it (``exec --detach``), or, on the simulated kernel, a fork the host acts out.

    Without a PID namespace only: an exec'd process is reparented to this harness (a
    subreaper), which reaps between commands, not during ``delete``; in a PID namespace of
    its own init's exit then waits for that reaping (the kernel's zap_pid_ns_processes), and
    runc 1.1.5 timed out on it once in three runs here ("container init still running")."""
    pidns = "no-pidns"
    _skip_for_the_reference_on_a_real_host(cli, host, "exec")
    cid = host.container_id(f"created-{pidns}")
    bundle = cli.bundle(f"created-{pidns}", namespaces=_NAMESPACES[pidns])
    created = cli("create", "--bundle", bundle, cid)
    setting_up(created.exit_code == 0, created.describe())
    init = cli.init_pid(cid)
    setting_up(init > 0, f"state shows no pid for {cid}")
    if host.executes_programs:
        execd = cli("exec", "--detach", cid, "/bin/sleep", "600")
        setting_up(execd.exit_code == 0, execd.describe())
        setting_up(eventually(host, lambda: len(_tasks(host, cid)) == 2), "no exec")
    else:
        host.fork(init)
    processes = _tasks(host, cid)
    setting_up(cli.status(cid) == "created", lambda: f"state reports {cli.status(cid)}")
    result = cli("delete", "--force", cid)
    verify("CLI-DELETE-FORCE-KILLS-CREATED-TREE", result.exit_code == 0, result.describe())
    left = _survivors(cli, host, cid, processes)
    verify("CLI-DELETE-FORCE-KILLS-CREATED-TREE", left == [], f"delete --force left: {left}")


@pytest.mark.requirement("CLI-DELETE-KILLS-DAEMONIZED-GRANDCHILD")
def test_delete_of_a_stopped_container_kills_a_daemonized_grandchild(
    cli: CommandLine, host: Host, verify: Any
) -> None:
    """Without a PID namespace, init's child forks a grandchild and exits, then init exits:
    the grandchild, reparented outside the container's tree, is still in its cgroups."""
    cid, processes = _started(
        cli, host, "stopped-daemon", "daemon", _NAMESPACES["no-pidns"], exits=True
    )
    reach_status(cli, host, cid, "stopped")
    result = cli("delete", cid)
    verify("CLI-DELETE-KILLS-DAEMONIZED-GRANDCHILD", result.exit_code == 0, result.describe())
    left = _survivors(cli, host, cid, processes)
    verify("CLI-DELETE-KILLS-DAEMONIZED-GRANDCHILD", left == [], f"delete left: {left}")
