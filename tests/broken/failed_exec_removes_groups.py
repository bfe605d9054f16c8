"""Broken: a process started in a running container whose start fails is undone as a failed
init is, so the running container loses its groups (the kernel lets a resctrl group with tasks
go; a v1 cgroup with init in it stays)."""

from __future__ import annotations

from reference_impl.container import Container
from reference_impl.process import ParentProcess
from tests.broken._base import factory_with


def _abort_parent(self: Container, parent: ParentProcess, is_init: bool = True) -> None:
    Container._abort_parent(self, parent, True)  # the defect: every start is init's


new_factory = factory_with("FailedExecRemovesGroups", methods={"_abort_parent": _abort_parent})
