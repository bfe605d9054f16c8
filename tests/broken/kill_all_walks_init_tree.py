"""Broken: destroy's kill-all walks init's process tree (init and the processes whose parent
it is, read from /proc/<pid>/stat) instead of the container's cgroup, so a daemonized grandchild
(its parent exited, it was reparented away from init) survives delete, and keeps the cgroup
busy, where runc's signalAllProcesses signals every pid of the cgroup."""

from __future__ import annotations

import signal
from typing import Any

from tests.broken._base import every_step_teardown
from tests.broken._base import factory_with


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return 0
    return int(text[text.rindex(")") + 2 :].split()[1])


def teardown_killing_init_tree(c: Any) -> None:
    if c.profile.kill_all_wanted(c.config.namespaces) and c.init_process is not None:
        init = c.init_process.pid
        for pid in c.cgroup_manager.get_all_pids():
            if pid == init or _ppid(pid) == init:  # the defect: the tree, not the cgroup
                try:
                    c.system.signal(pid, signal.SIGKILL)
                except OSError:
                    pass
    every_step_teardown(c)


new_factory = factory_with("KillAllWalksInitTree", teardown=teardown_killing_init_tree)
