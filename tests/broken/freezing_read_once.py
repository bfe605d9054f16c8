"""Broken (runc-1.2): isPaused reads freezer.state once, as the seed does, where runc 1.2's
GetState reads FREEZING again until it settles and asks freezer.self_freezing of a FROZEN
group (v1.2.0 cgroups/fs/freezer.go:115-158)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("FreezingReadOnce", profile_changes={"freezer_get_state": False})
