"""Start, Run and Exec: the exec FIFO, created versus running, and the start-time hooks."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import stat
from collections.abc import Callable
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.containers import CONFIG_VERSION
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import container_dirs
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import first_part_missing
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import install_hooks
from harness.scenarios._support.containers import layers_missing
from harness.scenarios._support.containers import mode_of
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.containers import raised
from harness.scenarios._support.containers import start_with_fault
from harness.scenarios._support.containers import state_name
from harness.scenarios._support.containers import umask
from harness.scenarios._support.skips import skip_for_host
from harness.spec import start_errors
from harness.spec import tables
from harness.subjects.api import Hook
from harness.subjects.api import Process
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-START-CREATED")
def test_start_of_stopped_container_creates_it(factory: Factory, host: Host) -> None:
    cid = host.container_id("s")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    assert state_name(c) == "created"
    assert str(c.status()) == "created"
    assert os.path.exists(os.path.join(host.state_root, cid, "exec.fifo"))
    assert host.is_alive(c.init_process.pid)
    assert c.init_process.pid in host.cgroup_pids(host.process_hierarchy(), f"/{cid}")


@pytest.mark.requirement("LC-EXEC-RUNS")
def test_exec_releases_init(factory: Factory, host: Host) -> None:
    cid = host.container_id("e")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    c.exec()
    assert str(c.status()) == "running"
    assert not os.path.exists(os.path.join(host.state_root, cid, "exec.fifo"))


@pytest.mark.requirement("LC-RUN")
def test_run_starts_and_releases(factory: Factory, host: Host) -> None:
    cid = host.container_id("r")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    assert str(c.status()) == "running"


@pytest.mark.requirement("LC-EXEC-FIFO-EXISTS")
def test_start_refuses_a_leftover_fifo(factory: Factory, host: Host, profile: str) -> None:
    cid = host.container_id("f")
    c = factory.create(cid, config_for(cid))
    path = os.path.join(host.state_root, cid, "exec.fifo")
    host.system.mkfifo(path, 0o622)
    with pytest.raises(Exception) as info:
        c.start(INIT)
    assert str(info.value) == tables.message("exec_fifo_exists", profile, path=path)
    assert host.cgroup_dirs(f"/{cid}") == []


@pytest.mark.requirement("LC-EXEC-FIFO-MODE")
def test_exec_fifo_mode(factory: Factory, host: Host, profile: str, verify: Any) -> None:
    rule = "LC-EXEC-FIFO-MODE"
    cid = host.container_id("fm")
    c = factory.create(cid, config_for(cid))
    mask = 0o077  # clears every bit of 0622 but the owner's
    with umask(mask):
        c.start(INIT)
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    want = tables.exec_fifo_mode(profile)
    kind = os.stat(fifo).st_mode
    verify(rule, stat.S_ISFIFO(kind), f"exec.fifo is not a named pipe: {kind:o}")
    mode = mode_of(fifo)
    got = f"exec.fifo has mode {mode:04o} under umask {mask:04o}"
    verify(rule, mode == want, f"{got}, not {want:04o}")


@pytest.mark.requirement("LC-EXEC-FIFO-MKFIFO-ERROR")
def test_exec_fifo_mkfifo_error(factory: Factory, host: Host, profile: str, verify: Any) -> None:
    rule = "LC-EXEC-FIFO-MKFIFO-ERROR"
    cid = host.container_id("fm")
    c = factory.create(cid, config_for(cid))
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    got = start_with_fault(host, c, "mknod", fifo, errno.ENOSPC)
    text = os.strerror(errno.ENOSPC).lower()
    want = tables.message("exec_fifo_mkfifo_failed", profile, path=fifo, errno=text)
    verify(rule, got == want, f"Start must fail with {want!r}: {got!r}")
    verify(rule, not os.path.exists(fifo), "no pipe may be left")
    verify(rule, c.init_process is None, f"no init may start: {c.init_process}")
    verify(rule, host.cgroup_dirs(f"/{cid}") == [], "no cgroup may be made")


@pytest.mark.requirement("LC-EXEC-FIFO-CHMOD-ERROR")
def test_exec_fifo_chmod_error(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-EXEC-FIFO-CHMOD-ERROR"
    cid = host.container_id("fc")
    c = factory.create(cid, config_for(cid))
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    got = start_with_fault(host, c, "chmod", fifo, errno.EPERM)
    want = path_error("chmod", fifo, errno.EPERM)
    verify(rule, got == want, f"Start must fail with {want!r}: {got!r}")
    verify(rule, not os.path.exists(fifo), "the pipe must be removed")
    verify(rule, c.init_process is None, f"no init may start: {c.init_process}")
    verify(rule, host.cgroup_dirs(f"/{cid}") == [], "no cgroup may be made")


@pytest.mark.requirement("LC-EXEC-ON-EMPTY-FIFO")
def test_exec_with_nothing_in_the_fifo(factory: Factory, host: Host) -> None:
    cid = host.container_id("ef")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    # Init never got to write its byte: opening the FIFO reads nothing.  Once init waits on
    # the FIFO it has (a real one could still be starting and find the new one)
    host.await_fifo_open(c.init_process.pid)
    path = os.path.join(host.state_root, cid, "exec.fifo")
    os.remove(path)
    host.system.mkfifo(path, 0o622)
    host.close_fifo_unwritten(path)
    with pytest.raises(Exception) as info:
        c.exec()
    assert str(info.value) == tables.message("already_running")


@pytest.mark.requirement("LC-START-EXEC-SETS-RUNNING")
def test_extra_process_in_created_container_sets_running(factory: Factory, host: Host) -> None:
    cid = host.container_id("x")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    c.start(Process(args=("/bin/sh",), init=False))
    assert state_name(c) == "running"
    # The fifo is still there, so a refresh wants "created": running -> created is invalid.
    with pytest.raises(Exception) as info:
        c.status()
    assert str(info.value) == tables.transition_error("running", "created")


@pytest.mark.requirement("LC-START-EXEC-KEEPS-STATE")
def test_extra_process_in_created_container_leaves_it_created(
    factory: Factory, host: Host, verify: Any
) -> None:
    # v1.2.0 container_linux.go:304-371: only init's start changes the state
    rule = "LC-START-EXEC-KEEPS-STATE"
    cid = host.container_id("xk")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    c.start(Process(args=("/bin/sh",), init=False))
    verify(rule, state_name(c) == "created", f"the state became {state_name(c)}")
    try:
        status = str(c.status())
    except Exception as err:  # noqa: BLE001 - a refresh that fails is the violation
        status = f"an error: {err}"
    verify(rule, status == "created", f"Status after the extra start is {status}")
    released = error_of(c.exec)
    verify(rule, released == "no error", f"Exec after the extra start failed: {released}")
    verify(rule, str(c.status()) == "running", f"Exec left it {c.status()}")


@pytest.mark.requirement("LC-HOOK-POSTSTART-AT-CREATE")
def test_poststart_hooks_run_when_init_starts(factory: Factory, host: Host) -> None:
    cid = host.container_id("ps")
    hooks = install_hooks(host, ps=HookProgram.exit(0))
    c = factory.create(cid, config_for(cid, poststart=(hooks["ps"],)))
    c.start(INIT)
    assert state_name(c) == "created"
    assert len(host.hook_runs(hooks["ps"])) == 1


@pytest.mark.requirement("LC-HOOK-PRESTART-FAILS-START")
def test_failing_prestart_hook_fails_start_and_kills_init(
    factory: Factory, host: Host, profile: str
) -> None:
    cid = host.container_id("pf")
    hooks = install_hooks(host, pre=HookProgram.exit(2))
    c = factory.create(cid, config_for(cid, prestart=(hooks["pre"],)))
    with pytest.raises(Exception) as info:
        c.start(INIT)
    assert tables.hook_failed(2, "", "", profile) in str(info.value)
    assert str(c.status()) == "stopped"
    assert not os.path.exists(os.path.join(host.state_root, cid, "exec.fifo"))
    left = host.live_children()
    assert left == set(), f"a failed start must not leave init running: pids {sorted(left)} live"
    assert container_dirs(host, c)["state-dir"] is True


def _failing_prestart(factory: Factory, host: Host) -> tuple[Callable[[str], Any], str | None]:
    """Create, by id, containers whose prestart hook fails (with an L3 schema where the host
    has RDT, so there is a resctrl group to clean up too); and that schema."""
    hooks = install_hooks(host, pre=HookProgram.exit(2))
    schema = host.l3_schema("f") if host.rdt_unavailable() is None else None

    def failing(cid: str) -> Any:
        return factory.create(cid, config_for(cid, prestart=(hooks["pre"],), l3_schema=schema))

    return failing, schema


@pytest.mark.requirement("LC-START-FAILED-GROUPS")
def test_failed_start_and_the_containers_groups(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-START-FAILED-GROUPS"
    removed = tables.failed_start_removes_groups(profile)
    failing, schema = _failing_prestart(factory, host)
    c = failing(host.container_id("fg"))
    assert raised(lambda: c.start(INIT)) is not None, "the failing prestart hook must fail Start"
    dirs = container_dirs(host, c)
    what = "removed" if removed else "kept"
    verify(rule, dirs["cgroup"] is not removed, f"the cgroups must be {what}: {dirs}")
    if schema is not None:
        verify(rule, dirs["rdt"] is not removed, f"the resctrl group must be {what}: {dirs}")


@pytest.mark.requirement("LC-START-FAILED-CLEANUP-ERRORS")
def test_failed_start_whose_cleanup_fails_too(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-START-FAILED-CLEANUP-ERRORS"
    removed = tables.failed_start_removes_groups(profile)
    failing, schema = _failing_prestart(factory, host)
    plain = host.container_id("cf")
    want = error_of(lambda: failing(plain).start(INIT))
    assert want != "no error", "the failing prestart hook must fail Start"
    cid = host.container_id("cg")
    c = failing(cid)
    # init's SIGKILL refused: it lives on, so its cgroups cannot be removed either
    kill = inject(host, "kill", "/proc/*", errno.EPERM)
    rdt = inject(host, "rmdir", host.resctrl_group(cid), errno.EBUSY, every=True)
    got = error_of(lambda: c.start(INIT))
    host.clear_faults()
    assert host.fired(kill), "init's terminate never signalled it"
    verify(rule, got == want.replace(plain, cid), f"Start must fail as without them: {got!r}")
    dirs = container_dirs(host, c)
    verify(rule, dirs["cgroup"], f"the cgroups init still holds must stay: {dirs}")
    if schema is not None:
        tried = host.fired(rdt)
        verify(rule, tried is removed, f"the resctrl group's removal tried: {tried}, {removed}")
        verify(rule, dirs["rdt"], f"the resctrl group whose rmdir failed must stay: {dirs}")


@pytest.mark.requirement("LC-START-STEP-ERROR-CONTEXT")
@pytest.mark.parametrize("step", ["cgroup_apply", "rdt_apply", "rdt_set"])
def test_a_failed_start_step_is_named_in_its_layers(
    factory: Factory, host: Host, profile: str, step: str, verify: Any
) -> None:
    rule = "LC-START-STEP-ERROR-CONTEXT"
    cid = host.container_id(f"se-{step.replace('_', '-')}")
    rdt = step.startswith("rdt")
    if rdt and host.rdt_unavailable() is not None:
        skip_for_host("a resctrl group to fail", str(host.rdt_unavailable()))
    schema = host.l3_schema("f") if rdt else None
    c = factory.create(cid, config_for(cid, l3_schema=schema))
    hierarchy = "unified" if host.cgroup_mode() == "v2" else "*"  # the first group joined
    files = {
        "cgroup_apply": os.path.join(host.cgroup_dir(hierarchy, f"/{cid}"), "cgroup.procs"),
        "rdt_apply": os.path.join(host.resctrl_group(cid), "tasks"),
        "rdt_set": os.path.join(host.resctrl_group(cid), "schemata"),
    }
    got = start_with_fault(host, c, "write", files[step], errno.EACCES)
    layers = start_errors.start_step_error_layers(step, profile)
    denied = os.strerror(errno.EACCES).lower()
    missing = layers_missing(got, layers, profile)
    verify(rule, missing is None, f"{missing!r} is missing, or out of order: {got!r}")
    verify(rule, denied in got.lower(), f"the error must end in the write's {denied!r}: {got!r}")


@pytest.mark.requirement("LC-HOOK-POSTSTART-FAILS-START")
def test_failing_poststart_hook_kills_init(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-HOOK-POSTSTART-FAILS-START"
    cid = host.container_id("psf")
    hooks = install_hooks(host, bad=HookProgram.exit(3))
    c = factory.create(cid, config_for(cid, poststart=(hooks["bad"],)))
    before = host.live_children()
    try:
        c.start(INIT)
        got = "no error"
    except Exception as err:  # noqa: BLE001 - that it fails is checked
        got = str(err)
    verify(rule, got != "no error", "start must fail when a poststart hook fails")
    verify(rule, len(host.hook_runs(hooks["bad"])) == 1, "the poststart hook must have run")
    pid = c.init_process.pid if c.init_process is not None else None
    verify(rule, pid is None or host.dies(pid), f"init {pid} must be terminated after the hook")
    left = host.live_children() - before
    verify(rule, left == set(), f"a failed poststart must leave no process: pids {sorted(left)}")
    verify(rule, str(c.status()) == "stopped", f"status after a failed poststart: {c.status()}")


@pytest.mark.requirement("LC-HOOK-START-ERROR-NAMES-HOOK")
@pytest.mark.parametrize("kind", ["prestart", "poststart"])
def test_failing_start_hook_error_names_the_hook(
    factory: Factory, host: Host, profile: str, kind: str
) -> None:
    cid = host.container_id(f"hn-{kind}")
    hooks = install_hooks(host, ok=HookProgram.exit(0), bad=HookProgram.exit(4, stderr="no"))
    c = factory.create(cid, config_for(cid, **{kind: (hooks["ok"], hooks["bad"])}))
    with pytest.raises(Exception) as info:
        c.start(INIT)
    hook_error = tables.hook_failed(4, "", "no", profile)
    text = str(info.value)
    parts = start_errors.start_hook_error_parts(kind, 1, hook_error, profile)
    missing = first_part_missing(text, parts)
    assert missing is None, (
        f"the error must name {kind} hook 1, with {missing!r} in order: {text!r}"
    )
    whole = start_errors.start_hook_error_text(kind, 1, hook_error, profile)
    assert whole is None or text == whole, f"the error must be {whole!r}: {text!r}"


@pytest.mark.requirement("LC-HOOK-START-ERROR-NAMES-HOOK")
def test_failing_prestart_hook_without_a_mount_namespace_names_the_hook(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    """Without a mount namespace the prestart hooks run in the sync loop's procReady branch
    (692f6e1 process_linux.go:330-354; v1.2.0 :694-735), named the same way as in procHooks."""
    rule = "LC-HOOK-START-ERROR-NAMES-HOOK"
    cid = host.container_id("hn-nomnt")
    hooks = install_hooks(host, ok=HookProgram.exit(0), bad=HookProgram.exit(4, stderr="no"))
    config = config_for(cid, prestart=(hooks["ok"], hooks["bad"]))
    c = factory.create(cid, dataclasses.replace(config, namespaces=("pid",)))
    text = error_of(lambda: c.start(INIT))
    hook_error = tables.hook_failed(4, "", "no", profile)
    parts = start_errors.start_hook_error_parts("prestart", 1, hook_error, profile)
    missing = first_part_missing(text, parts)
    verify(rule, missing is None, f"prestart hook 1 must be named, {missing!r} in order: {text!r}")
    runs = host.hook_runs(hooks["ok"])
    verify(rule, len(runs) == 1, f"the first prestart hook ran {len(runs)} times, not once")


@pytest.mark.requirement("LC-HOOK-CREATERUNTIME-UNKNOWN")
def test_the_seed_never_runs_create_runtime_hooks(
    factory: Factory, host: Host, verify: Any
) -> None:
    # 692f6e1 configs/config.go Hooks: prestart, poststart and poststop only, so Go's decoding
    # of the bundle drops createRuntime, and a failing one cannot fail the start
    rule = "LC-HOOK-CREATERUNTIME-UNKNOWN"
    cid = host.container_id("cru")
    hooks = install_hooks(host, pre=HookProgram.exit(0), bad=HookProgram.exit(3, stderr="x"))
    config = config_for(cid, prestart=(hooks["pre"],))
    unknown = (Hook(path=hooks["bad"], args=(hooks["bad"], cid)),)
    config = dataclasses.replace(
        config, hooks=dataclasses.replace(config.hooks, create_runtime=unknown)
    )
    c = factory.create(cid, config)
    got = error_of(lambda: c.start(INIT))
    verify(rule, got == "no error", f"a createRuntime hook failed the seed's start: {got!r}")
    ran = len(host.hook_runs(hooks["bad"]))
    verify(rule, ran == 0, f"the createRuntime hook ran {ran} time(s)")
    verify(rule, len(host.hook_runs(hooks["pre"])) == 1, "the prestart hook must run once")


@pytest.mark.requirement("LC-HOOK-CREATERUNTIME")
def test_create_runtime_hooks_run_after_prestart(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-HOOK-CREATERUNTIME"
    cid = host.container_id("crt")
    hooks = install_hooks(
        host, pre=HookProgram.exit(0), ok=HookProgram.exit(0), bad=HookProgram.exit(3, stderr="x")
    )
    config = config_for(cid, prestart=(hooks["pre"],))

    def hook(name: str) -> Hook:
        return Hook(path=hooks[name], args=(hooks[name], cid))

    create_runtime = (hook("ok"), hook("bad"))
    config = dataclasses.replace(
        config, hooks=dataclasses.replace(config.hooks, create_runtime=create_runtime)
    )
    c = factory.create(cid, config)
    got = error_of(lambda: c.start(INIT))
    runs = {name: host.hook_runs(hooks[name]) for name in ("pre", "ok", "bad")}
    counts = {name: len(r) for name, r in runs.items()}
    verify(rule, counts == {"pre": 1, "ok": 1, "bad": 1}, f"each hook runs once: {counts}")
    if all(counts.values()):
        order = [runs[name][0].seq for name in ("pre", "ok", "bad")]
        verify(rule, order == sorted(order), f"prestart, then the createRuntime hooks: {order}")
        state = json.loads(runs["ok"][0].stdin)
        status = tables.start_hook_status("createRuntime", profile)
        verify(
            rule, state.get("status") == status, f"a createRuntime hook reads {status!r}: {state}"
        )
    error = tables.hook_failed(3, "", "x", profile)
    want = start_errors.start_hook_error_text("createRuntime", 1, error, profile)
    verify(rule, got == want, f"Start must fail with {want!r}: {got!r}")


@pytest.mark.requirement("LC-HOOK-START-STATE")
@pytest.mark.parametrize("kind", ["prestart", "poststart"])
def test_start_hooks_read_init_pid_and_their_status(
    factory: Factory, host: Host, profile: str, kind: str, verify: Any
) -> None:
    cid = host.container_id(f"hst-{kind}")
    hooks = install_hooks(host, hook=HookProgram.exit(0))
    c = factory.create(cid, config_for(cid, **{kind: (hooks["hook"],)}))
    c.start(INIT)
    runs = host.hook_runs(hooks["hook"])
    verify("LC-HOOK-START-STATE", len(runs) == 1, f"the {kind} hook runs once: {len(runs)} runs")
    state = json.loads(runs[0].stdin)
    verify(
        "LC-HOOK-START-STATE",
        state.get("pid") == c.init_process.pid,
        f"a {kind} hook reads init's pid {c.init_process.pid}: {state}",
    )
    want = tables.start_hook_status(kind, profile)
    verify(
        "LC-HOOK-START-STATE",
        "status" in state and state["status"] == want,
        f"a {kind} hook reads status {want!r}: {state}",
    )
    version = tables.hook_oci_version(profile, CONFIG_VERSION)
    verify(
        "LC-HOOK-START-STATE",
        state.get("id") == cid
        and state.get("bundle") == f"/var/lib/rtgate/bundles/{cid}"
        and state.get("ociVersion") == version,
        f"a {kind} hook reads the id {cid!r}, its bundle and ociVersion {version!r}: {state}",
    )


@pytest.mark.requirement("LC-HOOK-NOT-STARTED")
@pytest.mark.parametrize("kind", ["prestart", "poststart"])
def test_hook_that_cannot_be_started_fails_its_phase(
    factory: Factory, host: Host, profile: str, kind: str, verify: Any
) -> None:
    cid = host.container_id(f"hns-{kind}")
    # a sibling of an installed program: where hooks live on this host, with nothing there
    installed = install_hooks(host, present=HookProgram.exit(0))["present"]
    missing = os.path.join(os.path.dirname(installed), f"not-installed-{kind}")
    c = factory.create(cid, config_for(cid, **{kind: (missing,)}))
    with pytest.raises(Exception) as info:
        c.start(INIT)
    text = str(info.value)
    not_started = tables.message("hook_not_started", profile, path=missing)
    parts = start_errors.start_hook_error_parts(kind, 0, not_started, profile)
    part = first_part_missing(text, parts)
    verify(
        "LC-HOOK-NOT-STARTED",
        part is None,
        f"the error must carry, in order, each part of {kind} hook 0's; {part!r} is not: {text!r}",
    )


@pytest.mark.requirement("LC-START-SECOND-INIT-REFUSED")
def test_second_init_is_refused(factory: Factory, host: Host, profile: str) -> None:
    cid = host.container_id("si")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    pid = c.init_process.pid
    before = host.live_children()
    with pytest.raises(Exception) as info:
        c.start(INIT)
    assert str(info.value) == tables.message("second_init", profile)
    assert host.live_children() == before, "a refused start must start nothing"
    assert c.init_process.pid == pid
    assert state_name(c) == "created"
