"""Broken: the program is looked up as the process is forked, as Popen does, before the cgroups
and the prestart hooks, and its error passes up without init's layer around it."""

from __future__ import annotations

from reference_impl.configs import Process
from reference_impl.container import Container
from reference_impl.process import InitProcess
from reference_impl.process import ParentProcess
from reference_impl.system import ProcessSpec
from tests.broken._base import factory_with


def _spawn(self: Container, spec: ProcessSpec, is_init: bool) -> int:
    pid = Container._spawn(self, spec, is_init)
    process = Process(args=spec.args, env=spec.env, cwd=spec.cwd, init=is_init)
    # the defect: looked up at once, outside the parent's start
    Container._look_up_program(self, InitProcess(pid, 0, self.system), process, is_init)
    return pid


def _look_up_program(
    self: Container, parent: ParentProcess, process: Process, is_init: bool
) -> None:
    return None


new_factory = factory_with(
    "ProgramLookedUpAtFork", methods={"_spawn": _spawn, "_look_up_program": _look_up_program}
)
