"""Network namespaces: their identity, the interfaces each holds, and when one goes away.

What the kernel does and this model keeps:

* A network namespace is known by the inode of its nsfs file; ``readlink /proc/<pid>/ns/net``
  shows ``net:[<inode>]``.  The host's (``init_net``) has a fixed number on this machine's
  6.18 kernel (``net:[4026531833]``, 0xEFFFFFF9); every other one gets the next free number from
  the dynamic range that starts at ``PROC_DYNAMIC_FIRST`` (0xF0000000).
* Every new namespace gets its own loopback ``lo`` (``loopback_net_init``), ifindex 1, down.
* A namespace lives while something refers to it: a task (its nsproxy; an exited task, a
  zombie, has already dropped it in ``exit_task_namespaces``) or a bind mount of its nsfs file
  (how ``ip netns add`` names one under /run/netns).  Open file descriptors also hold one; they
  are not modelled.  When the last reference goes, the namespace is dismantled and its virtual
  interfaces (dummy, veth, ...) are destroyed with it; ``init_net`` never goes.

The kernel model decides what refers to what (tasks, mounts) and calls :meth:`collect`; this
module knows nothing of processes or files.
"""

from __future__ import annotations

import dataclasses
import errno
import itertools

from harness.fakes._parse import KernelErrno

__all__ = [
    "INIT_NET_INODE",
    "LINK_KINDS",
    "PROC_DYNAMIC_FIRST",
    "Link",
    "NetNamespace",
    "NetNamespaces",
    "ns_link",
]

#: ``readlink /proc/1/ns/net`` of a 6.18 kernel: init_net's fixed proc inode (0xEFFFFFF9)
INIT_NET_INODE = 0xEFFFFFF9
#: the first proc inode number handed out to a namespace made at run time
PROC_DYNAMIC_FIRST = 0xF0000000
#: the link kinds ``RTM_NEWLINK`` can make here; any other is EOPNOTSUPP (no such rtnl_link_ops)
LINK_KINDS = frozenset({"dummy"})
#: IFNAMSIZ minus the terminating NUL
_IFNAME_MAX = 15


def ns_link(inode: int) -> str:
    """What ``readlink`` shows for a network namespace's nsfs file: ``net:[<inode>]``."""
    return f"net:[{inode}]"


@dataclasses.dataclass(frozen=True, slots=True)
class Link:
    """One network interface of a namespace."""

    name: str
    kind: str
    #: per-namespace interface index (``lo`` is 1)
    index: int
    up: bool = False


@dataclasses.dataclass(slots=True)
class NetNamespace:
    """One network namespace: its inode and its interfaces by name."""

    inode: int
    links: dict[str, Link] = dataclasses.field(default_factory=dict)
    _next_index: int = 1

    def __post_init__(self) -> None:
        if not self.links:
            self.links["lo"] = Link("lo", "loopback", self._take_index())

    def _take_index(self) -> int:
        index, self._next_index = self._next_index, self._next_index + 1
        return index

    def add_link(self, name: str, kind: str) -> Link:
        """``ip link add <name> type <kind>`` in this namespace.

        Raises:
            KernelErrno: EINVAL for an empty, too long or slash-bearing name, EOPNOTSUPP for a
                kind not in :data:`LINK_KINDS`, EEXIST for a name in use.
        """
        if not name or len(name) > _IFNAME_MAX or "/" in name or name in (".", ".."):
            raise KernelErrno(errno.EINVAL)
        if kind not in LINK_KINDS:
            raise KernelErrno(errno.EOPNOTSUPP)
        if name in self.links:
            raise KernelErrno(errno.EEXIST)
        link = Link(name, kind, self._take_index())
        self.links[name] = link
        return link

    def del_link(self, name: str) -> None:
        """``ip link del <name>``.

        Raises:
            KernelErrno: ENODEV for no such interface, EOPNOTSUPP for ``lo`` (loopback has no
                ``dellink``).
        """
        link = self.links.get(name)
        if link is None:
            raise KernelErrno(errno.ENODEV)
        if link.kind == "loopback":
            raise KernelErrno(errno.EOPNOTSUPP)
        del self.links[name]


class NetNamespaces:
    """Every live network namespace of the host, ``init_net`` first."""

    def __init__(self) -> None:
        #: the host's namespace, where every task starts and which never goes away
        self.init = NetNamespace(INIT_NET_INODE)
        self._live: dict[int, NetNamespace] = {self.init.inode: self.init}
        self._inodes = itertools.count(PROC_DYNAMIC_FIRST)
        #: namespaces dismantled so far, oldest first (their interfaces went with them)
        self.dismantled: list[NetNamespace] = []

    def new(self) -> NetNamespace:
        """``unshare(CLONE_NEWNET)``: a fresh namespace holding only ``lo``."""
        ns = NetNamespace(next(self._inodes))
        self._live[ns.inode] = ns
        return ns

    def get(self, inode: int) -> NetNamespace | None:
        """The live namespace with ``inode``, or None (never made, or dismantled)."""
        return self._live.get(inode)

    def live(self) -> list[NetNamespace]:
        """Every live namespace, by inode."""
        return [self._live[inode] for inode in sorted(self._live)]

    def collect(self, held: set[int]) -> list[NetNamespace]:
        """Dismantle every namespace nothing refers to any more (``init_net`` stays).

        ``held``: the inodes that tasks and mounts still refer to.  Returns what went.
        """
        gone = [ns for inode, ns in self._live.items() if inode not in held and ns is not self.init]
        for ns in gone:
            del self._live[ns.inode]
            ns.links.clear()  # default_device_exit_batch: its virtual interfaces are destroyed
            self.dismantled.append(ns)
        return gone
