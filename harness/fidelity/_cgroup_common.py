"""Cgroup probes every hierarchy gets, v1 and v2 alike (mkdir, moves, rmdir, writes), and the
small steps the hierarchy-specific probes share.

Each probe works only in groups it asked the context for, with processes the context spawned for
it, and records every kernel answer.  Facts probed are those of reference §1.14, §2.1–2.4.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from harness.fidelity._context import ProbeContext

__all__ = [
    "COMMON",
    "ProbeFn",
    "group_with_process",
    "move_by_tasks",
    "read_only_probe",
    "write_each",
]

ProbeFn = Callable[[ProbeContext, str], None]


def group_with_process(ctx: ProbeContext, mount: str) -> tuple[str, int]:
    """A new group under ``mount`` holding a new process: the start of most probes."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    pid = ctx.spawn()
    ctx.write(os.path.join(group, "cgroup.procs"), str(pid))
    return group, pid


def write_each(ctx: ProbeContext, path: str, values: tuple[str, ...]) -> None:
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
    group, pid = group_with_process(ctx, mount)
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


def read_only_probe(name: str) -> ProbeFn:
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


COMMON: tuple[tuple[str, ProbeFn], ...] = (
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
