"""A subject's command still running when a signal stops the run leaves no cgroup (issue 18 c).

The first signal reaches the harness alone (``kill <pid>``, a CI runner's SIGTERM): the
reference's ``create`` or ``runc create`` it was waiting for goes on, and makes the
container's cgroups while the host is being closed.  A host that listed its groups before that
command ended removed the ones it listed and left the later ones, empty, one per v1 hierarchy
(the ``term-1.5`` case of test_real_interrupts.py, 2 runs in 20).

Here the command is a shell that makes the container's group in every hierarchy, again and
again, until it is killed: whatever the moment, a host that lists its groups before ending it
leaves one.  The stop runs in a fresh interpreter, as a run's does (a stopping host ends every
process its process started since its first host).  Needs root and cgroups.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness.hosts.base import POLL_INTERVAL_S
from harness.hosts.base import SETTLE_DEADLINE_S
from harness.hosts.leftovers import find_leftovers
from harness.hosts.leftovers import remove_leftovers
from harness.hosts.real import RealHost
from tests._real import needs_real_host

ROOT = Path(__file__).resolve().parent.parent.parent
#: the command cut short: makes each group it is given, over and over, until killed
_MAKES_GROUPS = 'while :; do for g; do mkdir "$g" 2>/dev/null; done; done'


def stop_while_a_command_runs() -> None:
    """In a fresh interpreter: a real host, a command making its container's groups, then
    SIGTERM to this process; prints what close reported and which groups are left (JSON)."""
    host = RealHost()  # installs rtgate's handlers: the signal raises KeyboardInterrupt
    name = host.cgroup_path("cut-short")
    hierarchies = ["unified"] if host.cgroup_mode() == "v2" else host.v1_hierarchies()
    groups = [host.cgroup_dir(h, name) for h in hierarchies]
    subprocess.Popen(["/bin/sh", "-c", _MAKES_GROUPS, "sh", *groups])  # noqa: S603
    deadline = time.monotonic() + SETTLE_DEADLINE_S
    while not all(os.path.isdir(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL_S)
    problems: list[str] = ["the signal raised nothing"]
    try:
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs before the next bytecode
    except KeyboardInterrupt:
        problems = host.close()
    left = [g for g in groups if os.path.isdir(g)]
    print(json.dumps({"made": groups, "problems": problems, "left": left}))


@needs_real_host
def test_a_command_still_running_when_the_run_stops_leaves_no_cgroup() -> None:
    code = f"from {__name__} import stop_while_a_command_runs; stop_while_a_command_runs()"
    stop = subprocess.Popen(  # noqa: S603 - this interpreter, this module
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    out, err = stop.communicate(timeout=120)
    left = find_leftovers().owned_by(stop.pid)
    not_removed = remove_leftovers(left)  # the next test starts clean, whatever this asserts
    assert stop.returncode == 0, err
    said = json.loads(out.splitlines()[-1])
    assert said["made"], "the command made no group"
    assert said["problems"] == [], said
    assert said["left"] == [], f"the stop left the cut-short command's groups: {said}"
    assert left.describe() == [], f"rtgate cleanup finds: {left.describe()} ({not_removed})"
