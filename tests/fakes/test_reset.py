"""The reset a state machine's examples share a simulated host by is complete: a host dirtied in
every kind of object, then reset, is a freshly booted host, object for object and file for file.

Each kind of dirt is checked on its own (it must show in the host's description, so the
comparison would see it left behind) and all together, on a host of each cgroup mode.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable
from typing import Any

import pytest
from pyfakefs import helpers

from harness.fakes import HookProgram
from harness.fakes.reset import BootImage
from harness.fakes.reset import boot_image
from harness.fakes.reset import describe
from harness.hosts import SimulatedHost
from harness.hosts import open_host
from harness.hosts.reuse import example_hosts
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.subjects.registry import parse_subject
from reference_impl.system import ProcessSpec

#: a host of each cgroup mode, with resctrl mounted
PRESETS = ("v1-cat", "v2-cat", "hybrid-cat")
Dirt = Callable[[SimulatedHost], None]


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def _read(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read()


def _comms(host: SimulatedHost) -> set[str]:
    return {p.comm for p in map(host.kernel.process, host.kernel.live_pids()) if p is not None}


def cgroups(host: SimulatedHost) -> None:
    """A group in every hierarchy, a process moved into it, a limit written."""
    pid = host.start_process("grouped")
    hierarchies = host.v1_hierarchies() + (["unified"] if host.cgroup_mode() != "v1" else [])
    for hierarchy in hierarchies:
        os.mkdir(host.cgroup_dir(hierarchy, "/dirty"))
        if hierarchy == "cpuset":  # a v1 cpuset group takes tasks once it has CPUs and nodes
            for name in ("cpuset.cpus", "cpuset.mems"):
                root = _read(os.path.join(host.cgroup_dir("cpuset", "/"), name))
                _write(os.path.join(host.cgroup_dir("cpuset", "/dirty"), name), root)
        host.move_to_cgroup(pid, hierarchy, "/dirty")
    if "cpu" in hierarchies:
        _write(os.path.join(host.cgroup_dir("cpu", "/dirty"), "cpu.shares"), "512")


def resctrl(host: SimulatedHost) -> None:
    """A resctrl group with a schema of its own and a task."""
    group = host.resctrl_group("dirty")
    os.mkdir(group)
    _write(os.path.join(group, "schemata"), host.l3_schema("3") + "\n")
    _write(os.path.join(group, "tasks"), str(host.start_process("allocated")))


def processes(host: SimulatedHost) -> None:
    """Processes alive, forked, exited (a zombie), slow to exit or freeze, waiting to exec."""
    pid = host.start_process("dirty")
    host.fork(pid)
    host.end_process(host.start_process("zombie"))
    host.slow_to_exit(host.start_process("slow"))
    host.slow_to_freeze(3)
    host.system.spawn(ProcessSpec(args=("/bin/true",), namespaces=("pid", "net")))
    host.system.signal(host.start_process("killed"), signal.SIGTERM)


def hooks(host: SimulatedHost) -> None:
    """A hook installed and run, and one replaced by a failing one."""
    path = host.hook_program("dirty", HookProgram.exit(3))
    host.system.run_hook(path, (path,), (), b"{}", None)
    host.hook_program("ok", HookProgram.exit(1))


def netns(host: SimulatedHost) -> None:
    """A named network namespace with a link in it."""
    host.make_netns("dirty", "dummy0")


def faults(host: SimulatedHost) -> None:
    """Faults armed, one of them fired."""
    host.pin_dir("/run/pinned")
    fault = host.fail("mkdir", "/run/failing", errno.EIO)
    with pytest.raises(OSError):
        os.mkdir("/run/failing")
    assert host.fired(fault)
    host.fail("write", "/run/later", errno.ENOSPC, every=True)


def clock(host: SimulatedHost) -> None:
    """Virtual time gone by, and a write waiting for a later time."""
    host.system.sleep(7.5)
    host.write_after_sleep("/run/written-later", "late", 100.0)


def files(host: SimulatedHost) -> None:
    """Files, directories, links and a FIFO made, changed and renamed; a file left open; the
    umask and the working directory changed."""
    os.makedirs("/run/dirty/deep")
    _write("/run/dirty/file", "data")
    os.symlink("/run/dirty/file", "/tmp/link")
    os.rename("/run/dirty/deep", "/run/dirty/moved")
    os.chmod("/run", 0o700)
    host.system.mkfifo("/run/dirty/fifo", 0o600)
    open("/run/dirty/open", "w", encoding="ascii").write("x")  # noqa: SIM115 - left open
    os.umask(0o077)
    os.chdir("/tmp")


def container(host: SimulatedHost) -> None:
    """The reference runtime's container, with resctrl and every hook, started and paused."""
    profile = "seed" if host.cgroup_mode() == "v1" else "runc-1.2"  # the seed knows only v1
    factory = parse_subject("reference").new_factory(host.state_root, host.system, profile)
    hook = host.hook_program("start-ok", HookProgram.exit(0))
    cid = host.container_id("boxed")
    config = config_for(
        cid, l3_schema=host.l3_schema("f"), prestart=(hook,), poststart=(hook,), poststop=(hook,)
    )
    c = factory.create(cid, config)
    c.run(INIT)
    c.pause()


