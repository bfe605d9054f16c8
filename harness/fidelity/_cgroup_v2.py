"""Probes of the unified (v2) hierarchy: cgroup.events, subtree control, the no-internal-process
rule, freeze, kill, limits on descendants and threaded groups.
"""

from __future__ import annotations

import os
import signal

from harness.fidelity._cgroup_common import ProbeFn
from harness.fidelity._cgroup_common import group_with_process
from harness.fidelity._context import ProbeContext

__all__ = ["V2_EXTRA"]


# -- v2 ----------------------------------------------------------------------------------------
def v2_populated(ctx: ProbeContext, mount: str) -> None:
    """cgroup.events follows a process in and out (populated 1, then 0 once it died)."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    events = os.path.join(group, "cgroup.events")
    ctx.read(events)
    pid = ctx.spawn()
    ctx.write(os.path.join(group, "cgroup.procs"), str(pid))
    ctx.read(events)
    ctx.kill(pid, signal.SIGKILL)
    ctx.observe_process(pid, until_dead=True)
    ctx.record("cgroup.events once settled", _settle(ctx, events, "populated 0"))


def _settle(ctx: ProbeContext, path: str, wanted: str) -> str:
    return ctx.poll(lambda: ctx.quiet_read(path), lambda text: wanted in text)


def v2_subtree_control(ctx: ProbeContext, mount: str) -> None:
    """subtree_control: EINVAL for a bad token, ENOENT for what the parent did not enable."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    control = os.path.join(group, "cgroup.subtree_control")
    ctx.read(os.path.join(group, "cgroup.controllers"))
    ctx.read(control)
    for token in ("+hugetlb", "hugetlb", "+nosuchcontroller", "+memory", "-hugetlb", "+cpu -cpu"):
        ctx.write(control, token)
    ctx.read(control)


def v2_no_internal_process(ctx: ProbeContext, mount: str) -> None:
    """Enabling a controller for the children of a group that has a process: EBUSY (no-internal-
    process rule).  Where the parent offers no controller (a v2 root whose subtree_control is
    empty, as on hybrid hosts), ENOENT is checked first and wins; rtgate never changes a root."""
    group, pid = group_with_process(ctx, mount)
    controllers = ctx.read(os.path.join(group, "cgroup.controllers"))
    listed = controllers.startswith("ok: ") and controllers != "ok: (empty)"
    offered = controllers.removeprefix("ok: ").split() if listed else []
    ctx.write(os.path.join(group, "cgroup.subtree_control"), f"+{(offered or ['hugetlb'])[0]}")
    ctx.read(os.path.join(group, "cgroup.subtree_control"))


