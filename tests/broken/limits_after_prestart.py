"""Broken: a start of init places init first but sets its cgroup limits and resctrl schema only
once the prestart hooks have run, so a hook sees a container without its limits; runc sets
them in the sync loop before it runs the hooks (692f6e1 process_linux.go:330-381; v1.2.0
:743-769)."""

from __future__ import annotations

from typing import Any

from reference_impl.container import Container
from tests.broken._base import factory_with


def start_step_deferring_sets(c: Any, step: str, action: Any) -> None:
    if step.endswith("-set"):
        c.deferred_sets = [*getattr(c, "deferred_sets", []), (step, action)]
        return  # the defect: kept for after the hooks
    Container._start_step(c, step, action)


def start_parent_then_set(c: Any, process: Any, is_init: bool) -> Any:
    c.deferred_sets = []
    parent = Container._start_parent(c, process, is_init)
    for step, action in c.deferred_sets:
        Container._start_step(c, step, action)
    return parent


new_factory = factory_with(
    "LimitsAfterPrestart",
    methods={"_start_step": start_step_deferring_sets, "_start_parent": start_parent_then_set},
)
