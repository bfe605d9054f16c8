"""The command line's teardown, checked at the kernel: delete of a container whose init left a
child behind, pause and resume as the freezer shows them, create that must fail and leave
nothing, and delete whose state dir cannot be removed (``[delete_faults.state-dir]`` of
harness/spec/cli.toml).

Where programs run (a real host) init is a shell that forks a ``sleep``; the simulated kernel
runs no programs, so there the host forks init itself.  Either way the child is a task of the
container's cgroups that is not its init, which is what the rules are about.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.hosts.facts import read_mounts
from harness.scenarios._support.command_line import cli_bring_to
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.command_line import left_by_create
from harness.scenarios._support.command_line import reach_status
from harness.scenarios._support.command_line import state_dir
from harness.scenarios._support.setting_up import setting_up
from harness.spec import cli_tables
from harness.subjects.command_line import CONTAINER_NAMESPACES
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import Namespace

#: init forks a child and exits: the child outlives it in the container's cgroups
OUTLIVES_INIT = ("/bin/sh", "-c", "/bin/sleep 600 & exit 0")
#: init forks a child and then sleeps itself: two tasks in the container's cgroups
BESIDE_INIT = ("/bin/sh", "-c", "/bin/sleep 600 & exec /bin/sleep 600")
#: no PID namespace of its own: nothing but destroy's kill-all ends a child that outlived init
NO_PID_NAMESPACE = tuple(ns for ns in CONTAINER_NAMESPACES if ns.type != "pid")


def _with_child(
    cli: CommandLine,
    host: Host,
    name: str,
    *,
    init_exits: bool,
    namespaces: tuple[Namespace, ...] = CONTAINER_NAMESPACES,
) -> tuple[str, int, int]:
    """A started container called ``name`` whose init forked a child, and then exits
    (``init_exits``) or sleeps beside it: (its id, its init's pid, the child's pid)."""
    args = OUTLIVES_INIT if init_exits else BESIDE_INIT
    cid = host.container_id(name)
    created = cli("create", "--bundle", cli.bundle(name, args, namespaces=namespaces), cid)
    setting_up(created.exit_code == 0, created.describe())
    init = cli.init_pid(cid)
    setting_up(init > 0, f"state shows no pid for {cid}")
    started = cli("start", cid)
    setting_up(started.exit_code == 0, started.describe())
    if not host.executes_programs:  # the model's init runs no program: act its fork out
        child = host.fork(init)
        if init_exits:
            host.end_process(init)
        return cid, init, child

    def others() -> list[int]:
        return [p for p in host.cgroup_pids(host.process_hierarchy(), f"/{cid}") if p != init]

    setting_up(eventually(host, lambda: bool(others())), f"{args} forked no child")
    return cid, init, others()[0]


# -- delete of a container without a PID namespace --------------------------------------------


@pytest.mark.requirement("CLI-DELETE-KILLS-FORKED-CHILD")
def test_delete_kills_a_child_that_outlived_init(cli: CommandLine, host: Host) -> None:
    cid, _, child = _with_child(cli, host, "orphan", init_exits=True, namespaces=NO_PID_NAMESPACE)
    reach_status(cli, host, cid, "stopped")
    setting_up(host.is_alive(child), f"init's child {child} did not outlive init")
    made = host.cgroup_dirs(f"/{cid}")
    setting_up(made, "the container has no cgroup")
    result = cli("delete", cid)
    assert result.exit_code == 0, result.describe()
    assert host.dies(child), f"delete left init's child {child} alive"
    assert host.cgroup_dirs(f"/{cid}") == [], f"delete left cgroups of {made}"
    assert not os.path.exists(state_dir(cli, host, cid)), "delete left the state dir"
    assert cli("state", cid).exit_code != 0, "state still answers after delete"


# -- pause and resume, as the kernel shows them -----------------------------------------------


def _tasks(host: Host, cid: str) -> list[int]:
    return host.cgroup_pids(host.process_hierarchy(), f"/{cid}")


@pytest.mark.requirement("CLI-PAUSE-FREEZES-CGROUP")
def test_pause_freezes_every_task_at_the_kernel(cli: CommandLine, host: Host) -> None:
    cid, init, child = _with_child(cli, host, "freeze", init_exits=False)
    tasks = _tasks(host, cid)
    setting_up({init, child} <= set(tasks), f"the cgroup holds {tasks}")
    setting_up(host.freezer_state(f"/{cid}") == "THAWED", "frozen before pause")
    result = cli("pause", cid)
    assert result.exit_code == 0, result.describe()
    # runc's Freeze returns once the kernel reports the group frozen: no waiting here
    assert host.freezer_state(f"/{cid}") == "FROZEN", (
        f"after pause the freezer reads {host.freezer_state(f'/{cid}')}"
    )
    thawed = [pid for pid in tasks if not host.is_frozen(pid)]
    assert thawed == [], f"after pause tasks {thawed} of {tasks} are not frozen"


@pytest.mark.requirement("CLI-RESUME-THAWS-CGROUP")
def test_resume_thaws_every_task_at_the_kernel(cli: CommandLine, host: Host) -> None:
    cid, init, child = _with_child(cli, host, "thaw", init_exits=False)
    tasks = _tasks(host, cid)
    setting_up({init, child} <= set(tasks), f"the cgroup holds {tasks}")
    paused = cli("pause", cid)
    setting_up(paused.exit_code == 0, paused.describe())
    # pause is judged by CLI-PAUSE-FREEZES-CGROUP; here it only has to have frozen the tasks by
    # the time resume runs (crun 1.8's returns before the kernel has frozen them all)
    setting_up(
        eventually(host, lambda: all(host.is_frozen(pid) for pid in tasks)),
        f"pause left tasks {[p for p in tasks if not host.is_frozen(p)]} of {tasks} unfrozen",
    )
    result = cli("resume", cid)
    assert result.exit_code == 0, result.describe()
    assert host.freezer_state(f"/{cid}") == "THAWED", (
        f"after resume the freezer reads {host.freezer_state(f'/{cid}')}"
    )
    # a thawed task leaves the refrigerator when it is next scheduled: a moment on a real host
    assert eventually(host, lambda: not any(host.is_frozen(pid) for pid in tasks)), (
        f"after resume tasks {[p for p in tasks if host.is_frozen(p)]} are still frozen"
    )
    dead = [pid for pid in tasks if not host.is_alive(pid)]
    assert dead == [], f"after resume tasks {dead} are gone"
    assert cli.status(cid) == "running", f"after resume state reports {cli.status(cid)}"


# -- create that must fail and leave nothing ----------------------------------------------------


def _bad_bundle(cli: CommandLine, host: Host, name: str, fault: str) -> str:
    """The bundle of ``name`` with ``fault``: "missing" (no directory), "not-json" (config.json
    cut short), "no-args" (process without args), "no-program" (args[0] a path not there in the
    container); everything else as a good bundle has it."""
    if fault == "missing":
        bundle = host.bundle_dir(name)
        setting_up(not os.path.exists(bundle), f"{bundle} exists")
        return bundle
    bundle = cli.bundle(name)
    path = os.path.join(bundle, "config.json")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if fault == "not-json":
        text = text[: len(text) // 2]
    else:
        config = json.loads(text)
        if fault == "no-program":
            config["process"]["args"] = [f"/rtgate-no-such-program/{name}"]
        else:
            del config["process"]["args"]
        text = json.dumps(config)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return bundle


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param("missing", marks=pytest.mark.requirement("CLI-CREATE-BUNDLE-MISSING")),
        pytest.param("not-json", marks=pytest.mark.requirement("CLI-CREATE-CONFIG-NOT-JSON")),
        pytest.param("no-args", marks=pytest.mark.requirement("CLI-CREATE-NO-PROCESS-ARGS")),
        pytest.param("no-program", marks=pytest.mark.requirement("CLI-CREATE-PROGRAM-NOT-FOUND")),
    ],
)
def test_create_with_a_bad_bundle_leaves_nothing(cli: CommandLine, host: Host, fault: str) -> None:
    cid = host.container_id(f"bad-{fault}")
    bundle = _bad_bundle(cli, host, f"bad-{fault}", fault)
    before = host.live_processes()
    result = cli("create", "--bundle", bundle, cid)
    assert result.exit_code != 0, f"{result.describe()}; create must fail"
    left = left_by_create(cli, host, cid, before)
    assert left == [], f"the failed create left: {left}"


@pytest.mark.requirement("CLI-DELETE-ABORTED-STATE-DIR")
def test_delete_removes_the_state_dir_an_aborted_create_left(cli: CommandLine, host: Host) -> None:
    cid = host.container_id("aborted")
    left = state_dir(cli, host, cid)
    # what a create that died before it wrote its state leaves: the dir, and something in it
    os.makedirs(left)
    with open(os.path.join(left, "partial"), "w", encoding="utf-8") as handle:
        handle.write("left by an aborted create\n")
    result = cli("delete", cid)
    assert result.exit_code != 0, f"{result.describe()}; the container does not exist"
    assert not os.path.exists(left), f"delete left the aborted create's state dir {left}"


# -- createRuntime hooks --------------------------------------------------------------------


@pytest.mark.requirement("CLI-CREATE-RUNS-CREATERUNTIME")
def test_create_runs_createruntime_hooks_in_order(cli: CommandLine, host: Host) -> None:
    first = host.hook_program("cr-1", HookProgram.exit(0))
    second = host.hook_program("cr-2", HookProgram.exit(0))
    hooks = {"createRuntime": [{"path": first, "args": [first, "one"]}, {"path": second}]}
    cid = host.container_id("crun-hooks")
    result = cli("create", "--bundle", cli.bundle("crun-hooks", hooks=hooks), cid)
    assert result.exit_code == 0, result.describe()
    runs = host.hook_runs(first) + host.hook_runs(second)
    assert len(runs) == 2, f"each createRuntime hook runs once during create: {len(runs)} runs"
    assert runs[0].seq < runs[1].seq, "createRuntime hooks run in order"
    assert runs[0].args[1:] == ("one",), f"the hook's args: {runs[0].args}"
    state = json.loads(runs[0].stdin)
    pid = (cli.state(cid) or {}).get("pid")
    assert state.get("id") == cid and state.get("pid") == pid, f"the hook read {state}"


# -- delete whose state dir cannot be removed -------------------------------------------------


def _mounted(path: str) -> bool:
    return any(m.mount_point == path for m in read_mounts())


@pytest.mark.requirement(*cli_tables.cli_delete_fault_variants("state-dir"))
def test_delete_with_a_state_dir_that_cannot_be_removed(
    cli: CommandLine, host: Host, profile: str, verify: Any
) -> None:
    wanted = cli_tables.cli_delete_fault("state-dir", profile)
    requirement = wanted.requirement
    post = host.hook_program("post-sdir", HookProgram.exit(0))
    cid = cli_bring_to(cli, host, "sdir", "stopped", hooks={"poststop": [{"path": post}]})
    cgroups = host.cgroup_dirs(f"/{cid}")
    # a mount inside the state dir: its rmdir fails with EBUSY, so RemoveAll of the dir fails
    pin = os.path.join(state_dir(cli, host, cid), host.container_id("pin"))
    os.mkdir(pin)
    host.pin_dir(pin)
    result = cli("delete", cid)
    assert os.path.isdir(pin), "the fault did not hold: the pinned directory is gone"
    zero = result.exit_code == 0
    answers = cli("state", cid).exit_code == 0
    runs = len(host.hook_runs(post))
    verify.each(
        (requirement, zero == (wanted.exit == "zero"),
         f"{result.describe()}; the profile wants exit {wanted.exit}"),
        (requirement, answers == (wanted.container == "kept"),
         f"after the failed delete `state` {'answers' if answers else 'errors'};"
         f" the container must be {wanted.container}"),
        (requirement, runs == (1 if wanted.poststop == "run" else 0),
         f"the poststop hook ran {runs} times; the profile wants it {wanted.poststop}"),
        (requirement, host.cgroup_dirs(f"/{cid}") == [],
         f"the cgroups come before the state dir, yet {host.cgroup_dirs(f'/{cid}')}"
         f" of {cgroups} are left"),
    )  # fmt: skip
    host.clear_faults()
    assert not _mounted(pin), f"the harness left its mount on {pin}"
