"""The OCI command line: every operation in every state a runtime reports, and what an error
must not do (anything at all), checked through fresh invocations as a runtime's users make them.

Expectations come from ``harness/spec/cli.toml``; the container is brought into a state through
the command line itself and observed through ``state`` and the host (cgroups, processes).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support import write_bundle
from harness.spec import tables
from harness.subjects.cli import SubjectCli

Snapshot = tuple[str | None, int, tuple[str, ...], bool]


@pytest.fixture
def cli(subject: Any, host: Host, profile: str) -> SubjectCli:
    return SubjectCli(subject, host, profile)


def _eventually(host: Host, condition: Callable[[], bool]) -> bool:
    """``condition`` holds now, or within the host's settle time (a real kernel kills a
    moment after kill returns)."""
    deadline = time.monotonic() + host.settle_s
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def _snapshot(cli: SubjectCli, host: Host, cid: str) -> Snapshot:
    """What an operation that fails must leave as it was: status, pid, cgroups, init alive."""
    state = cli.state(cid) or {}
    pid = int(state.get("pid") or 0)
    alive = pid > 0 and host.is_alive(pid)
    return state.get("status"), pid, tuple(host.cgroup_dirs(f"/{cid}")), alive


def _bring_to(cli: SubjectCli, host: Host, name: str, state: str) -> str:
    """A container called ``name`` in ``state``, reached through the command line."""
    cid = host.container_id(name)
    steps = {"created": [("create",)], "running": [("create",), ("start",)],
             "paused": [("create",), ("start",), ("pause",)],
             "stopped": [("create",), ("start",), ("kill", "KILL")]}[state]  # fmt: skip
    for step in steps:
        argv = (step[0], "--bundle", write_bundle(host, name), cid) if step[0] == "create" else (
            step[0], cid, *step[1:]
        )  # fmt: skip
        result = cli(*argv)
        assert result.exit_code == 0, f"setting up {state}: {result.describe()}"
    assert _eventually(host, lambda: cli.status(cid) == state), (
        f"setting up {state}: state reports {cli.status(cid)}"
    )
    return cid


def _gone(cli: SubjectCli, host: Host, cid: str, pid: int) -> list[str]:
    """What is left of a deleted container (empty when nothing is)."""
    left = []
    if cli("state", cid).exit_code == 0:
        left.append("state still answers")
    if os.path.exists(os.path.join(host.state_root, cid)):
        left.append("its state dir")
    left += host.cgroup_dirs(f"/{cid}")
    if pid and not host.dies(pid):
        left.append(f"its init {pid}")
    return left


def _case(state: str, operation: str) -> Any:
    return pytest.param(
        state,
        operation,
        id=f"{operation}-{state}",
        marks=pytest.mark.requirement(*tables.cli_requirement_variants(state, operation)),
    )


@pytest.mark.parametrize(
    ("state", "operation"),
    [_case(s, o) for s in tables.CLI_STATES for o in tables.CLI_OPERATIONS],
)
def test_operation_in_state(
    cli: SubjectCli, host: Host, profile: str, verify: Any, state: str, operation: str
) -> None:
    expect, requirement = tables.cli_operation(state, operation, profile)
    cid = _bring_to(cli, host, f"{operation}-{state}", state)
    before = _snapshot(cli, host, cid)
    result = cli(operation, cid, "KILL") if operation == "kill" else cli(operation, cid)
    if expect == "error":
        verify(requirement, result.exit_code != 0, f"{result.describe()}; it must fail")
        after = _snapshot(cli, host, cid)
        verify(requirement, after == before, f"a failed {operation} changed {before} to {after}")
        return
    verify(requirement, result.exit_code == 0, result.describe())
    if expect == "gone":
        left = _gone(cli, host, cid, before[1])
        verify(requirement, left == [], f"{operation} in {state} left: {left}")
    elif expect == "pending":
        # the group stays frozen, so state keeps reporting paused; what happens to init is
        # the kernel's: the v1 freezer holds SIGKILL until resume, cgroup2 lets it kill
        verify(requirement, cli.status(cid) == "paused", f"state reports {cli.status(cid)}")
        if tables.frozen_sigkill(host.cgroup_mode()) == "delivered":
            verify(requirement, host.dies(before[1]), "a task frozen by cgroup2 dies of SIGKILL")
        else:
            after = _snapshot(cli, host, cid)
            verify(requirement, after == before, f"the v1 freezer holds SIGKILL: {after}")
        assert cli("resume", cid).exit_code == 0
        verify(requirement, host.dies(before[1]), "after resume init is dead")
    else:
        reached = _eventually(host, lambda: cli.status(cid) == expect)
        verify(
            requirement, reached, f"after {operation} state reports {cli.status(cid)}, not {expect}"
        )


@pytest.mark.requirement("CLI-STATE-MISSING")
def test_state_of_a_missing_id(cli: SubjectCli, host: Host) -> None:
    result = cli("state", host.container_id("ghost"))
    assert result.exit_code != 0, result.describe()


@pytest.mark.requirement("CLI-STATE-FIELDS")
def test_state_shows_the_oci_state(cli: SubjectCli, host: Host) -> None:
    cid = _bring_to(cli, host, "fields", "created")
    state = cli.state(cid)
    assert state is not None
    assert state["id"] == cid and state["status"] == "created"
    assert state["ociVersion"] == "1.0.2"
    assert os.path.realpath(state["bundle"]) == os.path.realpath(host.bundle_dir("fields"))
    assert host.is_alive(int(state["pid"])), f"state's pid {state['pid']} is not a live process"


@pytest.mark.requirement("CLI-CREATE-ID-IN-USE")
def test_create_with_an_id_in_use(cli: SubjectCli, host: Host) -> None:
    cid = _bring_to(cli, host, "dup", "created")
    before = _snapshot(cli, host, cid)
    result = cli("create", "--bundle", write_bundle(host, "dup"), cid)
    assert result.exit_code != 0, result.describe()
    assert _snapshot(cli, host, cid) == before, "a refused create must leave the first alone"


@pytest.mark.requirement("CLI-CREATE-NO-BUNDLE")
def test_create_without_config_leaves_nothing(cli: SubjectCli, host: Host) -> None:
    cid = host.container_id("nob")
    empty = host.bundle_dir("nob")
    os.makedirs(empty)
    result = cli("create", "--bundle", empty, cid)
    assert result.exit_code != 0, result.describe()
    assert not os.path.exists(os.path.join(host.state_root, cid)), "a state dir was left"
    assert host.cgroup_dirs(f"/{cid}") == []
    assert cli("state", cid).exit_code != 0
