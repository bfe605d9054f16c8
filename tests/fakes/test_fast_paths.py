"""The kernel filesystem's fast path lookups (harness/fakes/fast_paths.py) answer what pyfakefs
answers: the same tree on two filesystems, one with them and one without, asked the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pyfakefs.fake_file import FakeFile
from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.fake_filesystem import OSType

from harness.fakes import fast_paths

PATHS = [
    "/", "/a", "/a/b", "/a/b/c", "/a/file", "/a/file/x", "/a/missing", "/a/missing/x",
    "/a/link", "/a/link/c", "/a/dead", "/a/filelink", "/a/.hidden", "/a/b/", "/a//b", "a/b",
    "/a/./b", "/a/../a/b", "", "/dev/null", "/a/b/c/d", "/x",
]  # fmt: skip


def _tree() -> FakeFilesystem:
    fs = FakeFilesystem()
    fs.os = OSType.LINUX
    fs.create_dir("/a/b/c")
    fs.create_file("/a/file", contents="x")
    fs.create_file("/a/.hidden")
    fs.create_symlink("/a/link", "/a/b")
    fs.create_symlink("/a/dead", "/a/nowhere")
    fs.create_symlink("/a/filelink", "file")
    return fs


def _outcome(call: Callable[[], Any]) -> object:
    """The value (a file object as its type and path), or the error as (type, errno,
    filename)."""
    try:
        value = call()
    except (OSError, TypeError) as err:
        return (type(err), getattr(err, "errno", None), getattr(err, "filename", None))
    return (type(value), value.path) if isinstance(value, FakeFile) else value


LOOKUPS: dict[str, Callable[[FakeFilesystem, str], Any]] = {
    "resolve_path": lambda fs, p: fs.resolve_path(p),
    "absnormpath": lambda fs, p: fs.absnormpath(p),
    "exists": lambda fs, p: fs.exists(p),
    "exists (link)": lambda fs, p: fs.exists(p, check_link=True),
    "get_object_from_normpath": lambda fs, p: fs.get_object_from_normpath(p),
    "resolve": lambda fs, p: fs.resolve(p),
    "lresolve": lambda fs, p: fs.lresolve(p),
    "isdir": lambda fs, p: fs.isdir(p),
    "islink": lambda fs, p: fs.islink(p),
}


@pytest.mark.parametrize("lookup", sorted(LOOKUPS))
def test_each_lookup_answers_as_pyfakefs(lookup: str) -> None:
    plain, fast = _tree(), _tree()
    fast_paths.install(fast)
    ask = LOOKUPS[lookup]
    for path in PATHS:
        want = _outcome(lambda: ask(plain, path))  # noqa: B023
        assert _outcome(lambda: ask(fast, path)) == want, f"{lookup}({path!r})"  # noqa: B023


def test_only_clean_paths_are_fast() -> None:
    dirty = ["a", "/a/", "/a//b", "/a/./b", "/a/../b", "/a/.x", "", b"/a"]
    assert [p for p in dirty if fast_paths.clean(p)] == []
    assert all(fast_paths.clean(p) for p in ["/", "/a", "/a/b.c", "/a/b-c/d"])


def test_install_refuses_a_windows_filesystem() -> None:
    fs = FakeFilesystem()
    fs.os = OSType.WINDOWS
    with pytest.raises(ValueError, match="Linux"):
        fast_paths.install(fs)


def test_a_changed_tree_is_seen_at_once() -> None:
    fs = _tree()
    fast_paths.install(fs)
    assert not fs.exists("/a/new")
    fs.create_dir("/a/new")
    assert fs.exists("/a/new")
    fs.remove_object("/a/new")
    assert not fs.exists("/a/new")


def test_installing_again_replaces_the_lookups() -> None:
    fs = _tree()
    fast_paths.install(fs)
    fast_paths.install(fs)
    original = fs.exists.__self__.originals["exists"]  # type: ignore[attr-defined]
    assert original.__func__ is FakeFilesystem.exists
