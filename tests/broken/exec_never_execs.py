"""Broken: a process started in a running container is looked up but never let go to exec its
program: it stays runc's init, in the container's groups, running nothing of its own."""

from __future__ import annotations

import functools

from reference_impl.configs import Process
from reference_impl.container import Container
from reference_impl.lookpath import look_path
from reference_impl.lookpath import path_of
from reference_impl.process import ParentProcess
from tests.broken._base import factory_with


def _look_up_program(
    self: Container, parent: ParentProcess, process: Process, is_init: bool
) -> None:
    stat_fn = functools.partial(self.system.exec_stat, parent.pid)
    look_path(process.args[0], path_of(process.env), stat_fn, self.profile.lookup_dir_errno)
    # the defect: no exec_program, for init or any other process


new_factory = factory_with("ExecNeverExecs", methods={"_look_up_program": _look_up_program})
