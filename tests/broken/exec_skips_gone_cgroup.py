"""Broken (runc-1.2): a process started in a running container skips a cgroup directory that
is gone, as the seed's EnterPid did (692f6e1 cgroups/utils.go:359-368), where runc writes every
recorded path and fails on a gone one (39914db67; v1.2.0 process_linux.go:164-185)."""

from __future__ import annotations

import os
from typing import Any

from reference_impl.cgroups.writer import CgroupError
from reference_impl.cgroups.writer import CgroupWriter
from reference_impl.exec_join import write_each
from tests.broken._base import factory_with


def join_existing_only(c: Any, pid: int) -> None:
    paths = [p for p in c.cgroup_manager.get_paths().values() if os.path.isdir(p)]  # the defect
    init = c.init_process.pid if c.init_process is not None else 0
    try:
        write_each(paths, pid, init, CgroupWriter("runc", c.system))
    except CgroupError as err:
        raise c.profile.start_step_error("join-cgroups", "", err, pid=pid) from err


new_factory = factory_with("ExecSkipsGoneCgroup", methods={"_join_existing": join_existing_only})
