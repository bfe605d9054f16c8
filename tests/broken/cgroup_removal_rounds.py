"""Broken (runc-1.2): a busy cgroup is removed with the seed's five RemovePaths rounds
(150 ms) instead of runc 1.2's rmdir with ten EBUSY retries (v1.2.0
libcontainer/cgroups/utils.go:228-289)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("CgroupRemovalRounds", profile_changes={"cgroup_removal": "rounds"})
