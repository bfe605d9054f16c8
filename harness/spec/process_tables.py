"""What Processes lists, by profile: lifecycle.toml's [processes] table."""

from __future__ import annotations

from harness.spec.tables import DEFAULT_PROFILE
from harness.spec.tables import lifecycle


def processes_list_group_before_start(profile: str = DEFAULT_PROFILE) -> bool:
    """Whether Processes before any Start lists what the container's cgroup already holds."""
    return bool(lifecycle(profile)["processes"]["lists_group_before_start"])


def processes_walk(look: str, profile: str = DEFAULT_PROFILE) -> tuple[str, str]:
    """What Processes answers when ``look`` of its walk fails: the error's template ("" for
    none) and, without an error, whose pids it lists ("nothing", "group" or "all")."""
    row = lifecycle(profile)["processes"]["walk"][look]
    return str(row["error"]), str(row["lists"])
