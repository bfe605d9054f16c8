"""The resctrl writer: groups, schemata, closID, monitoring and errors, as the kernel sees them.

Rules that need a particular machine (MBA, monitoring, few CLOSIDs, resctrl unmounted) get it
from the ``on_host`` fixture (booted when simulated; this machine, if it is one, when real); the
rest run on the run's own host, with the schema it takes (the ``rdt_schema`` fixture).  Texts
come from ``harness/spec/resources.toml``.
"""

from __future__ import annotations

import errno
import os
import re
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import mode_of
from harness.scenarios._support.containers import state_file
from harness.scenarios._support.containers import umask
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import resctrl_unmounted
from harness.scenarios._support.machines import resctrl_with
from harness.scenarios._support.rdt_schema import SchemaForm
from harness.scenarios._support.resctrl import RESCTRL
from harness.scenarios._support.resctrl import create_with_rdt
from harness.scenarios._support.resctrl import last_cmd_status
from harness.scenarios._support.resctrl import mb_schema
from harness.scenarios._support.resctrl import rdt_config
from harness.scenarios._support.resctrl import schemata
from harness.scenarios._support.resctrl import schemata_writes
from harness.spec import tables
from harness.subjects.base import Container
from harness.subjects.base import Factory


def _kill_and_destroy(c: Container) -> None:
    c.signal(signal.SIGKILL)
    c.destroy()


# -- runtime-spec 1.0 intelRdt ----------------------------------------------------------------
@pytest.mark.requirement("RDT-NOT-MOUNTED")
def test_intel_rdt_without_mount_is_an_error(on_host: OnHost) -> None:
    with on_host("rdt-unmounted", resctrl_unmounted) as (host, factory):
        with pytest.raises(Exception) as info:
            create_with_rdt(factory, host, "um", l3_cache_schema="L3:0=f;1=f")
        assert str(info.value) == tables.resource_message("rdt_not_enabled")
        assert not os.path.exists(os.path.join(host.state_root, host.container_id("um")))


@pytest.mark.requirement("RDT-EMPTY-IGNORED-WITHOUT-RESCTRL")
def test_empty_intel_rdt_without_resctrl_is_ignored(on_host: OnHost, verify: Any) -> None:
    rule = "RDT-EMPTY-IGNORED-WITHOUT-RESCTRL"
    with on_host("rdt-unmounted", resctrl_unmounted) as (host, factory):
        cid = host.container_id("ei")
        c = create_with_rdt(factory, host, "ei")  # neither a schema nor a closID
        got = error_of(lambda: c.run(INIT))
        verify(rule, got == "no error", f"Run must succeed: {got!r}")
        shown = state_file(host, cid).get("intel_rdt_path")
        verify(rule, shown == "", f"no resctrl writer may be made: intel_rdt_path {shown!r}")
        ours = (os.path.join(host.state_root, cid), "/sys/fs/cgroup/")  # state dir, cgroups
        made = [
            op.path
            for op in host.operations()
            if op.op == "mkdir" and cid in op.path and not op.path.startswith(ours)
        ]
        verify(rule, made == [], f"no directory but the state dir and cgroups: made {made}")


@pytest.mark.requirement("RDT-SCHEMATA-ONLY-WHEN-GIVEN")
@pytest.mark.usefixtures("rdt_group")  # a host where the profile's runtime makes groups
def test_no_schemata_write_without_a_schema(factory: Factory, host: Host) -> None:
    os.mkdir(os.path.join(RESCTRL, host.container_id("pre")))
    before = schemata(host.container_id("pre"))
    c = create_with_rdt(factory, host, "ns", clos_id=host.container_id("pre"))
    c.run(INIT)
    assert c.init_process.pid in host.resctrl_tasks(host.container_id("pre"))
    writes = [op for op in host.operations() if op.op == "write" and op.path.endswith("/schemata")]
    assert writes == [], f"no schema was given, yet schemata was written: {writes}"
    assert schemata(host.container_id("pre")) == before


@pytest.mark.requirement("RDT-GROUP-MODE")
def test_the_group_is_made_0755(
    factory: Factory, host: Host, rdt_group: dict[str, str], verify: Any
) -> None:
    mask = 0o002  # leaves 0755 as it is, and tells it from 0777 and from 0756
    c = create_with_rdt(factory, host, "gm", **rdt_group)
    with umask(mask):
        c.run(INIT)
    group = host.resctrl_group(c.id)
    mode = mode_of(group)
    want = tables.directory_mode("resctrl") & ~mask
    verify("RDT-GROUP-MODE", mode == want, f"{group} has mode {mode:04o} under umask {mask:04o}")


