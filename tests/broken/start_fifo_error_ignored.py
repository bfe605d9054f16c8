"""Broken: start carries on when exec.fifo cannot be opened, so the command says the container
started while its init still waits (CLI-START-FIFO-FAILS: runc returns the open's error)."""

from __future__ import annotations

from typing import Any

from reference_impl.container import Container
from tests.broken._base import factory_with


def _exec(self: Any) -> None:
    try:
        Container._exec(self)
    except Exception:  # noqa: BLE001, S110 - the defect: the open's error is dropped
        pass


new_factory = factory_with("StartFifoErrorIgnored", methods={"_exec": _exec})
