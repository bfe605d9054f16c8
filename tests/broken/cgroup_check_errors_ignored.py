"""Broken (runc-1.2): Create takes a cgroup whose pids or freezer state it cannot read for an
empty, thawed one and goes on, where runc 1.2 fails with "unable to get cgroup PIDs: ..." or
"unable to get cgroup freezer state: ..." (v1.2.0 factory_linux.go:68-84)."""

from __future__ import annotations

from typing import Any

from reference_impl.configs import CgroupConfig
from reference_impl.errors import WrappedError
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class _CheckErrorsIgnoredFactory(Factory):
    def _check_cgroup_unused(self, config: CgroupConfig | None) -> None:
        try:
            super()._check_cgroup_unused(config)
        except WrappedError:
            pass  # the defect: the check's read error is taken for "not in use"


def new_factory(root: str, system: Any, profile: str = "runc-1.2") -> Factory:
    return _CheckErrorsIgnoredFactory(root, system, get_profile(profile))
