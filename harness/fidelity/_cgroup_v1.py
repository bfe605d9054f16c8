"""Cgroup v1 probes of one controller each: the freezer, cpu (CFS), memory and pids limits.

Facts probed are those of reference §2.1–2.4.
"""

from __future__ import annotations

import os
import signal

from harness.fidelity._cgroup_common import ProbeFn
from harness.fidelity._cgroup_common import group_with_process
from harness.fidelity._cgroup_common import write_each
from harness.fidelity._context import ProbeContext

__all__ = ["V1_EXTRA"]


# -- v1 freezer ------------------------------------------------------------------------------
def _frozen(ctx: ProbeContext, state: str) -> str:
    return ctx.poll(lambda: ctx.quiet_read(state), lambda s: s != "FREEZING")


def freezer_frozen_then_thawed(ctx: ProbeContext, mount: str) -> None:
    """FROZEN with a live task settles to FROZEN; THAWED reads back THAWED."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    state = os.path.join(group, "freezer.state")
    ctx.read(state)
    pid = ctx.spawn()
    ctx.write(os.path.join(group, "cgroup.procs"), str(pid))
    ctx.write(state, "FROZEN")
    ctx.record("freezer.state once settled", _frozen(ctx, state))
    ctx.read(os.path.join(group, "freezer.self_freezing"))
    ctx.write(state, "THAWED")
    ctx.read(state)
    ctx.observe_process(pid)


def freezer_bad_states(ctx: ProbeContext, mount: str) -> None:
    """Only THAWED and FROZEN may be written: FREEZING and others are EINVAL."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    state = os.path.join(group, "freezer.state")
    for text in ("FREEZING", "frozen", "", "FROZEN THAWED"):
        ctx.write(state, text)
    ctx.write(state, "FROZEN\n")
    ctx.read(state)


def freezer_empty_frozen(ctx: ProbeContext, mount: str) -> None:
    """An empty cgroup reads FROZEN on the first read after the write."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    state = os.path.join(group, "freezer.state")
    ctx.write(state, "FROZEN")
    ctx.read(state)
    ctx.rmdir(group)


def freezer_child_of_frozen(ctx: ProbeContext, mount: str) -> None:
    """A child made under a frozen parent starts frozen; thawing the child alone does not help."""
    group = ctx.group(mount)
    child = ctx.group(group)
    ctx.mkdir(group)
    ctx.write(os.path.join(group, "freezer.state"), "FROZEN")
    ctx.read(os.path.join(group, "freezer.state"))
    ctx.mkdir(child)
    for name in ("freezer.state", "freezer.parent_freezing", "freezer.self_freezing"):
        ctx.read(os.path.join(child, name))
    ctx.write(os.path.join(child, "freezer.state"), "THAWED")
    ctx.read(os.path.join(child, "freezer.state"))
    ctx.write(os.path.join(group, "freezer.state"), "THAWED")
    ctx.read(os.path.join(child, "freezer.state"))


def freezer_sigkill_pending(ctx: ProbeContext, mount: str) -> None:
    """SIGKILL to a v1-frozen task stays pending; the task dies only once thawed."""
    group, pid = group_with_process(ctx, mount)
    state = os.path.join(group, "freezer.state")
    ctx.write(state, "FROZEN")
    ctx.record("freezer.state once settled", _frozen(ctx, state))
    ctx.kill(pid, signal.SIGKILL)
    ctx.observe_process(pid)
    ctx.write(state, "THAWED")
    ctx.observe_process(pid, until_dead=True)


def freezer_move_in_and_out(ctx: ProbeContext, mount: str) -> None:
    """A task moved into a FROZEN cgroup freezes (SIGKILL waits); moved out, it thaws and dies."""
    frozen, thawed = ctx.group(mount), ctx.group(mount)
    ctx.mkdir(frozen)
    ctx.mkdir(thawed)
    state = os.path.join(frozen, "freezer.state")
    ctx.write(state, "FROZEN")
    ctx.read(state)
    pid = ctx.spawn()
    ctx.write(os.path.join(frozen, "cgroup.procs"), str(pid))
    ctx.record("freezer.state once settled", _frozen(ctx, state))
    ctx.kill(pid, signal.SIGKILL)
    ctx.observe_process(pid)
    ctx.write(os.path.join(thawed, "cgroup.procs"), str(pid))
    ctx.observe_process(pid, until_dead=True)


# -- v1 cpu, memory and pids limits ----------------------------------------------------------
def cfs_limits(ctx: ProbeContext, mount: str) -> None:
    """cpu.cfs_period_us within 1 ms..1 s, cpu.cfs_quota_us -1 or at least 1 ms, else EINVAL."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    period = os.path.join(group, "cpu.cfs_period_us")
    quota = os.path.join(group, "cpu.cfs_quota_us")
    ctx.read(period)
    ctx.read(quota)
    write_each(ctx, period, ("50000", "999", "1000001", "abc"))
    write_each(ctx, quota, ("25000", "500", "-1", "-2", "x"))


# -- v1 memory and pids limits ---------------------------------------------------------------
def memory_limit(ctx: ProbeContext, mount: str) -> None:
    """memory.limit_in_bytes: suffixes, page rounding, -1 for unlimited, EINVAL for junk."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    limit = os.path.join(group, "memory.limit_in_bytes")
    ctx.read(limit)
    write_each(ctx, limit, ("67108864", "64M", "1G", "100000", "-1", "abc", "12abc", "-2", ""))


def pids_max(ctx: ProbeContext, mount: str) -> None:
    """pids.max: "max" or 0 <= n <= PID_MAX_LIMIT; anything else EINVAL, value unchanged."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    limit = os.path.join(group, "pids.max")
    ctx.read(limit)
    write_each(ctx, limit, ("10", "max", "0", "-1", "abc", "4194305", "4194304", " 7 \n", ""))
    ctx.read(os.path.join(group, "pids.current"))
    ctx.read(os.path.join(group, "pids.events"))


V1_EXTRA: dict[str, tuple[tuple[str, ProbeFn], ...]] = {
    "freezer": (
        ("frozen-then-thawed", freezer_frozen_then_thawed),
        ("bad-states", freezer_bad_states),
        ("empty-frozen-at-once", freezer_empty_frozen),
        ("child-of-frozen", freezer_child_of_frozen),
        ("sigkill-pending-until-thaw", freezer_sigkill_pending),
        ("move-in-and-out", freezer_move_in_and_out),
    ),
    "cpu": (("cfs-limits", cfs_limits),),
    "memory": (("limit-in-bytes", memory_limit),),
    "pids": (("pids-max", pids_max),),
}
