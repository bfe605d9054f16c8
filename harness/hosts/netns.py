"""Named network namespaces of a real host, made and removed the way ``ip netns`` does, and
listed, from a thread of this process that enters them (never from a fork of this process).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import threading
from collections.abc import Callable
from typing import TypeVar

from harness.hosts.base import NETNS_DIR
from harness.hosts.base import SETTLE_DEADLINE_S
from harness.hosts.facts import netns_at
from harness.hosts.ownership import unlink
from harness.interrupts import shielded

__all__ = ["NamedNamespaces", "interfaces_of"]

#: unshare(2)/setns(2): the network namespace
CLONE_NEWNET = 0x40000000
#: mount(2): a bind mount
MS_BIND = 4096
_T = TypeVar("_T")


class NamedNamespaces:
    """The named network namespaces one host mounted, and whether it made /run/netns."""

    def __init__(self) -> None:
        self._paths: list[str] = []
        self._made_dir = False

    def make(self, path: str, interface: str) -> None:
        """A named network namespace at ``path`` holding a virtual ``interface``, made the way
        ``ip netns add`` makes one (a file under /run/netns, a helper that unshares
        CLONE_NEWNET and bind-mounts its /proc/self/ns/net there) but without making
        /run/netns a shared mount of its own, which would outlive the run.  The interface is a
        dummy, or a bridge where the kernel has no dummy driver (this machine's: EOPNOTSUPP);
        both live only in their namespace.

        Raises:
            OSError: the helper could not make it.
        """
        with shielded():  # a signal waits until the namespace is made and recorded
            for _ in range(3):  # another run may remove an empty /run/netns between the steps
                if not os.path.isdir(NETNS_DIR):
                    os.makedirs(NETNS_DIR, 0o755, exist_ok=True)
                    self._made_dir = True
                try:
                    os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))
                    break
                except FileNotFoundError:
                    continue
            self._paths.append(path)
            _in_netns_thread(lambda: _made_at(path, interface), f"making network namespace {path}")

    def remove_all(self) -> list[str]:
        """Unmount (MNT_DETACH, as ``ip netns delete``) and unlink every namespace made here;
        returns what could not be undone."""
        problems = []
        libc = _libc()
        while self._paths:
            path = self._paths.pop()
            if netns_at(path) is not None and libc.umount2(path.encode(), 2) != 0:
                problems.append(f"umount {path}: {os.strerror(ctypes.get_errno())}")
                continue
            problem = unlink(path)
            if problem:
                problems.append(problem)
        if self._made_dir:
            try:
                os.rmdir(NETNS_DIR)  # only when empty: another run may still use it
            except OSError:
                pass
        return problems


def interfaces_of(path: str) -> list[str]:
    """Names of the interfaces in the namespace mounted at ``path``, over netlink from a
    thread that setns(2)es into it (see :func:`_in_netns_thread`).  Never pyroute2's
    ``IPRoute(netns=...)`` here: it forks this process, and a fork that gets SIGTERM under
    ``rtgate run`` unwinds into the test's cleanup and removes the host's namespaces, bundles
    and groups.

    Raises:
        OSError: when no namespace can be entered at ``path``.
    """

    def listing() -> list[str]:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            _check(_libc().setns(fd, CLONE_NEWNET), f"setns {path}")
        finally:
            os.close(fd)
        from pyroute2 import IPRoute  # see _made_at

        with IPRoute() as ipr:
            return sorted(str(link.get_attr("IFLA_IFNAME")) for link in ipr.get_links())

    return _in_netns_thread(listing, f"listing the interfaces of {path}")


def _made_at(path: str, interface: str) -> None:
    """In a thread of its own: a new network namespace for this thread, bind-mounted on the
    (existing, empty) file at ``path``, holding ``interface``."""
    _check(_libc().unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    here = b"/proc/thread-self/ns/net"
    _check(_libc().mount(here, path.encode(), None, MS_BIND, None), f"mount --bind {path}")
    # pyroute2 is imported by the real host's network checks alone: at module level it cost
    # every process of a run 0.1-0.2 s, simulated runs included, which never use it
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError

    with IPRoute() as ipr:
        try:
            ipr.link("add", ifname=interface, kind="dummy")
        except NetlinkError as err:
            if err.code != errno.EOPNOTSUPP:  # no dummy driver in this kernel
                raise
            ipr.link("add", ifname=interface, kind="bridge")


def _in_netns_thread(action: Callable[[], _T], what: str) -> _T:
    """``action`` in a new thread, which may switch its own network namespace (setns(2) and
    unshare(2) of CLONE_NEWNET act on the calling thread only, and a netlink socket belongs to
    the namespace of the thread that opened it); the thread goes back to this process's
    namespace before it ends, and a thread that could not go back ends all the same, so no
    other code ever runs in the wrong namespace.  A thread, not a helper interpreter: starting
    Python with pyroute2 costs about 0.3 s, which a gate run paid three times per test.

    Raises:
        OSError: ``what`` failed, with the cause.
    """
    result: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        try:
            result.append(action())
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            failure.append(err)
        finally:
            back = _libc().setns(own, CLONE_NEWNET)
            os.close(own)
            if back != 0:
                failure.append(OSError(ctypes.get_errno(), "setns back to the harness's own"))

    thread = threading.Thread(target=run, name=f"rtgate-netns: {what}", daemon=True)
    thread.start()
    thread.join(SETTLE_DEADLINE_S)
    if thread.is_alive():
        raise OSError(errno.ETIMEDOUT, f"{what}: no answer in {SETTLE_DEADLINE_S} s")
    if failure:
        raise OSError(f"{what}: {failure[0]}") from failure[0]
    return result[0]


@functools.cache
def _libc() -> ctypes.CDLL:
    """libc, loaded once (errno is kept per thread by ctypes, not per library object)."""
    return ctypes.CDLL(None, use_errno=True)


def _check(code: int, what: str) -> None:
    """A libc call's result: OSError with its errno when it failed."""
    if code != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
