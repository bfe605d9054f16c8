"""cgroup2 mounted in a cgroup namespace: this machine's kernel against the simulated one booted
with ``Topology.cgroup_namespace`` (the probe and the facts it found:
:mod:`harness.fidelity._cgroupns`).

The real side makes one group ``rtgate-fidelity-<pid>-cgns`` in the host's cgroup2 hierarchy,
starts a shell there that enters a new cgroup and mount namespace (``unshare -C -m``), mounts
cgroup2 on a temporary directory and runs the probe; the namespaces go with that process, and
the group (with whatever the probe left below it) is removed afterwards.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from harness.fakes import booted_kernel
from harness.fakes.topology import V2_TOPOLOGY
from harness.fidelity._cgroupns import steps
from harness.fidelity._real import PREFIX
from harness.hosts.facts import read_layout
from harness.hosts.ownership import remove_group
from tests._real import real_host_off

_SHELL = 'echo $$ > "$1/cgroup.procs" && exec unshare -C -m --propagation private sh -c "$2" - "$3"'
_INNER = 'mount -t cgroup2 none "$1" && exec "$0" -m harness.fidelity._cgroupns "$1"'


def _real_unavailable() -> str | None:
    if (off := real_host_off()) is not None:
        return f"{off}: the probe makes a cgroup and mounts cgroup2"
    if read_layout().v2 is None:
        return "no cgroup2 mount on this host (/proc/self/mountinfo)"
    if shutil.which("unshare") is None:
        return "no unshare(1) on this host to enter a cgroup namespace"
    return None


def _real() -> list[tuple[str, str]]:
    mount = read_layout().v2
    assert mount is not None
    group = os.path.join(mount, f"{PREFIX}-{os.getpid()}-cgns")
    os.mkdir(group)
    where = tempfile.mkdtemp(prefix="rtgate-cgns-")
    try:
        inner = _INNER.replace('"$0"', sys.executable)
        run = subprocess.run(  # noqa: S603 - fixed programs
            ["sh", "-c", _SHELL, "-", group, inner, where],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert run.returncode == 0, f"the probe failed: {run.stderr}"
        return [tuple(step) for step in json.loads(run.stdout)]
    finally:
        for dirpath, _, _ in sorted(os.walk(group), key=lambda w: -w[0].count("/")):
            remove_group(dirpath, 10.0)
        os.rmdir(where)


def _simulated() -> list[tuple[str, str]]:
    with booted_kernel(dataclasses.replace(V2_TOPOLOGY, cgroup_namespace=True)) as kernel:
        pid = kernel.spawn_process("probe")  # the probing process, in the namespace's root
        return steps("/sys/fs/cgroup", pid)


@pytest.mark.fidelity
def test_cgroup2_in_a_cgroup_namespace_matches_the_real_kernel() -> None:
    reason = _real_unavailable()
    if reason is not None:
        pytest.skip(reason)
    real, simulated = _real(), _simulated()
    assert real == simulated, "\n".join(
        f"{r!r:60} {s!r}" for r, s in zip(real, simulated, strict=False)
    )
