"""How the cgroup managers write a control file, and how a failed write reads.

The seed writes once and says ``failed to write <data> to <file>: <err>``: ``writeFile`` for the
limits (692f6e1 cgroups/fs/apply_raw.go:311-316) and ``WriteCgroupProc`` for a pid
(cgroups/utils.go:448-462).  Later runc says ``failed to write "<data>": <err>`` for a limit
(``cgroups.WriteFile``, 8f1b4d4a6, v1.0.0; v1.2.0 cgroups/file.go:47-58), and its
``WriteCgroupProc`` (v1.2.0 cgroups/utils.go:368-401) writes a pid again when the kernel answers
EINVAL (a task still being forked; bdf3524b3, v1.0.0-rc7): five writes 30 ms apart, the last
one's error returned as it is, and ``failed to write <pid>: <err>`` for any other error.
"""

from __future__ import annotations

import dataclasses
import errno
import os
from typing import Literal

from reference_impl.errors import go_quote
from reference_impl.fileutil import write_control_file
from reference_impl.fileutil import write_failed
from reference_impl.fileutil import write_file
from reference_impl.system import System

__all__ = ["PROCS", "CgroupError", "CgroupWriter"]

#: the file a process is moved into a cgroup through
PROCS = "cgroup.procs"
#: WriteCgroupProc's writes of one pid, and its pause after each EINVAL (utils.go:386-397)
PROCS_TRIES = 5
PROCS_PAUSE_S = 0.03


class CgroupError(Exception):
    """An error of the cgroup manager, with the text of the profile's release."""


@dataclasses.dataclass(frozen=True)
class CgroupWriter:
    """Writes control files as the seed does, or as runc >= 1.0 does (``era``)."""

    era: Literal["seed", "runc"]
    system: System

    def write(self, directory: str, name: str, data: str) -> None:
        """One write of ``data`` to the control file ``name`` of ``directory``."""
        if not directory:
            raise CgroupError(f"no such directory for {name}")
        try:
            self._open_and_write(os.path.join(directory, name), data)
        except OSError as err:
            if self.era == "seed":
                raise CgroupError(write_failed(data, name, err)) from err
            raise CgroupError(f"failed to write {go_quote(data)}: {err}") from err

    def _open_and_write(self, path: str, data: str) -> None:
        """The seed's ioutil.WriteFile creates a missing file (O_CREAT, which cgroupfs refuses
        with EACCES); runc's cgroups.OpenFile opens it as it is, so a file the kernel lacks is
        ENOENT (v1.2.0 cgroups/file.go:47-58, utils.go:368-401)."""
        if self.era == "seed":
            write_file(path, data)
        else:
            write_control_file(path, data)

    def add_pid(self, directory: str, pid: int) -> None:
        """Move ``pid`` into the cgroup ``directory`` through its cgroup.procs."""
        if self.era == "seed":
            self.write(directory, PROCS, str(pid))
            return
        if not directory:
            raise CgroupError(f"no such directory for {PROCS}")
        refused: OSError | None = None
        for _ in range(PROCS_TRIES):
            try:
                self._open_and_write(os.path.join(directory, PROCS), str(pid))
                return
            except OSError as err:
                if err.errno != errno.EINVAL:
                    raise CgroupError(f"failed to write {pid}: {err}") from err
                refused = err
                self.system.sleep(PROCS_PAUSE_S)
        raise CgroupError(str(refused)) from refused
