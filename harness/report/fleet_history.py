"""A requirement's history on the nodes of a fleet: since when it fails, where it flaps.

A fleet report may hold several runs of the same node (see :mod:`harness.report.fleet_model`
for what makes two runs the same node's); ordered by ``started_at`` they are its history.  For
one requirement a :class:`NodeHistory` is its outcome in each run of one node, and a
:class:`GroupFinding` sums up the nodes of one feature group for the operator who is paged at
night: "fails on 3 of 5 nodes since 2026-12-02 (run cdp-1@...); flapping on node-7".

Only the two sides count (:data:`FAILING` and :data:`PASSING`, as in the fleet model): a skip,
an xfail, an untested requirement or a run whose profile lacks it neither starts nor ends a
failure, and is not a flip.  A node *fails since* the first failing run after its last passing
one; it *flaps* when its outcome changed side at least twice (pass, fail, pass: a single
change is a regression or a fix, not a flap).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from harness.report.model import Outcome

__all__ = ["FAILING", "PASSING", "GroupFinding", "NodeHistory", "group_findings"]

#: outcomes that put a host on the failing side
FAILING: frozenset[Outcome] = frozenset({"fail", "error"})
#: outcomes that put a host on the passing side
PASSING: frozenset[Outcome] = frozenset({"pass", "xpass"})


@dataclasses.dataclass(frozen=True, slots=True)
class NodeHistory:
    """One requirement on one node, run after run (oldest first)."""

    node: str
    #: the outcome in each run of the node; None: not in that run's profile
    outcomes: tuple[Outcome | None, ...]
    #: the ids of those runs (``<node>@<started_at>``)
    runs: tuple[str, ...]
    #: their ``started_at``
    started: tuple[str, ...]

    @property
    def failing(self) -> bool:
        """Whether its latest run failed or errored."""
        return bool(self.outcomes) and self.outcomes[-1] in FAILING

    def failing_since(self) -> int | None:
        """The index of the first failing run after the last passing one; None when the
        latest run did not fail."""
        if not self.failing:
            return None
        since = len(self.outcomes) - 1
        for index in range(len(self.outcomes) - 1, -1, -1):
            outcome = self.outcomes[index]
            if outcome in PASSING:
                break
            if outcome in FAILING:
                since = index
        return since

    def flips(self) -> int:
        """How many times the outcome changed side, runs without a side left out."""
        sides = [o in FAILING for o in self.outcomes if o in FAILING or o in PASSING]
        return sum(1 for before, after in zip(sides, sides[1:], strict=False) if before != after)

    @property
    def flapping(self) -> bool:
        """Passed, failed and passed again (or the other way round), at least."""
        return self.flips() >= 2


@dataclasses.dataclass(frozen=True, slots=True)
class GroupFinding:
    """What one requirement does on the nodes of one feature group."""

    #: the group's label (its features)
    group: str
    #: the nodes whose latest run failed it, in column order
    failing: tuple[str, ...]
    #: how many nodes of the group had it in their latest run's profile
    nodes: int
    #: the run in which the earliest of the current failures started, and its start time
    since_run: str | None
    since_at: str | None
    #: the nodes of the group on which it flaps
    flapping: tuple[str, ...]

    def sentence(self) -> str:
        """``fails on 3 of 5 nodes since 2026-12-02 (run cdp-1@...); flapping on node-7``."""
        parts = []
        if self.failing:
            text = f"fails on {len(self.failing)} of {self.nodes} node{_s(self.nodes)}"
            if self.since_at is not None:
                text += f" since {self.since_at[:10]} (run {self.since_run})"
            parts.append(text)
        if self.flapping:
            parts.append(f"flapping on {', '.join(self.flapping)}")
        return "; ".join(parts)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def group_findings(
    histories: Sequence[NodeHistory], groups: Sequence[tuple[str, Sequence[str]]]
) -> tuple[GroupFinding, ...]:
    """One finding per group (``(label, node labels)``) where the requirement fails now on a
    node or flaps on one, in group order; nothing for a group where neither happens."""
    by_node = {history.node: history for history in histories}
    findings = []
    for label, nodes in groups:
        mine = [by_node[node] for node in nodes if node in by_node]
        failing = [h for h in mine if h.failing]
        flapping = tuple(h.node for h in mine if h.flapping)
        if not failing and not flapping:
            continue
        starts = sorted(
            (h.started[index], h.runs[index])
            for h in failing
            if (index := h.failing_since()) is not None
        )
        findings.append(
            GroupFinding(
                group=label,
                failing=tuple(h.node for h in failing),
                nodes=sum(1 for h in mine if h.outcomes and h.outcomes[-1] is not None),
                since_run=starts[0][1] if starts else None,
                since_at=starts[0][0] if starts else None,
                flapping=flapping,
            )
        )
    return tuple(findings)
