"""Broken: poststop hooks read the status "running" (mutant M5 of the audit); the seed sends an
empty status, runc 1.2 "stopped".  Under runc-1.2 the audit saw LC-HOOK-POSTSTOP-STATUS-STOPPED
reported pass although its check never ran; now it fails on its own check."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("PoststopStatusRunning", profile_changes={"poststop_status": "running"})
