"""``booted_kernel``: a patched filesystem with a simulated kernel, for one test or example.

Cheap enough to enter once per Hypothesis example (pyfakefs caches the module scan after the
first ``Patcher``), which keeps examples isolated from each other.
"""

from __future__ import annotations

import gettext
import os
import posixpath
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from pyfakefs.fake_filesystem_unittest import Patcher

from harness import interrupts
from harness.fakes import _speedups as speedups
from harness.fakes.kernel import SimulatedKernel
from harness.fakes.topology import DEFAULT_TOPOLOGY
from harness.fakes.topology import Topology
from harness.interrupts import shielded

__all__ = ["booted_kernel", "release_patching"]

#: modules that keep the real ``os``.  ``gettext`` looks for message catalogs on every
#: translated string (argparse translates a dozen per parser, and runc-style CLIs build a parser
#: per command): none is ever in the fake tree, and each lookup there costs two slow path
#: resolutions.  They are not ``Patcher`` skip names: any skip name makes pyfakefs inspect the
#: call stack on every faked call, which costs more than it saves.  ``harness.interrupts``
#: acts on the real process from a signal handler, which can run while a test has the fake
#: tree: its line on stderr went through pyfakefs' ``os.write``, which fails on fd 2 with an
#: AttributeError, and an interrupted state machine was reported as a failing test.
REAL_OS_MODULES = (gettext, interrupts)
#: the package whose modules keep the real ``posixpath``: the simulated kernel's models and
#: layers use it only to take model paths apart (``dirname``, ``basename``, ``normpath`` of
#: strings), never to look at a filesystem, and pyfakefs' ``posixpath`` costs a path split and a
#: call-stack check per call (a tenth of a control file's rendering)
REAL_POSIXPATH_PACKAGE = "harness.fakes."
#: the real modules, held where the patcher does not look (it swaps module attributes and
#: ``sys.modules`` entries, not dictionary values)
_REAL = {"os": os, "posixpath": posixpath}


def _keep_real_os(patcher: Patcher) -> None:
    """After each time ``patcher`` patches modules (``setUp``, and ``resume``: pyfakefs' pytest
    plugin pauses and resumes it around every report), give REAL_OS_MODULES the real ``os``
    back, and the modules of REAL_POSIXPATH_PACKAGE the real ``posixpath``.  The patcher's stubs
    still hold the real ones, so ``tearDown`` leaves them in place."""
    patch_modules = patcher.patch_modules

    def patch() -> None:
        patch_modules()
        for module in REAL_OS_MODULES:
            module.os = _REAL["os"]  # type: ignore[attr-defined]
        for module in _posixpath_users():
            module.posixpath = _REAL["posixpath"]  # type: ignore[attr-defined]

    patcher.patch_modules = patch  # type: ignore[method-assign]


#: the modules of REAL_POSIXPATH_PACKAGE that use posixpath, by how many modules were loaded
#: when they were listed (pyfakefs' pytest plugin patches again around every test report)
_USERS: dict[int, list[ModuleType]] = {}


def _posixpath_users() -> list[ModuleType]:
    """The loaded modules of REAL_POSIXPATH_PACKAGE that use ``posixpath``."""
    loaded = len(sys.modules)
    if loaded not in _USERS:
        _USERS.clear()
        _USERS[loaded] = [
            module
            for name, module in list(sys.modules.items())
            if name.startswith(REAL_POSIXPATH_PACKAGE) and "posixpath" in vars(module)
        ]
    return _USERS[loaded]


def _switch_whole(patcher: Patcher) -> None:
    """Make each switch of ``patcher`` on or off run whole, the signal raised after it.

    pyfakefs' pytest plugin pauses and resumes the patcher around every test report, outside
    any shielded section.  A stop marks the patcher off before it puts the modules back, so a
    signal halfway left modules with the fake ``os`` that no teardown would touch again, and
    the interrupted run's end then closed pytest's real descriptors through it (EBADF).  A
    start marks it on first: a signal there made the teardown pop an import finder of
    Python's own, in place of pyfakefs' one that was not in yet."""
    start, stop = patcher.start_patching, patcher.stop_patching

    def start_whole() -> None:
        with shielded():
            start()

    def stop_whole(temporary: bool = False) -> None:
        with shielded():
            stop(temporary)

    patcher.start_patching = start_whole  # type: ignore[method-assign]
    patcher.stop_patching = stop_whole  # type: ignore[method-assign]


@contextmanager
def booted_kernel(topology: Topology = DEFAULT_TOPOLOGY) -> Iterator[SimulatedKernel]:
    """Patch ``os``/``open``/``pathlib``/``shutil`` onto a fresh fake filesystem and boot a
    kernel on it; everything is torn down on exit, even when the body raises.

    Patching and unpatching, and each pause and resume of the patching, are
    :func:`~harness.interrupts.shielded`: a Ctrl-C halfway through either left pyfakefs'
    patches in place (its reference count up, or modules patched while it said it was off),
    and the run then wrote its report into the fake filesystem or failed at its end."""
    speedups.install()
    patcher = Patcher()
    _keep_real_os(patcher)
    _switch_whole(patcher)
    patched = False
    try:
        with shielded():
            patcher.setUp()
            patched = True
        assert patcher.fs is not None
        yield SimulatedKernel(patcher.fs, topology)
    finally:
        if patched and Patcher.PATCHER is patcher:  # not released below already
            with shielded():
                patcher.tearDown()


def release_patching() -> bool:
    """Undo the patches of a patcher that is still patching, whatever its reference count;
    whether there was one.  For the end of an interrupted session, once its fixtures are torn
    down: what is written then (the report, pytest's cache) must reach the real filesystem."""
    patcher = Patcher.PATCHER
    if patcher is None:
        return False
    with shielded():
        Patcher.REF_COUNT = 1
        patcher.tearDown()
    return True
