"""Broken: a runc 1.2 that keeps habits of the seed's API: starting one more process in a created
container marks it running (which runc dropped in v1.0.0-rc6), Create takes a cgroup that is
busy or frozen, Load takes any id, and a missing exec.fifo and a failed listing of pids are
reported in the seed's SystemError words."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


def new_factory(root: str, system: Any, profile: str = "runc-1.2") -> Factory:
    chosen = get_profile(profile)
    # the defect: the seed's start of an extra process, its Load and its error texts
    seedlike = dataclasses.replace(
        chosen,
        start_extra_updates_state=True,
        exec_fifo_context="",
        processes_context="",
        load_validates_id=False,
        create_refuses_busy_cgroup=False,
        create_refuses_frozen_cgroup=False,
    )
    return Factory(root, system, seedlike)
