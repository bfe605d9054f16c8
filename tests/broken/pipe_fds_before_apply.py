"""Broken (runc-1.2): a start of init reads init's fds 0-2 before it makes the cgroups, the
seed's order (692f6e1 process_linux.go:285-293), where runc reads the fds of the child it waits
for after Apply (v1.2.0 process_linux.go:564-602)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("PipeFdsBeforeApply", profile_changes={"pipe_fds_after_apply": False})
