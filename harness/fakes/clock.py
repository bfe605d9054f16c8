"""Virtual time: nothing in the simulated host ever really waits."""

from __future__ import annotations

__all__ = ["CLOCK_TICKS_PER_SECOND", "VirtualClock"]

#: USER_HZ: /proc/<pid>/stat reports start times in these ticks
CLOCK_TICKS_PER_SECOND = 100


class VirtualClock:
    """A monotonic clock that moves only when told to (``advance``), so tests need no sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        #: seconds since boot; starts well after boot so start times are not all zero
        self._now = start

    def monotonic(self) -> float:
        """Seconds since the simulated boot."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward.

        Raises:
            ValueError: for a negative step (a monotonic clock never goes back).
        """
        if seconds < 0:
            raise ValueError(f"a monotonic clock cannot go back (got {seconds!r})")
        self._now += seconds

    def ticks(self) -> int:
        """Now, in clock ticks since boot (the unit of field 22 of /proc/<pid>/stat)."""
        return int(self._now * CLOCK_TICKS_PER_SECOND)
