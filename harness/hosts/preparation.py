"""Preparing a real host for a runtime that refuses it as it is, and undoing that.

crun 1.8 refuses a hybrid host whose cgroup2 hierarchy has any controller ("cgroups in hybrid
mode not supported, drop all controllers from cgroupv2"); Debian leaves hugetlb there.  A
controller that no cgroup2 group has enabled can be bound to a v1 hierarchy instead, which
leaves the unified hierarchy none.  rtgate does that with a hierarchy of its own, mounted inside
the private mount namespace of one helper process: no mount appears in the host's table, no
group of the host moves, and when the helper dies (at the end of the run, or with rtgate itself,
by ``PR_SET_PDEATHSIG``) the namespace goes, the hierarchy is destroyed and the kernel gives the
controller back to cgroup2.

Runs can overlap (``make test`` runs several): a v1 binding that no mount of this namespace shows
is another run's preparation, and a run holds it too (a second mount of the same hierarchy), so
the first run to finish does not pull it from under the others.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager

from harness.hosts.base import CGROUP_ROOT
from harness.hosts.facts import read_mounts

__all__ = [
    "PREPARATION",
    "Preparation",
    "bound_elsewhere",
    "host_prepared",
    "unified_controllers",
]

#: how often a run binds and probes again (another run's preparation may come and go meanwhile)
_ATTEMPTS = 3
#: what harness/subjects/host_refusals.toml calls this preparation (an entry's ``prepare``)
PREPARATION = "unified-controllers-to-v1"

UNIFIED = os.path.join(CGROUP_ROOT, "unified")
_PR_SET_PDEATHSIG = 1
#: the helper: a private mount namespace holding one v1 hierarchy per controller it is given
_HOLDER_SCRIPT = """set -e
mount -t tmpfs rtgate-prep /tmp
for c in "$@"; do
    mkdir "/tmp/$c"
    mount -t cgroup -o "$c" "rtgate-$c" "/tmp/$c"
done
echo ready
exec sleep infinity
"""


@dataclasses.dataclass
class Preparation:
    """What a run did to the host for its runtime, and what the runtime says after it."""

    #: controllers this run bound to a v1 hierarchy of its own (empty: nothing was needed)
    bound: tuple[str, ...] = ()
    #: controllers another run had bound, held by this run too
    held: tuple[str, ...] = ()
    #: the runtime's refusal of the host, after any preparation; None when it accepts it
    refusal: str | None = None
    #: why nothing could be prepared, when the runtime refused and preparing did not help
    failure: str | None = None
    helper: subprocess.Popen[str] | None = dataclasses.field(default=None, repr=False)

    def describe(self) -> str | None:
        """One line for the run's output, or None when the host was left as it was."""
        if self.bound:
            names = ", ".join(self.bound)
            return (
                f"host prepared: bound {names} to a v1 hierarchy in a private mount namespace "
                f"(helper pid {self.helper.pid if self.helper else '?'}) so that the unified "
                "hierarchy has no controllers; undone when the run ends"
            )
        if self.held:
            names = ", ".join(self.held)
            return (
                f"host already prepared by an rtgate run ({names} bound to v1): held for this one"
            )
        return None


def _proc_cgroups() -> dict[str, int]:
    """Controller -> hierarchy id, from /proc/cgroups (0: cgroup2, or not bound)."""
    with open("/proc/cgroups", encoding="ascii") as f:
        rows = [line.split() for line in f if not line.startswith("#")]
    return {row[0]: int(row[1]) for row in rows if len(row) >= 4 and row[3] == "1"}


def _v1_mounted() -> set[str]:
    """Controllers of every v1 hierarchy this mount namespace shows."""
    return {option for m in read_mounts() if m.fstype == "cgroup" for option in m.super_options}


def unified_controllers() -> list[str]:
    """The controllers of a hybrid host's cgroup2 hierarchy; [] elsewhere."""
    try:
        with open(os.path.join(UNIFIED, "cgroup.controllers"), encoding="ascii") as f:
            return f.read().split()
    except OSError:
        return []


def bound_elsewhere() -> list[str]:
    """Controllers bound to a v1 hierarchy that no mount of this namespace shows: another
    run's preparation (the host's own hierarchies are all mounted under /sys/fs/cgroup)."""
    visible = _v1_mounted()
    return sorted(c for c, hierarchy in _proc_cgroups().items()
                  if hierarchy != 0 and c not in visible)  # fmt: skip


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _start_holder(controllers: list[str]) -> subprocess.Popen[str]:
    """The helper holding ``controllers`` on v1; raises OSError with the kernel's refusal."""
    unshare = shutil.which("unshare")
    if unshare is None:
        raise OSError("unshare(1) is not installed")
    helper = subprocess.Popen(  # noqa: S603 - fixed program, controller names from the kernel
        [
            unshare,
            "--mount",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            _HOLDER_SCRIPT,
            "rtgate-prep",
            *controllers,
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only prctl, no locks taken
    )
    assert helper.stdout is not None
    if helper.stdout.readline().strip() == "ready":
        return helper
    helper.kill()
    _, err = helper.communicate()
    raise OSError(err.strip().splitlines()[-1] if err.strip() else "the helper exited")


def _stop_holder(helper: subprocess.Popen[str] | None) -> None:
    if helper is not None and helper.poll() is None:
        helper.kill()
    if helper is not None:
        helper.wait()


def _prepare(prep: Preparation) -> bool:
    """Bind what cgroup2 holds to v1 (or hold what another run bound meanwhile: runs overlap,
    and one may bind between this run's probe and now); whether there was anything to do."""
    unified, others = unified_controllers(), bound_elsewhere()
    wanted = sorted({*prep.held, *prep.bound, *others, *unified})
    if not unified and set(others) <= {*prep.held, *prep.bound}:
        return False  # nothing this run can change: the refusal is not about the controllers
    try:
        helper = _start_holder(wanted)
    except OSError as err:
        prep.failure = f"binding {', '.join(unified or others)} to cgroup v1 failed: {err}"
        return False
    _stop_holder(prep.helper)
    prep.helper, prep.failure = helper, None
    prep.bound = tuple(sorted({*prep.bound, *unified}))
    prep.held = tuple(c for c in wanted if c not in prep.bound)
    return True


@contextmanager
def host_prepared(probe: Callable[[], str | None]) -> Iterator[Preparation]:
    """Probe the runtime (``probe()`` is its refusal of the host that this preparation may
    cure, or None: the caller decides which refusals those are, harness/subjects/probe.py);
    when it refuses a hybrid host whose cgroup2 hierarchy has controllers, bind them to v1 and
    probe again.  Everything is undone when the block ends."""
    prep = Preparation()
    held = bound_elsewhere()
    if held:
        prep.held = tuple(held)
        prep.helper = _start_holder(held)
    try:
        prep.refusal = probe()
        for _ in range(_ATTEMPTS):
            if prep.refusal is None or not _prepare(prep):
                break
            prep.refusal = probe()
        yield prep
    finally:
        _stop_holder(prep.helper)
