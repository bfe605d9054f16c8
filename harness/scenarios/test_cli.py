"""The OCI command line: every operation in every state a runtime reports, and what an error
must not do (anything at all), checked through fresh invocations as a runtime's users make them.

Expectations come from ``harness/spec/cli.toml``; the container is brought into a state through
the command line itself and observed through ``state`` and the host (cgroups, processes).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.command_line import cli_bring_to
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.command_line import gone
from harness.scenarios._support.command_line import left_by_create
from harness.scenarios._support.command_line import snapshot
from harness.spec import tables
from harness.subjects.command_line import CommandLine

#: a runtime-spec version as the state reports it: "1.0.2", "1.0.2-dev", "1.2.0", or "1.0"
#: (state.md asks for the version the state complies with, in no set format; SemVer is the
#: rule for config.json's ociVersion only)
SPEC_VERSION = re.compile(r"^1\.\d+(\.\d+)?(-[0-9A-Za-z.-]+)?$")


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
    cli: CommandLine, host: Host, profile: str, verify: Any, state: str, operation: str
) -> None:
    expect, requirement = tables.cli_operation(state, operation, profile)
    cid = cli_bring_to(cli, host, f"{operation}-{state}", state)
    before = snapshot(cli, host, cid)
    result = cli(operation, cid, "KILL") if operation == "kill" else cli(operation, cid)
    if expect == "error":
        verify(requirement, result.exit_code != 0, f"{result.describe()}; it must fail")
        after = snapshot(cli, host, cid)
        verify(requirement, after == before, f"a failed {operation} changed {before} to {after}")
        return
    verify(requirement, result.exit_code == 0, result.describe())
    if expect == "gone":
        left = gone(cli, host, cid, before[1])
        verify(requirement, left == [], f"{operation} in {state} left: {left}")
    elif expect == "pending":
        # the group stays frozen, so state keeps reporting paused; what happens to init is
        # the kernel's: the v1 freezer holds SIGKILL until resume, cgroup2 lets it kill
        verify(requirement, cli.status(cid) == "paused", f"state reports {cli.status(cid)}")
        if tables.frozen_sigkill(host.cgroup_mode()) == "delivered":
            verify(requirement, host.dies(before[1]), "a task frozen by cgroup2 dies of SIGKILL")
        else:
            after = snapshot(cli, host, cid)
            verify(requirement, after == before, f"the v1 freezer holds SIGKILL: {after}")
        assert cli("resume", cid).exit_code == 0
        verify(requirement, host.dies(before[1]), "after resume init is dead")
    else:
        reached = eventually(host, lambda: cli.status(cid) == expect)
        verify(
            requirement, reached, f"after {operation} state reports {cli.status(cid)}, not {expect}"
        )


@pytest.mark.requirement("CLI-STATE-MISSING")
def test_state_of_a_missing_id(cli: CommandLine, host: Host) -> None:
    result = cli("state", host.container_id("ghost"))
    assert result.exit_code != 0, result.describe()


@pytest.mark.requirement("CLI-STATE-FIELDS")
def test_state_shows_the_oci_state(cli: CommandLine, host: Host) -> None:
    cid = cli_bring_to(cli, host, "fields", "created")
    state = cli.state(cid)
    assert state is not None
    assert state["id"] == cid and state["status"] == "created"
    # the version of the runtime-spec the state complies with: the runtime's, not the bundle's
    assert SPEC_VERSION.match(str(state.get("ociVersion"))), f"ociVersion: {state}"
    assert os.path.realpath(state["bundle"]) == os.path.realpath(host.bundle_dir("fields"))
    assert host.is_alive(int(state["pid"])), f"state's pid {state['pid']} is not a live process"


@pytest.mark.requirement("CLI-CREATE-ID-IN-USE")
def test_create_with_an_id_in_use(cli: CommandLine, host: Host) -> None:
    cid = cli_bring_to(cli, host, "dup", "created")
    before = snapshot(cli, host, cid)
    result = cli("create", "--bundle", cli.bundle("dup-again"), cid)
    assert result.exit_code != 0, result.describe()
    assert snapshot(cli, host, cid) == before, "a refused create must leave the first alone"


@pytest.mark.requirement("CLI-CREATE-NO-BUNDLE")
def test_create_without_config_leaves_nothing(cli: CommandLine, host: Host) -> None:
    cid = host.container_id("nob")
    empty = host.bundle_dir("nob")
    os.makedirs(empty)
    before = host.live_processes()
    result = cli("create", "--bundle", empty, cid)
    assert result.exit_code != 0, result.describe()
    assert left_by_create(cli, host, cid, before) == []


@pytest.mark.parametrize(
    "phase",
    [
        pytest.param("prestart", marks=pytest.mark.requirement("CLI-CREATE-PRESTART-FAILS")),
        pytest.param(
            "createRuntime", marks=pytest.mark.requirement("CLI-CREATE-CREATERUNTIME-FAILS")
        ),
    ],
)
def test_create_with_a_failing_create_hook_leaves_nothing(
    cli: CommandLine, host: Host, phase: str
) -> None:
    """A prestart or createRuntime hook (both run during create) that fails makes create fail
    and leave nothing."""
    hook = host.hook_program(f"{phase}-fails", HookProgram.exit(1, stderr=f"{phase} fault"))
    cid = host.container_id(f"{phase}-fail")
    bundle = cli.bundle(f"{phase}-fail", hooks={phase: [{"path": hook}]})
    before = host.live_processes()
    result = cli("create", "--bundle", bundle, cid)
    assert result.exit_code != 0, f"{result.describe()}; create must fail"
    assert len(host.hook_runs(hook)) == 1, f"the {phase} hook never ran"
    left = left_by_create(cli, host, cid, before)
    assert left == [], f"the failed create left: {left}"


@pytest.mark.requirement("CLI-DELETE-RUNS-POSTSTOP")
def test_delete_runs_poststop_hooks_in_order_with_state(cli: CommandLine, host: Host) -> None:
    first = host.hook_program("post-1", HookProgram.exit(0))
    second = host.hook_program("post-2", HookProgram.exit(0))
    hooks = {"poststop": [{"path": first, "args": [first, "one"]}, {"path": second}]}
    cid = cli_bring_to(cli, host, "hooks", "stopped", hooks=hooks)
    assert host.hook_runs(first) == [], "poststop hooks ran before delete"
    result = cli("delete", cid)
    assert result.exit_code == 0, result.describe()
    runs = host.hook_runs(first) + host.hook_runs(second)
    assert len(runs) == 2, f"each poststop hook runs once at delete: {len(runs)} runs"
    assert runs[0].seq < runs[1].seq, "poststop hooks run in order"
    assert runs[0].args[1:] == ("one",), f"the hook's args: {runs[0].args}"
    state = json.loads(runs[0].stdin)
    assert state["id"] == cid and SPEC_VERSION.match(str(state.get("ociVersion"))), state
    assert os.path.realpath(state["bundle"]) == os.path.realpath(host.bundle_dir("hooks"))
