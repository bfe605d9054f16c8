"""Broken (runc-1.2): the state dir is filepath.Join(root, id), as in the seed, so a symlink at
<root>/<id> is followed out of the root, where runc 1.2's securejoin.SecureJoin resolves it
inside (v1.2.0 factory_linux.go:47-50, 115-118)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("StateDirJoinedPlainly", profile_changes={"state_dir_join": "join"})
