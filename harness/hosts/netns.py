"""Named network namespaces of a real host, made and removed the way ``ip netns`` does, and
listed from a helper process (never from a fork of this one).
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

from harness.hosts.base import NETNS_DIR
from harness.hosts.base import SETTLE_DEADLINE_S
from harness.hosts.facts import netns_at
from harness.hosts.ownership import unlink
from harness.interrupts import shielded

__all__ = ["NamedNamespaces", "interfaces_of"]


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
            _run_helper(_NETNS_HELPER, [path, interface], f"making network namespace {path}")

    def remove_all(self) -> list[str]:
        """Unmount (MNT_DETACH, as ``ip netns delete``) and unlink every namespace made here;
        returns what could not be undone."""
        problems = []
        libc = ctypes.CDLL(None, use_errno=True)
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
    """Names of the interfaces in the namespace mounted at ``path`` (over netlink, from a
    helper that setns(2)es into it).  Never pyroute2's ``IPRoute(netns=...)`` here: it forks
    this process, and a fork that gets SIGTERM under ``rtgate run`` unwinds into the test's
    cleanup and removes the host's namespaces, bundles and groups.

    Raises:
        OSError: when the helper cannot enter a namespace at ``path``.
    """
    out = _run_helper(_NETNS_LINKS, [path], f"listing the interfaces of {path}")
    return sorted(out.split())


#: run as ``python -c`` with the path and an interface name: a new network namespace, mounted
#: on the (existing, empty) file at the path, holding the interface
_NETNS_HELPER = """
import ctypes, os, sys
from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError
path, interface = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x40000000) != 0:  # CLONE_NEWNET
    raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
if libc.mount(b"/proc/self/ns/net", path.encode(), None, 4096, None) != 0:  # MS_BIND
    raise OSError(ctypes.get_errno(), "mount --bind /proc/self/ns/net " + path)
with IPRoute() as ipr:
    try:
        ipr.link("add", ifname=interface, kind="dummy")
    except NetlinkError as err:
        if err.code != 95:  # EOPNOTSUPP: no dummy driver in this kernel
            raise
        ipr.link("add", ifname=interface, kind="bridge")
"""
#: run as ``python -c`` with a path: the names of the interfaces of the namespace there
_NETNS_LINKS = """
import ctypes, os, sys
from pyroute2 import IPRoute
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY)
if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
    raise OSError(ctypes.get_errno(), "setns " + sys.argv[1])
with IPRoute() as ipr:
    print(" ".join(link.get_attr("IFLA_IFNAME") for link in ipr.get_links()))
"""


def _run_helper(script: str, args: list[str], what: str) -> str:
    """Run one of this module's helper scripts in a fresh interpreter (never a fork of this
    process); its stdout.

    Raises:
        OSError: ``what`` failed, with the end of the helper's stderr.
    """
    done = subprocess.run(  # noqa: S603 - our own helper program
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=SETTLE_DEADLINE_S,
    )
    if done.returncode != 0:
        raise OSError(f"{what}: {done.stderr.strip()[-400:]}")
    return done.stdout
