"""Broken (runc-1.2): a failed hook's error keeps the seed's "error running hook: " prefix,
which runc 1.2 dropped (v1.2.0 libcontainer/configs/config.go:490, 6a4870e4a)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "HookErrorPrefixed", profile_changes={"hook_error_prefix": "error running hook: "}
)
