"""Broken: runc 1.2's Start still refuses a leftover exec.fifo in the seed's words ("exec fifo
<path> already exists"), a check 304a4c0fe removed: v1.2.0 returns mkfifo's error
(container_linux.go:438-441)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("ExecFifoCheckedFirst", profile_changes={"exec_fifo_precheck": True})
