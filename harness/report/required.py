"""What a gate demands of its node: ``--require FEATURE,...``, and the verdict rules it adds.

A fleet gate that runs on a node whose resctrl was unmounted, or whose CPU lacks MBA, would
otherwise pass with every RDT rule skipped.  Naming the features the node must have turns both
into a failing verdict:

- before any test runs, when the host lacks a required feature (:func:`lacking`; ``rtgate
  run`` ends in one line and exit code 1);
- after the run, when a requirement all of whose ``host_features`` were required ended
  skipped (:func:`required_verdict`): the node has what the rule needs, so a skip means the
  rule was not checked where it had to be (a runtime that does not announce the feature, a
  probe that disagrees with the host).

The names are those of :data:`harness.report.features.FEATURES`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence

from harness.report.features import FEATURES
from harness.report.model import RequirementResult
from harness.report.model import Summary

__all__ = ["lacking", "parse_required", "required_verdict"]

#: how many skipped requirements a note names before it says how many more
_NAMED = 5


def parse_required(names: Iterable[str]) -> tuple[str, ...]:
    """The features of ``--require`` values (each may be comma-separated), checked, in order.

    Raises:
        ValueError: an unknown name, with the names there are.
    """
    found = [part.strip() for value in names for part in value.split(",") if part.strip()]
    unknown = [name for name in found if name not in FEATURES]
    if unknown:
        raise ValueError(
            f"names unknown host feature(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(FEATURES))}"
        )
    return tuple(dict.fromkeys(found))


def lacking(required: Sequence[str], have: Iterable[str]) -> tuple[str, ...]:
    """The required features the host does not have, in the order required."""
    held = set(have)
    return tuple(name for name in required if name not in held)


def required_verdict(
    summary: Summary,
    requirements: Sequence[RequirementResult],
    needs: Mapping[str, Sequence[str]],
    required: Sequence[str],
) -> Summary:
    """``summary`` failed, with a note, when a requirement whose ``needs`` (its catalog
    ``host_features``) were all required ended skipped (an untested one fails it anyway)."""
    demanded = set(required)
    unchecked = [
        r
        for r in requirements
        if r.outcome == "skip" and needs.get(r.id) and set(needs[r.id]) <= demanded
    ]
    if not unchecked:
        return summary
    named = "; ".join(f"{r.id} ({r.message or r.outcome})" for r in unchecked[:_NAMED])
    more = f"; and {len(unchecked) - _NAMED} more" if len(unchecked) > _NAMED else ""
    note = (
        f"--require {','.join(required)}: {len(unchecked)} requirement(s) of the required "
        f"features were not checked: {named}{more}"
    )
    notes = (*summary.verdict_notes, note)
    return dataclasses.replace(summary, verdict="fail", verdict_notes=notes)
