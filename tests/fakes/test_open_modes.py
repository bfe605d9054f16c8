"""open(2)'s modes on the simulated kernel, checked against this machine's kernel.

open(2): with O_CREAT the new file gets ``mode & ~umask``; an existing file keeps its mode
whatever ``mode`` says.  pyfakefs' os.open chmods every file it opens to ``mode`` as given, so
the VFS layer corrects it; a runtime's state.json mode (LC-STATE-FILE-MODE) depends on it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable

import pytest

from harness.fakes import booted_kernel


def _modes(directory: str) -> dict[str, int]:
    """The modes open(2) gives under umask 022: a new file opened 0666 and 0600, then the
    0600 one opened again with 0666, and one opened O_CREAT again with 0644."""
    old = os.umask(0o022)
    try:
        found = {}
        for name, mode in (("wide", 0o666), ("narrow", 0o600)):
            path = os.path.join(directory, name)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode))
            found[name] = stat.S_IMODE(os.stat(path).st_mode)
        narrow = os.path.join(directory, "narrow")
        os.close(os.open(narrow, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
        found["reopened"] = stat.S_IMODE(os.stat(narrow).st_mode)
        os.close(os.open(narrow, os.O_RDONLY, 0o644))
        found["read-again"] = stat.S_IMODE(os.stat(narrow).st_mode)
        return found
    finally:
        os.umask(old)


def _on_real(fn: Callable[[str], dict[str, int]]) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as directory:
        return fn(directory)


def _on_fake(fn: Callable[[str], dict[str, int]]) -> dict[str, int]:
    with booted_kernel():
        os.makedirs("/run/modes")
        return fn("/run/modes")


WANT = {"wide": 0o644, "narrow": 0o600, "reopened": 0o600, "read-again": 0o600}


@pytest.mark.parametrize("where", [_on_real, _on_fake], ids=["real", "simulated"])
def test_open_applies_the_umask_only_to_a_file_it_creates(
    where: Callable[[Callable[[str], dict[str, int]]], dict[str, int]],
) -> None:
    assert where(_modes) == WANT
