"""Build a broken runtime from the reference by replacing one piece: a state class, or the
teardown every state's ``destroy`` ends in."""

from __future__ import annotations

import dataclasses
import signal
from collections.abc import Callable
from typing import Any

from reference_impl import states
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from reference_impl.states import STATE_CLASSES
from reference_impl.states import ContainerState


def factory_with(
    name: str,
    states: dict[str, type[ContainerState]] | None = None,
    teardown: Callable[[Any], None] | None = None,
    profile_changes: dict[str, Any] | None = None,
) -> Callable[..., Factory]:
    """A ``new_factory`` whose containers use ``states`` and ``teardown`` in place of the
    reference's, and whose profile has ``profile_changes`` (field -> value) applied."""
    namespace: dict[str, Any] = {"state_classes": {**STATE_CLASSES, **(states or {})}}
    if teardown is not None:
        namespace["teardown"] = lambda self: teardown(self)
    container_class = type(f"{name}Container", (Container,), namespace)
    factory_class = type(f"{name}Factory", (Factory,), {"container_class": container_class})

    def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
        chosen = get_profile(profile)
        if profile_changes:
            chosen = dataclasses.replace(chosen, **profile_changes)
        return factory_class(root, system, chosen)

    return new_factory


def kill_all_like_the_seed(c: Any) -> None:
    """The seed's first teardown step, for variants that rewrite the rest: without a private
    PID namespace every process of the cgroup gets SIGKILL, and a failure is only logged."""
    if not c.profile.kill_all_wanted(c.config.namespaces):
        return
    try:
        states.signal_all_processes(c, signal.SIGKILL)
    except Exception as err:  # noqa: BLE001 - logged only, as the seed does
        states.log.warning("%s", err)