DIRT: dict[str, Dirt] = {
    dirt.__name__: dirt
    for dirt in (cgroups, resctrl, processes, hooks, netns, faults, clock, files, container)
}


def everything(host: SimulatedHost) -> None:
    for dirt in DIRT.values():
        dirt(host)


@pytest.fixture(autouse=True)
def _still_file_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyfakefs stamps files with the real time: hosts booted apart would differ by it."""
    monkeypatch.setattr(helpers, "now", lambda: 1_000_000.0)


def tree() -> dict[str, Any]:
    """What every path of the patched filesystem is: its mode, and a file's content (or why
    it cannot be read) or a link's target."""
    found: dict[str, Any] = {"/": os.lstat("/").st_mode}
    for top, dirs, names in os.walk("/"):
        for name in sorted(dirs + names):
            path = os.path.join(top, name)
            mode = os.lstat(path).st_mode
            found[path] = (mode, _content(path))
    return found


def _content(path: str) -> object:
    if os.path.islink(path):
        return os.readlink(path)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as err:
        return errno.errorcode.get(err.errno or 0, str(err))


def fresh(preset: str) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """A freshly booted host's description and tree."""
    with open_host("simulated", preset) as host:
        return describe(host), tree()


@pytest.fixture(scope="module")
def booted() -> dict[str, tuple[list[tuple[Any, ...]], dict[str, Any]]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(helpers, "now", lambda: 1_000_000.0)
        return {preset: fresh(preset) for preset in PRESETS}


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("dirt", [*DIRT.values(), everything], ids=[*DIRT, "everything"])
def test_a_reset_host_is_a_freshly_booted_one(preset: str, dirt: Dirt, booted: Any) -> None:
    description, files = booted[preset]
    with example_hosts("simulated", preset) as hosts:
        hosts.begin()
        host = hosts.host()
        assert describe(host) == description, "the reused host starts as booted"
        dirt(host)
        assert describe(host) != description, f"{dirt.__name__} left no trace to reset"
        hosts.end()
        hosts.begin()
        assert hosts.host() is host
        assert describe(host) == description
        assert tree() == files
        hosts.end()


def test_two_boots_describe_alike() -> None:
    """The comparison's own check: two fresh boots are alike, as the reset host must be."""
    assert fresh("v1-cat") == fresh("v1-cat")


def test_only_an_example_that_asks_for_the_host_resets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    restores: list[BootImage] = []
    restore = BootImage.restore
    counted = lambda image: (restores.append(image), restore(image))  # noqa: E731
    monkeypatch.setattr(BootImage, "restore", counted)
    with example_hosts("simulated", "v1-cat") as hosts:
        hosts.begin()
        hosts.host().start_process("left")
        hosts.end()
        hosts.begin()  # an example Hypothesis discards before its first rule
        hosts.end()
        assert not restores
        hosts.begin()
        host = hosts.host()
        assert hosts.host() is host and len(restores) == 1, "once per example"
        assert "left" not in _comms(host)
        hosts.end()


def test_a_host_that_holds_what_a_reset_cannot_restore_is_refused() -> None:
    with open_host("simulated", "v1-cat") as host:
        host.kernel.log.append(n for n in range(3))  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="generator"):
            boot_image(host)
