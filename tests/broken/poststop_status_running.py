"""Broken: poststop hooks read the status "running" (mutant M5 of the audit); the seed sends an
empty status."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("PoststopStatusRunning", profile_changes={"poststop_status": "running"})