# -- schemata ---------------------------------------------------------------------------------
@pytest.mark.requirement("RDT-SET-COMBINED")
def test_l3_and_mb_written_as_one_value(on_host: OnHost) -> None:
    with on_host("xeon-2s-cat-mba", resctrl_with("L3", "MB")) as (host, factory):
        l3, mb = host.l3_schema("f0", "3f"), mb_schema(host, 50)
        c = factory.create("both", rdt_config("both", l3_cache_schema=l3, mem_bw_schema=mb))
        c.run(INIT)
        assert schemata_writes(host, "both") == [f"{l3}\n{mb}\n".encode()], (
            "one write holding the L3 line, then the MB line, each ended by a newline"
        )
        shown = schemata("both")
        assert {d: int(v) for d, v in shown["MB"].items()} == dict.fromkeys(host.l3_domains(), 50)
        assert {d: int(v, 16) for d, v in shown["L3"].items()} == {
            d: (0xF0, 0x3F)[i % 2] for i, d in enumerate(host.l3_domains())
        }


@pytest.mark.requirement("RDT-SEED-L3-ONLY")
def test_the_seed_knows_only_the_l3_schema(on_host: OnHost, verify: Any) -> None:
    # 692f6e1 configs/intelrdt.go: IntelRdt holds L3CacheSchema alone, so Go's decoding drops
    # a bundle's memBwSchema and closID: the container's own group, the L3 line alone
    rule = "RDT-SEED-L3-ONLY"
    with on_host("xeon-2s-cat-mba", resctrl_with("L3", "MB")) as (host, factory):
        cid, shared = host.container_id("l3o"), host.container_id("l3o-shared")
        l3, mb = host.l3_schema("f0", "3f"), mb_schema(host, 50)
        config = rdt_config(cid, l3_cache_schema=l3, mem_bw_schema=mb, clos_id=shared)
        c = factory.create(cid, config)
        got = error_of(lambda: c.run(INIT))
        verify(rule, got == "no error", f"the start failed: {got!r}")
        writes = schemata_writes(host, cid)
        verify(rule, any(l3.encode() in w for w in writes), f"no L3 line written: {writes}")
        verify(rule, all(b"MB:" not in w for w in writes), f"an MB line was written: {writes}")
        made = os.path.exists(os.path.join(RESCTRL, shared))
        verify(rule, not made, f"the closID's group {shared} was made")
        pid = c.init_process.pid if c.init_process is not None else None
        verify(rule, pid in host.resctrl_tasks(cid), f"init {pid} is not in its own group")


@pytest.mark.requirement("RDT-SET-MBA")
def test_mb_schema_alone(on_host: OnHost) -> None:
    with on_host("xeon-2s-cat-mba", resctrl_with("L3", "MB")) as (host, factory):
        c = create_with_rdt(factory, host, "mba", mem_bw_schema=mb_schema(host, 30))
        c.run(INIT)
        assert c.init_process.pid in host.resctrl_tasks(host.container_id("mba"))
        shown = schemata(host.container_id("mba"))
        assert {d: int(v) for d, v in shown["MB"].items()} == dict.fromkeys(host.l3_domains(), 30)


@pytest.mark.parametrize("machine", ["v1-cat", "mba-disabled"])  # no MBA; MBA off (rdt=!mba)
@pytest.mark.requirement("RDT-MBA-NOT-ENABLED")
def test_mb_schema_without_mba_is_refused(on_host: OnHost, machine: str) -> None:
    with on_host(machine, resctrl_with("L3", absent=("MB",))) as (host, factory):
        with pytest.raises(Exception) as info:
            create_with_rdt(factory, host, "nomb", mem_bw_schema="MB:0=50;1=50")
        assert str(info.value) == tables.resource_message("rdt_mba_not_enabled")
        assert not os.path.exists(os.path.join(host.state_root, host.container_id("nomb")))
        assert not os.path.exists(os.path.join(RESCTRL, host.container_id("nomb")))


