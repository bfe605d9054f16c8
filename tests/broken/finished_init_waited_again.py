"""Broken: after a start fails, terminate waits again for a process that reported its own
error and was already waited for; the wait's error replaces the kill's, so the seed's warning
"os: process already finished" is lost."""

from __future__ import annotations

import contextlib
import signal

from reference_impl.container import Container
from reference_impl.container import log
from reference_impl.process import ParentProcess
from reference_impl.process import exit_error
from tests.broken._base import factory_with


def _terminate(self: Container, parent: ParentProcess) -> None:
    with contextlib.suppress(ProcessLookupError):
        parent.signal(signal.SIGKILL)
    status = parent.wait()  # the defect: ECHILD for a process already reaped, raised
    text = exit_error(status)
    if text and self.profile.terminate_exit_warned:
        log.warning("%s", text)


new_factory = factory_with("FinishedInitWaitedAgain", methods={"_terminate": _terminate})
