"""Broken: poststop hooks read the state of another container (a wrong ``id``) with
``"status": "running"``.  Its test checks the id first, so the status rule is never reached:
the report must say so, where rtgate once reported that rule passed (issue 14)."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl import states
from reference_impl.hooks import hook_state_json
from reference_impl.hooks import run_hook
from tests.broken._base import factory_with


def teardown_with_a_foreign_state(c: Any) -> None:
    config = c.config
    hooks = config.hooks.poststop if config.hooks is not None else ()
    if hooks:  # the reference's teardown without its hooks, then the hooks with the defect
        c.config = dataclasses.replace(config, hooks=dataclasses.replace(config.hooks, poststop=()))
    try:
        states.destroy(c)
    finally:
        c.config = config
    state = hook_state_json(
        config.version, f"{c.id}-other", config.label("bundle"), status="running"
    )
    for hook in hooks:
        run_hook(hook, state, c.system)


new_factory = factory_with("PoststopStateForeign", teardown=teardown_with_a_foreign_state)
