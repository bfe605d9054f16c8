"""The cgroup manager (v1) and the resctrl writer of the seed, as the kernel sees them."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from harness.hosts import SimulatedHost
from harness.scenarios._support import INIT
from harness.scenarios._support import config_for
from harness.scenarios._support import container_dirs
from harness.spec import tables
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.api import IntelRdtConfig


@pytest.mark.requirement("CG-APPLY-V1")
def test_init_is_placed_in_every_hierarchy(factory: Any, host: SimulatedHost) -> None:
    c = factory.create("cg", config_for("cg"))
    c.run(INIT)
    pid = c.init_process.pid
    dirs = host.cgroup_dirs("/cg")
    assert dirs, "no cgroup directory was made"
    for controller in host.kernel.topology.v1_controllers:
        assert pid in host.kernel.cgroup_pids(controller, "/cg"), (
            f"init is not in the {controller} cgroup"
        )


@pytest.mark.requirement("CG-FREEZE")
def test_pause_freezes_and_resume_thaws(factory: Any, host: SimulatedHost) -> None:
    c = factory.create("fz", config_for("fz"))
    c.run(INIT)
    pid = c.init_process.pid
    c.pause()
    assert host.freezer_state("/fz") == "FROZEN"
    assert host.kernel.process(pid).state == "frozen"
    c.resume()
    assert host.freezer_state("/fz") == "THAWED"
    assert host.kernel.process(pid).state == "running"


@pytest.mark.requirement("CG-JOINED-NOT-REMOVED")
def test_joined_cgroups_are_never_removed(factory: Any, host: SimulatedHost) -> None:
    os.makedirs("/sys/fs/cgroup/devices/shared")
    os.makedirs("/sys/fs/cgroup/freezer/shared")
    paths = {
        "devices": "/sys/fs/cgroup/devices/shared",
        "freezer": "/sys/fs/cgroup/freezer/shared",
    }
    config = Config(namespaces=(), cgroups=CgroupConfig(paths=paths))
    c = factory.create("j", config)
    c.run(INIT)
    assert c.init_process.pid in host.kernel.cgroup_pids("devices", "/shared")
    c.signal(signal.SIGKILL)
    c.destroy()
    assert os.path.isdir("/sys/fs/cgroup/devices/shared")
    assert os.path.isdir("/sys/fs/cgroup/freezer/shared")


@pytest.mark.requirement("CG-DESTROY-RETRIES")
def test_busy_cgroup_fails_after_retries(factory: Any, host: SimulatedHost, profile: str) -> None:
    c = factory.create("busy", config_for("busy"))
    c.run(INIT)
    outsider = host.kernel.spawn_process("outsider")
    host.kernel.move_to_cgroup(outsider, "memory", "/busy")
    c.signal(signal.SIGKILL)
    clock_before = host.system.monotonic()
    with pytest.raises(Exception) as info:
        c.destroy()
    text = str(info.value)
    inner = f"{tables.message('cgroup_remove')}map[memory:/sys/fs/cgroup/memory/busy]"
    assert text == tables.teardown_error("cgroup", inner, profile)
    rmdirs = [
        op for op in host.kernel.log if op.op == "rmdir" and op.path == "/sys/fs/cgroup/memory/busy"
    ]
    assert len(rmdirs) >= 5, "the seed tries five rounds before it gives up"
    assert host.system.monotonic() - clock_before >= 0.150 - 1e-9


@pytest.mark.requirement("RDT-APPLY", "RDT-SET-SCHEMA")
def test_resctrl_group_holds_init_and_schema(factory: Any, rdt: SimulatedHost) -> None:
    host = rdt
    c = factory.create("rg", config_for("rg", l3_schema=host.l3_schema("f0", "3")))
    c.run(INIT)
    pid = c.init_process.pid
    assert pid in host.resctrl_tasks("rg")
    assert pid not in host.resctrl_tasks("")
    with open(os.path.join(host.resctrl_group("rg"), "schemata"), encoding="ascii") as f:
        lines = {line.split(":")[0].strip(): line.split(":")[1] for line in f.read().split()}
    domains = dict(part.split("=") for part in lines["L3"].split(";"))
    wanted = {str(d): (0xF0, 0x3)[i % 2] for i, d in enumerate(host.l3_domains())}
    assert {k: int(v, 16) for k, v in domains.items()} == wanted


@pytest.mark.requirement("RDT-DESTROY-RETURNS-TASKS")
def test_removed_group_gives_tasks_back_to_default(factory: Any, rdt: SimulatedHost) -> None:
    host = rdt
    c = factory.create("rb", config_for("rb", pid_namespace=True, l3_schema=host.l3_schema("f")))
    c.run(INIT)
    # A task of the harness joins the container's resctrl group (not its cgroup) from outside.
    outsider = host.kernel.spawn_process("outsider")
    with open(os.path.join(host.resctrl_group("rb"), "tasks"), "w") as f:
        f.write(str(outsider))
    c.signal(signal.SIGKILL)
    c.destroy()
    assert not os.path.isdir(host.resctrl_group("rb")), "destroy removes the resctrl group"
    assert host.is_alive(outsider), "the outsider is not the container's to kill"
    assert outsider in host.resctrl_tasks(""), "its tasks go back to the default group"


@pytest.mark.requirement("RDT-INVALID-SCHEMA")
def test_kernel_refuses_invalid_schema(factory: Any, rdt: SimulatedHost) -> None:
    # 0b101: a gap in the 1-bits, inside every cbm_mask of three bits or more
    c = factory.create("bad", config_for("bad", l3_schema=rdt.l3_schema("5")))
    with pytest.raises(Exception) as info:
        c.run(INIT)
    assert "invalid argument" in str(info.value)
    with open("/sys/fs/resctrl/info/last_cmd_status", encoding="ascii") as f:
        status = f.read()
    eras = ("resctrl_noncontiguous", "resctrl_noncontiguous_4x")
    known = {tables.message(key, mask="5") + "\n" for key in eras}
    assert status in known, f"info/last_cmd_status should say why: {status!r}"


@pytest.mark.requirement("RDT-NOT-ENABLED")
def test_intel_rdt_without_resctrl_is_refused(subject: Any, rtgate_options: Any) -> None:
    from harness.hosts import simulated_host

    with simulated_host("no-rdt") as host:
        factory = subject.new_factory(host.state_root, host.system, rtgate_options.profile)
        with pytest.raises(Exception) as info:
            factory.create("nr", config_for("nr", l3_schema="L3:0=f"))
        assert str(info.value) == tables.message("rdt_not_enabled")
        assert not os.path.exists(os.path.join(host.state_root, "nr"))


@pytest.mark.requirement("RDT-EMPTY-SCHEMA-REFUSED")
def test_intel_rdt_with_empty_schema_is_refused(factory: Any, rdt: SimulatedHost) -> None:
    # on a host without RDT the validator refuses for that reason first (RDT-NOT-ENABLED)
    config = Config(cgroups=CgroupConfig(path="/es"), intel_rdt=IntelRdtConfig(""))
    with pytest.raises(Exception) as info:
        factory.create("es", config)
    assert str(info.value) == tables.message("rdt_schema_empty")


@pytest.mark.requirement("RDT-UNTOUCHED-WITHOUT-CONFIG")
def test_no_resctrl_operation_without_intel_rdt(factory: Any, host: SimulatedHost) -> None:
    c = factory.create("nordt", config_for("nordt"))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    c.destroy()
    touched = [
        op for op in host.kernel.log if op.path.startswith("/sys/fs/resctrl/") and op.op != "read"
    ]
    assert touched == [], f"resctrl was touched without intelRdt in the config: {touched}"
    assert container_dirs(host, c)["rdt"] is False
