"""Broken: the seed's kill-all warns of a failed signal in runc 1.2's words ("kill <pid>:
<errno>", nothing for ESRCH) where the seed's os.Process.Signal error is the whole warning
(692f6e1 init_linux.go:474-476), and like runc 1.2 waits for no process after it."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("KillAllWarnsLikeKill", profile_changes={"kill_all_waits": False})
