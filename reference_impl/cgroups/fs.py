"""cgroup v1 manager as in the seed (runc ``libcontainer/cgroups/fs``, 2017).

One directory per hierarchy, all named by the config's cgroup path.  ``destroy`` removes them with
the seed's retry rounds (five, with 10/20/40/80 ms pauses, deciding by ``stat``); joined cgroups
(``CgroupConfig.paths``) are never removed.  Pauses and the freezer read-back loop go through
``System.sleep`` so a simulated host does not really wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
from collections.abc import Callable

from reference_impl.cgroups.pids import all_pids
from reference_impl.cgroups.v1_limits import CPUSET_FILES
from reference_impl.cgroups.v1_limits import UNIFIED_ON_V1
from reference_impl.cgroups.v1_limits import set_blkio
from reference_impl.cgroups.v1_limits import set_blkio_throttle
from reference_impl.cgroups.v1_limits import set_cfs
from reference_impl.cgroups.v1_limits import set_cpuset
from reference_impl.cgroups.v1_limits import set_devices
from reference_impl.cgroups.v1_limits import set_hugetlb
from reference_impl.cgroups.v1_limits import set_memory_tunables
from reference_impl.cgroups.v1_limits import set_network
from reference_impl.cgroups.v1_limits import set_rt_sched
from reference_impl.cgroups.v1_limits import wanted_cpuset
from reference_impl.cgroups.writer import CgroupError
from reference_impl.cgroups.writer import CgroupWriter
from reference_impl.configs import CgroupConfig
from reference_impl.errors import PathError
from reference_impl.errors import go_quote
from reference_impl.errors import go_strerror
from reference_impl.fileutil import mkdir_all
from reference_impl.fileutil import read_file
from reference_impl.fileutil import read_file_go
from reference_impl.fileutil import remove_all
from reference_impl.mountinfo import read_mountinfo
from reference_impl.system import System

__all__ = [
    "FREEZER_STATES",
    "CgroupError",
    "FsManager",
    "Remover",
    "find_v1_mountpoints",
    "go_map",
    "remove_paths",
]


#: the named hierarchy the seed joins (``NameGroup{GroupName: "name=systemd", Join: true}``)
NAME_SYSTEMD = "name=systemd"

#: the subsystems the seed's fs driver manages, in its order
SUBSYSTEMS = (
    "cpuset",
    "devices",
    "memory",
    "cpu",
    "cpuacct",
    "pids",
    "blkio",
    "hugetlb",
    "net_cls",
    "net_prio",
    "perf_event",
    "freezer",
    NAME_SYSTEMD,
)
#: v1 hierarchies a later runc manages too: rdma (b3d14488b, v1.1.0) and misc, joined as the
#: named systemd one is (611bbacb3, v1.2.0)
RDMA = "rdma"
MISC = "misc"
#: the subsystems of each release's fs driver, in its order (v1.1.5 cgroups/fs/fs.go:16-31;
#: v1.2.0 :16-32), by ``Profile.v1_subsystems``
SUBSYSTEMS_OF: dict[str, tuple[str, ...]] = {
    "seed": SUBSYSTEMS,
    "runc-1.1": (*SUBSYSTEMS[:-1], RDMA, NAME_SYSTEMD),
    "runc-1.2": (*SUBSYSTEMS[:-1], RDMA, NAME_SYSTEMD, MISC),
}
#: hierarchies joined on a best-effort basis (``NameGroup{Join: true}``): their errors are
#: ignored, silently, and their path is kept (692f6e1 fs/name.go:19-25; v1.2.0 fs/name.go:17-23)
BEST_EFFORT = (NAME_SYSTEMD, MISC)

MEMORY_LIMIT = "memory.limit_in_bytes"
MEMSW_LIMIT = "memory.memsw.limit_in_bytes"
MEMORY_USAGE = "memory.usage_in_bytes"
MEMORY_PEAK = "memory.max_usage_in_bytes"
#: what the seed's getMemoryData(path, "") reads, in its order (692f6e1 fs/memory.go:267-311)
MEMORY_DATA = (MEMORY_USAGE, MEMORY_PEAK, "memory.failcnt", MEMORY_LIMIT)

FROZEN = "FROZEN"
THAWED = "THAWED"
#: configs.FreezerState: Undefined, Frozen, Thawed
FREEZER_STATES = ("", FROZEN, THAWED)

#: runc's rounds of writing FROZEN and reading it back before it gives up (fs/freezer.go:61)
FREEZE_ROUNDS = 1000
#: the seed loops on the freezer read-back with no limit; this harness stops after this long
#: (virtual seconds on a simulated host) so a broken freezer cannot hang a run
FREEZE_DEADLINE_S = 60.0


def find_v1_mountpoints(subsystems: tuple[str, ...] = SUBSYSTEMS) -> dict[str, str]:
    """Subsystem -> mount point of every cgroup v1 hierarchy of ``subsystems`` in
    ``/proc/self/mountinfo``."""
    found: dict[str, str] = {}
    for mount in read_mountinfo():
        if mount.fstype != "cgroup":
            continue
        for option in mount.super_options:
            if option in subsystems and option not in found:
                found[option] = mount.mount_point
    return found


#: how a manager's Destroy removes its directories (subsystem -> dir), dropping what it removed
Remover = Callable[[dict[str, str], System], None]


def go_map(paths: dict[str, str]) -> str:
    """``fmt.Sprintf("%v", map)``: Go prints maps with their keys sorted."""
    return "map[" + " ".join(f"{k}:{v}" for k, v in sorted(paths.items())) + "]"


def remove_paths(paths: dict[str, str], system: System) -> None:
    """The seed's ``cgroups.RemovePaths``: mutates ``paths``, dropping what is gone.

    Raises:
        CgroupError: "Failed to remove paths: map[...]" when some remain after five rounds.
    """
    delay = 0.010
    for round_no in range(5):
        if round_no:
            system.sleep(delay)
            delay *= 2
        for name, path in list(paths.items()):
            try:
                remove_all(path)
            except OSError:
                pass  # RemoveAll "almost always returns error"; stat decides
            if not os.path.exists(path):
                del paths[name]
        if not paths:
            return
    raise CgroupError(f"Failed to remove paths: {go_map(paths)}")


class FsManager:
    """``fs.Manager``: apply, set, freeze, destroy, pids and paths of one container."""

    def __init__(
        self,
        config: CgroupConfig | None,
        system: System,
        paths: dict[str, str] | None = None,
        unified_mount: str | None = None,
        remover: Remover | None = None,
        *,
        writer: CgroupWriter,
        limit_without_group: str,
        freeze_without_group: str,
        cpu_shares_in_place: bool,
        freezer_get_state: bool = False,
        freezer_freeze_loop: bool = False,
        kernel_tcp: bool = False,
        subsystems: tuple[str, ...] = SUBSYSTEMS,
    ) -> None:
        self.config = config
        #: the v1 hierarchies it makes and joins groups in, in order (``SUBSYSTEMS_OF``)
        self.subsystems = subsystems
        #: writes the control files, in the words of the profile's release
        self.writer = writer
        #: cpu.shares is read back right after its write, and a clamped value ends the Set there
        #: (see ``Profile.cpu_shares_in_place``); else once every limit is written
        self.cpu_shares_in_place = cpu_shares_in_place
        #: the freezer's state is runc's GetState, not one read (``Profile.freezer_get_state``)
        self.freezer_get_state = freezer_get_state
        #: a freeze is runc's loop of rounds (``Profile.freezer_freeze_loop``)
        self.freezer_freeze_loop = freezer_freeze_loop
        #: the config's kernelTCP is written (``Profile.cgroup_kernel_tcp``)
        self.kernel_tcp = kernel_tcp
        #: the error of a limit for a subsystem the container has no cgroup of (its hierarchy
        #: is not mounted), with ``{subsystem}`` and ``{file}``: the seed's writeFile on an
        #: empty path, or runc 1.2's own text (see ``Profile.cgroup_limit_without_group``)
        self.limit_without_group = limit_without_group
        #: the error of a Pause or Resume without a freezer cgroup (see
        #: ``Profile.cgroup_freeze_without_group``)
        self.freeze_without_group = freeze_without_group
        #: the seed's RemovePaths rounds, or a later runc's removal
        self.remover: Remover = remover or remove_paths
        self.system = system
        self.paths: dict[str, str] = dict(paths or {})
        #: the paths were given (a loaded container's saved ones), which runc keeps as they are:
        #: it computes them only for a manager made without (v1.2.0 cgroups/fs/fs.go:63-85)
        self.paths_given = paths is not None
        #: on a hybrid host, the cgroup2 mount to join as well (runc >= 1.0); None: v1 only
        self.unified_mount = unified_mount

    # -- apply and set ----------------------------------------------------------------------
    def apply(self, pid: int) -> None:
        """Create (or join) the cgroup of every mounted subsystem and move ``pid`` into it."""
        if self.config is None:
            return
        self._refuse_unified(self.config)
        if self.config.paths is not None:
            self._join_paths(self.config.paths, pid)
            return
        mounts = find_v1_mountpoints(self.subsystems)
        for name in self.subsystems:
            mount = mounts.get(name)
            if mount is None:
                if name == "devices":
                    raise CgroupError(f"mountpoint for {name} not found")
                continue
            path = group_dir(mount, self.config.path)
            if name in BEST_EFFORT:
                # A named or misc group is joined on a best-effort basis: its errors are
                # ignored, silently, and its path is kept (and removed at destroy).
                self.paths[name] = path
                with contextlib.suppress(OSError, CgroupError):
                    mkdir_all(path, 0o755)
                    self.writer.add_pid(path, pid)
                continue
            # recorded before the group is made, so that Destroy removes what a failed
            # Apply made (692f6e1 apply_raw.go:136-148; runc computes every path when it
            # makes the manager, v1.1.5 cgroups/fs/fs.go:72-78)
            self.paths[name] = path
            if name == "cpuset":
                _ensure_cpuset(mount, path, self.writer, wanted_cpuset(self.config))
            else:
                try:
                    mkdir_all(path, 0o755)
                except OSError as err:
                    failed = err.filename or path
                    raise CgroupError(f"mkdir {failed}: {go_strerror(err.errno)}") from err
            if name == "cpu":
                set_rt_sched(self._limit, self.config)
            self.writer.add_pid(path, pid)
        if self.unified_mount is not None:
            self._join_unified(group_dir(self.unified_mount, self.config.path), pid)

    def _join_paths(self, paths: dict[str, str], pid: int) -> None:
        """Joined cgroups: a path is recorded when its subsystem is mounted, whether or not it
        exists, and ``pid`` is written only into those that exist (692f6e1 apply_raw.go:117-130,
        cgroups/utils.go:359-368 EnterPid); a key that names no v1 subsystem (the unified
        hierarchy's "") is recorded where its directory exists."""
        mounts = find_v1_mountpoints(self.subsystems)
        for name, path in paths.items():
            if name in mounts or os.path.isdir(path):
                self.paths[name] = path
        for path in self.paths.values():
            if os.path.exists(path):
                self.writer.add_pid(path, pid)

    def planned_paths(self) -> dict[str, str]:
        """Where Apply will put the container, before it runs: the config's path in each
        mounted hierarchy (v1.2.0 computes them when it makes the manager, fs/paths.go:24-52);
        none for joined cgroups."""
        if self.config is None or self.config.paths is not None:
            return {}
        mounts = find_v1_mountpoints(self.subsystems)
        return {n: group_dir(mounts[n], self.config.path) for n in self.subsystems if n in mounts}

    def _join_unified(self, path: str, pid: int) -> None:
        """Hybrid hosts (runc >= 1.0): the same path in the unified hierarchy, keyed "".

        Like the named systemd hierarchy it is joined on a best-effort basis."""
        self.paths[""] = path
        with contextlib.suppress(OSError, CgroupError):  # silently, as the named one
            mkdir_all(path, 0o755)
            self.writer.add_pid(path, pid)

    def set(self, config: CgroupConfig | None) -> None:
        """Apply the resources of ``config``; joined cgroups are left as they are.

        Subsystems run in the seed's order (memory, cpu, pids, ..., freezer last); a limit for
        a subsystem whose hierarchy is not mounted fails (692f6e1 apply_raw.go:198-203, 311-313;
        v1.2.0 fs/fs.go:181-196), one without a value is not written.
        """
        if config is None or config.paths is not None:
            return
        self._refuse_unified(config)
        set_cpuset(self._limit, config)
        set_devices(self._limit, config)
        if config.memory_limit or config.memory_swap:
            self._set_memory_and_swap(config.memory_limit, config.memory_swap)
        if config.memory_reservation:
            self._limit("memory", "memory.soft_limit_in_bytes", str(config.memory_reservation))
        if config.oom_kill_disable:  # 692f6e1 fs/memory.go:182-186; v1.1.5 fs/memory.go:124-128
            self._limit("memory", "memory.oom_control", "1")
        set_memory_tunables(self._limit, config, self.kernel_tcp, self.writer.era == "seed")
        cpu = self.paths.get("cpu")
        if config.cpu_shares:
            self._limit("cpu", "cpu.shares", str(config.cpu_shares))
            if self.cpu_shares_in_place:
                _check_cpu_shares(self.paths["cpu"], config.cpu_shares, "the")
        set_cfs(self._limit, config, self.writer.era == "seed")
        set_rt_sched(self._limit, config)
        if config.pids_limit:
            limit = "max" if config.pids_limit < 0 else str(config.pids_limit)
            self._limit("pids", "pids.max", limit)
        set_blkio(self._limit, self.paths.get("blkio", ""), config, self.writer.era == "seed")
        set_blkio_throttle(self._limit, config)
        set_hugetlb(self._limit, config)
        set_network(self._limit, config)
        if config.freezer:
            self._set_freezer_limit(config.freezer)
        if cpu and config.cpu_shares and not self.cpu_shares_in_place:
            _check_cpu_shares(cpu, config.cpu_shares, "The")

    def _set_memory_and_swap(self, limit: int, swap: int) -> None:
        """``setMemoryAndSwap``: a memory limit alone is :meth:`_set_memory`'s.  With a swap
        limit too (memory+swap, as v1 counts it) the current limit is read first (the seed
        reads the group's memory data) and swap is written first when it is lifted or above
        that limit, so that the kernel, which keeps memory <= memory+swap, takes both; else
        the limit goes first (692f6e1 cgroups/fs/memory.go:108-155; v1.1.5
        cgroups/fs/memory.go:69-109).  The seed lifts swap with a limit of -1 whatever swap
        the config gives (692f6e1 memory.go:111-117)."""
        if not swap:
            if limit:
                self._set_memory(limit)
            return
        directory = self.paths.get("memory", "")
        seed = self.writer.era == "seed"
        if not directory and not seed:
            # runc >= 1.0 words any error of a subsystem it has no cgroup for as its own (v1.2.0
            # fs/fs.go:181-196); the seed reads memory.usage_in_bytes at the empty path
            raise CgroupError(self.limit_without_group.format(subsystem="memory", file=MEMSW_LIMIT))
        if seed and limit == -1 and os.path.exists(os.path.join(directory, MEMSW_LIMIT)):
            swap = -1
        if limit:
            names = MEMORY_DATA if seed else (MEMORY_LIMIT,)
            texts = [read_file(os.path.join(directory, name)) for name in names]
            if swap == -1 or int(texts[-1].strip()) < swap:
                self._limit("memory", MEMSW_LIMIT, str(swap))
                self._write_memory_limit(limit)
                return
            self._write_memory_limit(limit)
        self._limit("memory", MEMSW_LIMIT, str(swap))

    def _set_memory(self, limit: int) -> None:
        """``setMemoryAndSwap`` for a memory limit alone: -1 lifts swap as well where the
        kernel has ``memory.memsw.limit_in_bytes``, and swap is then written first, after a
        read of the group's memory data (692f6e1 cgroups/fs/memory.go:108-135, getMemoryData;
        v1.2.0 cgroups/fs/memory.go:69-98, the current limit)."""
        directory = self.paths.get("memory", "")
        if directory and limit == -1 and os.path.exists(os.path.join(directory, MEMSW_LIMIT)):
            names = MEMORY_DATA if self.writer.era == "seed" else (MEMORY_LIMIT,)
            for name in names:
                read_file(os.path.join(directory, name))
            self.writer.write(directory, MEMSW_LIMIT, "-1")
        self._write_memory_limit(limit)

    def _refuse_unified(self, config: CgroupConfig) -> None:
        """runc refuses ``unified`` on cgroup v1; the seed knows no such field."""
        if config.unified is not None and self.writer.era != "seed":
            raise CgroupError(UNIFIED_ON_V1)

    def _write_memory_limit(self, limit: int) -> None:
        """``setMemory``: the write of memory.limit_in_bytes; runc explains a refusal as below
        the usage (EBUSY), the seed reports the write like any other."""
        try:
            self._limit("memory", MEMORY_LIMIT, str(limit))
        except CgroupError as err:
            cause = err.__cause__
            if self.writer.era == "seed" or getattr(cause, "errno", None) != errno.EBUSY:
                raise
            raise CgroupError(_memory_busy(self.paths["memory"], limit)) from err

    def _limit(self, subsystem: str, name: str, value: str) -> None:
        """Write one limit into the subsystem's cgroup, or fail without one."""
        directory = self.paths.get(subsystem, "")
        if not directory:
            raise CgroupError(self.limit_without_group.format(subsystem=subsystem, file=name))
        self.writer.write(directory, name, value)

    def _set_freezer_limit(self, state: str) -> None:
        """``FreezerGroup.Set`` inside Set: runc >= 1.0 puts its own text in place of any error
        of a subsystem that has no group (v1.2.0 fs/fs.go:190-195); the seed returns writeFile's
        "no such directory" (692f6e1 freezer.go:29-32, apply_raw.go:311-313)."""
        directory = self.paths.get("freezer", "")
        try:
            self._set_freezer(directory, state)
        except CgroupError as err:
            if directory or self.writer.era == "seed":
                raise
            text = self.limit_without_group.format(subsystem="freezer", file="freezer.state")
            raise CgroupError(text) from err

    # -- freezer ----------------------------------------------------------------------------
    def freeze(self, state: str) -> None:
        """Write ``freezer.state`` and wait until it reads back, recording the state in the
        manager's config and putting the old one back when the freeze fails (692f6e1
        apply_raw.go:218-227; v1.2.0 cgroups/fs/fs.go:206-220): that config is the container's
        own until a Set replaces it, and a Set's writing back writes it again."""
        directory = self.paths.get("freezer", "")
        if not directory:
            raise CgroupError(self.freeze_without_group)
        previous = self.config
        if previous is not None:
            self.config = dataclasses.replace(previous, freezer=state)
        try:
            self._set_freezer(directory, state)
        except Exception:
            self.config = previous
            raise

    def _set_freezer(self, directory: str, state: str) -> None:
        if state == "":
            return
        if state not in (FROZEN, THAWED):
            raise CgroupError(f"Invalid argument '{state}' to freezer.state")
        if state == FROZEN and self.freezer_freeze_loop:
            self._freeze_in_rounds(directory)
            return
        self.writer.write(directory, "freezer.state", state)
        if state == THAWED and self.freezer_freeze_loop:
            return  # runc writes THAWED and reads nothing back (v1.2.0 fs/freezer.go:102-103)
        deadline = self.system.monotonic() + FREEZE_DEADLINE_S
        while True:
            current = _read_freezer_state(directory)
            if current.strip() == state:
                return
            if self.system.monotonic() > deadline:
                raise CgroupError(
                    f"freezer.state still {current.strip()} after {FREEZE_DEADLINE_S:.0f}s"
                )
            self.system.sleep(0.001)

    def _freeze_in_rounds(self, directory: str) -> None:
        """runc's v1 freeze (v1.2.0 cgroups/fs/freezer.go:26-101): a group that fails to freeze
        is thawed back, whatever failed."""
        try:
            self._freeze_rounds(directory)
        except (CgroupError, OSError):
            with contextlib.suppress(CgroupError):
                self.writer.write(directory, "freezer.state", THAWED)
            raise

    def _freeze_rounds(self, directory: str) -> None:
        """Up to ``FREEZE_ROUNDS`` writes of FROZEN, each read back: FREEZING goes on, FROZEN
        ends it, anything else is unexpected; every 50th round thaws and sleeps 10 ms first,
        every 25th sleeps 10 us before its read (fs/freezer.go:61-99).

        Raises:
            CgroupError: the write's error, "unexpected state <s> while freezing", or "unable
                to freeze" after the last round.
            PathError: the read's error.
        """
        for round_no in range(FREEZE_ROUNDS):
            if round_no % 50 == 49:
                with contextlib.suppress(CgroupError):
                    self.writer.write(directory, "freezer.state", THAWED)
                self.system.sleep(0.010)
            self.writer.write(directory, "freezer.state", FROZEN)
            if round_no % 25 == 24:
                self.system.sleep(0.000010)
            state = _read_freezer_state(directory).strip()
            if state == FROZEN:
                return
            if state != "FREEZING":
                raise CgroupError(f"unexpected state {state} while freezing")
        raise CgroupError("unable to freeze")

    def freezer_state_on_disk(self) -> str | None:
        """``freezer.state`` as the kernel shows it, or None without a freezer cgroup or file;
        with ``freezer_get_state``, as runc's GetState settles it."""
        path = self.paths.get("freezer")
        if not path:
            return None
        if self.freezer_get_state:
            return self._settled_freezer_state(path)
        return read_freezer_file(os.path.join(path, "freezer.state"))

    def _settled_freezer_state(self, directory: str) -> str | None:
        """``FreezerGroup.GetState`` (v1.2.0 cgroups/fs/freezer.go:115-158): FREEZING is read
        again after 1 ms until it settles (bounded here by ``FREEZE_DEADLINE_S``); FROZEN is
        the group's own only when ``freezer.self_freezing`` reads 1, and THAWED when it reads 0
        (an ancestor froze it); a missing file or ENODEV (a group being removed) is no state
        (None), and no self_freezing file leaves FROZEN (:117-124, 133-139).

        Raises:
            CgroupError: an unknown state, or FREEZING past the deadline.
        """
        deadline = self.system.monotonic() + FREEZE_DEADLINE_S
        while True:
            text = _read_unless_gone(os.path.join(directory, "freezer.state"))
            state = None if text is None else text.strip()
            if state in (None, THAWED):
                return state
            if state == FROZEN:
                return _self_freezing(directory)
            if state != "FREEZING":
                raise CgroupError(f"unknown freezer.state {go_quote(text or '')}")
            if self.system.monotonic() > deadline:
                raise CgroupError(f"freezer.state still FREEZING after {FREEZE_DEADLINE_S:.0f}s")
            self.system.sleep(0.001)

    # -- destroy and pids -------------------------------------------------------------------
    def destroy(self) -> None:
        """Remove every cgroup this manager made; joined ones are never removed."""
        if self.config is not None and self.config.paths is not None:
            return
        self.remover(self.paths, self.system)
        self.paths = {}

    def get_paths(self) -> dict[str, str]:
        return dict(self.paths)

    def exists(self) -> bool:
        """``Exists()``: the devices controller's directory alone answers, whatever the other
        controllers show (runc v1.2.0 cgroups/fs/fs.go:250-252: ``PathExists(m.Path("devices"))``).
        """
        return os.path.exists(self.paths.get("devices", ""))

    def get_all_pids(self) -> list[int]:
        """Pids in the devices cgroup of the container and every cgroup below it (see
        :func:`all_pids` for the walks).  The seed's manager has its paths from Apply alone
        (692f6e1 fs/apply_raw.go:237-240); runc's has them from its making, computed for a new
        container, as saved for a loaded one, whose devices path may be "" (v1.2.0
        cgroups/fs/fs.go:63-85, 149-153, 226-228)."""
        root = self.paths.get("devices", "")
        if self.writer.era != "seed" and not self.paths_given:
            root = root or self.planned_paths().get("devices", "")
        return all_pids(root, self.writer.era)


def _read_freezer_state(directory: str) -> str:
    """The freeze's read-back of ``freezer.state``: ioutil.ReadFile, whose error Set returns as
    it is, Go's "open <path>: ..." or "read <path>: ..." (692f6e1 cgroups/fs/freezer.go:36-40,
    apply_raw.go:320-323; v1.2.0 cgroups/fs/freezer.go:82-85, cgroups/file.go ReadFile), a
    group gone too."""
    path = os.path.join(directory, "freezer.state")
    try:
        return read_file_go(path)
    except FileNotFoundError as err:
        raise PathError("open", path, errno.ENOENT) from err


def _self_freezing(directory: str) -> str:
    """What ``freezer.self_freezing`` makes of a FROZEN group (v1.2.0 cgroups/fs/freezer.go:
    129-148): FROZEN when the group itself was frozen or the file is missing, THAWED when an
    ancestor froze it.

    Raises:
        CgroupError: an unknown value.
    """
    text = _read_unless_gone(os.path.join(directory, "freezer.self_freezing"))
    if text is None or text == "1\n":
        return FROZEN
    if text == "0\n":
        return THAWED
    raise CgroupError(f'unknown "freezer.self_freezing" state: {go_quote(text)}')


def _read_unless_gone(path: str) -> str | None:
    """GetState's read of a freezer file: None where it does not exist or the kernel answers
    ENODEV, as it does for a control file of a group being removed (v1.2.0
    cgroups/fs/freezer.go:121, 136, since 294c4866e, v1.1.0)."""
    try:
        return read_freezer_file_raw(path)
    except OSError as err:
        if err.errno == errno.ENODEV:
            return None
        raise


def _memory_busy(directory: str, limit: int) -> str:
    """runc's error for a memory limit the kernel refuses as below the usage (EBUSY): it reads
    the usage and the peak usage to say so (v1.2.0 cgroups/fs/memory.go:37-58, since
    v1.0.0-rc94, 1880d2fc0)."""
    usage = int(read_file(os.path.join(directory, MEMORY_USAGE)).strip())
    peak = int(read_file(os.path.join(directory, MEMORY_PEAK)).strip())
    return f"unable to set memory limit to {limit} (current usage: {usage}, peak usage: {peak})"


def _check_cpu_shares(path: str, wanted: int, article: str) -> None:
    """The kernel clamps ``cpu.shares``; a clamped value is an error: the seed's
    ``CheckCpushares`` (692f6e1 apply_raw.go:335-360, "The ..."), or the read-back in
    ``CpuGroup.Set`` since v1.0.0-rc91 (3249e2379; v1.2.0 fs/cpu.go:73-83, "the ...").

    A failed read is Go's *PathError as it is (692f6e1 os.Open and Fscanf; v1.2.0
    fscommon.GetCgroupParamUint, cgroups.ReadFile).

    Raises:
        CgroupError: "<article> maximum allowed cpu-shares is N" or "... minimum ...".
        PathError: the read's error.
    """
    actual = int(read_file_go(os.path.join(path, "cpu.shares")).strip())
    if wanted > actual:
        raise CgroupError(f"{article} maximum allowed cpu-shares is {actual}")
    if wanted < actual:
        raise CgroupError(f"{article} minimum allowed cpu-shares is {actual}")


def read_freezer_file(path: str) -> str | None:
    """The text of a freezer state file, or None where it is missing (not paused).  Another
    error is Go's *PathError of the step that failed: "open <path>: ..." or "read <path>: ..."
    (692f6e1 container_linux.go:1521-1527, ioutil.ReadFile; v1.2.0 cgroups/file.go ReadFile)."""
    text = read_freezer_file_raw(path)
    return None if text is None else text.strip()


def read_freezer_file_raw(path: str) -> str | None:
    """The text of a freezer file as it is, or None where it is missing."""
    try:
        return read_file_go(path)
    except FileNotFoundError:
        return None


def group_dir(mount: str, cgroup_path: str) -> str:
    """The directory of the config's cgroup path below a hierarchy's mount (an empty path is the
    mount's root)."""
    return os.path.join(mount, (cgroup_path or "/").lstrip("/"))


def _ensure_cpuset(mount: str, path: str, writer: CgroupWriter, wanted: dict[str, str]) -> None:
    """``CpusetGroup.ensureParent``: make each level below the mount and give it its parent's
    ``cpuset.cpus`` and ``cpuset.mems`` when empty — a cpuset without them takes no task; the
    container's own group gets the config's ``wanted`` values first."""
    relative = os.path.relpath(path, mount)
    parent = mount
    for part in [] if relative == "." else relative.split(os.sep):
        current = os.path.join(parent, part)
        try:
            mkdir_all(current, 0o755)
        except OSError as err:
            raise CgroupError(f"mkdir {current}: {go_strerror(err.errno)}") from err
        if current == path:
            for name, value in wanted.items():
                writer.write(current, name, value)
        for name in CPUSET_FILES:
            mine = read_file(os.path.join(current, name))
            if mine.strip() == "":
                value = read_file(os.path.join(parent, name)).strip()
                writer.write(current, name, value)
        parent = current
