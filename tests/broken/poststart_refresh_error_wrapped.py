"""Broken (runc-1.2): a start whose refresh for the poststart hooks' state fails reports that
error as a failed start of the process ("unable to start container process: ..."), where runc
1.2 returns currentOCIState's error as it is (v1.2.0 container_linux.go:355-361)."""

from __future__ import annotations

from reference_impl.configs import Process
from reference_impl.container import Container
from tests.broken._base import factory_with


def _start(self: Container, process: Process, is_init: bool) -> None:
    try:
        Container._start(self, process, is_init)
    except OSError as err:  # only the refresh's read error is a bare OSError here
        raise self.profile.start_error(err) from err  # the defect: wrapped


new_factory = factory_with("PoststartRefreshErrorWrapped", methods={"_start": _start})
