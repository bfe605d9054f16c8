"""What a run starts and undoes on a real machine: shared by real hosts and fidelity probes."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import time

__all__ = ["kill", "pids_in", "remove_group", "start_helper", "try_write", "unlink"]


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
