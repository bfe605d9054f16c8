"""cgroup v2 (unified) manager, in the manner of runc's ``cgroups/fs2``.

One directory for the container below the cgroup2 mount.  A limit lives in a controller's file,
and that file only exists where the parent enabled the controller in ``cgroup.subtree_control``,
so Apply enables every controller the root offers on each level above the container's group
(never in the group itself: a cgroup that distributes controllers cannot hold processes).
Freezing writes ``cgroup.freeze`` and waits for ``frozen 1`` in ``cgroup.events``.  Destroy keeps
the seed's five removal rounds so both managers fail the same way on a busy group.
"""

from __future__ import annotations

import contextlib
import errno
import os

from reference_impl.cgroups.fs import FROZEN
from reference_impl.cgroups.fs import THAWED
from reference_impl.cgroups.fs import CgroupError
from reference_impl.cgroups.fs import Remover
from reference_impl.cgroups.fs import group_dir
from reference_impl.cgroups.fs import read_freezer_file
from reference_impl.cgroups.fs import remove_paths
from reference_impl.cgroups.pids import all_pids
from reference_impl.cgroups.v2_limits import has_domain_controller
from reference_impl.cgroups.v2_limits import set_cpu_max
from reference_impl.cgroups.v2_limits import set_cpuset
from reference_impl.cgroups.v2_limits import set_hugetlb
from reference_impl.cgroups.v2_limits import set_io
from reference_impl.cgroups.v2_limits import set_memory
from reference_impl.cgroups.v2_limits import set_unified
from reference_impl.cgroups.writer import CgroupWriter
from reference_impl.configs import CgroupConfig
from reference_impl.errors import PathError
from reference_impl.errors import go_quote
from reference_impl.errors import go_strerror
from reference_impl.fileutil import read_file
from reference_impl.fileutil import read_file_go
from reference_impl.fileutil import write_control_file
from reference_impl.system import System

__all__ = ["UNIFIED_KEY", "Fs2Manager", "shares_to_weight"]


#: the key of the unified path in ``get_paths`` (runc's ``Path("")``)
UNIFIED_KEY = ""


def shares_to_weight(shares: int) -> int:
    """runc's ``ConvertCPUSharesToCgroupV2Value`` (v1.2.0 cgroups/utils.go:409-416): [2, 262144]
    onto [1, 10000]; 0 stays 0.  Go computes it in uint64, so shares 1 wraps ((1 - 2) is
    2**64 - 1) to a weight the kernel refuses.  Its caller, not the manager, converts:
    specconv, from config.json's shares (spec_linux.go:813-818)."""
    if shares == 0:
        return 0
    return 1 + ((shares - 2) % _UINT64 * 9999 % _UINT64) // 262142


#: Go's uint64 arithmetic wraps modulo this
_UINT64 = 2**64


def _num_to_str(value: int) -> str:
    """fs2's ``numToStr``: -1 is "max" (v1's "no limit"), any other value its number, which the
    kernel refuses when negative (v1.2.0 fs2/memory.go:18-33; 568cd62fa, v1.0.0-rc91)."""
    return "max" if value == -1 else str(value)


