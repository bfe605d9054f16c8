"""cgroup2 mounted inside a cgroup namespace (``Topology.cgroup_namespace``): the mount's root
is a non-root cgroup, with ``cgroup.type`` and none of the kernel root's exemptions (probed on
this machine: harness/fidelity/_cgroupns.py; the exemptions are the kernel's for
``!cgroup_parent(cgrp)`` alone, kernel/cgroup/cgroup.c cgroup_is_mixable)."""

from __future__ import annotations

import dataclasses
import errno
import os
from collections.abc import Iterator

import pytest

from harness.fakes import SimulatedKernel
from harness.fakes import booted_kernel
from harness.fakes.topology import V2_TOPOLOGY
from harness.hosts.machines import machine
from tests.fakes._io import errno_of
from tests.fakes._io import read
from tests.fakes._io import write

CG = "/sys/fs/cgroup"


@pytest.fixture
def ns() -> Iterator[SimulatedKernel]:
    """A pure cgroup2 host seen from a container with its own cgroup namespace."""
    with booted_kernel(dataclasses.replace(V2_TOPOLOGY, cgroup_namespace=True)) as kernel:
        yield kernel


def test_the_suite_machine_is_the_namespaced_v2_host() -> None:
    assert machine("v2-cgroupns") == dataclasses.replace(V2_TOPOLOGY, cgroup_namespace=True)
    assert not V2_TOPOLOGY.cgroup_namespace


def test_the_root_has_the_files_of_a_non_root_cgroup(ns: SimulatedKernel) -> None:
    entries = set(os.listdir(CG))
    assert {"cgroup.type", "cgroup.events", "cgroup.freeze", "cgroup.kill"} <= entries
    assert read(f"{CG}/cgroup.type") == "domain\n"
    # what its parent, outside, distributes: the controllers' files are there too
    assert read(f"{CG}/cgroup.controllers") == "cpuset cpu io memory hugetlb pids\n"
    assert {"memory.max", "pids.max", "cpu.weight"} <= entries
    assert read(f"{CG}/cgroup.events") == "populated 0\nfrozen 0\n"


def test_a_threaded_child_makes_the_root_domain_threaded(ns: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/old")
    os.mkdir(f"{CG}/t")
    write(f"{CG}/t/cgroup.type", "threaded")
    assert read(f"{CG}/cgroup.type") == "domain threaded\n"
    os.mkdir(f"{CG}/new")
    assert read(f"{CG}/old/cgroup.type") == "domain invalid\n"
    assert read(f"{CG}/new/cgroup.type") == "domain invalid\n"
    pid = ns.spawn_process("sh")
    assert errno_of(lambda: write(f"{CG}/new/cgroup.procs", str(pid))) == errno.EOPNOTSUPP
    # a domain threaded root takes threaded controllers, never domain ones
    write(f"{CG}/cgroup.subtree_control", "+pids")
    assert errno_of(lambda: write(f"{CG}/cgroup.subtree_control", "+memory")) == errno.EOPNOTSUPP
    write(f"{CG}/new/cgroup.type", "threaded")
    os.mkdir(f"{CG}/new/g")
    assert read(f"{CG}/new/g/cgroup.type") == "domain invalid\n"


def test_the_root_cannot_be_switched_while_it_holds_a_process(ns: SimulatedKernel) -> None:
    ns.spawn_process("sh")  # in the namespace's root, as the runtime's own process is
    assert read(f"{CG}/cgroup.events") == "populated 1\nfrozen 0\n"
    assert errno_of(lambda: write(f"{CG}/cgroup.type", "threaded")) == errno.EOPNOTSUPP
    assert errno_of(lambda: write(f"{CG}/cgroup.type", "domain")) == errno.EINVAL


def test_the_root_is_not_exempt_from_no_internal_processes(ns: SimulatedKernel) -> None:
    """The kernel's root may hold processes and distribute domain controllers; a namespace's
    root is an ordinary group: EBUSY while a process is in it (cgroup-v2.rst "No Internal
    Process Constraint")."""
    pid = ns.spawn_process("sh")
    assert errno_of(lambda: write(f"{CG}/cgroup.subtree_control", "+memory")) == errno.EBUSY
    write(f"{CG}/cgroup.subtree_control", "+pids")
    os.mkdir(f"{CG}/init")
    write(f"{CG}/init/cgroup.procs", str(pid))
    write(f"{CG}/cgroup.subtree_control", "+memory")
    assert read(f"{CG}/cgroup.subtree_control") == "memory pids\n"


def test_a_pids_limit_at_the_root_holds_its_subtree(ns: SimulatedKernel) -> None:
    pid = ns.spawn_process("sh")
    write(f"{CG}/pids.max", "1")
    assert errno_of(lambda: ns.fork(pid)) == errno.EAGAIN
