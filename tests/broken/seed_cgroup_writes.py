"""Broken: a runc 1.2 whose cgroup v1 code is still the seed's: one write of a pid however
the kernel answers, "failed to write <v> to <file>" errors, and cpu.shares checked only once
every limit is written (as a port that kept 692f6e1's cgroups package would behave)."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


def new_factory(root: str, system: Any, profile: str = "runc-1.2") -> Factory:
    chosen = get_profile(profile)
    # the defect: the seed's writer and CheckCpushares in a later release
    seedlike = dataclasses.replace(chosen, cgroup_write_era="seed", cpu_shares_in_place=False)
    return Factory(root, system, seedlike)
