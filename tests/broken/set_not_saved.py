"""Broken: Set writes the new limits to the cgroups and keeps them in memory, but never writes
state.json again, so a container loaded later (the next runc command) still holds the old
config."""

from __future__ import annotations

from typing import Any

from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class SetNotSaved(Container):
    """A container whose Set skips the save."""

    def _save_state(self) -> None:
        if getattr(self, "_in_set", False):
            return  # the defect: Set's state.json is never written
        super()._save_state()

    def set(self, config: Any) -> None:
        self._in_set = True
        try:
            super().set(config)
        finally:
            self._in_set = False


class SetNotSavedFactory(Factory):
    container_class = SetNotSaved


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return SetNotSavedFactory(root, system, get_profile(profile))
