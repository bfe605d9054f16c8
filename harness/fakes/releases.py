"""Which kernel release a simulated host claims to run, and what a release tells of a host.

The simulated kernel shows ``/proc/sys/kernel/osrelease`` as a release of its resctrl era (and
no newer than its cgroup2 features allow), so that ``rtgate doctor --capture`` reads the
release the same way on the simulated kernel as on a real one, and maps it back:

* resctrl eras (see :data:`~harness.fakes.topology.ResctrlEra`): before 5.0 ``4.x``; 5.0-6.1
  ``5.x`` (5.15-6.1 already list MB first but still take one pid per ``tasks`` write: the era
  closest to them); 6.2-6.13 ``6.x``; 6.14 and later ``modern``;
* cgroup2: ``cgroup.freeze`` came with 5.2, ``cgroup.kill`` with 5.14.
"""

from __future__ import annotations

import re

from harness.fakes.topology import ResctrlEra
from harness.fakes.topology import Topology

__all__ = ["cgroup2_features", "era_of", "release_of", "version_of"]

#: a release each era's simulated kernel claims to be
_ERA_RELEASES: dict[ResctrlEra, str] = {
    "4.x": "4.19.0-rtgate",
    "5.x": "5.10.0-rtgate",
    "6.x": "6.8.0-rtgate",
    "modern": "6.14.0-rtgate",
}
_FREEZE = (5, 2)
_KILL = (5, 14)


def version_of(release: str) -> tuple[int, int]:
    """(major, minor) of a release string such as ``6.1.0-18-amd64``; (0, 0) if unreadable."""
    found = re.match(r"(\d+)\.(\d+)", release)
    return (int(found[1]), int(found[2])) if found else (0, 0)


def era_of(release: str) -> ResctrlEra:
    """The resctrl era of a kernel release (see the module docstring)."""
    version = version_of(release)
    if version < (5, 0):
        return "4.x"
    if version < (6, 2):
        return "5.x"
    return "6.x" if version < (6, 14) else "modern"


def cgroup2_features(release: str) -> tuple[bool, bool]:
    """(``cgroup.freeze``, ``cgroup.kill``) of a kernel release's cgroup2."""
    version = version_of(release)
    return version >= _FREEZE, version >= _KILL


def release_of(topology: Topology) -> str:
    """The release the simulated kernel of ``topology`` shows: its resctrl era's, lowered below
    5.14 (5.2) when its cgroup2 lacks ``cgroup.kill`` (``cgroup.freeze``)."""
    era = topology.resctrl.era if topology.resctrl is not None else "modern"
    release = _ERA_RELEASES[era]
    if topology.cgroup_mode != "v1" and not topology.cgroup_freeze:
        return "5.1.0-rtgate"
    if topology.cgroup_mode != "v1" and not topology.cgroup_kill and version_of(release) >= _KILL:
        return "5.13.0-rtgate"
    return release
