"""Network namespaces of the simulated kernel, against what the kernel documents and shows:
``/proc/<pid>/ns/net`` links, named namespaces bind-mounted under /run/netns, inheritance,
joining by path, and a namespace going away with its last task or mount."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.fakes import SimulatedKernel
from harness.fakes._parse import KernelErrno
from harness.fakes.proc.netns import INIT_NET_INODE
from harness.fakes.proc.netns import NetNamespaces
from harness.hosts import open_host
from harness.hosts.simulated_system import SimulatedSystem
from harness.scenarios._support.command_line import eventually
from reference_impl.system import ProcessSpec
from tests._real import real_host_off
from tests.fakes._io import read


def _link(pid: int | str) -> str:
    return os.readlink(f"/proc/{pid}/ns/net")


def test_every_process_starts_in_the_hosts_namespace(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("sh")
    assert _link(pid) == f"net:[{INIT_NET_INODE}]" == _link("self")
    assert list(kernel.net.init.links) == ["lo"]


def test_a_new_namespace_has_its_own_inode_and_only_lo(kernel: SimulatedKernel) -> None:
    first = kernel.spawn_process("a", namespaces=("net",))
    second = kernel.spawn_process("b", namespaces=("pid", "net"))
    links = {_link(first), _link(second), _link("self")}
    assert len(links) == 3, "each new namespace has an inode of its own"
    ns = kernel.netns_of(first)
    assert ns is not None and list(ns.links) == ["lo"]
    assert ns.links["lo"].index == 1 and not ns.links["lo"].up


def test_a_child_inherits_its_parents_namespace(kernel: SimulatedKernel) -> None:
    parent = kernel.spawn_process("a", namespaces=("net",))
    child = kernel.fork(parent)
    assert _link(child) == _link(parent)


def test_named_namespace_is_a_bind_mount_under_run_netns(kernel: SimulatedKernel) -> None:
    path = kernel.netns_add("blue")
    assert path == "/run/netns/blue"
    ns = kernel.netns(path)
    assert os.stat(path).st_ino == ns.inode, "stat of the mount point shows the nsfs inode"
    assert oct(os.stat(path).st_mode & 0o777) == "0o444"
    lines = [line for line in read("/proc/self/mountinfo").splitlines() if " - nsfs " in line]
    assert len(lines) == 1
    fields = lines[0].split()
    assert fields[3] == f"net:[{ns.inode}]" and fields[4] == path


def test_joining_by_path_shares_the_namespace(kernel: SimulatedKernel) -> None:
    path = kernel.netns_add("blue")
    kernel.link_add(path, "dummy0")
    pid = kernel.spawn_process("init", namespaces=("pid", f"net={path}"))
    assert _link(pid) == f"net:[{kernel.netns(path).inode}]"
    via_proc = kernel.spawn_process("peer", namespaces=(f"net=/proc/{pid}/ns/net",))
    assert _link(via_proc) == _link(pid)
    ns = kernel.netns_of(via_proc)
    assert ns is not None and sorted(ns.links) == ["dummy0", "lo"]


@pytest.mark.parametrize(
    ("path", "err"),
    [("/run/netns/missing", errno.ENOENT), ("/proc/self/mountinfo", errno.EINVAL)],
)
def test_joining_a_path_that_is_no_namespace_fails(
    kernel: SimulatedKernel, path: str, err: int
) -> None:
    with pytest.raises(OSError) as exc:
        kernel.spawn_process("init", namespaces=(f"net={path}",))
    assert exc.value.errno == err
    assert kernel.live_pids() == []


def test_a_zombie_holds_no_namespace(kernel: SimulatedKernel) -> None:
    pid = kernel.spawn_process("init", namespaces=("net",))
    inode = kernel.netns_of(pid)
    assert inode is not None
    kernel.exit_process(pid)
    assert read(f"/proc/{pid}/stat").split()[2] == "Z"
    assert not os.path.lexists(f"/proc/{pid}/ns/net"), "exit_task_namespaces drops the links"
    assert kernel.net.get(inode.inode) is None, "the last task took its namespace along"


def test_a_namespace_lives_while_any_task_is_in_it(kernel: SimulatedKernel) -> None:
    init = kernel.spawn_process("init", namespaces=("net",))
    ns = kernel.netns_of(init)
    assert ns is not None
    holder = kernel.spawn_process("holder", namespaces=(f"net=/proc/{init}/ns/net",))
    kernel.exit_process(init)
    assert kernel.net.get(ns.inode) is ns
    kernel.exit_process(holder)
    assert kernel.net.get(ns.inode) is None


def test_a_pid_namespace_death_takes_the_network_namespace(kernel: SimulatedKernel) -> None:
    init = kernel.spawn_process("init", namespaces=("pid", "net"))
    child = kernel.fork(init)
    ns = kernel.netns_of(child)
    assert ns is not None
    kernel.exit_process(init)  # zap_pid_ns_processes kills the child
    assert kernel.net.get(ns.inode) is None


def test_delete_unmounts_and_the_namespace_goes_with_its_last_task(
    kernel: SimulatedKernel,
) -> None:
    path = kernel.netns_add("blue")
    kernel.link_add(path, "dummy0")
    ns = kernel.netns(path)
    pid = kernel.spawn_process("init", namespaces=(f"net={path}",))
    kernel.netns_delete("blue")
    assert not os.path.exists(path)
    assert " - nsfs " not in read("/proc/self/mountinfo")
    assert kernel.net.get(ns.inode) is ns, "a task still holds it"
    kernel.exit_process(pid)
    assert kernel.net.get(ns.inode) is None
    assert ns.links == {}, "its dummy interface was destroyed with it"


def test_a_mounted_namespace_cannot_be_unlinked(kernel: SimulatedKernel) -> None:
    path = kernel.netns_add("blue")
    with pytest.raises(OSError) as exc:
        os.unlink(path)
    assert exc.value.errno == errno.EBUSY
    assert kernel.netns(path).inode == os.stat(path).st_ino


def test_names_and_links_are_checked(kernel: SimulatedKernel) -> None:
    path = kernel.netns_add("blue")
    checks = [
        (lambda: kernel.netns_add("blue"), errno.EEXIST),
        (lambda: kernel.netns_add("a/b"), errno.EINVAL),
        (lambda: kernel.netns_delete("red"), errno.ENOENT),
        (lambda: kernel.link_add(path, "lo"), errno.EEXIST),
        (lambda: kernel.link_add(path, "x" * 16), errno.EINVAL),
        (lambda: kernel.link_add(path, "v0", "veth"), errno.EOPNOTSUPP),
    ]
    for action, err in checks:
        with pytest.raises(OSError) as exc:
            action()
        assert exc.value.errno == err


def test_lo_cannot_be_deleted_and_dummies_can() -> None:
    spaces = NetNamespaces()
    ns = spaces.new()
    ns.add_link("d0", "dummy")
    ns.del_link("d0")
    assert list(ns.links) == ["lo"]
    with pytest.raises(KernelErrno) as exc:
        ns.del_link("lo")
    assert exc.value.errno == errno.EOPNOTSUPP
    assert spaces.collect(set()) == [ns] and spaces.live() == [spaces.init]


def test_the_simulated_system_starts_init_as_the_spec_asks(kernel: SimulatedKernel) -> None:
    system = SimulatedSystem(kernel)
    path = kernel.netns_add("blue")
    own = system.spawn(ProcessSpec(args=("/bin/sleep",), namespaces=("pid", "net")))
    joined = system.spawn(ProcessSpec(args=("/bin/sleep",), namespaces=(f"net={path}",)))
    host = system.spawn(ProcessSpec(args=("/bin/sleep",)))
    assert _link(own) not in (_link("self"), _link(joined))
    assert _link(joined) == f"net:[{os.stat(path).st_ino}]"
    assert _link(host) == _link("self")


# -- the hosts' answers, the same on the simulated kernel and on this machine -----------------
def _hosts() -> list[Any]:
    reason = real_host_off()
    return [
        "simulated",
        pytest.param("real", marks=pytest.mark.skipif(reason is not None, reason=str(reason))),
    ]


@contextmanager
def _in_netns(host: Any, path: str) -> Iterator[int]:
    """A process of this test in the namespace at ``path``; it ends with the block."""
    if host.name == "simulated":
        pid = host.kernel.spawn_process("sleep", namespaces=(f"net={path}",))
        yield pid
        host.kernel.exit_process(pid)
        return
    proc = subprocess.Popen(["nsenter", f"--net={path}", "--", "sleep", "600"])  # noqa: S603, S607
    try:
        assert eventually(host, lambda: host.netns_of(proc.pid) != host.host_netns())
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("kind", _hosts())
def test_hosts_make_find_and_release_a_named_namespace(kind: str) -> None:
    with open_host(kind) as host:
        path = host.make_netns("probe", "rtgate0")
        assert path == host.netns_path("probe") and path.startswith("/run/netns/")
        ident = host.named_netns(path)
        assert ident == f"net:[{os.stat(path).st_ino}]" != host.host_netns()
        assert {"lo", "rtgate0"} <= set(host.netns_links(path))
        # (on a shared machine a mount namespace made meanwhile may hold a copy of the mount)
        assert f"mount {path} (/proc/self/mountinfo)" in host.netns_holders(ident)
        with _in_netns(host, path) as pid:
            assert host.netns_of(pid) == ident
            assert f"pid {pid}" in host.netns_holders(ident)
        assert eventually(host, lambda: f"pid {pid}" not in host.netns_holders(ident))
        assert host.named_netns("/run/netns/rtgate-none") is None
    if kind == "real":
        assert not os.path.exists(path), "close() left the namespace's mount point"
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            assert ident not in f.read(), "close() left the namespace mounted"
