"""Go's exec.LookPath as the reference's init uses it: the texts runc 1.1.5 (go1.19.8) gave on
this machine for a missing path, a name not in $PATH and a file without an x bit."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from reference_impl.lookpath import LookPathError
from reference_impl.lookpath import look_path
from reference_impl.lookpath import path_of

_FILES = {
    "/bin/sh": stat.S_IFREG | 0o755,
    "/etc/passwd": stat.S_IFREG | 0o644,
    "/etc": stat.S_IFDIR | 0o755,
}


def _stat(path: str) -> os.stat_result:
    mode = _FILES.get(os.path.normpath(path))
    if mode is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    return os.stat_result((mode, 0, 0, 1, 0, 0, 0, 0, 0, 0))


@pytest.mark.parametrize(
    ("name", "dir_errno", "text"),
    [
        ("/no/such", errno.EACCES, 'exec: "/no/such": stat /no/such: no such file or directory'),
        ("./no", errno.EACCES, 'exec: "./no": stat ./no: no such file or directory'),
        ("nosuch", errno.EACCES, 'exec: "nosuch": executable file not found in $PATH'),
        ("/etc/passwd", errno.EACCES, 'exec: "/etc/passwd": permission denied'),
        ("/etc", errno.EACCES, 'exec: "/etc": permission denied'),
        ("/etc", errno.EISDIR, 'exec: "/etc": is a directory'),
    ],
)
def test_a_program_that_cannot_run_is_gos_error(name: str, dir_errno: int, text: str) -> None:
    with pytest.raises(LookPathError) as info:
        look_path(name, "/usr/bin:/bin", _stat, dir_errno)
    assert str(info.value) == text


def test_a_name_is_searched_in_path_in_order() -> None:
    assert look_path("sh", "/usr/bin:/bin", _stat, errno.EACCES) == "/bin/sh"
    assert look_path("/bin/sh", "", _stat, errno.EACCES) == "/bin/sh"
    with pytest.raises(LookPathError):
        look_path("sh", "", _stat, errno.EACCES)  # no $PATH: nothing is searched


def test_path_is_the_last_path_of_the_environment() -> None:
    assert path_of(("A=1", "PATH=/x", "PATH=/bin")) == "/bin"
    assert path_of(("A=1",)) == ""
