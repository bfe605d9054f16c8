"""Broken (runtime-spec): prestart and poststart hooks run inside create, runc's timing, under
the runtime-spec profile, which wants prestart after start is called for a v1.0.2 bundle (v1.0.2
config.md:422) and poststart after the program is executed (config.md:465)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("HooksRunInCreate", profile_changes={"hooks_at_start": False})