def v2_freeze_values(ctx: ProbeContext, mount: str) -> None:
    """cgroup.freeze takes 0 or 1: ERANGE for other numbers, EINVAL for text; an empty group
    is frozen at once."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    freeze = os.path.join(group, "cgroup.freeze")
    events = os.path.join(group, "cgroup.events")
    ctx.read(freeze)
    ctx.write(freeze, "1")
    ctx.read(freeze)
    ctx.read(events)
    for value in ("2", "-1", "x", ""):
        ctx.write(freeze, value)
    ctx.write(freeze, "0")
    ctx.read(freeze)
    ctx.read(events)


def v2_freeze_process(ctx: ProbeContext, mount: str) -> None:
    """Freezing a group with a process: events reads frozen 1 once it stopped, 0 after thaw."""
    group, pid = group_with_process(ctx, mount)
    events = os.path.join(group, "cgroup.events")
    ctx.write(os.path.join(group, "cgroup.freeze"), "1")
    ctx.record("cgroup.events once settled", _settle(ctx, events, "frozen 1"))
    ctx.write(os.path.join(group, "cgroup.freeze"), "0")
    ctx.record("cgroup.events once settled", _settle(ctx, events, "frozen 0"))
    ctx.observe_process(pid)


def v2_sigkill_frozen(ctx: ProbeContext, mount: str) -> None:
    """SIGKILL kills a task frozen by cgroup2 at once, unlike the v1 freezer."""
    group, pid = group_with_process(ctx, mount)
    events = os.path.join(group, "cgroup.events")
    ctx.write(os.path.join(group, "cgroup.freeze"), "1")
    ctx.record("cgroup.events once settled", _settle(ctx, events, "frozen 1"))
    ctx.kill(pid, signal.SIGKILL)
    ctx.observe_process(pid, until_dead=True)
    ctx.record("cgroup.events once settled", _settle(ctx, events, "populated 0"))


def v2_child_of_frozen(ctx: ProbeContext, mount: str) -> None:
    """A child made under a frozen group is frozen at once but its own cgroup.freeze is 0."""
    group = ctx.group(mount)
    child = ctx.group(group)
    ctx.mkdir(group)
    ctx.write(os.path.join(group, "cgroup.freeze"), "1")
    ctx.mkdir(child)
    ctx.read(os.path.join(child, "cgroup.freeze"))
    ctx.read(os.path.join(child, "cgroup.events"))
    ctx.write(os.path.join(group, "cgroup.freeze"), "0")
    ctx.read(os.path.join(child, "cgroup.events"))


def v2_kill(ctx: ProbeContext, mount: str) -> None:
    """cgroup.kill: 1 kills every process in the subtree; 2 is ERANGE, text EINVAL."""
    group, pid = group_with_process(ctx, mount)
    kill = os.path.join(group, "cgroup.kill")
    ctx.write(kill, "2")
    ctx.write(kill, "x")
    ctx.observe_process(pid)
    ctx.write(kill, "1")
    ctx.observe_process(pid, until_dead=True)
    events = os.path.join(group, "cgroup.events")
    ctx.record("cgroup.events once settled", _settle(ctx, events, "populated 0"))
    ctx.rmdir(group)


def v2_max_descendants(ctx: ProbeContext, mount: str) -> None:
    """cgroup.max.descendants: "max" or n >= 0; a mkdir beyond it fails EAGAIN."""
    group = ctx.group(mount)
    child = ctx.group(group)
    ctx.mkdir(group)
    limit = os.path.join(group, "cgroup.max.descendants")
    ctx.read(limit)
    for value in ("-1", "x"):
        ctx.write(limit, value)
    ctx.write(limit, "0")
    ctx.read(limit)
    ctx.mkdir(child)
    ctx.write(limit, "max")
    ctx.mkdir(child)
    ctx.read(os.path.join(group, "cgroup.stat"))


def v2_threaded_child(ctx: ProbeContext, mount: str) -> None:
    """cgroup.type takes only "threaded"; a threaded child makes its parent "domain threaded"
    and its own cgroup.procs unreadable (EOPNOTSUPP, from read(2): the open succeeds)."""
    group = ctx.group(mount)
    child = ctx.group(group)
    ctx.mkdir(group)
    ctx.mkdir(child)
    kind = os.path.join(child, "cgroup.type")
    ctx.read(kind)
    ctx.write(kind, "domain")
    ctx.write(kind, "threaded")
    ctx.read(kind)
    ctx.read(os.path.join(group, "cgroup.type"))
    ctx.read(os.path.join(child, "cgroup.procs"))
    ctx.read_after_open(os.path.join(child, "cgroup.procs"))
    ctx.read(os.path.join(child, "cgroup.threads"))


V2_EXTRA: tuple[tuple[str, ProbeFn], ...] = (
    ("populated", v2_populated),
    ("subtree-control", v2_subtree_control),
    ("no-internal-process", v2_no_internal_process),
    ("freeze-values", v2_freeze_values),
    ("freeze-process", v2_freeze_process),
    ("sigkill-frozen", v2_sigkill_frozen),
    ("child-of-frozen", v2_child_of_frozen),
    ("kill", v2_kill),
    ("max-descendants", v2_max_descendants),
    ("threaded-child", v2_threaded_child),
)
