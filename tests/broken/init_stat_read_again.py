"""Broken: when the new init's /proc/<pid>/stat cannot be read as it starts, the start time is
read again later instead of left at Go's zero value, so state.json records init's real start
time and the container reads as created where runc records 0 and reads it as stopped."""

from __future__ import annotations

from typing import Any

from reference_impl.container import Container
from tests.broken._base import factory_with


def _start_parent(self: Container, process: Any, is_init: bool) -> Any:
    parent = Container._start_parent(self, process, is_init)
    if parent.start_time == 0:
        parent.start_time = self.system.proc_stat(parent.pid).start_time  # the defect
    return parent


new_factory = factory_with("InitStatReadAgain", methods={"_start_parent": _start_parent})
