"""Faults of the kernel in the middle of ``create``, ``start`` and ``pause``, for any runtime
binary: an exec.fifo that cannot be opened (EIO), a
cgroup that cannot be made (mkdir: ENOSPC, EACCES), joined (the write of cgroup.procs: EIO) or
limited (the write of pids.max: EIO), and a freezer that cannot be written (freezer.state or
cgroup.freeze: EIO).

Each fault is armed for the one command (on a real host through the syscall fault engine), on
the container's own files only, at every attempt.  A fault that never fired leaves the rule
unchecked: the test then errors, saying so, rather than pass on a command that did not meet it.
"""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.command_line import cli_bring_to
from harness.scenarios._support.command_line import left_by_create
from harness.scenarios._support.command_line import state_dir
from harness.scenarios._support.containers import inject
from harness.scenarios._support.setting_up import setting_up
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import Resources

#: (operation, the file in the container's group it hits, or "" for the group itself, errno):
#: the group of the hierarchy every process is in (devices on v1, the unified one on v2), or,
#: for pids.max, the group that holds the limit of the bundle's 100 tasks
_CREATE_FAULTS = {
    "mkdir-ENOSPC": ("mkdir", "", errno.ENOSPC),
    "mkdir-EACCES": ("mkdir", "", errno.EACCES),
    "procs-EIO": ("write", "cgroup.procs", errno.EIO),
    "limit-EIO": ("write", "pids.max", errno.EIO),
}


def _under_fault(cli: CommandLine, host: Host, fault: tuple[str, str, int], *argv: str) -> Any:
    """Run ``argv`` with ``fault`` (op, path, errno) armed at every attempt; the command's
    record.  A fault that never fired fails the setup: the rule was not met."""
    op, path, err = fault
    armed = inject(host, op, path, err, every=True)
    result = cli(*argv)
    fired = host.fired(armed)
    host.clear_faults()
    setting_up(fired, f"no {op} of {path} reached the fault engine: {result.describe()}")
    return result


@pytest.mark.requirement("CLI-CREATE-CGROUP-FAILS")
@pytest.mark.parametrize("fault", sorted(_CREATE_FAULTS))
def test_create_whose_cgroup_fails_leaves_nothing(
    cli: CommandLine, host: Host, verify: Any, fault: str
) -> None:
    """The container's group cannot be made, init cannot be put in it, or its limit cannot be
    written."""
    op, name, err = _CREATE_FAULTS[fault]
    cid = host.container_id(f"cg-{fault}")
    hierarchy = host.process_hierarchy()
    if name == "pids.max":
        hierarchy = "unified" if host.cgroup_mode() == "v2" else "pids"
    group = host.cgroup_dir(hierarchy, f"/{cid}")
    bundle = cli.bundle(f"cg-{fault}", resources=Resources(pids_limit=100))
    before = host.live_processes()
    target = os.path.join(group, name) if name else group
    result = _under_fault(cli, host, (op, target, err), "create", "--bundle", bundle, cid)
    left = left_by_create(cli, host, cid, before)
    verify.each(
        ("CLI-CREATE-CGROUP-FAILS", result.exit_code != 0,
         f"with {op} of {target} failing ({errno.errorcode[err]}): {result.describe()}"),
        ("CLI-CREATE-CGROUP-FAILS", left == [], f"the failed create left: {left}"),
    )  # fmt: skip


@pytest.mark.requirement("CLI-PAUSE-FREEZE-FAILS")
def test_pause_whose_freezer_cannot_be_written(cli: CommandLine, host: Host, verify: Any) -> None:
    cid = cli_bring_to(cli, host, "freeze-eio", "running")
    init = cli.init_pid(cid)
    setting_up(init > 0, lambda: f"state shows no pid for {cid}: {cli.state(cid)}")
    path, _, thawed = host.freezer_file(init)
    result = _under_fault(cli, host, ("write", path, errno.EIO), "pause", cid)
    status = cli.status(cid)
    with open(path, encoding="ascii") as f:
        freezer = f.read().strip()
    verify.each(
        ("CLI-PAUSE-FREEZE-FAILS", result.exit_code != 0,
         f"with writes of {path} failing (EIO): {result.describe()}"),
        ("CLI-PAUSE-FREEZE-FAILS", status == "running", f"after it, state says {status}"),
        ("CLI-PAUSE-FREEZE-FAILS", freezer == thawed and not host.is_frozen(init),
         f"{path} reads {freezer}; init {init} frozen: {host.is_frozen(init)}"),
    )  # fmt: skip


@pytest.mark.requirement("CLI-START-FIFO-FAILS")
def test_start_whose_exec_fifo_cannot_be_opened(cli: CommandLine, host: Host, verify: Any) -> None:
    cid = cli_bring_to(cli, host, "fifo-eio", "created")
    fifo = os.path.join(state_dir(cli, host, cid), "exec.fifo")
    result = _under_fault(cli, host, ("open", fifo, errno.EIO), "start", cid)
    status = cli.status(cid)
    verify.each(
        ("CLI-START-FIFO-FAILS", result.exit_code != 0,
         f"with opens of {fifo} failing (EIO): {result.describe()}"),
        ("CLI-START-FIFO-FAILS", status == "created", f"after it, state says {status}"),
    )  # fmt: skip
