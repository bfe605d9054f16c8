"""Broken (runc-1.2): Processes takes a group that is gone for an empty one even while init
lives (the seed's filepath.Walk, under runc 1.2's rules), where runc 1.2 reports the walk's
error and ignores it only once neither init nor the group is left."""

from __future__ import annotations

from reference_impl.container import Container
from tests.broken._base import factory_with


def _processes(self: Container) -> list[int]:
    try:
        return Container.processes(self)
    except Exception as err:
        if "no such file or directory" in str(err):
            return []  # the defect: init's presence is not asked
        raise


new_factory = factory_with("ProcessesIgnoreGoneGroup", methods={"processes": _processes})
