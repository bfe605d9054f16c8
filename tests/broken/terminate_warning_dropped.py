"""Broken: a start that kills the init it started after a failing hook never warns of what
the kill and the wait returned, where the seed warns "signal: killed" (runc 1.2's rule under
the seed's)."""

from __future__ import annotations

from reference_impl.container import Container
from reference_impl.process import ParentProcess
from tests.broken._base import factory_with


def _terminate(self: Container, parent: ParentProcess) -> None:
    parent.terminate()  # the defect: its error is dropped


new_factory = factory_with("TerminateWarningDropped", methods={"_terminate": _terminate})
