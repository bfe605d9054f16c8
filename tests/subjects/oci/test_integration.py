"""Real containers from generated bundles, on runc and crun, as root; nothing may be left."""

from __future__ import annotations

import json
import os

from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import Hook
from harness.subjects.oci import Hooks
from harness.subjects.oci import OciRuntime
from harness.subjects.oci import all_hook_runs

from .conftest import Lab
from .conftest import cgroup_dirs
from .conftest import is_gone
from .conftest import processes_in


def freezer_state(container_id: str) -> str | None:
    """The v1 freezer's state of the container's group, or None without a v1 freezer."""
    try:
        with open(f"/sys/fs/cgroup/freezer/{container_id}/freezer.state", encoding="utf-8") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def assert_nothing_left(lab: Lab, container_id: str, pid: int) -> None:
    __tracebackhide__ = True
    assert lab.reap(pid), f"container init {pid} still alive after delete"
    assert is_gone(pid)
    assert lab.runtime.list_ids() == []
    assert os.listdir(lab.runtime.root_dir) == []
    assert cgroup_dirs(lab.prefix) == []
    assert processes_in(lab.prefix) == []


def test_lifecycle_of_a_sleeping_container(lab: Lab) -> None:
    container_id, bundle = lab.container(ContainerConfig(args=("sleep", "600"), hostname="lab"))
    runtime = lab.runtime
    record = runtime.create(container_id, bundle.path)
    lab.skip_if_host_refused(record)
    assert record.ok, record.describe()

    created = lab.wait_for(container_id, "created")
    pid = created["pid"]
    assert created["id"] == container_id and pid > 0
    assert os.path.realpath(created["bundle"]) == os.path.realpath(bundle.path)
    assert cgroup_dirs(lab.prefix), "create made no cgroup named with the container id"

    assert runtime.start(container_id).ok, runtime.records[-1].describe()
    running = lab.wait_for(container_id, "running")
    assert running["pid"] == pid
    with open(f"/proc/{pid}/cgroup", encoding="utf-8") as f:
        assert f"/{container_id}" in f.read()
    assert processes_in(lab.prefix) == [pid]

    assert runtime.pause(container_id).ok, runtime.records[-1].describe()
    assert runtime.state(container_id)["status"] == "paused"
    assert freezer_state(container_id) in ("FROZEN", None)
    assert runtime.resume(container_id).ok, runtime.records[-1].describe()
    assert runtime.state(container_id)["status"] == "running"
    assert freezer_state(container_id) in ("THAWED", None)

    assert runtime.kill(container_id, "KILL").ok, runtime.records[-1].describe()
    lab.wait_for(container_id, "stopped")
    assert runtime.delete(container_id).ok, runtime.records[-1].describe()
    assert_nothing_left(lab, container_id, pid)

    commands = [record.argv[3] for record in runtime.records if record.argv[3] != "state"]
    assert commands == ["create", "start", "pause", "resume", "kill", "delete", "list"]
    assert all(record.argv[1:3] == ("--root", runtime.root_dir) for record in runtime.records)


def test_run_detached_then_delete_needs_force(lab: Lab) -> None:
    container_id, bundle = lab.container()
    pid = lab.bring_up(container_id, bundle, "run")

    refused = lab.runtime.delete(container_id)
    assert not refused.ok and not refused.timed_out
    assert refused.stderr_tail.strip(), "a refused delete says why"
    assert lab.runtime.state(container_id)["status"] == "running"

    assert lab.runtime.delete(container_id, force=True).ok, lab.runtime.records[-1].describe()
    assert_nothing_left(lab, container_id, pid)


def test_hooks_run_in_order_with_the_state_on_stdin(lab: Lab) -> None:
    container_id, bundle = lab.container()
    hook_dir = bundle.hook_dir
    phases = ("prestart", "createRuntime", "poststart", "poststop")
    hooks = Hooks(
        **{phase: (Hook(bundle.recording_hook(phase), args=(phase,)),) for phase in phases}
    )
    bundle.write_config(ContainerConfig(cgroups_path="/" + container_id, hooks=hooks))

    pid = lab.bring_up(container_id, bundle)
    assert lab.runtime.start(container_id).ok, lab.runtime.records[-1].describe()
    lab.wait_for(container_id, "running")
    assert lab.runtime.kill(container_id, "KILL").ok
    lab.wait_for(container_id, "stopped")
    assert lab.runtime.delete(container_id).ok, lab.runtime.records[-1].describe()

    runs = all_hook_runs(hook_dir)
    assert [run.name for run in runs] == list(phases)
    for run in runs:
        assert run.state is not None, f"{run.name} read no state JSON: {run.stdin!r}"
        assert run.state["id"] == container_id
        assert run.args[0].endswith("/" + run.name)
    assert runs[0].state["pid"] == pid  # type: ignore[index]
    assert_nothing_left(lab, container_id, pid)


def test_the_lab_undoes_a_paused_and_a_created_container(lab: Lab) -> None:
    paused_id, paused_bundle = lab.container()
    pid = lab.bring_up(paused_id, paused_bundle, "run")
    assert lab.runtime.pause(paused_id).ok
    created_id, created_bundle = lab.container()
    other = lab.bring_up(created_id, created_bundle)

    assert lab.close() == []
    assert is_gone(pid) and is_gone(other)
    assert cgroup_dirs(lab.prefix) == [] and processes_in(lab.prefix) == []
    assert not os.path.exists(lab.base)


def test_global_args_reach_the_runtime_on_every_command(lab: Lab) -> None:
    """``--runtime-arg=--log-format=json``: both runtimes then write their errors as JSON."""
    plain = lab.runtime.state_record(f"{lab.prefix}-none")
    assert not plain.ok and not plain.stderr_tail.lstrip().startswith("{"), plain.describe()
    lab.runtime = OciRuntime(
        lab.runtime.binary, lab.runtime.root_dir, global_args=("--log-format=json",)
    )
    container_id, bundle = lab.container(ContainerConfig(args=("sleep", "600")))
    pid = lab.bring_up(container_id, bundle)
    missing = lab.runtime.state_record(f"{lab.prefix}-none")
    error = json.loads(missing.stderr_tail.strip().splitlines()[-1])
    assert not missing.ok and error["level"] == "error", missing.describe()
    assert lab.runtime.delete(container_id, force=True).ok
    assert_nothing_left(lab, container_id, pid)
    assert {record.argv[1] for record in lab.runtime.records} == {"--log-format=json"}
