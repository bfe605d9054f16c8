"""Broken (runtime-spec): the first failing poststop hook stops the ones after it, as runc's
runHooks does; the runtime-spec wants a warning and the remaining hooks run."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "PoststopFailureStopsTheRest", profile_changes={"poststop_failures": "stop"}
)
