"""Broken (runtime-spec): delete kills and removes a created container, as runc's delete.go
does; the runtime-spec says delete of a container that is not stopped MUST error."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("CreatedDeletable", profile_changes={"cli_delete_created": "kill"})
