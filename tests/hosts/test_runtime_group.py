"""A subject's command started in a resctrl group: on a real host the child writes its own
pid to the group's tasks between fork and exec (a plain file stands in for ``tasks`` here,
where resctrl is not mounted); on the simulated host what the runtime starts is born in the
group it moved to."""

from __future__ import annotations

import os
import subprocess
from contextlib import nullcontext
from pathlib import Path

from harness.hosts import simulated_host
from harness.hosts.runtime_group import in_resctrl_group


def test_the_command_writes_its_own_pid_before_it_execs(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    tasks.touch()
    armed_mark = tmp_path / "armed"  # what the fault engine's own preexec_fn would do
    armed = nullcontext({"preexec_fn": armed_mark.touch})
    with in_resctrl_group(str(tasks), armed) as kwargs:
        proc = subprocess.Popen(["/bin/true"], **kwargs)  # noqa: S603 - a fixed program
    assert proc.wait() == 0
    assert tasks.read_text() == str(proc.pid)
    assert armed_mark.exists(), "the preexec_fn already there must still run"
    with in_resctrl_group(None, nullcontext({})) as kwargs:
        assert kwargs == {}


def test_what_the_simulated_runtime_starts_is_born_in_its_group() -> None:
    with simulated_host("v1-cat") as host:
        os.mkdir(host.resctrl_group("home"))
        with host.runtime_in_resctrl_group("home"):
            inside = host.start_process()
        outside = host.start_process()
        assert host.resctrl_tasks("home") == [inside]
        assert outside in host.resctrl_tasks("") and inside not in host.resctrl_tasks("")
