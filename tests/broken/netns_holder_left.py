"""Broken: when a container gets a network namespace of its own, the runtime starts a helper
in it (as a runtime that sets up networking from a process of its own might) outside the
container's cgroups, and never stops it; after delete the helper still holds the namespace."""

from __future__ import annotations

from typing import Any

from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.process import ParentProcess
from reference_impl.profiles import get_profile
from reference_impl.system import ProcessSpec


class NetnsHolderLeftContainer(Container):
    """The reference, plus a forgotten process in the container's own network namespace."""

    def _start_parent(self, process: Any, is_init: bool) -> ParentProcess:
        parent = super()._start_parent(process, is_init)
        if is_init and "net" in self.config.namespaces:
            holder = ProcessSpec(
                args=("/bin/sleep", "infinity"), namespaces=(f"net=/proc/{parent.pid}/ns/net",)
            )
            self.system.spawn(holder)  # the defect: nothing ever kills it
        return parent


class NetnsHolderLeftFactory(Factory):
    container_class = NetnsHolderLeftContainer


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return NetnsHolderLeftFactory(root, system, get_profile(profile))
