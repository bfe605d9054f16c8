"""Broken: a seed that takes from the bundle what its configs.Config cannot hold: createRuntime
hooks (which it then runs) and an intelRdt memBwSchema and closID (which it then writes and
names its group by), as a port that read the whole runtime-spec would."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.factory import Factory
from reference_impl.profiles import Profile
from reference_impl.profiles import get_profile


@dataclasses.dataclass(frozen=True)
class KnowsLaterKeys(Profile):
    def known_config(self, config: Config) -> Config:
        return config  # the defect: nothing the seed's config lacks is dropped


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    chosen = get_profile(profile)
    fields = {f.name: getattr(chosen, f.name) for f in dataclasses.fields(chosen)}
    return Factory(root, system, KnowsLaterKeys(**fields))
