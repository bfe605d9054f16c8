"""Broken: a fork that fails (EAGAIN) reaches Start's caller as the OS error alone, without
Go's "fork/exec" text or the layers of the start around it."""

from __future__ import annotations

from reference_impl.container import Container
from reference_impl.system import ProcessSpec
from tests.broken._base import factory_with


def _spawn(self: Container, spec: ProcessSpec, is_init: bool) -> int:
    return self.system.spawn(spec)  # the defect: the OSError passes up as it is


new_factory = factory_with("ForkErrorUnwrapped", methods={"_spawn": _spawn})
