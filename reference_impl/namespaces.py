"""libcontainer's namespace types: the paths state.json records and an exec'd process joins.

``currentState`` records, while init lives, ``/proc/<init>/ns/<name>`` for every namespace type
of the config and for every other type the host supports (``/proc/self/ns/<name>`` can be
stat'ed), whether init has that namespace of its own or shares it (692f6e1
container_linux.go:1561-1573, configs/namespaces_linux.go:24-75; v1.2.0
container_linux.go:993-1006).  ``newSetnsProcess`` hands those paths to nsexec, so a process
started in a running container joins every one of them (692f6e1 container_linux.go:469-480).
"""

from __future__ import annotations

import os

__all__ = ["TYPES", "join_specs", "namespace_paths"]

#: a config's namespace kind -> (libcontainer's NamespaceType, its file under /proc/<pid>/ns)
TYPES: dict[str, tuple[str, str]] = {
    "user": ("NEWUSER", "user"),
    "ipc": ("NEWIPC", "ipc"),
    "uts": ("NEWUTS", "uts"),
    "net": ("NEWNET", "net"),
    "pid": ("NEWPID", "pid"),
    "mount": ("NEWNS", "mnt"),
    "cgroup": ("NEWCGROUP", "cgroup"),
    "time": ("NEWTIME", "time"),
}


def _kinds(config_namespaces: tuple[str, ...], known: tuple[str, ...]) -> list[str]:
    """The config's kinds (a joined one too: GetPath ignores its path), then every other kind
    of ``known`` whose nsfs file this process can stat (IsNamespaceSupported)."""
    kinds = [ns.partition("=")[0] for ns in config_namespaces]
    found = [kind for kind in dict.fromkeys(kinds) if kind in TYPES]
    for kind in known:
        # lexists: an nsfs link of a live process always resolves on Linux, as Go's os.Stat
        # finds; a simulated kernel's link names the namespace without resolving
        if kind not in found and os.path.lexists(f"/proc/self/ns/{TYPES[kind][1]}"):
            found.append(kind)
    return found


def namespace_paths(
    config_namespaces: tuple[str, ...], init_pid: int, known: tuple[str, ...]
) -> dict[str, str]:
    """state.json's ``namespace_paths``: NamespaceType -> /proc/<init>/ns/<name>; none
    without an init."""
    if init_pid <= 0:
        return {}
    return {
        TYPES[kind][0]: f"/proc/{init_pid}/ns/{TYPES[kind][1]}"
        for kind in _kinds(config_namespaces, known)
    }


def join_specs(
    config_namespaces: tuple[str, ...], init_pid: int, known: tuple[str, ...]
) -> tuple[str, ...]:
    """The namespaces of a process started in a running container: ``<kind>=<path>`` for each
    of init's (see :func:`namespace_paths`); none without init, whose pid runc 1.2's
    currentState gives as -1 and lists no namespace for (v1.2.0 container_linux.go:966-1006)."""
    if init_pid <= 0:
        return ()
    return tuple(
        f"{kind}=/proc/{init_pid}/ns/{TYPES[kind][1]}" for kind in _kinds(config_namespaces, known)
    )
