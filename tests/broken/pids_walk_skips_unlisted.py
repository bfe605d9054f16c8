"""Broken (runc-1.2): the pid listing walks with Python's os.walk after its lstat of the group,
which passes over a directory it cannot list, where runc's filepath.WalkDir returns ReadDir's
error (v1.2.0 cgroups/getallpids.go:10-27)."""

from __future__ import annotations

import errno
import os

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs2 import UNIFIED_KEY
from reference_impl.cgroups.pids import read_procs
from reference_impl.errors import PathError
from tests.broken._managers import factory_with_managers


def _walk(root: str, read_threads: bool) -> list[int]:
    try:
        os.lstat(root)
    except OSError as err:
        raise PathError("lstat", root, err.errno or errno.ENOENT) from err
    # the defect: os.walk's scandir errors go to no onerror, so the directory is skipped
    return [pid for d, _, _ in os.walk(root) for pid in read_procs(d, read_threads=read_threads)]


class SkipsUnlisted(FsManager):
    def get_all_pids(self) -> list[int]:
        return _walk(self.paths.get("devices") or self.planned_paths().get("devices", ""), False)


class SkipsUnlistedV2(Fs2Manager):
    def get_all_pids(self) -> list[int]:
        root = self.path or self.planned_paths().get(UNIFIED_KEY, "")
        return _walk(root, self.read_threads)


new_factory = factory_with_managers("PidsWalkSkipsUnlisted", fs=SkipsUnlisted, fs2=SkipsUnlistedV2)
