"""Broken (runc-1.2): hooks read the seed's state, without the config's annotations, where
runc's currentOCIState sends them to every kind of hook (v1.2.0 container_linux.go:1010-1017)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "HookStateWithoutAnnotations", profile_changes={"hook_state_annotations": False}
)
