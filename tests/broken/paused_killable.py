"""Broken (runtime-spec): kill signals a paused container, as runc does; the runtime-spec says
kill of a container that is neither created nor running MUST error."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("PausedKillable", profile_changes={"cli_kill_statuses": None})
