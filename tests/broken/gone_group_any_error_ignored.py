"""Broken: Processes of a container with neither init nor group left drops any error of the
listing, where runc 1.2's ignoreCgroupError drops not-exist alone (v1.2.0
container_linux.go:114-122)."""

from __future__ import annotations

from reference_impl.container import Container
from tests.broken._base import factory_with


def _gone_group_ignored(self: Container, err: BaseException) -> bool:
    # the defect: any OSError is taken for not-exist
    return isinstance(err, OSError) and not self.has_init() and not self.cgroup_manager.exists()


new_factory = factory_with(
    "GoneGroupAnyErrorIgnored", methods={"_gone_group_ignored": _gone_group_ignored}
)