@pytest.mark.requirement("RDT-CAT-NOT-ENABLED")
def test_l3_schema_without_info_l3_is_refused(on_host: OnHost) -> None:
    with on_host("cdp-with-mba", resctrl_with("L3CODE", "MB", absent=("L3",))) as (host, factory):
        with pytest.raises(Exception) as info:
            create_with_rdt(factory, host, "nol3", l3_cache_schema="L3:0=f;1=f")
        assert str(info.value) == tables.resource_message("rdt_cat_not_enabled")
        assert not os.path.exists(os.path.join(host.state_root, host.container_id("nol3")))


# -- closID -----------------------------------------------------------------------------------
@pytest.mark.requirement("RDT-CLOSID-GROUP")
def test_closid_names_the_group(factory: Factory, host: Host, rdt_group: dict[str, str]) -> None:
    shared = host.container_id("shared")
    if not rdt_group:  # no schema on this host: a closID then names a group made beforehand
        os.mkdir(os.path.join(RESCTRL, shared))
    first = create_with_rdt(factory, host, "c1", clos_id=shared, **rdt_group)
    second = create_with_rdt(factory, host, "c2", clos_id=shared, **rdt_group)
    first.run(INIT)
    second.run(INIT)
    tasks = host.resctrl_tasks(shared)
    assert first.init_process.pid in tasks and second.init_process.pid in tasks
    for cid in (host.container_id("c1"), host.container_id("c2")):
        assert not os.path.exists(os.path.join(RESCTRL, cid)), "no group named by the id"


@pytest.mark.requirement("RDT-CLOSID-PRECREATED")
@pytest.mark.usefixtures("rdt_group")  # a host where the profile's runtime makes groups
def test_missing_closid_group_without_schema_is_an_error(factory: Factory, host: Host) -> None:
    c = create_with_rdt(factory, host, "pc", clos_id=host.container_id("absent"))
    with pytest.raises(Exception) as info:
        c.run(INIT)
    assert tables.resource_message("rdt_clos_dir_missing") in str(info.value)
    assert not os.path.exists(os.path.join(RESCTRL, host.container_id("absent"))), (
        "the group must not be made"
    )
    assert not os.path.exists(os.path.join(RESCTRL, host.container_id("pc")))


@pytest.mark.requirement("RDT-CLOSID-NOT-REMOVED")
def test_closid_group_outlives_the_container(
    factory: Factory, host: Host, rdt_group: dict[str, str]
) -> None:
    kept = host.container_id("kept")
    if not rdt_group:  # no schema on this host: a closID then names a group made beforehand
        os.mkdir(os.path.join(RESCTRL, kept))
    c = create_with_rdt(factory, host, "keep", clos_id=kept, **rdt_group)
    c.run(INIT)
    pid = c.init_process.pid
    _kill_and_destroy(c)
    assert os.path.isdir(os.path.join(RESCTRL, kept)), "a closID group is never removed"
    assert pid not in host.resctrl_tasks(kept)


@pytest.mark.parametrize("clos_id", [".", "..", "a/b"])
@pytest.mark.requirement("RDT-CLOSID-INVALID")
def test_invalid_closid_is_refused(
    factory: Factory, host: Host, rdt_group: dict[str, str], clos_id: str
) -> None:
    with pytest.raises(Exception) as info:
        create_with_rdt(factory, host, "bad", clos_id=clos_id, **rdt_group)
    assert str(info.value) == tables.resource_message("rdt_closid_invalid", clos_id=clos_id)
    assert not os.path.exists(os.path.join(host.state_root, host.container_id("bad")))


# -- monitoring -------------------------------------------------------------------------------
@pytest.mark.parametrize("clos_id", ["", "mon-shared"])
@pytest.mark.requirement("RDT-MONITORING")
def test_monitoring_group_made_and_removed(on_host: OnHost, clos_id: str) -> None:
    with on_host("xeon-2s-cat-mba", resctrl_with("L3", "MB", "L3_MON")) as (host, factory):
        clos_id = host.container_id(clos_id) if clos_id else ""
        config = rdt_config(
            host.container_id("mon"),
            l3_cache_schema=host.l3_schema("f"),
            clos_id=clos_id,
            enable_monitoring=True,
        )
        c = factory.create(host.container_id("mon"), config)
        c.run(INIT)
        group = clos_id or host.container_id("mon")
        mon = os.path.join(RESCTRL, group, "mon_groups", host.container_id("mon"))
        assert os.path.isdir(mon), "mon_groups/<container id> is made at apply"
        assert c.init_process.pid in host.resctrl_tasks(f"{group}/mon_groups/mon")
        _kill_and_destroy(c)
        assert not os.path.exists(mon), "the monitoring group is removed at destroy"
        assert os.path.isdir(os.path.join(RESCTRL, group)) == bool(clos_id)


