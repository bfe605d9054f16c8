"""The cgroup probes: v1 (every hierarchy, plus freezer, memory and pids specifics) and v2.

Each probe works only in groups it asked the context for, with processes the context spawned for
it, and records every kernel answer.  Facts probed are those of reference §1.14, §2.1–2.4.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from collections.abc import Iterator

from harness.fidelity._context import ProbeContext
from harness.fidelity._model import Family
from harness.fidelity._model import Probe

__all__ = ["V1_READ_ONLY", "v1_probes", "v2_probes"]

ProbeFn = Callable[[ProbeContext, str], None]

#: a file each v1 hierarchy has in every non-root group that has no write permission
V1_READ_ONLY: dict[str, str] = {
    "cpu": "cpu.stat",
    "cpuacct": "cpuacct.stat",
    "cpuset": "cpuset.effective_cpus",
    "memory": "memory.usage_in_bytes",
    "devices": "devices.list",
    "freezer": "freezer.self_freezing",
    "blkio": "blkio.throttle.io_serviced",
    "pids": "pids.current",
    "hugetlb": "hugetlb.2MB.usage_in_bytes",
}


def _group_with_process(ctx: ProbeContext, mount: str) -> tuple[str, int]:
    """A new group under ``mount`` holding a new process: the start of most probes."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    pid = ctx.spawn()
    ctx.write(os.path.join(group, "cgroup.procs"), str(pid))
    return group, pid


def _write_each(ctx: ProbeContext, path: str, values: tuple[str, ...]) -> None:
    """Write each value to ``path`` and read the file back after each write."""
    for value in values:
        ctx.write(path, value)
        ctx.read(path)


def _ls(ctx: ProbeContext, path: str) -> None:
    ctx.attempt(f"ls {ctx.rel(path)}", lambda: " ".join(sorted(os.listdir(path))))


# -- probes common to every hierarchy (v1 and v2) ---------------------------------------------
def mkdir(ctx: ProbeContext, mount: str) -> None:
    """A new group appears as a directory."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    ctx.attempt(f"isdir {ctx.rel(group)}", lambda: os.path.isdir(group))


def files(ctx: ProbeContext, mount: str) -> None:
    """The control files a new group gets."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    _ls(ctx, group)


def mkdir_existing(ctx: ProbeContext, mount: str) -> None:
    """mkdir of an existing group: EEXIST."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    ctx.mkdir(group)


def mkdir_bad_name(ctx: ProbeContext, mount: str) -> None:
    """A group name with a newline: EINVAL, nothing created."""
    bad = ctx.track(ctx.group(mount) + "\nx")
    ctx.attempt(f"mkdir {ctx.rel(bad)!r}", lambda: os.mkdir(bad))
    ctx.attempt(f"exists {ctx.rel(bad)!r}", lambda: os.path.exists(bad))


def _move(ctx: ProbeContext, mount: str, via: str) -> None:
    group = ctx.group(mount)
    ctx.mkdir(group)
    pid = ctx.spawn()
    ctx.write(os.path.join(group, via), str(pid))
    ctx.read(os.path.join(group, "cgroup.procs"))
    ctx.read(os.path.join(group, "tasks" if os.path.exists(f"{mount}/tasks") else "cgroup.threads"))


def move_by_procs(ctx: ProbeContext, mount: str) -> None:
    """Attach a process by writing its pid to cgroup.procs, then list it."""
    _move(ctx, mount, "cgroup.procs")


def move_by_tasks(ctx: ProbeContext, mount: str) -> None:
    """Attach a thread by writing its tid to tasks (v1 only), then list it."""
    _move(ctx, mount, "tasks")


def bad_pids(ctx: ProbeContext, mount: str) -> None:
    """Not a number, negative, no such process: EINVAL, EINVAL, ESRCH (nothing moves)."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    procs = os.path.join(group, "cgroup.procs")
    ctx.write(procs, "abc")
    ctx.write(procs, "-1")
    ctx.write(procs, f"{ctx.unused_pid()}\n", label="'<unused pid>'")
    ctx.read(procs)


