"""Broken: every refused operation is a plain error with the seed's text but no ErrorCode, so
a Go caller that asks Code() (692f6e1 libcontainer/error.go:69) cannot tell them apart."""

from __future__ import annotations

from reference_impl.profiles import SEED
from reference_impl.profiles import Refusal
from tests.broken._base import factory_with

new_factory = factory_with(
    "RefusalsWithoutCodes",
    profile_changes={"refusals": {k: Refusal(r.text) for k, r in SEED.refusals.items()}},
)
