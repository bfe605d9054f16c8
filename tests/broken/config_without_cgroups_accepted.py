"""Broken (runc-1.2): Create takes a config without cgroups, as the seed and the reference once
did, where runc >= 1.1 refuses it before it makes anything ("cgroups/manager.New: config must
not be nil")."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "ConfigWithoutCgroupsAccepted", profile_changes={"create_requires_cgroups": False}
)