def rmdir_busy(ctx: ProbeContext, mount: str) -> None:
    """A group with a live process: EBUSY; after the process died and was reaped: removable."""
    group, pid = _group_with_process(ctx, mount)
    ctx.rmdir(group)
    ctx.kill(pid, signal.SIGKILL)
    ctx.observe_process(pid, until_dead=True)
    ctx.rmdir(group)


def rmdir_empty(ctx: ProbeContext, mount: str) -> None:
    """An empty group is removed with its control files."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    ctx.rmdir(group)
    ctx.attempt(f"exists {ctx.rel(group)}", lambda: os.path.exists(group))


def rmdir_with_child(ctx: ProbeContext, mount: str) -> None:
    """A group with a child group: EBUSY until the child is gone."""
    group = ctx.group(mount)
    child = ctx.group(group)
    ctx.mkdir(group)
    ctx.mkdir(child)
    ctx.rmdir(group)
    ctx.rmdir(child)
    ctx.rmdir(group)


def _read_only(name: str) -> ProbeFn:
    def read_only(ctx: ProbeContext, mount: str) -> None:
        """Writing a file that has no write permission or handler (root may still open it).

        Reference §1.14 says EACCES at open(2) even for root; that is the resctrl root's
        KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK.  This probe records what cgroupfs does.
        """
        group = ctx.group(mount)
        ctx.mkdir(group)
        path = os.path.join(group, name)
        ctx.attempt(f"mode of {ctx.rel(path)}", lambda: oct(os.stat(path).st_mode & 0o777))
        ctx.write(path, "0")

    return read_only


def _scratch_file(mount: str) -> tuple[str, str]:
    """A harmless writable file of every group and a value to write to it."""
    if os.path.exists(os.path.join(mount, "tasks")):
        return "notify_on_release", "1"
    return "cgroup.freeze", "0"


def write_too_big(ctx: ProbeContext, mount: str) -> None:
    """One write of more than 4096 bytes: E2BIG (kernfs atomic_write_len)."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    name, _ = _scratch_file(mount)
    ctx.write(os.path.join(group, name), "x" * 5000)


def write_after_rmdir(ctx: ProbeContext, mount: str) -> None:
    """A write through an fd opened before the group was removed: ENODEV."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    name, value = _scratch_file(mount)
    path = os.path.join(group, name)
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        ctx.record(f"open {ctx.rel(path)}", "failed")
        return
    try:
        ctx.rmdir(group)
        ctx.attempt(f"write {value!r} through the open fd", lambda: os.write(fd, value.encode()))
    finally:
        try:
            os.close(fd)
        except OSError:
            pass


def unlink_control_file(ctx: ProbeContext, mount: str) -> None:
    """Control files cannot be unlinked: EPERM, and the file stays."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    path = os.path.join(group, "cgroup.procs")
    ctx.attempt(f"unlink {ctx.rel(path)}", lambda: os.unlink(path))
    ctx.attempt(f"exists {ctx.rel(path)}", lambda: os.path.exists(path))


def open_truncate(ctx: ProbeContext, mount: str) -> None:
    """O_TRUNC stores nothing, so opening with it leaves the value as it was."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    name, value = _scratch_file(mount)
    path = os.path.join(group, name)
    ctx.write(path, value)
    ctx.attempt(
        f"open {ctx.rel(path)} O_WRONLY|O_TRUNC and close",
        lambda: os.close(os.open(path, os.O_WRONLY | os.O_TRUNC)),
    )
    ctx.read(path)
    ctx.attempt(f"st_size of {ctx.rel(path)}", lambda: os.stat(path).st_size)


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
    group, pid = _group_with_process(ctx, mount)
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
    _write_each(ctx, period, ("50000", "999", "1000001", "abc"))
    _write_each(ctx, quota, ("25000", "500", "-1", "-2", "x"))


# -- v1 memory and pids limits ---------------------------------------------------------------
def memory_limit(ctx: ProbeContext, mount: str) -> None:
    """memory.limit_in_bytes: suffixes, page rounding, -1 for unlimited, EINVAL for junk."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    limit = os.path.join(group, "memory.limit_in_bytes")
    ctx.read(limit)
    _write_each(ctx, limit, ("67108864", "64M", "1G", "100000", "-1", "abc", "12abc", "-2", ""))


