"""Broken: a failing prestart or poststart hook's error is returned as the hook's own, without
saying which hook failed (the seed says "running prestart hook N", runc 1.2 "error running
prestart hook #N: ...")."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.factory import Factory
from reference_impl.profiles import Profile
from reference_impl.profiles import get_profile


class UnnamedStartHooks(Profile):
    """The profile with the hook naming of prestart and poststart errors left out."""

    def start_hook_error(self, kind: str, index: int, err: BaseException) -> BaseException:
        return err


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    chosen = get_profile(profile)
    fields = {f.name: getattr(chosen, f.name) for f in dataclasses.fields(chosen)}
    return Factory(root, system, UnnamedStartHooks(**fields))
