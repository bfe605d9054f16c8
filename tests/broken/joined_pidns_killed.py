"""Broken (seed): destroy kills the cgroup's processes when the config joins a PID namespace
by path, as runc does since cbb0a7932 (v1.0.0-rc93); the seed asks only whether the config
names a PID namespace at all (!Contains(NEWPID)) and sends no kill-all."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("JoinedPidnsKilled", profile_changes={"kill_all_in_joined_pidns": True})
