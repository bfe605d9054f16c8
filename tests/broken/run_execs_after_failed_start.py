"""Broken: Run goes on to release init even when its start failed, so a failing prestart hook
is reported as exec's error ("no such file" for the exec.fifo the failed start removed) and
the start's own error is lost."""

from __future__ import annotations

from typing import Any

from reference_impl.container import Container
from tests.broken._base import factory_with


def _run(self: Container, process: Any) -> None:
    with self._lock:
        try:
            self._start_locked(process)
        except Exception:  # noqa: BLE001 - the defect: the start's error is dropped
            pass
        self._exec()


new_factory = factory_with("RunExecsAfterFailedStart", methods={"run": _run})
