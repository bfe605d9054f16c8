"""Broken (runc-1.2): the cgroup v2 listing reads cgroup.procs alone, so a threaded sub-group
fails Processes with EOPNOTSUPP, where runc 1.2 reads its cgroup.threads."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from tests.broken._managers import factory_with_managers


class ThreadsUnread(Fs2Manager):
    def get_all_pids(self) -> list[int]:
        self.read_threads = False  # the defect
        return super().get_all_pids()


new_factory = factory_with_managers("ProcessesThreadsUnread", fs2=ThreadsUnread)
