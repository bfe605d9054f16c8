"""Broken (runc-1.2): Load on a cgroup v2 host takes whatever cgroup_paths state.json holds,
where runc's NewWithPaths refuses more than one path or an unclean one (v1.2.0
cgroups/manager/new.go:38-44, 58-78)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "UnifiedPathsUnchecked", profile_changes={"load_checks_unified_paths": False}
)
