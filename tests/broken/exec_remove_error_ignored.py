"""Broken (runc-1.2): Exec drops the error of removing exec.fifo, as the seed does, where runc
1.2 returns it (v1.2.0 container_linux.go:287-297 handleFifoResult)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "ExecRemoveErrorIgnored", profile_changes={"exec_returns_remove_error": False}
)
