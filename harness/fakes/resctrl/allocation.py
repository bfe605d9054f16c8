"""Writes that change what a resctrl CTRL_MON group allocates: ``schemata`` and ``mode``.

Semantics of reference §1.4–1.8: a schemata write is parsed and applied all or nothing
(:mod:`harness.fakes.resctrl.schemata` parses it; the overlap checks of ``parse_cbm`` are here);
a group is shareable, exclusive (no CBM overlaps another allocated CLOSID), or on its way to
pseudo-locking (``pseudo-locksetup``, which a schemata write turns into ``pseudo-locked``).
"""

from __future__ import annotations

import errno

from harness.fakes._parse import KernelErrno
from harness.fakes._parse import strim
from harness.fakes.resctrl.fs import ResctrlFs
from harness.fakes.resctrl.fs import ResctrlGroup
from harness.fakes.resctrl.fs import ctrl_path_of
from harness.fakes.resctrl.schemata import Schema
from harness.fakes.resctrl.schemata import SchemataError
from harness.fakes.resctrl.schemata import SchemataRules
from harness.fakes.resctrl.schemata import parse_schemata

__all__ = ["write_mode", "write_schemata"]


def write_schemata(fs: ResctrlFs, path: str, payload: bytes) -> None:
    """Parse and apply a schemata write, all or nothing.

    Raises:
        KernelErrno: EINVAL, with the message in last_cmd_status (see ``schemata``).
    """
    if not payload or not payload.endswith(b"\n"):
        raise KernelErrno(errno.EINVAL)
    group = fs.group(path)
    fs.last_cmd = ""
    if group.mode == "pseudo-locked":
        raise fs.fail(errno.EINVAL, "group_locked")
    rules = SchemataRules(
        fs.topo,
        fs.era,
        fs.schemas_for(group),
        group.mode,
        lambda s, d, m: _cbm_problem(fs, group, s, d, m),
        lambda s, d: fs.locked_region(s, d) != 0,
        lambda name, d, value: group.config[name].__setitem__(d, value),
    )
    try:
        parsed = parse_schemata(payload, rules)
    except SchemataError as err:
        if err.message is not None:
            fs.last_cmd += err.message + "\n"
        raise KernelErrno(errno.EINVAL) from None
    for name, values in parsed.staged.items():
        group.config[name].update(values)
    if group.mode == "pseudo-locksetup" and parsed.lock is not None:
        group.plr = parsed.lock
        group.mode = "pseudo-locked"


def _overlaps(
    fs: ResctrlFs, group: ResctrlGroup, schema: Schema, domain: int, mask: int, exclusive: bool
) -> bool:
    """``rdtgroup_cbm_overlaps``: with exclusive=True only exclusive groups count; else
    every other allocated CLOSID and ``shareable_bits`` (and under CDP the peer's masks)."""
    if not exclusive and mask & schema.alloc.shareable_bits:
        return True
    for other in fs.allocated():
        if other is group or other.mode == "pseudo-locksetup":
            continue
        names = [schema.name] + ([schema.peer] if schema.peer else [])
        if any(other.config[n][domain] & mask for n in names):
            if not exclusive or other.mode == "exclusive":
                return True
    return False


def _cbm_problem(
    fs: ResctrlFs, group: ResctrlGroup, schema: Schema, domain: int, mask: int
) -> str | None:
    """``parse_cbm``'s checks after ``cbm_validate``, in the kernel's order."""
    era = fs.era
    if group.mode in ("exclusive", "shareable") and fs.locked_region(schema, domain) & mask:
        return era.text("locked_overlap")
    if _overlaps(fs, group, schema, domain, mask, True):
        return era.text("exclusive_overlap")
    if group.mode in ("exclusive", "pseudo-locksetup") and _overlaps(
        fs, group, schema, domain, mask, False
    ):
        return era.text("other_overlap")
    return None


def write_mode(fs: ResctrlFs, path: str, payload: bytes) -> None:
    """``mode``: shareable, exclusive, pseudo-locksetup (pseudo-locked comes from a
    schemata write in locksetup).

    Raises:
        KernelErrno: EINVAL without a trailing newline (status untouched), "Cannot change
            pseudo-locked group", "Schemata overlaps", the locksetup refusals, "Unknown or
            unsupported mode".
    """
    if not payload or not payload.endswith(b"\n"):
        raise KernelErrno(errno.EINVAL)
    group = fs.group(path)
    fs.last_cmd = ""
    mode = strim(payload[:-1].decode("utf-8", "replace"))
    if mode == group.mode:
        return
    if group.mode == "pseudo-locked":
        raise fs.fail(errno.EINVAL, "change_locked")
    leaving = group.mode == "pseudo-locksetup"
    if mode == "shareable":
        if leaving:
            _leave_locksetup(fs, group)
        group.mode = "shareable"
    elif mode == "exclusive":
        _check_exclusive(fs, group)
        if leaving:
            _leave_locksetup(fs, group)
        group.mode = "exclusive"
    elif mode == "pseudo-locksetup" and fs.topo.pseudo_locking:
        _check_locksetup(fs, group)
        group.mode = "pseudo-locksetup"
        fs.rmids.release(group.rmid)
        group.rmid = None
        if fs.on_restrict is not None:
            fs.on_restrict(group.path, True)
    else:
        raise fs.fail(errno.EINVAL, "unknown_mode")


def _leave_locksetup(fs: ResctrlFs, group: ResctrlGroup) -> None:
    """``rdtgroup_locksetup_exit``: take an RMID again (failing without a text) and give
    the tasks and cpus files their permissions back."""
    if fs.topo.monitoring is not None:
        group.rmid = fs.rmids.alloc()
    if fs.on_restrict is not None:
        fs.on_restrict(group.path, False)


def _check_exclusive(fs: ResctrlFs, group: ResctrlGroup) -> None:
    """``rdtgroup_mode_test_exclusive``."""
    caches = [s for s in fs.schemas if s.kind == "cache"]
    if not caches:
        raise fs.fail(errno.EINVAL, "no_cat")
    for schema in caches:
        for domain, mask in group.config[schema.name].items():
            if _overlaps(fs, group, schema, domain, mask, False):
                raise fs.fail(errno.EINVAL, "schemata_overlaps")


def _check_locksetup(fs: ResctrlFs, group: ResctrlGroup) -> None:
    """``rdtgroup_locksetup_enter``'s refusals, in order."""
    if group.path == "/":
        raise fs.fail(errno.EINVAL, "lock_default")
    l2 = fs.topo.l2
    if fs.topo.cdp or (l2 is not None and l2.cdp):  # CDP on at L3 or at L2
        raise fs.fail(errno.EINVAL, "cdp_enabled")
    if fs.mon_groups_of(group.path):
        raise fs.fail(errno.EINVAL, "monitoring")
    if fs.members(group.path) or ctrl_path_of(fs.writer_group) == group.path:
        raise fs.fail(errno.EINVAL, "tasks_assigned")
    if group.cpus:
        raise fs.fail(errno.EINVAL, "cpus_assigned")
