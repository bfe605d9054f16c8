"""Broken: the seed's factory leaves its root to the first Create (runc 1.2's way), where the
seed's New makes it at once and fails there when it cannot (692f6e1 factory_linux.go:127-134)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("RootMadeAtCreate", profile_changes={"root_made_by": "create"})
