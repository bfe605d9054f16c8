"""The command line's side of the suite: containers brought to a state by commands, what a
failed command must leave as it was, and what it left behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from harness.hosts import Host
from harness.hosts.base import POLL_INTERVAL_S
from harness.scenarios._support.setting_up import setting_up
from harness.subjects.command_line import CommandLine
from harness.subjects.command_line import OciCommandLine

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


def snapshot(cli: CommandLine, host: Host, cid: str) -> Snapshot:
    """What an operation that fails must leave as it was: status, pid, cgroups, init alive."""
    state = cli.state(cid) or {}
    pid = int(state.get("pid") or 0)
    alive = pid > 0 and host.is_alive(pid)
    return state.get("status"), pid, tuple(host.cgroup_dirs(f"/{cid}")), alive


def cli_bring_to(
    cli: CommandLine,
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
        setting_up(result.exit_code == 0, f"bringing it to {state}: {result.describe()}")
    reach_status(cli, host, cid, state)
    return cid


def reach_status(cli: CommandLine, host: Host, cid: str, wanted: str) -> None:
    """Wait (the host's settle time) until ``state`` reports ``wanted``; else setup failed."""
    reached = eventually(host, lambda: cli.status(cid) == wanted)
    setting_up(reached, lambda: f"state reports {cli.status(cid)}, not {wanted}")


def gone(cli: CommandLine, host: Host, cid: str, pid: int) -> list[str]:
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


def state_dir(cli: CommandLine, host: Host, cid: str) -> str:
    """Where the command line's runtime keeps ``cid``'s state: ``<--root>/<id>`` (an OCI
    runtime's own root on the host, the reference's ``host.state_root``)."""
    if isinstance(cli, OciCommandLine):
        return os.path.join(cli.runtime.root_dir, cid)
    return os.path.join(host.state_root, cid)


def left_by_create(cli: CommandLine, host: Host, cid: str, before: set[int]) -> list[str]:
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
