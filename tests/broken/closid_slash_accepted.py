"""Broken: a runtime of runc 1.1 or 1.2 whose validator is runc 1.4's, so that closID "/" is
let through and joins the resctrl root, where those releases refuse any closID holding "/"
(v1.2.0 libcontainer/configs/validate/validator.go:248-250)."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    later = dataclasses.replace(get_profile(profile), rdt_era="runc-1.4")  # the defect
    return Factory(root, system, later)
