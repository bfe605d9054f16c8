"""Named network namespaces on a real host: made with their interface, listed, and removed, by a
thread that enters them; the harness's own threads stay in the harness's namespace whatever
happens in that thread."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.hosts.netns import NamedNamespaces
from harness.hosts.netns import interfaces_of
from tests._real import needs_real_host

pytestmark = needs_real_host
OWN = "/proc/thread-self/ns/net"


def _path(tmp_path: Path) -> str:
    """A namespace file of this test, under /run/netns as ``ip netns`` names them."""
    return f"/run/netns/rtgate-{os.getpid()}-test-{tmp_path.name}"


def test_a_namespace_is_made_with_its_interface_listed_and_removed(tmp_path: Path) -> None:
    before = os.readlink(OWN)
    made = NamedNamespaces()
    path = _path(tmp_path)
    try:
        made.make(path, "rtgate-t0")
        assert os.readlink(OWN) == before, "the caller's thread changed namespace"
        assert os.stat(path).st_ino != os.stat(OWN).st_ino, "the file holds the harness's own"
        assert "rtgate-t0" in interfaces_of(path)
        assert "rtgate-t0" not in interfaces_of(OWN), "the interface leaked into the harness's"
    finally:
        problems = made.remove_all()
    assert problems == []
    assert not os.path.exists(path)


def test_a_path_that_is_no_namespace_fails_and_leaves_the_harness_where_it_was(
    tmp_path: Path,
) -> None:
    before = os.readlink(OWN)
    plain = tmp_path / "not-a-namespace"
    plain.touch()
    with pytest.raises(OSError, match="listing the interfaces of"):
        interfaces_of(str(plain))
    assert os.readlink(OWN) == before
