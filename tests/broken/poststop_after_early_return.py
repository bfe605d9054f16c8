"""Broken (runc-1.2): destroy returns early with the right error and keeps the state, but
runs the poststop hooks first, which runc 1.2 never does after an early return."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from reference_impl.errors import WrappedError
from tests.broken._base import factory_with


def teardown_running_hooks_on_failure(c: Any) -> None:
    try:
        states.destroy(c)
    except WrappedError as err:
        if err.context not in c.profile.step_contexts.values():
            raise  # a poststop hook's own error: the hooks already ran
        try:
            states.run_poststop_hooks(c)  # the defect: hooks after an early return
        except Exception:  # noqa: BLE001 - the step's error is the one to report
            pass
        raise


new_factory = factory_with("PoststopAfterEarlyReturn", teardown=teardown_running_hooks_on_failure)
