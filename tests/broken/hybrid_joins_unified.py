"""Broken: on a hybrid host the seed's manager also joins the unified hierarchy, as runc 1.0
and later do; the seed knew nothing of cgroup2."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    chosen = get_profile(profile)
    return Factory(root, system, dataclasses.replace(chosen, cgroup_join_unified=True))
