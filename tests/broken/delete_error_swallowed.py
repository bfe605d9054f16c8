"""Broken (runc-1.2): delete logs a failed destroy and exits 0, as runc did before 7396ca90f;
runc 1.2 returns the error, so a delete that could not clean up fails."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "DeleteErrorSwallowed", profile_changes={"cli_delete_reports_error": False}
)