class Fs2Manager:
    """The unified manager: apply, set, freeze, destroy, pids and paths of one container."""

    def __init__(
        self,
        config: CgroupConfig | None,
        system: System,
        mount: str,
        paths: dict[str, str] | None = None,
        remover: Remover | None = None,
        *,
        writer: CgroupWriter,
        read_threads: bool = False,
    ) -> None:
        self.config = config
        #: writes the control files, in the words of the profile's release
        self.writer = writer
        self.remover: Remover = remover or remove_paths
        #: a threaded group is listed from its cgroup.threads (runc >= 1.2)
        self.read_threads = read_threads
        self.system = system
        self.mount = mount
        self.paths: dict[str, str] = dict(paths or {})
        #: the group's cgroup.controllers, read by the manager's first Set and kept
        #: (``getControllers``, v1.2.0 fs2/fs2.go:44-60); a manager made by Load reads it again
        self._controllers: frozenset[str] | None = None

    @property
    def path(self) -> str:
        """The container's cgroup directory ("" before Apply)."""
        return self.paths.get(UNIFIED_KEY, "")

    def _joined(self) -> bool:
        return self.config is not None and self.config.paths is not None

    # -- apply and set ----------------------------------------------------------------------
    def apply(self, pid: int) -> None:
        """Make the group (enabling controllers above it) and write ``pid`` to cgroup.procs.

        A joined group (``paths[""]``) is only entered, never made."""
        if self.config is None:
            return
        if self.config.paths is not None:
            joined = self.config.paths.get(UNIFIED_KEY, "")
            if joined and os.path.isdir(joined):
                self.paths[UNIFIED_KEY] = joined
                self.writer.add_pid(joined, pid)
            return
        path = group_dir(self.mount, self.config.path)
        self._create(path)
        self.paths[UNIFIED_KEY] = path
        self.writer.add_pid(path, pid)

    def planned_paths(self) -> dict[str, str]:
        """Where Apply will put the container, before it runs (v1.2.0 computes the path when
        it makes the manager, fs2/fs2.go:28-42); none for a joined group."""
        if self.config is None or self.config.paths is not None:
            return {}
        return {UNIFIED_KEY: group_dir(self.mount, self.config.path)}

    def _create(self, path: str) -> None:
        """``CreateCgroupPath`` (v1.2.0 fs2/create.go:69-150): each level from the mount down,
        made and its mode checked; the root's controllers enabled in every level that has a
        child on the way.  On an error the levels this call made are removed, deepest first
        (:99-106, deferred ``os.Remove``)."""
        relative = os.path.relpath(path, self.mount)
        levels = [self.mount]
        for part in [] if relative == "." else relative.split(os.sep):
            levels.append(os.path.join(levels[-1], part))
        controllers = read_file_go(os.path.join(self.mount, "cgroup.controllers")).split()
        enable = "+" + " +".join(controllers)  # create.go:84-85, "+" alone without any
        made: list[str] = []
        try:
            for depth, current in enumerate(levels):
                if depth > 0:
                    self._make_level(current, made)
                if depth < len(levels) - 1:
                    self._enable_controllers(current, enable)
        except Exception:
            for level in reversed(made):
                with contextlib.suppress(OSError):
                    os.rmdir(level)
            raise

    def _make_level(self, current: str, made: list[str]) -> None:
        """One level: mkdir (an existing one is fine), then its ``cgroup.type`` against the
        config's controllers (create.go:94-133)."""
        try:
            os.mkdir(current, 0o755)
            made.append(current)
        except FileExistsError:
            pass
        except OSError as err:
            raise CgroupError(f"mkdir {current}: {go_strerror(err.errno)}") from err
        try:
            mode = read_file(os.path.join(current, "cgroup.type")).strip()
        except OSError:
            mode = ""  # create.go:108, the error dropped
        domain = self.config is not None and has_domain_controller(self.config)
        if mode == "domain invalid" and domain:
            raise CgroupError(
                f"cannot enter cgroupv2 {go_quote(current)} with domain controllers -- "
                "it is in an invalid state"
            )
        if mode == "domain invalid":
            with contextlib.suppress(CgroupError):  # create.go:126, the error dropped
                self.writer.write(current, "cgroup.type", "threaded")
        elif mode in ("domain threaded", "threaded") and domain:
            raise CgroupError(
                f"cannot enter cgroupv2 {go_quote(current)} with domain controllers -- "
                f"it is in {mode} mode"
            )

    def _enable_controllers(self, directory: str, enable: str) -> None:
        """All of them in one write; if it is refused, each alone, and whatever the kernel
        refuses is left for Set to find (create.go:137-146)."""
        try:
            self.writer.write(directory, "cgroup.subtree_control", enable)
        except CgroupError:
            for controller in enable.split(" "):
                with contextlib.suppress(CgroupError):
                    self.writer.write(directory, "cgroup.subtree_control", controller)

    def set(self, config: CgroupConfig | None) -> None:
        """Write the limits of ``config`` in fs2's order (v1.1.5 fs2/fs2.go:150-200): pids,
        memory, io, cpu, cpuset, hugetlb, the freezer, then the ``unified`` files.

        A limit whose controller is not enabled above the group fails: its file is missing."""
        if config is None or self._joined():
            return
        path = self.path
        if not path:
            return
        if self._controllers is None:  # v1.2.0 fs2/fs2.go:169-171: its error is Set's
            self._controllers = frozenset(
                read_file_go(os.path.join(path, "cgroup.controllers")).split()
            )

        def write(name: str, data: str) -> None:
            self.writer.write(path, name, data)

        if config.pids_limit:
            write("pids.max", _num_to_str(config.pids_limit))
        set_memory(write, config, lambda: self._lift_swap(path))
        set_io(write, path, config)
        # the weight alone: shares are the caller's to convert (v1.2.0 fs2/cpu.go:32-37,
        # "NOTE: .CpuShares is not used here"; specconv does it, spec_linux.go:813-818)
        if config.cpu_weight:
            write("cpu.weight", str(config.cpu_weight))
        set_cpu_max(write, config)
        set_cpuset(write, config)
        set_hugetlb(write, config)
        if config.freezer:
            self._set_freezer(config.freezer)
        set_unified(write, config, self._controllers or frozenset())

    def _lift_swap(self, directory: str) -> None:
        """Swap lifted with the memory limit ("max"): without swap accounting (no
        ``memory.swap.max``) there is nothing to write (v1.2.0 fs2/memory.go:54-61, since
        v1.1.0 ignoring that ENOENT; ``ConvertMemorySwapToCgroupV2Value``, 3c6e8ac4d)."""
        try:
            self.writer.write(directory, "memory.swap.max", "max")
        except CgroupError as err:
            cause = err.__cause__
            if not (isinstance(cause, OSError) and cause.errno == errno.ENOENT):
                raise

    # -- freezer ----------------------------------------------------------------------------
    def freeze(self, state: str) -> None:
        """Write ``cgroup.freeze`` and read it back, waiting for a freeze to be done."""
        self._set_freezer(state)

    def _set_freezer(self, state: str) -> None:
        if state == "":
            return
        if state not in (FROZEN, THAWED):
            # v1.2.0 fs2/freezer.go:26-27 (since v1.0.0-rc91, 859a780d6)
            raise CgroupError(f"invalid freezer state {go_quote(state)} requested")
        path = self.path
        if not path:
            raise CgroupError("no such directory for cgroup.freeze")
        wanted = "1" if state == FROZEN else "0"
        try:
            write_control_file(os.path.join(path, "cgroup.freeze"), wanted, os.O_RDWR)
        except PathError as err:
            # v1.2.0 fs2/freezer.go:30-44: a cgroup.freeze that cannot be opened is no freezer,
            # which only a freeze minds; a failed write is returned as it is
            if err.op != "open":
                raise CgroupError(str(err)) from err
            if state != FROZEN:
                return
            raise CgroupError(f"freezer not supported: {err}") from err
        actual = self._read_freezer(path)
        if actual != state:
            raise CgroupError(
                f'expected "cgroup.freeze" to be in state {go_quote(state)}'
                f" but was in {go_quote(actual)}"
            )

    def _read_freezer(self, path: str) -> str:
        """``readFreezer`` right after the write (v1.2.0 fs2/freezer.go:68-85): "0" is
        THAWED at once, "1" waits for the group to be frozen."""
        text = read_file(os.path.join(path, "cgroup.freeze"))[:2]
        if text == "0\n":
            return THAWED
        if text == "1\n":
            return self._wait_frozen(path)
        raise CgroupError(f'unknown "cgroup.freeze" state: {go_quote(text)}')

    def _wait_frozen(self, path: str) -> str:
        """``waitFrozen`` (v1.2.0 fs2/freezer.go:87-124): cgroup.events read every 10 ms until
        it says "frozen 1", 1000 reads at most; no frozen line is no state at all ("")."""
        for _ in range(FROZEN_POLLS):
            frozen = _events(path).get("frozen")
            if frozen is None:
                return ""
            if frozen.startswith("1"):
                return FROZEN
            self.system.sleep(FROZEN_POLL_S)
        waited = f"{FROZEN_POLLS * FROZEN_POLL_S:g}s"
        raise CgroupError(f"timeout of {waited} reached waiting for the cgroup to freeze")

    def freezer_state_on_disk(self) -> str | None:
        """FROZEN or THAWED from ``cgroup.freeze``, None without a group."""
        if not self.path:
            return None
        text = read_freezer_file(os.path.join(self.path, "cgroup.freeze"))
        if text is None:
            return None
        return FROZEN if text == "1" else THAWED

    # -- kill, destroy and pids -------------------------------------------------------------
    def destroy(self) -> None:
        """Remove the group this manager made (the seed: five rounds); a joined group never."""
        if self._joined():
            return
        # an empty cgroup path puts init in the root group, which is the mount: never removed
        paths = {k: v for k, v in self.paths.items() if os.path.normpath(v) != self.mount}
        self.remover(paths, self.system)
        self.paths = {}

    def get_paths(self) -> dict[str, str]:
        return dict(self.paths)

    def exists(self) -> bool:
        """``Exists()``: the group's directory is there (runc v1.2.0 cgroups/fs2/fs2.go:271-273)."""
        return os.path.exists(self.path)

    def get_all_pids(self) -> list[int]:
        """Pids in the group and every group below it; a cgroup.procs that cannot be opened is
        the walk's error (v1.2.0 cgroups/getallpids.go:10-27 GetAllPids).  Before Apply there is
        none: v1.2.0 walks the path it computed, finds nothing (ENOENT), and Processes ignores
        that while there is no init (container_linux.go:114-136)."""
        root = self.path or self.planned_paths().get(UNIFIED_KEY, "")
        return all_pids(root, self.writer.era, read_threads=self.read_threads)


#: waitFrozen's reads of cgroup.events, and the pause after each (v1.2.0 fs2/freezer.go:97-102)
FROZEN_POLLS = 1000
FROZEN_POLL_S = 0.01


def _events(path: str) -> dict[str, str]:
    text = read_file(os.path.join(path, "cgroup.events"))
    return dict(line.split(None, 1) for line in text.splitlines() if " " in line)
