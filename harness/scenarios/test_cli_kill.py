"""Kill with a signal other than SIGKILL: what the runc releases do with it before and after
they signal init (the SIGKILL cells are in test_cli.py's table)."""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.command_line import cli_bring_to
from harness.scenarios._support.containers import inject
from harness.scenarios._support.setting_up import setting_up
from harness.spec import cli_tables
from harness.subjects.command_line import CommandLine


@pytest.mark.requirement("CLI-KILL-STOPPED-NOT-RUNNING")
def test_kill_of_a_stopped_container_is_not_running(
    cli: CommandLine, host: Host, profile: str, verify: Any
) -> None:
    cid = cli_bring_to(cli, host, "term-stopped", "stopped")
    result = cli("kill", cid)
    rule = "CLI-KILL-STOPPED-NOT-RUNNING"
    want = cli_tables.kill_error("not_running", profile)
    verify(rule, result.exit_code != 0, f"{result.describe()}; it must fail")
    verify(rule, want in result.stderr_tail, f"{result.describe()}; stderr must say {want!r}")


@pytest.mark.requirement("CLI-KILL-SIGNAL-ERROR")
def test_kill_whose_signal_fails_says_so(
    cli: CommandLine, host: Host, profile: str, verify: Any
) -> None:
    cid = cli_bring_to(cli, host, "sig-fail", "running")
    pid = cli.init_pid(cid)
    fault = inject(host, "kill", f"/proc/{pid}", errno.EPERM)
    result = cli("kill", cid)
    setting_up(host.fired(fault), f"the kill fault never fired: {result.describe()}")
    rule = "CLI-KILL-SIGNAL-ERROR"
    text = os.strerror(errno.EPERM).lower()
    want = cli_tables.kill_error("signal_failed", profile, errno=text)
    verify(rule, result.exit_code != 0, f"{result.describe()}; it must fail")
    verify(rule, want in result.stderr_tail, f"{result.describe()}; stderr must say {want!r}")
    verify(rule, cli.status(cid) == "running", f"state reports {cli.status(cid)}")


@pytest.mark.requirement("CLI-KILL-PAUSED-OTHER-SIGNAL-KEPT")
def test_kill_winch_leaves_a_paused_container_paused(
    cli: CommandLine, host: Host, verify: Any
) -> None:
    cid = cli_bring_to(cli, host, "term-paused", "paused")
    # WINCH: no process dies of it, so under cgroup2 (where a fatal signal kills a frozen
    # task) the status still tells whether the group was thawed
    result = cli("kill", cid, "WINCH")
    rule = "CLI-KILL-PAUSED-OTHER-SIGNAL-KEPT"
    verify(rule, result.exit_code == 0, result.describe())
    status = cli.status(cid)
    verify(rule, status == "paused",
           f"after kill WINCH state reports {status}: only SIGKILL may thaw the group")  # fmt: skip
