"""Broken: an fd of init the runtime may not read (EPERM) fails the start, where getPipeFds
records it as "" and goes on."""

from __future__ import annotations

import os

from reference_impl.container import Container
from reference_impl.errors import PathError
from tests.broken._base import factory_with


def _pipe_fds(self: Container, pid: int) -> list[str]:
    fds = []
    for fd in range(3):
        link = f"/proc/{pid}/fd/{fd}"
        try:
            fds.append(os.readlink(link))
        except OSError as err:  # the defect: EPERM is no exception
            raise PathError("readlink", link, err.errno or 0) from err
    return fds


new_factory = factory_with("PipeFdPermissionFatal", methods={"_pipe_fds": _pipe_fds})
