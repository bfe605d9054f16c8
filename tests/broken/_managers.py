"""Build a broken runtime from the reference by replacing its cgroup manager or resctrl writer."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.configs import CgroupConfig
from reference_impl.configs import Config
from reference_impl.factory import Factory
from reference_impl.intelrdt import IntelRdtManager
from reference_impl.profiles import get_profile


def apply_without_monitoring(manager: IntelRdtManager, pid: int) -> bool:
    """The reference's Apply of ``manager`` with enableMonitoring off, for a broken writer that
    makes the monitoring group its own way; whether the config asked for one."""
    monitoring = manager.config.enable_monitoring
    manager.config = dataclasses.replace(manager.config, enable_monitoring=False)
    try:
        IntelRdtManager.apply(manager, pid)
    finally:
        manager.config = dataclasses.replace(manager.config, enable_monitoring=monitoring)
    return monitoring


def _as(broken: type[Any], manager: object) -> Any:
    """The reference's ``manager`` as an instance of its broken subclass: every field the
    profile gave it kept, only the overridden methods changed."""
    replacement = broken.__new__(broken)
    replacement.__dict__.update(vars(manager))
    return replacement


def factory_with_managers(
    name: str,
    fs2: type[Fs2Manager] | None = None,
    rdt: type[IntelRdtManager] | None = None,
    fs: type[FsManager] | None = None,
) -> Callable[..., Factory]:
    """A ``new_factory`` whose containers get ``fs2`` on cgroup v2 hosts, ``fs`` on v1 and
    hybrid hosts and ``rdt`` as their resctrl writer, in place of the reference's."""

    def cgroup_manager(
        self: Factory, config: CgroupConfig | None, paths: dict[str, str] | None = None
    ) -> Any:
        manager = Factory._cgroup_manager(self, config, paths)
        if fs2 is not None and isinstance(manager, Fs2Manager):
            return _as(fs2, manager)
        if fs is not None and isinstance(manager, FsManager):
            return _as(fs, manager)
        return manager

    def rdt_manager(
        self: Factory, config: Config, container_id: str, path: str = ""
    ) -> IntelRdtManager | None:
        manager = Factory._rdt_manager(self, config, container_id, path)
        if rdt is not None and manager is not None:
            return _as(rdt, manager)
        return manager

    namespace = {"_cgroup_manager": cgroup_manager, "_rdt_manager": rdt_manager}
    factory_class = type(f"{name}Factory", (Factory,), namespace)

    def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
        return factory_class(root, system, get_profile(profile))

    return new_factory
