"""Broken: a process that is not init, started in a container without init, joins no cgroup
(the manager has made none yet), so it runs where runc 1.2 fails on the planned groups."""

from __future__ import annotations

from reference_impl.container import Container
from tests.broken._base import factory_with


def _join_existing(self: Container, pid: int) -> None:
    if self.init_process is None:
        return  # the defect: no init, nothing joined
    Container._join_existing(self, pid)


new_factory = factory_with("ExecWithoutInitSkipsJoin", methods={"_join_existing": _join_existing})
