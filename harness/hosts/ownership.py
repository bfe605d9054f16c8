"""What a run starts and undoes on a real machine, and whose it is: shared by real hosts and
fidelity probes.

Every name a run hands out starts ``rtgate-<pid>-t<start time>-`` (fidelity probes:
``rtgate-fidelity-<pid>-t<start time>-``), the start time being field 22 of the run's
``/proc/<pid>/stat``: a pid is reused (with pid_max 32768, within minutes on a busy machine),
the pair is not, so a new process with an old run's pid neither hides that run's leftovers
nor collides with them.  Names without the start time (``rtgate-<pid>-...``, from before) are
judged by the pid alone.  The processes a run starts carry :data:`OWNER_VARIABLE` in their
environment, naming it, so that ``rtgate cleanup`` finds one that escaped its cgroups.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import time

from harness.hosts.facts import stat_or_none

__all__ = [
    "OWNER_VARIABLE",
    "kill",
    "mark_children",
    "owner",
    "owner_alive",
    "owner_tag",
    "pids_in",
    "remove_group",
    "start_helper",
    "thaw",
    "try_write",
    "unlink",
]

#: the environment variable that names the run a process belongs to (``rtgate-<tag>``)
OWNER_VARIABLE = "RTGATE_OWNER"
_OWNED = re.compile(r"^rtgate-(?:fidelity-)?(\d+)-(?:t(\d+)-)?")
_tags: dict[int, str] = {}


def owner_tag() -> str:
    """``<pid>-t<start time>`` of this process: what its names carry after ``rtgate-``."""
    pid = os.getpid()
    if pid not in _tags:
        stat = stat_or_none(pid)
        _tags[pid] = f"{pid}-t{stat.start_time if stat is not None else 0}"
    return _tags[pid]


def owner(name: str) -> tuple[int, int | None] | None:
    """The pid and start time (None in a name from before start times) of the run that
    handed out ``name``; None for a name no run hands out."""
    found = _OWNED.match(name)
    if found is None:
        return None
    return int(found.group(1)), int(found.group(2)) if found.group(2) else None


def owner_alive(name: str) -> bool | None:
    """Whether the run that handed out ``name`` still runs: its pid lives, with the start time
    the name records; None for a name no run hands out."""
    found = owner(name)
    if found is None:
        return None
    pid, start = found
    stat = stat_or_none(pid)
    if stat is None or stat.exited:
        return False
    return start is None or stat.start_time == start


def mark_children() -> None:
    """Every process this one starts from now on names it in :data:`OWNER_VARIABLE`."""
    os.environ[OWNER_VARIABLE] = f"rtgate-{owner_tag()}"


def start_helper(argv: list[str]) -> subprocess.Popen[bytes]:
    """A helper process of the harness in a session of its own, with no terminal streams."""
    return subprocess.Popen(  # noqa: S603 - callers pass fixed programs
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def try_write(path: str, value: bytes) -> None:
    """Write ``value`` to a control file if it is there and takes it; cleanup goes on anyway."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        return
    try:
        os.write(fd, value)
    except OSError:
        pass
    finally:
        os.close(fd)


def thaw(group: str) -> None:
    """Thaw a cgroup, v1 (freezer.state) or v2 (cgroup.freeze), if it has a freezer: a task the
    v1 freezer holds does not die of SIGKILL until thawed."""
    try_write(os.path.join(group, "freezer.state"), b"THAWED")
    try_write(os.path.join(group, "cgroup.freeze"), b"0")


def remove_group(group: str, deadline_s: float, interval_s: float = 0.002) -> str | None:
    """rmdir ``group``, retrying EBUSY until the deadline (a killed task leaves its group a
    moment after its parent reaped it).  Returns what went wrong, or None."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            os.rmdir(group)
            return None
        except FileNotFoundError:
            return None
        except OSError as err:
            if err.errno != errno.EBUSY or time.monotonic() >= deadline:
                name = errno.errorcode.get(err.errno or 0, str(err.errno))
                return f"rmdir {group}: {name}"
        time.sleep(interval_s)


def pids_in(group: str) -> list[int]:
    """The pids a cgroup lists in cgroup.procs; none when it cannot be read."""
    try:
        with open(os.path.join(group, "cgroup.procs"), encoding="ascii") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def kill(pid: int) -> None:
    """SIGKILL ``pid`` if it still exists."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def unlink(path: str) -> str | None:
    """Remove the file at ``path`` (gone already is fine); the problem, or None."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        return f"unlink {path}: {err.strerror}"
    return None
