"""Container status values, as libcontainer numbers and names them.

``Pausing`` exists in libcontainer but no state ever reports it; it is kept so that numbers and
names line up with runc's ``Status`` enum.
"""

from __future__ import annotations

import enum

__all__ = ["Status", "status_name"]


class Status(enum.IntEnum):
    """libcontainer's ``Status`` in iota order (BASE ``libcontainer/container.go``)."""

    CREATED = 0
    RUNNING = 1
    PAUSING = 2
    PAUSED = 3
    STOPPED = 4

    def __str__(self) -> str:
        return self.name.lower()


def status_name(value: int) -> str:
    """``Status.String()``: the lower-case name, or "unknown" for a value outside the enum."""
    try:
        return str(Status(value))
    except ValueError:
        return "unknown"
