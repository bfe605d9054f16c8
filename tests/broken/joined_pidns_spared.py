"""Broken (runc-1.2): a PID namespace joined by path is taken for a private one, so destroy
sends no kill-all and whatever init left in the cgroup survives; runc 1.2 asks
!IsPrivate(NEWPID) and kills them."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("JoinedPidnsSpared", profile_changes={"kill_all_in_joined_pidns": False})
