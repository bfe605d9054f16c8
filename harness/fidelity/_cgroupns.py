"""A probe of cgroup2 mounted inside a cgroup namespace whose root is not the kernel's root
cgroup (a container running the runtime with its own cgroupns): what the mount's root shows and
how thread modes work below it.

Facts found with it on this machine (Linux 6.18, hybrid cgroups, cgroup2 at
/sys/fs/cgroup/unified with no controller distributed below the kernel's root), the namespace's
root a fresh group holding the probing process:

* the mount's root has the files of a non-root cgroup: ``cgroup.type`` (``domain``),
  ``cgroup.events``, ``cgroup.freeze``, ``cgroup.kill``; the kernel's root has none of them;
* a child made ``threaded`` turns the root ``domain threaded``; a domain child of that root,
  old or new, is then ``domain invalid`` (the root, not the kernel's, is not mixable), and a
  process is refused there (EOPNOTSUPP); a child of a threaded group is ``domain invalid`` too;
* the root's own ``cgroup.type`` refuses ``threaded`` while it holds a process (EOPNOTSUPP) and
  any other word (EINVAL);
* also seen by hand, not probed here: a namespace rooted at a threaded group shows
  ``threaded`` at the mount's root, its new children ``domain invalid``; one rooted at a plain
  group with a process in it shows ``domain``, and a child there cannot be made threaded while
  it holds a process (EOPNOTSUPP).

:func:`steps` runs on a mount point it is given: the real side runs this module as a program
inside ``unshare -C -m`` (its own cgroupns and mount namespace, cgroup2 mounted on a temporary
directory, all gone when it exits); the simulated side runs it in a kernel booted with
``Topology.cgroup_namespace``.  The groups it makes are named ``rtgate-*`` and removed at its end.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable

from harness.fidelity._context import errno_name

__all__ = ["steps"]

#: the files of a non-root cgroup looked for at the mount's root
NON_ROOT_FILES = ("cgroup.events", "cgroup.freeze", "cgroup.kill", "cgroup.type")


def _outcome(fn: Callable[[], object]) -> str:
    try:
        value = fn()
    except OSError as err:
        return "err: " + errno_name(err)
    return "ok" if value is None else f"ok: {value}"


def _read(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read().strip()


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def steps(root: str, own_pid: int) -> list[tuple[str, str]]:
    """The probe, at the mount's root ``root``; ``own_pid`` is a process in that root."""
    done: list[tuple[str, str]] = []

    def step(action: str, fn: Callable[[], object]) -> None:
        done.append((action, _outcome(fn)))

    def at(rel: str) -> str:
        return os.path.join(root, rel)

    step(
        "non-root files at /", lambda: " ".join(sorted(set(NON_ROOT_FILES) & set(os.listdir(root))))
    )
    step("read /cgroup.type", lambda: _read(at("cgroup.type")))
    step("mkdir c", lambda: os.mkdir(at("rtgate-c")))
    step("read c/cgroup.type", lambda: _read(at("rtgate-c/cgroup.type")))
    step("mkdir t", lambda: os.mkdir(at("rtgate-t")))
    step("write t/cgroup.type threaded", lambda: _write(at("rtgate-t/cgroup.type"), "threaded"))
    step("read /cgroup.type", lambda: _read(at("cgroup.type")))
    step("read c/cgroup.type", lambda: _read(at("rtgate-c/cgroup.type")))
    step("mkdir n", lambda: os.mkdir(at("rtgate-n")))
    step("read n/cgroup.type", lambda: _read(at("rtgate-n/cgroup.type")))
    step("write n/cgroup.procs", lambda: _write(at("rtgate-n/cgroup.procs"), str(own_pid)))
    step("write /cgroup.type threaded", lambda: _write(at("cgroup.type"), "threaded"))
    step("write /cgroup.type domain", lambda: _write(at("cgroup.type"), "domain"))
    step("write c/cgroup.type threaded", lambda: _write(at("rtgate-c/cgroup.type"), "threaded"))
    step("read c/cgroup.type", lambda: _read(at("rtgate-c/cgroup.type")))
    step("mkdir c/g", lambda: os.mkdir(at("rtgate-c/rtgate-g")))
    step("read c/g/cgroup.type", lambda: _read(at("rtgate-c/rtgate-g/cgroup.type")))
    step("read /cgroup.type", lambda: _read(at("cgroup.type")))
    for rel in ("rtgate-c/rtgate-g", "rtgate-c", "rtgate-n", "rtgate-t"):
        step(f"rmdir {rel.replace('rtgate-', '')}", lambda rel=rel: os.rmdir(at(rel)))
    return done


if __name__ == "__main__":  # the real side, inside its cgroupns: ``python -m ... MOUNT``
    json.dump(steps(sys.argv[1], os.getpid()), sys.stdout)
