"""Broken: the exec's resctrl join asks whether a directory is there, not os.Stat, so an id
that names a file of the resctrl root is passed over instead of failing with ENOTDIR."""

from __future__ import annotations

import os

from reference_impl.container import Container
from tests.broken._base import factory_with


def _join_rdt(self: Container, path: str, pid: int) -> None:
    if not os.path.isdir(path):
        return  # the defect: a file there is taken for no group
    Container._join_rdt(self, path, pid)


new_factory = factory_with("RdtJoinNeedsDirectory", methods={"_join_rdt": _join_rdt})
