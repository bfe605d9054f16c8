"""A lab for real containers: one runtime under a root of its own, bundles, and cleanup.

Every name the lab makes starts with ``rtgate-<pid>-oci-<n>``: the runtime's ``--root`` and the
bundles under ``/run/<prefix>``, container ids and cgroupsPath ``<prefix>-c<k>``.  Teardown runs
even when the test failed: it thaws, force-deletes and reaps the lab's containers, removes
the empty cgroup directories with the prefix, and fails the test's teardown naming whatever it
still found.  It never touches a process, cgroup or mount without the prefix.
"""

from __future__ import annotations

import ctypes
import dataclasses
import errno
import glob
import itertools
import json
import os
import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

from harness.subjects import parse_subject
from harness.subjects.access import runtime_prepared
from harness.subjects.oci import Bundle
from harness.subjects.oci import BusyboxUnavailable
from harness.subjects.oci import CommandRecord
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import OciRuntime
from harness.subjects.oci import find_busybox
from harness.subjects.oci import make_bundle
from harness.subjects.probe import match_refusal
from tests._real import real_host_off

_labs = itertools.count(1)
_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37
REAP_DEADLINE_S = 10.0


def _prctl(option: int, value: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    if option == _PR_GET_CHILD_SUBREAPER:
        out = ctypes.c_int(0)
        libc.prctl(option, ctypes.byref(out), 0, 0, 0)
        return out.value
    libc.prctl(option, value, 0, 0, 0)
    return value


def cgroup_dirs(prefix: str) -> list[str]:
    """Directories named with ``prefix`` at the top of every hierarchy of this host."""
    return sorted(glob.glob(f"/sys/fs/cgroup/*/{glob.escape(prefix)}*"))


def processes_in(prefix: str) -> list[int]:
    """Processes in a cgroup whose path starts with ``/<prefix>`` (any hierarchy)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cgroup", encoding="utf-8") as f:
                paths = [line.rstrip("\n").split(":", 2)[2] for line in f]
        except OSError:
            continue  # gone meanwhile
        if any(path.startswith("/" + prefix) for path in paths):
            found.append(int(entry))
    return found


def _children() -> list[tuple[int, str, str]]:
    """(pid, comm, state) of this process's children, from /proc."""
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        state, ppid = text[text.rindex(")") + 2 :].split()[:2]
        if int(ppid) == me:
            found.append((int(entry), name, state))
    return found


def mounts_under(path: str) -> list[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        points = [line.split(" ")[4] for line in f]
    return [p for p in points if p == path or p.startswith(path + "/")]


class Lab:
    """One runtime, its root, its bundles and its containers, all under one prefix."""

    def __init__(self, runtime_name: str, busybox: str) -> None:
        self.prefix = f"rtgate-{os.getpid()}-oci-{next(_labs)}"
        self.base = os.path.join("/run", self.prefix)
        os.makedirs(self.base, 0o711)
        self.busybox = busybox
        self.runtime = OciRuntime(runtime_name, os.path.join(self.base, "root"))
        self.name = runtime_name
        self.ids: list[str] = []
        self.bundles: list[Bundle] = []
        self.pids: set[int] = set()
        self._containers = itertools.count(1)
        self._closed = False

    def container(self, config: ContainerConfig | None = None) -> tuple[str, Bundle]:
        """A new container id and its bundle; the config gets the id as its cgroupsPath."""
        container_id = f"{self.prefix}-c{next(self._containers)}"
        config = config or ContainerConfig()
        if config.cgroups_path is None:
            config = dataclasses.replace(config, cgroups_path="/" + container_id)
        name = container_id.rsplit("-", 1)[1]
        bundle = make_bundle(self.base, self.prefix, name, config, busybox=self.busybox)
        self.ids.append(container_id)
        self.bundles.append(bundle)
        return container_id, bundle

    def skip_if_host_refused(self, record: CommandRecord) -> None:
        """Skip, quoting the runtime, when it refused this host rather than the container."""
        if not record.ok and match_refusal(self.name, record.stderr_tail) is not None:
            pytest.skip(f"{self.name} refuses this host: {record.stderr_tail.strip()}")

    def bring_up(self, container_id: str, bundle: Bundle, how: str = "create") -> int:
        """``create`` (then wait for created) or ``run`` (then wait for running); the pid.

        Skips when the runtime refuses this host; fails when it refuses the container.
        """
        __tracebackhide__ = True
        command = self.runtime.create if how == "create" else self.runtime.run
        record = command(container_id, bundle.path)
        self.skip_if_host_refused(record)
        assert record.ok, record.describe()
        state = self.wait_for(container_id, "created" if how == "create" else "running")
        assert state["id"] == container_id and state["pid"] > 0, state
        return int(state["pid"])

    def wait_for(self, container_id: str, wanted: str, deadline: float = 10.0) -> dict[str, Any]:
        """``wait_for_status``, remembering the init's pid so that teardown can reap it."""
        state = self.runtime.wait_for_status(container_id, wanted, deadline)
        if state.get("pid"):
            self.pids.add(state["pid"])
        return state

    def reap(self, pid: int, deadline: float = REAP_DEADLINE_S) -> bool:
        """Wait for the lab's container init ``pid`` to end and reap it; True if it did.

        This process is the subreaper of the inits its runtime started, so a dead init is
        its zombie until reaped here.
        """
        end = time.monotonic() + deadline
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return is_gone(pid)  # reaped already, or never adopted (then it must be gone)
            if done == pid:
                return True
            if time.monotonic() > end:
                return False
            time.sleep(0.02)

    def _reap_adopted_runtime_processes(self) -> None:
        """Reap exited processes of the runtime that this process adopted as their subreaper.

        Only zombie children named like the runtime's binary: a Popen of someone else in this
        process keeps its child, whose status is not taken from it.
        """
        comm = os.path.basename(self.runtime.binary)[:15]
        for pid, name, state in _children():
            if state == "Z" and name.startswith((comm, f"{comm}:")):
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass

    # -- teardown ------------------------------------------------------------------------------
    def close(self) -> list[str]:
        """Undo everything; return what could not be undone, or was left by the runtime.

        A second call does nothing.
        """
        if self._closed:
            return []
        self._closed = True
        problems: list[str] = []
        pids = set(self.pids)
        for container_id in self.ids:
            record = self.runtime.state_record(container_id)
            if record.ok:
                state = json.loads(record.stdout)
                if state.get("pid"):
                    pids.add(state["pid"])
                if state.get("status") == "paused":
                    self.runtime.resume(container_id)  # a frozen init cannot die on cgroup v1
            record = self.runtime.delete(container_id, force=True)
            if not record.ok:
                problems.append(record.describe())
        problems += [
            f"container init {pid} did not end" for pid in sorted(pids) if not self.reap(pid)
        ]
        self._reap_adopted_runtime_processes()
        left = processes_in(self.prefix)
        if left:
            problems.append(f"processes left in the lab's cgroups: {left}")
        for path in cgroup_dirs(self.prefix):
            for sub, _, _ in sorted(os.walk(path), key=lambda w: -w[0].count("/")):
                try:
                    os.rmdir(sub)
                except OSError as err:
                    problems.append(f"cgroup {sub} left: {err.strerror}")
                else:
                    problems.append(f"cgroup {sub} was left by the runtime (removed)")
        if os.listdir(self.runtime.root_dir):
            problems.append(f"left in --root: {os.listdir(self.runtime.root_dir)}")
        leftover = mounts_under(self.base)
        if leftover:
            problems.append(f"mounts left under {self.base}: {leftover}")
        else:
            shutil.rmtree(self.base)
        return problems


@pytest.fixture(scope="session")
def busybox() -> str:
    try:
        return find_busybox()
    except BusyboxUnavailable as err:
        pytest.skip(str(err))


@pytest.fixture
def subreaper() -> Iterator[None]:
    """This process adopts the containers' inits when their runtime exits, to reap them."""
    before = _prctl(_PR_GET_CHILD_SUBREAPER, 0)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    try:
        yield
    finally:
        _prctl(_PR_SET_CHILD_SUBREAPER, before)


@pytest.fixture(scope="session")
def prepared_for_crun() -> Iterator[None]:
    """This host prepared for crun as ``rtgate run`` prepares it (harness/hosts/preparation.py):
    crun 1.8 refuses a hybrid host whose cgroup2 hierarchy has controllers."""
    if real_host_off() is not None or shutil.which("crun") is None:
        yield
        return
    with runtime_prepared(parse_subject("oci:crun"), "runtime-spec"):
        yield


@pytest.fixture(params=["runc", "crun"])
def lab(request: pytest.FixtureRequest, busybox: str, subreaper: None) -> Iterator[Lab]:
    """A lab on the runtime of the parameter; skipped with the probed reason."""
    if (off := real_host_off()) is not None:
        pytest.skip(f"real containers: {off}")
    name = request.param
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} not installed: shutil.which({name!r}) found {found!r}")
    if name == "crun":
        request.getfixturevalue("prepared_for_crun")
    lab = Lab(name, busybox)
    try:
        yield lab
    finally:
        problems = lab.close()
    if problems:
        pytest.fail("the lab did not end clean:\n" + "\n".join(problems))


def is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as err:
        return err.errno == errno.ESRCH
    return False
