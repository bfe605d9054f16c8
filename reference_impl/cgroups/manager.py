"""Which cgroup manager a container gets, and killing every process of its cgroup.

The host decides: ``/proc/self/mountinfo`` with a ``cgroup2`` mount at ``/sys/fs/cgroup`` is a
unified host (:class:`Fs2Manager`); anything else gets the v1 manager, which on a hybrid host
(cgroup2 at ``/sys/fs/cgroup/unified``) also joins the unified hierarchy when the profile says
the runc version did.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
from typing import Protocol

from reference_impl.cgroups.fs import FROZEN
from reference_impl.cgroups.fs import SUBSYSTEMS_OF
from reference_impl.cgroups.fs import THAWED
from reference_impl.cgroups.fs import FsManager
from reference_impl.cgroups.fs2 import Fs2Manager
from reference_impl.cgroups.rmdir_retry import remove_each_path
from reference_impl.cgroups.rmdir_retry import remove_each_path_once
from reference_impl.cgroups.rmdir_retry import remove_paths_retrying
from reference_impl.cgroups.writer import CgroupError
from reference_impl.cgroups.writer import CgroupWriter
from reference_impl.configs import CgroupConfig
from reference_impl.errors import PathError
from reference_impl.errors import go_quote
from reference_impl.errors import go_strerror
from reference_impl.fileutil import write_control_file
from reference_impl.mountinfo import read_mountinfo
from reference_impl.profiles import Profile
from reference_impl.system import System

__all__ = [
    "CGROUP_ROOT",
    "CgroupManager",
    "cgroup_mode",
    "kill_all",
    "new_manager",
]

log = logging.getLogger("reference_impl.cgroups")

CGROUP_ROOT = "/sys/fs/cgroup"


class CgroupManager(Protocol):
    """What the container asks of a cgroup manager (runc's ``cgroups.Manager``)."""

    def apply(self, pid: int) -> None: ...
    def set(self, config: CgroupConfig | None) -> None: ...
    def freeze(self, state: str) -> None: ...
    def freezer_state_on_disk(self) -> str | None: ...
    def destroy(self) -> None: ...
    def get_paths(self) -> dict[str, str]: ...
    def planned_paths(self) -> dict[str, str]: ...
    def exists(self) -> bool: ...
    def get_all_pids(self) -> list[int]: ...


def cgroup_mode() -> tuple[str, str | None]:
    """("v2", mount) for a unified host, ("hybrid", unified mount) or ("v1", None)."""
    unified: str | None = None
    for mount in read_mountinfo():
        if mount.fstype != "cgroup2":
            continue
        if mount.mount_point == CGROUP_ROOT:
            return "v2", CGROUP_ROOT
        unified = unified or mount.mount_point
    return ("hybrid", unified) if unified is not None else ("v1", None)


def new_manager(
    config: CgroupConfig | None,
    system: System,
    profile: Profile,
    paths: dict[str, str] | None = None,
) -> FsManager | Fs2Manager:
    """The manager for this host, as ``profile``'s release makes it; ``paths`` are those a
    loaded container recorded.  Without cgroup v2 (the seed) it is the v1 manager on every host,
    as 692f6e1 knows no cgroup2; runc >= 1.0 retries a busy rmdir and, on a hybrid host, joins
    the unified hierarchy too (see the profile's ``cgroup_*`` fields)."""
    mode, mount = cgroup_mode()
    retrying = profile.cgroup_removal == "ebusy-retry"
    writer = CgroupWriter(profile.cgroup_write_era, system)
    if profile.cgroup_v2 and mode == "v2" and mount is not None:
        # no profile without cgroup v2 gets here: the seed knows none; runc 1.1 retries nothing
        remover = remove_each_path if retrying else remove_each_path_once
        return Fs2Manager(
            config,
            system,
            mount,
            paths=paths,
            remover=remover,
            writer=writer,
            read_threads=profile.pids_read_threads,
        )
    unified = mount if mode == "hybrid" and profile.cgroup_join_unified else None
    remover = remove_paths_retrying if retrying else None
    return FsManager(
        config,
        system,
        paths=paths,
        unified_mount=unified,
        remover=remover,
        writer=writer,
        limit_without_group=profile.cgroup_limit_without_group,
        freeze_without_group=profile.cgroup_freeze_without_group,
        cpu_shares_in_place=profile.cpu_shares_in_place,
        freezer_get_state=profile.freezer_get_state,
        freezer_freeze_loop=profile.freezer_freeze_loop,
        kernel_tcp=profile.cgroup_kernel_tcp,
        subsystems=SUBSYSTEMS_OF[profile.v1_subsystems],
    )


def _unified_group(manager: CgroupManager) -> str:
    """runc 1.2's ``m.Path("")``: the v2 group, or on a hybrid host the unified hierarchy's
    group the v1 manager joined (v1.2.0 cgroups/fs/fs.go:36-42, 149-153); "" for none."""
    if isinstance(manager, Fs2Manager):
        return manager.path
    return manager.get_paths().get("", "")


def _killed_through_kill_file(group: str) -> bool:
    """runc 1.2's write of "1" to the group's cgroup.kill (v1.2.0 init_linux.go:702-710):
    False where the kernel has no such file (before 5.14), for the caller to fall back on.
    cgroups.WriteFile never creates the file, returns a failed open bare and a failed write as
    'failed to write "1": <err>' (cgroups/file.go:47-58).

    Raises:
        PathError: the open failed other than with ENOENT.
        CgroupError: the write failed.
    """
    try:
        write_control_file(os.path.join(group, "cgroup.kill"), "1")
    except PathError as err:
        if err.errno == errno.ENOENT:  # errors.Is(err, os.ErrNotExist)
            return False
        if err.op == "open":
            raise
        raise CgroupError(f"failed to write {go_quote('1')}: {err}") from err
    return True


def kill_all(
    manager: CgroupManager,
    system: System,
    sig: int,
    use_kill_file: bool,
    waits: bool = True,
) -> None:
    """``signalAllProcesses``.

    The seed: freeze, list every pid, signal each, thaw, then reap them (:func:`_reap`); only a
    failure to list the pids is raised.  With ``use_kill_file`` (runc >= 1.2) SIGKILL is one
    write of ``1`` to ``cgroup.kill`` of the unified group, on v2 and hybrid hosts alike; only
    its absence (ENOENT) falls back to the seed's way (v1.2.0 init_linux.go:701-710).  Without
    ``waits`` (runc >= 1.2, 5b8f8712a) nothing is waited for, and a failed signal is warned of
    in kill(2)'s words (:func:`_signal_failed`).
    """
    group = _unified_group(manager) if use_kill_file and sig == signal.SIGKILL else ""
    if group and _killed_through_kill_file(group):
        return
    try:
        manager.freeze(FROZEN)
    except Exception as err:  # noqa: BLE001 - the seed only warns
        log.warning("%s", err)
    try:
        pids = manager.get_all_pids()
    except Exception:
        try:
            manager.freeze(THAWED)
        except Exception:  # noqa: BLE001
            pass
        raise
    for pid in pids:
        try:
            system.signal(pid, sig)
        except OSError as err:
            _signal_failed(pid, err, waits)
    try:
        manager.freeze(THAWED)
    except Exception as err:  # noqa: BLE001
        log.warning("%s", err)
    if waits:
        _reap(pids, system, sig)


def _signal_failed(pid: int, err: OSError, go_process: bool) -> None:
    """The warning of a signal that failed.  The seed signals through Go's
    ``os.Process.Signal`` and warns of its error alone: "os: process already finished" for
    ESRCH, else the errno's text (692f6e1 init_linux.go:474-476).  runc >= 1.2 calls kill(2),
    says nothing of ESRCH and warns "kill <pid>: <errno>" (v1.2.0 init_linux.go:722-727)."""
    if go_process:
        text = GO_PROCESS_DONE if err.errno == errno.ESRCH else go_strerror(err.errno)
        log.warning("%s", text)
    elif err.errno != errno.ESRCH:
        log.warning("kill %d: %s", pid, go_strerror(err.errno))


#: Go's error for a signal to a process that has ended (os/exec_unix.go, errFinished)
GO_PROCESS_DONE = "os: process already finished"


#: how long the reference waits for a SIGKILLed process (the seed's p.Wait() has no bound)
KILLED_WAIT_S = 10.0


def _reap(pids: list[int], system: System, sig: int) -> None:
    """The seed's wait after the signals (692f6e1 init_linux.go:483-501): after SIGKILL it waits
    for each child; after another signal it reaps only one that has already exited
    (``isWaitable``), never blocking.  Not a child (ECHILD) is silent; other errors are
    warned of as "wait: <err>"."""
    timeout = KILLED_WAIT_S if sig == signal.SIGKILL else 0.0
    for pid in pids:
        try:
            system.wait(pid, timeout=timeout)
        except ChildProcessError:
            continue
        except OSError as err:
            log.warning("wait: %s", err)
