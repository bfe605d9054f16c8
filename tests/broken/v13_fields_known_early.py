"""Broken: a runtime of runc 1.1 or 1.2 that reads intelRdt.schemata and enableMonitoring,
which came with runtime-spec v1.3.0: it writes the schemata lines after l3CacheSchema and
makes a monitoring group, where those releases' configs drop both keys (v1.2.0 specconv
spec_linux.go:455-460)."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    later = dataclasses.replace(get_profile(profile), rdt_v1_3=True)  # the defect
    return Factory(root, system, later)
