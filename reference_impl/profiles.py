"""What differs between the semantic profiles of the reference, in one place.

``seed`` is runc 692f6e1 (2017-08-30), the commit the seed file shows: every teardown step runs,
the first error wins, the state always ends stopped.  Later runc behaviour becomes further
profiles here (a later issue adds ``runc-1.2``).
"""

from __future__ import annotations

import dataclasses

from reference_impl.errors import LibcontainerError

__all__ = ["PROFILES", "Profile", "UnknownProfileError", "get_profile"]


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    """One semantic variant of libcontainer."""

    name: str
    #: the runc commit or tag whose behaviour this profile reproduces
    source: str
    #: destroy stops at the first failing teardown step (runc >= 1.2) instead of running all
    destroy_returns_early: bool = False
    #: on a hybrid host the cgroup manager also joins the unified hierarchy (runc >= 1.0)
    cgroup_join_unified: bool = False
    #: killing every process of the cgroup writes cgroup.kill where it exists (runc >= 1.2)
    cgroup_kill_file: bool = False


SEED = Profile(name="seed", source="runc 692f6e1e27b2e4d38e1c9e0b463f7d1bfe3f7492")

PROFILES: dict[str, Profile] = {SEED.name: SEED}


class UnknownProfileError(LibcontainerError):
    """A profile name the reference does not implement."""


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(
            f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}"
        ) from None
