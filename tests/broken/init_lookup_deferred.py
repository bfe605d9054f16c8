"""Broken: init does not look its program up before it waits for start, so a program that is
not there is no error of create: the container is created, and fails only when it is started."""

from __future__ import annotations

from reference_impl.configs import Process
from reference_impl.container import Container
from reference_impl.process import ParentProcess
from tests.broken._base import factory_with


def _look_up_program(
    self: Container, parent: ParentProcess, process: Process, is_init: bool
) -> None:
    if is_init:
        return  # the defect: left to init's exec, after start
    Container._look_up_program(self, parent, process, is_init)


new_factory = factory_with("InitLookupDeferred", methods={"_look_up_program": _look_up_program})
