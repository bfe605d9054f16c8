"""The core cgroup2 files of pressure stall information and local statistics.

With ``CONFIG_PSI`` every cgroup (the root too) has ``cgroup.pressure`` and the
``{cpu,io,memory}.pressure`` files, whatever controllers are enabled; non-root cgroups also have
``cgroup.stat.local``.  Nothing stalls in the simulation, so the averages read as zeros, but the
files take the kernel's writes: the ``cgroup.pressure`` switch, which hides the ``*.pressure``
files while off, and PSI triggers (``some|full <threshold_us> <window_us>``), refused as the
fidelity host refuses them.
"""

from __future__ import annotations

import errno
from collections.abc import Callable

from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoul
from harness.fakes._parse import strim
from harness.fakes.kernfs import ControlFile

__all__ = ["PRESSURE", "pressure_files", "pressure_switch"]

#: the value key of ``cgroup.pressure`` in a node's values ("1" on, "0" off)
PRESSURE = "cgroup.pressure"
#: trigger windows the kernel accepts, in microseconds (``psi_trigger_create``)
_WINDOW_MIN_US = 500_000
_WINDOW_MAX_US = 10_000_000
_AVERAGES = "avg10=0.00 avg60=0.00 avg300=0.00 total=0"


def _text(payload: bytes) -> str:
    return strim(payload.decode("utf-8", "replace"))


def _trigger(payload: bytes) -> None:
    """``psi_trigger_create``'s checks, then the refusal the fidelity host gives.

    Raises:
        KernelErrno: EINVAL, always (first for another state, a window outside 500ms..10s or a
            threshold outside 1..window).
    """
    fields = _text(payload).split()
    if len(fields) != 3 or fields[0] not in ("some", "full"):
        raise KernelErrno(errno.EINVAL)
    try:
        threshold, window = kstrtoul(fields[1], 10), kstrtoul(fields[2], 10)
    except KernelErrno as err:
        raise KernelErrno(errno.EINVAL) from err
    if not _WINDOW_MIN_US <= window <= _WINDOW_MAX_US or not 0 < threshold <= window:
        raise KernelErrno(errno.EINVAL)
    # the fidelity host (6.18) refused even a valid trigger with EINVAL in a manual experiment
    # (cause not established); triggers are not modelled, so the simulation refuses them too
    raise KernelErrno(errno.EINVAL)


def pressure_files(values: dict[str, str]) -> list[ControlFile]:
    """``{cpu,io,memory}.pressure`` while ``cgroup.pressure`` is on, else none."""
    if values.get(PRESSURE, "1") != "1":
        return []
    show = f"some {_AVERAGES}\nfull {_AVERAGES}\n"
    return [ControlFile(f"{r}.pressure", lambda: show, _trigger) for r in ("cpu", "io", "memory")]


def pressure_switch(values: dict[str, str], changed: Callable[[], None]) -> ControlFile:
    """``cgroup.pressure``: a boolean (``kstrtobool``); a change shows or hides the files."""

    def store(payload: bytes) -> None:
        text = _text(payload).lower()
        if text[:1] in ("1", "y") or text in ("on",):
            value = "1"
        elif text[:1] in ("0", "n") or text in ("off",):
            value = "0"
        else:
            raise KernelErrno(errno.EINVAL)
        if values.get(PRESSURE, "1") != value:
            values[PRESSURE] = value
            changed()

    return ControlFile(PRESSURE, lambda: values.get(PRESSURE, "1") + "\n", store)
