"""Broken: a Set whose schemata write fails puts back the old schema but leaves the new cgroup
limits in place, as the seed did (692f6e1 container_linux.go:206-213), where runc >= 1.0.0-rc92
also writes the old limits back (v1.2.0 container_linux.go:184-193, 9d275d326)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "SetKeepsLimitsAfterRdtFailure",
    profile_changes={"set_rdt_failure_restores_cgroups": False},
)
