"""Broken (runc-1.2): a v1 freeze writes FROZEN once and reads freezer.state back until it says
so, as the seed does, where runc 1.2 gives up after 1000 rounds with "unable to freeze" and
thaws the group back (v1.2.0 cgroups/fs/freezer.go:26-101)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("FreezeReadBackForever", profile_changes={"freezer_freeze_loop": False})
