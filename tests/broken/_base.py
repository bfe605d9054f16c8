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
from reference_impl.fileutil import remove_all
from reference_impl.hooks import run_hook
from reference_impl.profiles import get_profile
from reference_impl.states import STATE_CLASSES
from reference_impl.states import ContainerState


def factory_with(
    name: str,
    states: dict[str, type[ContainerState]] | None = None,
    teardown: Callable[[Any], None] | None = None,
    profile_changes: dict[str, Any] | None = None,
    methods: dict[str, Callable[..., Any]] | None = None,
) -> Callable[..., Factory]:
    """A ``new_factory`` whose containers use ``states``, ``teardown`` and ``methods`` (name ->
    function of the container) in place of the reference's, and whose profile has
    ``profile_changes`` (field -> value) applied."""
    namespace: dict[str, Any] = {"state_classes": {**STATE_CLASSES, **(states or {})}}
    namespace.update(methods or {})
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


def run_poststop_hook(c: Any, hook: Any) -> None:
    """One poststop hook of ``c`` with the state and error text its profile gives them."""
    run_hook(hook, states.poststop_state(c), c.system, c.profile.hook_error_prefix)


def kill_all_like_the_seed(c: Any) -> None:
    """The seed's first teardown step, for variants that rewrite the rest: without a private
    PID namespace every process of the cgroup gets SIGKILL, and a failure is only logged."""
    if not c.profile.kill_all_wanted(c.config.namespaces):
        return
    try:
        states.signal_all_processes(c, signal.SIGKILL)
    except Exception as err:  # noqa: BLE001 - logged only, as the seed does
        states.log.warning("%s", err)


def every_step_teardown(
    c: Any, skip: tuple[str, ...] = (), wrap: bool = False, escape: tuple[str, ...] = ()
) -> None:
    """The seed's shape of teardown for variants to bend: the steps (cgroup, rdt, state-dir)
    all run, the first error is kept (``wrap``: in the profile's step wrapper), init is
    dropped, the poststop hooks run, the state ends stopped.  ``skip`` leaves steps out; the
    error of a step in ``escape`` is raised at once, ending the teardown there."""
    steps: list[tuple[Any, Callable[[], None]]] = [("cgroup", c.cgroup_manager.destroy)]
    if c.intel_rdt_manager is not None:
        steps.append(("rdt", c.intel_rdt_manager.destroy))
    steps.append(("state-dir", lambda: remove_all(c.root)))
    first: BaseException | None = None
    for step, action in steps:
        if step in skip:
            continue
        if step in escape:
            action()
            continue
        try:
            action()
        except Exception as err:  # noqa: BLE001 - the first error is kept, the rest go on
            first = first or (c.profile.wrap_step_error(step, err) if wrap else err)
    c.init_process = None
    try:
        states.run_poststop_hooks(c)
    except Exception as err:  # noqa: BLE001
        first = first or err
    c.state = c.state_for("stopped")
    if first is not None:
        raise first