def pids_max(ctx: ProbeContext, mount: str) -> None:
    """pids.max: "max" or 0 <= n <= PID_MAX_LIMIT; anything else EINVAL, value unchanged."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    limit = os.path.join(group, "pids.max")
    ctx.read(limit)
    _write_each(ctx, limit, ("10", "max", "0", "-1", "abc", "4194305", "4194304", " 7 \n", ""))
    ctx.read(os.path.join(group, "pids.current"))
    ctx.read(os.path.join(group, "pids.events"))


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
    group, pid = _group_with_process(ctx, mount)
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
    group, pid = _group_with_process(ctx, mount)
    events = os.path.join(group, "cgroup.events")
    ctx.write(os.path.join(group, "cgroup.freeze"), "1")
    ctx.record("cgroup.events once settled", _settle(ctx, events, "frozen 1"))
    ctx.write(os.path.join(group, "cgroup.freeze"), "0")
    ctx.record("cgroup.events once settled", _settle(ctx, events, "frozen 0"))
    ctx.observe_process(pid)


def v2_sigkill_frozen(ctx: ProbeContext, mount: str) -> None:
    """SIGKILL kills a task frozen by cgroup2 at once, unlike the v1 freezer."""
    group, pid = _group_with_process(ctx, mount)
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
    group, pid = _group_with_process(ctx, mount)
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
    and its own cgroup.procs unreadable (EOPNOTSUPP)."""
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
    ctx.read(os.path.join(child, "cgroup.threads"))


# -- registries --------------------------------------------------------------------------------
_COMMON: tuple[tuple[str, ProbeFn], ...] = (
    ("mkdir", mkdir),
    ("files", files),
    ("mkdir-existing", mkdir_existing),
    ("mkdir-bad-name", mkdir_bad_name),
    ("move-by-cgroup.procs", move_by_procs),
    ("bad-pids", bad_pids),
    ("rmdir-busy", rmdir_busy),
    ("rmdir-empty", rmdir_empty),
    ("rmdir-with-child", rmdir_with_child),
    ("write-too-big", write_too_big),
    ("write-after-rmdir", write_after_rmdir),
    ("unlink-control-file", unlink_control_file),
    ("open-truncate", open_truncate),
)

_V1_EXTRA: dict[str, tuple[tuple[str, ProbeFn], ...]] = {
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

_V2_EXTRA: tuple[tuple[str, ProbeFn], ...] = (
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


def _probe(name: str, family: Family, mount: str, fn: ProbeFn) -> Probe:
    summary = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
    return Probe(name, family, mount, fn, summary)


def v1_probes(hierarchy: str, mount: str) -> Iterator[Probe]:
    """The probes of one v1 hierarchy (``hierarchy`` as in /proc/self/cgroup, e.g. "memory"
    or "name=systemd")."""
    label = hierarchy.removeprefix("name=")
    for suffix, fn in (*_COMMON, ("move-by-tasks", move_by_tasks)):
        yield _probe(f"v1.{label}.{suffix}", "cgroup-v1", mount, fn)
    read_only = V1_READ_ONLY.get(hierarchy)
    if read_only is not None:
        yield _probe(f"v1.{label}.write-read-only-file", "cgroup-v1", mount, _read_only(read_only))
    for suffix, fn in _V1_EXTRA.get(hierarchy, ()):
        yield _probe(f"v1.{label}.{suffix}", "cgroup-v1", mount, fn)


def v2_probes(mount: str) -> Iterator[Probe]:
    """The probes of the unified hierarchy mounted at ``mount``."""
    for suffix, fn in (*_COMMON, ("write-read-only-file", _read_only("cgroup.events"))):
        yield _probe(f"v2.{suffix}", "cgroup-v2", mount, fn)
    for suffix, fn in _V2_EXTRA:
        yield _probe(f"v2.{suffix}", "cgroup-v2", mount, fn)
