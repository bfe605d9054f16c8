"""A teardown whose poststop hooks can run out of place or order, for the broken runtimes
poststop_before_state_dir and poststop_hooks_reversed.  The seed's error precedence stays: the
first failing step's error still wins."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from tests.broken._base import kill_all_like_the_seed
from tests.broken._base import run_poststop_hook


def _run_hooks(c: Any, reverse: bool) -> BaseException | None:
    hooks = list(c.config.hooks.poststop) if c.config.hooks is not None else []
    for hook in reversed(hooks) if reverse else hooks:
        try:
            run_poststop_hook(c, hook)
        except Exception as err:  # noqa: BLE001 - the first failing hook stops the rest
            return err
    return None


def teardown(c: Any, hooks_first: bool, reverse: bool) -> None:
    """The seed's teardown, with the hooks before the state dir (``hooks_first``) or reversed."""
    kill_all_like_the_seed(c)
    steps = [c.cgroup_manager.destroy]
    if c.intel_rdt_manager is not None:
        steps.append(c.intel_rdt_manager.destroy)
    hook_error = _run_hooks(c, reverse) if hooks_first else None
    steps.append(lambda: states.remove_all(c.root))
    first: BaseException | None = None
    for step in steps:
        try:
            step()
        except Exception as err:  # noqa: BLE001
            first = first or err
    c.init_process = None
    if not hooks_first:
        hook_error = _run_hooks(c, reverse)
    first = first or hook_error
    c.state = c.state_for("stopped")
    if first is not None:
        raise first
