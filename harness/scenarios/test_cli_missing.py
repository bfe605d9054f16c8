"""Every operation on an id that names no container: it fails (``delete --force`` excepted, which
runc makes a success) and makes nothing, neither a state, a state dir, an entry in the
runtime's root, a cgroup, nor a process (runtime-spec v1.0.2 runtime.md:80: an error leaves the
environment as if the operation had not been attempted).

CLI-STATE-MISSING (harness/scenarios/test_cli.py) covers ``state``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.command_line import left_by_create
from harness.scenarios._support.command_line import state_dir
from harness.scenarios._support.setting_up import setting_up
from harness.subjects.command_line import CommandLine

#: the operations, the command line each runs on the missing id, and the rule it checks
_OPERATIONS = (
    ("start", (), "CLI-START-MISSING"),
    ("kill", ("KILL",), "CLI-KILL-MISSING"),
    ("delete", (), "CLI-DELETE-MISSING"),
    ("pause", (), "CLI-PAUSE-MISSING"),
    ("resume", (), "CLI-RESUME-MISSING"),
)


def _root_entries(cli: CommandLine, host: Host, cid: str) -> set[str]:
    """What the runtime's root (where ``cid``'s state dir would be) holds now."""
    root = os.path.dirname(state_dir(cli, host, cid))
    return set(os.listdir(root)) if os.path.isdir(root) else set()


def _made_by(cli: CommandLine, host: Host, cid: str, argv: tuple[str, ...]) -> tuple[Any, list]:
    """Run ``argv`` on the missing ``cid``: its record, and what it made (empty: nothing)."""
    setting_up(cli.status(cid) is None, f"{cid} exists before the test")
    processes, entries = host.live_processes(), _root_entries(cli, host, cid)
    result = cli(*argv)
    made: list[Any] = left_by_create(cli, host, cid, processes)
    made += [f"{name} in the runtime's root" for name in _root_entries(cli, host, cid) - entries]
    return result, made


@pytest.mark.parametrize(
    ("operation", "args", "requirement"),
    [
        pytest.param(o, a, r, id=o, marks=pytest.mark.requirement(r)) for o, a, r in _OPERATIONS
    ],  # fmt: skip
)
def test_operation_on_a_missing_id_fails_and_makes_nothing(
    cli: CommandLine,
    host: Host,
    verify: Any,
    operation: str,
    args: tuple[str, ...],
    requirement: str,
) -> None:
    cid = host.container_id(f"ghost-{operation}")
    result, made = _made_by(cli, host, cid, (operation, cid, *args))
    verify(requirement, result.exit_code != 0, f"{result.describe()}; {cid} does not exist")
    verify(requirement, made == [], f"`{operation}` of the missing {cid} made: {made}")


@pytest.mark.requirement("CLI-DELETE-FORCE-MISSING")
def test_forced_delete_of_a_missing_id_succeeds_and_makes_nothing(
    cli: CommandLine, host: Host, verify: Any
) -> None:
    cid = host.container_id("ghost-force")
    result, made = _made_by(cli, host, cid, ("delete", "--force", cid))
    verify("CLI-DELETE-FORCE-MISSING", result.exit_code == 0, result.describe())
    verify("CLI-DELETE-FORCE-MISSING", made == [], f"`delete --force` of {cid} made: {made}")
