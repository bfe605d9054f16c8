"""Broken: poststop hooks read ``"status": "running"`` where runc 1.2 gives them "stopped"
(the audit's demonstration that a requirement whose check never ran was reported passed)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("PoststopStatusRunning", profile_changes={"poststop_status": "running"})
