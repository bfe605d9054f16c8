"""Broken (any profile): each cgroup directory is removed with one rmdir, and a busy one is
given up at once: no second rmdir, no round after a pause.  A group busy for a moment (a
process on its way out) is left behind, and delete fails or leaks it where libcontainer
tries again (CLI-DELETE-CGROUP-BUSY-ONCE)."""

from __future__ import annotations

import os

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import CgroupError
from reference_impl.system import System
from tests.broken._managers import factory_with_managers


def _one_rmdir_each(paths: dict[str, str], system: System) -> None:
    left = {}
    for name, path in paths.items():
        try:
            os.rmdir(path)  # the defect: the only attempt
        except FileNotFoundError:
            pass
        except OSError as err:
            left[name] = f"{path}: {err.strerror}"
    if left:
        raise CgroupError(f"Failed to remove paths: {left}")


class GivesUp(FsManager):
    def destroy(self) -> None:
        self.remover = _one_rmdir_each
        super().destroy()


class GivesUp2(Fs2Manager):
    def destroy(self) -> None:
        self.remover = _one_rmdir_each
        super().destroy()


new_factory = factory_with_managers("CgroupRmdirNoRetry", fs=GivesUp, fs2=GivesUp2)
