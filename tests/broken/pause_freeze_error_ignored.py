"""Broken: pause drops the error of a freeze that could not be written and exits 0, though
nothing was frozen (CLI-PAUSE-FREEZE-FAILS: runc returns Freeze's error)."""

from __future__ import annotations

from typing import Any

from reference_impl.cgroups.writer import CgroupError
from reference_impl.container import Container
from tests.broken._base import factory_with


def _pause(self: Any) -> None:
    try:
        Container.pause(self)
    except CgroupError:  # the defect
        pass


new_factory = factory_with("PauseFreezeErrorIgnored", methods={"pause": _pause})
