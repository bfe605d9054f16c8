"""Broken: no resctrl writer where the host has neither L3 CAT nor MBA, so a closID there is
silently ignored and the container runs in the default group (runc 1.1.8 and earlier, runc
issue 3550), under a profile whose runc makes a writer wherever resctrl is mounted."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    ignoring = dataclasses.replace(get_profile(profile), rdt_writer_needs_cat_or_mba=True)
    return Factory(root, system, ignoring)  # the defect: runc 1.1's IntelRdtFs
