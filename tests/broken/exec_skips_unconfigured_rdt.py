"""Broken: a process started in a container without intelRdt never joins the resctrl group
named after the container (runc's rule since v1.1.0, under the seed's, whose state.json names
that group whenever resctrl is mounted and whose exec joins it)."""

from __future__ import annotations

from reference_impl.container import Container
from tests.broken._base import factory_with


def _join_existing(self: Container, pid: int) -> None:
    if self.intel_rdt_manager is not None:
        Container._join_existing(self, pid)
        return
    mounted, self.resctrl_root = self.resctrl_root, ""  # the defect: the group is not looked at
    try:
        Container._join_existing(self, pid)
    finally:
        self.resctrl_root = mounted


new_factory = factory_with("ExecSkipsUnconfiguredRdt", methods={"_join_existing": _join_existing})
