"""Broken (runtime-spec): a failing poststart hook at start ends init and fails start, runc's
way, under the runtime-spec profile, whose v1.0.2 to v1.2.0 runtime.md:68-69 makes it a
warning after which the remaining hooks and the lifecycle go on."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "PoststartFailureStopsStart", profile_changes={"poststart_failures": "stop"}
)
