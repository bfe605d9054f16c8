"""Broken (runc-1.2): hooks read the config's ociVersion, as the seed sent it, instead of
runc 1.2's own specs.Version (v1.2.0 libcontainer/container_linux.go:1010-1017)."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with("HookStateConfigVersion", profile_changes={"hook_oci_version": ""})
