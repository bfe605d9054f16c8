"""Broken (runc-1.2): the program lookup says "permission denied" of a directory, as Go up to
1.19 does, where runc 1.2 is built with Go >= 1.20, whose exec.LookPath says "is a directory"
(os/exec lp_unix.go findExecutable; v1.2.0 go.mod:3)."""

from __future__ import annotations

import errno

from tests.broken._base import factory_with

new_factory = factory_with(
    "LookupDirectoryOldGo", profile_changes={"lookup_dir_errno": errno.EACCES}
)
