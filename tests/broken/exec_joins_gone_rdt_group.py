"""Broken: an extra process is written to the tasks of the container's resctrl group even when
that group is gone, where the seed stats the path first and skips it (692f6e1
process_linux.go:94-97): the write finds no file and the exec fails."""

from __future__ import annotations

import os
from typing import Any

from reference_impl.container import Container
from reference_impl.fileutil import write_file
from tests.broken._base import factory_with


def join_without_stat(c: Any, pid: int) -> None:
    Container._join_existing(c, pid)
    path = c._intel_rdt_path()
    if path and not os.path.isdir(path):
        write_file(os.path.join(path, "tasks"), str(pid))  # the defect: no os.Stat first


new_factory = factory_with("ExecJoinsGoneRdtGroup", methods={"_join_existing": join_without_stat})
