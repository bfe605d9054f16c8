"""Broken: the seed's kill-all signals every process of the cgroup but waits for none (runc
1.2's way, 5b8f8712a, under the seed's rules), so the runtime's own children it killed are
left zombies."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("KillAllReapsNothing", profile_changes={"kill_all_waits": False})
