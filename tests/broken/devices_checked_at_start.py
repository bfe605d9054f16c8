"""Broken (runc-1.2): Create on a v1 host without the devices hierarchy succeeds and only Start
finds it missing, as in the seed, where runc >= 1.1's Create computes the manager's paths and
refuses ("mountpoint for devices not found", v1.2.0 cgroups/fs/paths.go:36-46)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "DevicesCheckedAtStart", profile_changes={"create_requires_devices": False}
)