# -- what the kernel refuses ------------------------------------------------------------------
@pytest.mark.requirement("RDT-ERROR-LAST-CMD")
def test_refused_schema_error_carries_last_cmd_status(
    factory: Factory, host: Host, rdt_schema: SchemaForm
) -> None:
    c = create_with_rdt(factory, host, "lc", **{rdt_schema.field: rdt_schema.invalid()})
    with pytest.raises(Exception) as info:
        c.run(INIT)
    # read into the error at once: runc 1.2 then removes the group, and that rmdir resets
    # info/last_cmd_status to "ok"
    suffixes = [
        tables.resource_message("rdt_last_cmd", status=status) for status in rdt_schema.refusals()
    ]
    assert any(s in str(info.value) for s in suffixes), (
        f"the error should carry one of {suffixes}: {info.value}"
    )


@pytest.mark.requirement("RDT-ERROR-LAST-CMD-UNREADABLE")
def test_refused_schema_error_when_the_status_cannot_be_read(
    factory: Factory, host: Host, rdt_schema: SchemaForm, verify: Any
) -> None:
    # v1.2.0 intelrdt.go:675-681 newLastCmdError: no status read, the error as it is
    rule = "RDT-ERROR-LAST-CMD-UNREADABLE"
    c = create_with_rdt(factory, host, "lu", **{rdt_schema.field: rdt_schema.invalid()})
    status = os.path.join(RESCTRL, "info", "last_cmd_status")
    fault = inject(host, "open", status, errno.EIO, every=True)
    got = error_of(lambda: c.run(INIT))
    host.clear_faults()
    assert host.fired(fault), "no error read info/last_cmd_status"
    written = os.path.join(RESCTRL, host.container_id("lu"), "schemata")
    refused = f"write {written}: {os.strerror(errno.EINVAL).lower()}"
    verify(rule, refused in got, f"the run must fail on the schema write {refused!r}: {got!r}")
    verify(rule, "last_cmd_status" not in got, f"no status could be read, yet: {got!r}")


@pytest.mark.requirement("RDT-INVALID-SCHEMA-NO-GROUP")
def test_refused_schema_leaves_no_group(
    factory: Factory, host: Host, rdt_schema: SchemaForm
) -> None:
    c = create_with_rdt(factory, host, "ng", **{rdt_schema.field: rdt_schema.invalid()})
    with pytest.raises(Exception) as info:
        c.run(INIT)
    assert "schemata" in str(info.value), f"the run should fail on the schema: {info.value}"
    c.destroy()
    assert not os.path.exists(os.path.join(RESCTRL, host.container_id("ng"))), (
        "the refused group is left behind"
    )


def _one_group_too_many(host: Host, factory: Factory) -> tuple[str, str]:
    """Use every free CLOSID of ``host``, then start one container more: the error of that
    start, and the path its group would have had."""
    free = host.num_closids() - 1  # CLOSID 0 is the default group
    for i in range(free):
        cid = host.container_id(f"g{i}")
        factory.create(cid, rdt_config(cid, l3_cache_schema=host.l3_schema("3"))).run(INIT)
    c = create_with_rdt(factory, host, "over", l3_cache_schema=host.l3_schema("3"))
    return error_of(lambda: c.run(INIT)), os.path.join(RESCTRL, host.container_id("over"))


@pytest.mark.requirement("RDT-APPLY-TASKS-ERROR")
def test_a_refused_tasks_write_fails_start_with_the_writers_text(
    factory: Factory, host: Host, rdt_group: dict[str, str], profile: str, verify: Any
) -> None:
    c = create_with_rdt(factory, host, "tw", **rdt_group)
    tasks = os.path.join(RESCTRL, host.container_id("tw"), "tasks")
    fault = inject(host, "write", tasks, errno.EIO)
    got = error_of(lambda: c.run(INIT))
    assert host.fired(fault), "the fault never fired"
    pid = re.search(r"(?:write|add pid) (\d+)", got)
    want = tables.tasks_write_error(
        profile,
        pid=pid.group(1) if pid else "<pid>",
        path=tasks,
        errno=os.strerror(errno.EIO).lower(),
        status=last_cmd_status(),
    )
    verify("RDT-APPLY-TASKS-ERROR", want in got, f"start must fail with {want!r}: {got!r}")


