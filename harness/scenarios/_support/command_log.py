"""The commands of a test that makes many command lines: one per example of a state machine.

Each machine's command line keeps every command it runs; a Hypothesis test makes a machine per
example and may run thousands of commands in all.  A :class:`CommandLog` counts every one and
keeps only the last ones the report keeps, so the report can say how many ran and how many it
left out, and their time in all (``record_commands(log.commands, run=log.count,
seconds=log.seconds)``), without holding them all.
"""

from __future__ import annotations

from collections import deque
from typing import Any

__all__ = ["KEEP", "CommandLog"]

#: how many of the last commands a log keeps: more than a report keeps of a test's (40,
#: harness.report.model.MAX_COMMANDS), which the scenarios do not import
KEEP = 100


class CommandLog:
    """Every command of the command lines it follows counted; the last ones kept."""

    def __init__(self, keep: int = KEEP) -> None:
        self._folded = 0
        self._folded_s = 0.0
        self._kept: deque[Any] = deque(maxlen=keep)
        #: the records lists of command lines still in use (they grow)
        self._live: list[list[Any]] = []

    def follow(self, records: list[Any]) -> None:
        """Count the commands of a command line (its ``records``) from now on."""
        self._live.append(records)

    def fold(self, records: list[Any]) -> None:
        """A command line is done with: count its commands, keep its last ones, and let it
        go (a later example's commands come after them)."""
        self._live = [live for live in self._live if live is not records]
        self._folded += len(records)
        self._folded_s += sum(record.duration_s for record in records)
        self._kept.extend(records[-(self._kept.maxlen or 0) :])

    def commands(self) -> list[Any]:
        """The last commands, oldest first (those of command lines still in use last)."""
        return [*self._kept, *(record for live in self._live for record in live)]

    def count(self) -> int:
        """How many commands ran in all."""
        return self._folded + sum(len(live) for live in self._live)

    def seconds(self) -> float:
        """The summed durations of every command that ran."""
        live = sum(record.duration_s for records in self._live for record in records)
        return self._folded_s + live
