"""Broken: a name without a slash is looked up in the runtime's own $PATH, as a parent that
resolves the program before it hands it over would, not in the process's Env."""

from __future__ import annotations

import dataclasses
import os

from reference_impl.configs import Process
from reference_impl.container import Container
from reference_impl.process import ParentProcess
from tests.broken._base import factory_with


def _look_up_program(
    self: Container, parent: ParentProcess, process: Process, is_init: bool
) -> None:
    # the defect: the runtime's $PATH stands in for the one the process's Env gives
    searched = dataclasses.replace(process, env=(f"PATH={os.environ.get('PATH', '')}",))
    Container._look_up_program(self, parent, searched, is_init)


new_factory = factory_with("LookupInRuntimePath", methods={"_look_up_program": _look_up_program})
