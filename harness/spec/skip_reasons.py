"""What a skip says when the host lacks what a rule needs: the one shape both sides share.

A test may skip only because this host cannot show the rule (no L3 CAT, a cgroup mode the rule
is not about, a host a runtime refuses): the scenarios say so through
:func:`missing_host_feature`, and ``--certify`` (harness/report/aggregate.py) reads it back with
:func:`explained_by_host`.  Any other skip is unexplained: a certification run fails on it.
"""

from __future__ import annotations

import re

__all__ = ["explained_by_host", "missing_host_feature"]

_PREFIX = "missing host feature"
_SHAPE = re.compile(rf"^{_PREFIX} \[([^\]]+)\]: ")


def missing_host_feature(feature: str, reason: str) -> str:
    """The skip reason of a test that needs ``feature`` of the host, which lacks it:
    ``missing host feature [L3 CAT]: /proc/cpuinfo has no cat_l3 flag``."""
    name = feature.replace("[", "(").replace("]", ")")
    return f"{_PREFIX} [{name}]: {reason}"


def explained_by_host(reason: str | None) -> str | None:
    """The host feature a skip reason names, or None when it names none."""
    found = _SHAPE.match(reason or "")
    return found.group(1) if found else None
