"""Real faults at delete: a busy cgroup and a poststop hook that fails or hangs, and what the
command line does with them under each profile (``[delete_faults]`` of harness/spec/cli.toml).

The faults are the host's own: a process of the harness moved into the container's cgroup (the
container has a private PID namespace, so destroy's kill-all leaves it alone), a hook program
that exits 1 or sleeps past its timeout.  The host removes them when the test ends.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.command_line import cli_bring_to
from harness.spec import cli_tables
from harness.subjects.command_line import CommandLine


def _check(cli: CommandLine, host: Host, cid: str, fault: str, profile: str, verify: Any,
           result: Any) -> None:  # fmt: skip
    wanted = cli_tables.cli_delete_fault(fault, profile)
    requirement = wanted.requirement
    zero = result.exit_code == 0
    verify(requirement, zero == (wanted.exit == "zero"),
           f"{result.describe()}; the profile wants exit {wanted.exit}")  # fmt: skip
    answers = cli("state", cid).exit_code == 0
    verify(requirement, answers == (wanted.container == "kept"),
           f"after the failed delete `state` {'answers' if answers else 'errors'};"
           f" the container must be {wanted.container}")  # fmt: skip


@pytest.mark.requirement(*cli_tables.cli_delete_fault_variants("busy-cgroup"))
def test_delete_with_a_busy_cgroup(cli: CommandLine, host: Host, profile: str, verify: Any) -> None:
    cid = cli_bring_to(cli, host, "busy", "stopped")
    outsider = host.break_teardown("cgroup", cid).outsider
    result = cli("delete", cid)
    _check(cli, host, cid, "busy-cgroup", profile, verify, result)
    assert outsider is not None and host.is_alive(outsider), (
        "delete killed a process that is not the container's"
    )


@pytest.mark.parametrize("hook", ["fails", "hangs"])
@pytest.mark.requirement(*cli_tables.cli_delete_fault_variants("poststop"))
def test_delete_with_a_failing_poststop_hook(
    cli: CommandLine, host: Host, profile: str, verify: Any, hook: str
) -> None:
    program = (
        HookProgram.exit(1, stderr="poststop fault") if hook == "fails" else HookProgram.hang()
    )
    path = host.hook_program(f"post-{hook}", program)
    after = host.hook_program(f"after-{hook}", HookProgram.exit(0))
    poststop = [{"path": path, "timeout": 1}, {"path": after}]
    name = f"post-{hook}"
    cid = cli_bring_to(cli, host, name, "stopped", hooks={"poststop": poststop})
    result = cli("delete", cid)
    _check(cli, host, cid, "poststop", profile, verify, result)
    assert len(host.hook_runs(path)) == 1, "the faulty hook ran once"
    wanted = cli_tables.cli_delete_fault("poststop", profile)
    ran = len(host.hook_runs(after))
    verify(wanted.requirement, ran == (1 if wanted.remaining == "run" else 0),
           f"the poststop hook after the failing one ran {ran} time(s); the profile wants"
           f" the remaining hooks {wanted.remaining}")  # fmt: skip
    # runtime.md:74-75 asks for a warning, and :84 leaves how or whether it is shown to the
    # runtime: the output is not read for one
