"""Virtual time: nothing in the simulated host ever really waits."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

__all__ = ["CLOCK_TICKS_PER_SECOND", "VirtualClock"]

#: USER_HZ: /proc/<pid>/stat reports start times in these ticks
CLOCK_TICKS_PER_SECOND = 100


class VirtualClock:
    """A monotonic clock that moves only when told to (``advance``), so tests need no sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        #: seconds since boot; starts well after boot so start times are not all zero
        self._now = start
        #: (when, order, action): what happens once time reaches ``when`` (a dying task's end)
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()

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
        self.advance_until(self._now + seconds, lambda: False)

    def advance_until(self, deadline: float, done: Callable[[], bool]) -> None:
        """Move time forward to ``deadline``, running the timers due on the way, and stop
        early at the first timer after which ``done()`` holds (a wait whose child exited)."""
        while self._timers and self._timers[0][0] <= deadline:
            when, _, action = heapq.heappop(self._timers)
            self._now = max(self._now, when)
            action()
            if done():
                return
        self._now = max(self._now, deadline)

    def call_at(self, when: float, action: Callable[[], None]) -> None:
        """Run ``action`` once time reaches ``when`` (at once if it has)."""
        if when <= self._now:
            action()
            return
        heapq.heappush(self._timers, (when, next(self._order), action))

    def ticks(self) -> int:
        """Now, in clock ticks since boot (the unit of field 22 of /proc/<pid>/stat)."""
        return int(self._now * CLOCK_TICKS_PER_SECOND)
