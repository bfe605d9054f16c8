"""Broken: the seed asks hasInit() where it asks runType() == Running (mutant M7 of the audit),
so a running state whose init still waits on exec.fifo refuses to stop and to be destroyed."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("UnreleasedInitRunning", profile_changes={"init_check": "has-init"})