@pytest.mark.requirement("RDT-CLOSID-EXHAUSTED")
def test_out_of_closids_is_an_error_with_the_kernel_text(on_host: OnHost) -> None:
    with on_host("small-closids", resctrl_with("L3")) as (host, factory):
        got, group = _one_group_too_many(host, factory)
        texts = tables.resource_messages("resctrl_out_of_closids")
        assert any(text in got for text in texts), f"kernel text missing: {got}"
        assert not os.path.exists(group)


@pytest.mark.requirement("RDT-APPLY-MKDIR-ERROR")
def test_a_group_mkdir_the_kernel_refuses_fails_start(on_host: OnHost, verify: Any) -> None:
    rule = "RDT-APPLY-MKDIR-ERROR"
    with on_host("small-closids", resctrl_with("L3")) as (host, factory):
        got, group = _one_group_too_many(host, factory)
        want = f"mkdir {group}: {os.strerror(errno.ENOSPC).lower()}"
        verify(rule, want in got, f"start must fail with {want!r}: {got!r}")
        verify(rule, not os.path.exists(group), f"{group} is left after the failed start")


@pytest.mark.requirement("RDT-DESTROY-NOT-STARTED")
def test_destroy_of_a_container_never_started(
    factory: Factory, host: Host, rdt_group: dict[str, str], profile: str, verify: Any
) -> None:
    rule = "RDT-DESTROY-NOT-STARTED"
    c = create_with_rdt(factory, host, "ns", **rdt_group)
    group = host.resctrl_group(host.container_id("ns"))
    os.mkdir(group)  # made by someone else, before any start
    got = error_of(c.destroy)
    verify(rule, got == "no error", f"Destroy must succeed: {got!r}")
    removed = tables.rdt_destroy_unstarted_removes_group(profile)
    gone = not os.path.exists(group)
    verify(
        rule, gone == removed, f"{group} {'gone' if gone else 'left'}, want it removed: {removed}"
    )
    if not gone:
        os.rmdir(group)


@pytest.mark.requirement("RDT-DESTROY-RETURNS-TASKS")
def test_removed_group_gives_tasks_back(on_host: OnHost) -> None:
    with on_host("xeon-2s-cat-mba", resctrl_with("L3", "MB")) as (host, factory):
        c = create_with_rdt(factory, host, "rt", l3_cache_schema=host.l3_schema("f"))
        c.run(INIT)
        outsider = host.start_process()
        with open(os.path.join(RESCTRL, host.container_id("rt"), "tasks"), "w") as f:
            f.write(str(outsider))
        _kill_and_destroy(c)
        assert outsider in host.resctrl_tasks(""), "tasks of a removed group go to the default"


# monitoring groups came with runc v1.4.0, closID with v1.1.0: no current profile has both
@pytest.mark.needs("RDT-MONITORING", "RDT-CLOSID-GROUP")
@pytest.mark.requirement("RDT-DESTROY-RETURNS-TASKS")
def test_removed_monitoring_group_gives_tasks_to_its_group(on_host: OnHost) -> None:
    with on_host("xeon-2s-cat-mba", resctrl_with("L3", "MB", "L3_MON")) as (host, factory):
        config = rdt_config(
            host.container_id("mt"),
            l3_cache_schema=host.l3_schema("f"),
            clos_id=host.container_id("team"),
            enable_monitoring=True,
        )
        c = factory.create(host.container_id("mt"), config)
        c.run(INIT)
        outsider = host.start_process()
        with open(os.path.join(RESCTRL, host.container_id("team"), "tasks"), "w") as f:
            f.write(str(outsider))
        with open(
            os.path.join(
                RESCTRL, host.container_id("team"), "mon_groups", host.container_id("mt"), "tasks"
            ),
            "w",
        ) as f:
            f.write(str(outsider))
        _kill_and_destroy(c)
        assert not os.path.exists(
            os.path.join(RESCTRL, host.container_id("team"), "mon_groups", host.container_id("mt"))
        )
        assert outsider in host.resctrl_tasks(host.container_id("team")), (
            "a MON group's tasks go to its parent"
        )
