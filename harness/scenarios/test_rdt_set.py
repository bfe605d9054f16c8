"""Set of a running container's resctrl schema: what is written, what a failed write leaves,
what is put back, and which group a later Destroy removes."""

from __future__ import annotations

import errno
import logging
import os
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import pids_limit_file
from harness.scenarios._support.machines import OnHost
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
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.api import IntelRdtConfig
from harness.subjects.base import Factory


@pytest.mark.requirement("RDT-SET-SCHEMA")
def test_set_writes_a_new_schema_to_a_running_container(
    factory: Factory, host: Host, rdt_schema: SchemaForm
) -> None:
    cid = host.container_id("upd")
    c = factory.create(cid, rdt_config(cid, **rdt_schema.fields("a")))
    c.run(INIT)
    c.set(rdt_config(cid, **rdt_schema.fields("b")))
    assert rdt_schema.shown(cid) == rdt_schema.want("b")


@pytest.mark.requirement("RDT-SET-MBA-UPDATE")
def test_set_writes_a_new_mb_schema_to_a_running_container(on_host: OnHost, verify: Any) -> None:
    # v1.2.0 intelrdt.go:664-669: an update with memBwSchema alone rewrites the MB line
    with on_host("xeon-2s-cat-mba", resctrl_with("L3", "MB")) as (host, factory):
        c = create_with_rdt(factory, host, "mbu", mem_bw_schema=mb_schema(host, 30))
        c.run(INIT)
        cid = host.container_id("mbu")
        c.set(rdt_config(cid, mem_bw_schema=mb_schema(host, 70)))
        shown = {d: int(v) for d, v in schemata(cid)["MB"].items()}
        want = dict.fromkeys(host.l3_domains(), 70)
        verify("RDT-SET-MBA-UPDATE", shown == want, f"MB schema {shown} after Set, want {want}")


@pytest.mark.requirement("RDT-SET-REFUSED")
def test_set_with_a_refused_schema_fails_and_keeps_the_group(
    factory: Factory, host: Host, rdt_schema: SchemaForm, verify: Any
) -> None:
    # 692f6e1 intelrdt.go:504-505, 308-310 (v1.2.0 :659-661, 317-318): the write's error is
    # returned; the kernel applies nothing of a refused schemata write
    rule = "RDT-SET-REFUSED"
    c = create_with_rdt(factory, host, "rf", **rdt_schema.fields("a"))
    c.run(INIT)
    cid = host.container_id("rf")
    bad = rdt_schema.invalid()
    got = error_of(lambda: c.set(rdt_config(cid, **{rdt_schema.field: bad})))
    einval = os.strerror(errno.EINVAL).lower()
    verify(
        rule, bad in got and einval in got.lower(), f"Set must return the write's error: {got!r}"
    )
    shown = rdt_schema.shown(cid)
    verify(rule, shown == rdt_schema.want("a"), f"schemata changed: {shown}")
    verify(rule, str(c.status()) == "running", f"the container is {c.status()} after the Set")


def _failed_schema_set(
    c: Any, host: Host, form: SchemaForm, cid: str, every: bool = False, **limits: int
) -> tuple[str, list[str]]:
    """Set of a new schema, level "c" (and ``limits``), whose schemata write fails with EIO
    (``every``: each write, the writing back too): Set's error, and what was written to
    schemata from then on."""
    before = len(schemata_writes(host, cid))
    fault = inject(host, "write", os.path.join(RESCTRL, cid, "schemata"), errno.EIO, every=every)
    config = Config(
        namespaces=("pid", "mount"),
        cgroups=CgroupConfig(path=f"/{cid}", **limits),
        intel_rdt=IntelRdtConfig(**form.fields("c")),
    )
    got = error_of(lambda: c.set(config))
    host.clear_faults()
    assert host.fired(fault), "the fault never fired"
    return got, [w.decode().strip() for w in schemata_writes(host, cid)[before:]]


@pytest.mark.requirement("RDT-SET-RESTORED", "RDT-SET-ERROR-TEXT")
def test_set_whose_schemata_write_fails_writes_the_old_schema_back(
    factory: Factory, host: Host, rdt_schema: SchemaForm, profile: str, verify: Any
) -> None:
    c = create_with_rdt(factory, host, "rb", **rdt_schema.fields("a"))
    c.run(INIT)
    cid = host.container_id("rb")
    got, writes = _failed_schema_set(c, host, rdt_schema, cid)
    want = tables.schemata_write_error(
        profile,
        value=rdt_schema.schema("c"),
        path=os.path.join(RESCTRL, cid, "schemata"),
        errno=os.strerror(errno.EIO).lower(),
        status=last_cmd_status(),
    )
    verify("RDT-SET-ERROR-TEXT", got == want, f"Set must fail with {want!r}: {got!r}")
    eio = os.strerror(errno.EIO).lower()
    verify(
        "RDT-SET-RESTORED",
        eio in got.lower(),
        f"Set must return the schemata write's error: {got!r}",
    )
    old = rdt_schema.schema("a")
    verify(
        "RDT-SET-RESTORED",
        writes[-1:] == [old],
        f"the old schema {old!r} must be written back: {writes}",
    )


@pytest.mark.requirement("RDT-SET-RESTORE-WARNED")
def test_set_whose_writing_back_of_the_schema_fails_warns(
    factory: Factory,
    host: Host,
    rdt_schema: SchemaForm,
    profile: str,
    caplog: pytest.LogCaptureFixture,
    verify: Any,
) -> None:
    rule = "RDT-SET-RESTORE-WARNED"
    c = create_with_rdt(factory, host, "rw", **rdt_schema.fields("a"))
    c.run(INIT)
    cid = host.container_id("rw")
    with caplog.at_level(logging.WARNING):
        got, writes = _failed_schema_set(c, host, rdt_schema, cid, every=True)
    fields = {
        "path": os.path.join(RESCTRL, cid, "schemata"),
        "errno": os.strerror(errno.EIO).lower(),
        "status": last_cmd_status(),
    }
    first = tables.schemata_write_error(profile, value=rdt_schema.schema("c"), **fields)
    verify(rule, got == first, f"Set must return its own write's error {first!r}: {got!r}")
    back = tables.schemata_write_error(profile, value=rdt_schema.schema("a"), **fields)
    want = tables.message("set_back_failed", profile, what="intelrdt", err=back)
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    verify(rule, want in warned, f"the failed writing back must be warned as {want!r}: {warned}")
    verify(rule, len(writes) == 2, f"two schemata writes, the new and the old: {writes}")


@pytest.mark.requirement("RDT-SET-WITHOUT-GROUP")
def test_set_with_a_schema_on_a_container_without_one_writes_nothing(
    factory: Factory, host: Host, rdt_group: dict[str, str], verify: Any
) -> None:
    rule = "RDT-SET-WITHOUT-GROUP"
    cid = host.container_id("wg")
    c = factory.create(
        cid, Config(namespaces=("pid", "mount"), cgroups=CgroupConfig(path=f"/{cid}"))
    )
    c.run(INIT)
    config = rdt_config(cid, **rdt_group)
    before = len(host.operations())
    got = error_of(lambda: c.set(config))
    verify(rule, got == "no error", f"Set must succeed: {got!r}")
    group = os.path.join(RESCTRL, cid)
    verify(rule, not os.path.exists(group), f"Set must make no resctrl group: {group} exists")
    touched = [
        op
        for op in host.operations()[before:]
        if op.path.startswith(RESCTRL + "/") and op.op != "read"
    ]
    verify(rule, not touched, f"Set must not touch resctrl: {[(o.op, o.path) for o in touched]}")


@pytest.mark.requirement("RDT-SET-WITHOUT-SCHEMA-UNTOUCHED")
@pytest.mark.parametrize("intel_rdt", [None, IntelRdtConfig()], ids=["no-intelrdt", "no-schema"])
def test_set_without_a_schema_leaves_the_schemata(
    factory: Factory,
    host: Host,
    rdt_schema: SchemaForm,
    intel_rdt: IntelRdtConfig | None,
    verify: Any,
) -> None:
    # 692f6e1 intelrdt.go:501-503 (v1.2.0 :639, 651-669): no intelRdt, or no schema in it,
    # and the writer's Set writes nothing; the group keeps the schema it was started with
    rule = "RDT-SET-WITHOUT-SCHEMA-UNTOUCHED"
    c = create_with_rdt(factory, host, "ws", **rdt_schema.fields("a"))
    c.run(INIT)
    cid = host.container_id("ws")
    before = len(schemata_writes(host, cid))
    config = Config(
        namespaces=("pid", "mount"), cgroups=CgroupConfig(path=f"/{cid}"), intel_rdt=intel_rdt
    )
    got = error_of(lambda: c.set(config))
    verify(rule, got == "no error", f"Set must succeed: {got!r}")
    writes = schemata_writes(host, cid)[before:]
    verify(rule, writes == [], f"Set without a schema wrote schemata: {writes}")
    shown, want = rdt_schema.shown(cid), rdt_schema.want("a")
    verify(rule, shown == want, f"the group's schema is {shown} after Set, want {want}")


@pytest.mark.requirement("RDT-SET-CLOSID-IGNORED")
@pytest.mark.parametrize("made", ["", "scm"], ids=["own-group", "closid-group"])
def test_set_with_another_closid_keeps_the_group_and_what_destroy_removes(
    factory: Factory, host: Host, rdt_schema: SchemaForm, made: str, verify: Any
) -> None:
    # v1.2.0 container_linux.go:184-185 hands Set the new config unchecked; intelrdt.go:
    # 651-669 writes its schemas to GetPath() and keeps m.config (:148-153), so Destroy
    # (:482-497) removes the group only when the closID the writer was made with is empty
    rule = "RDT-SET-CLOSID-IGNORED"
    cid = host.container_id(f"sc-{made or 'own'}")
    made = made and host.container_id(made)
    given = "" if made else host.container_id("sco")
    c = factory.create(cid, rdt_config(cid, clos_id=made, **rdt_schema.fields("a")))
    c.run(INIT)
    got = error_of(lambda: c.set(rdt_config(cid, clos_id=given, **rdt_schema.fields("b"))))
    verify(rule, got == "no error", f"Set with closID {given!r} must succeed: {got!r}")
    group, elsewhere = made or cid, given or cid
    shown, want = rdt_schema.shown(group), rdt_schema.want("b")
    verify(rule, shown == want, f"{group}'s schema is {shown} after Set, want {want}")
    verify(rule, not os.path.exists(os.path.join(RESCTRL, elsewhere)), f"Set made {elsewhere}")
    c.signal(signal.SIGKILL)
    c.destroy()
    kept = os.path.isdir(os.path.join(RESCTRL, group))
    did = "removed" if made else "kept"
    verify(rule, kept == bool(made), f"Destroy {did} {group}, made with closID {made!r}")


def _running_with_limit_and_schema(factory: Factory, form: SchemaForm, cid: str) -> Any:
    """A running container with pids.max 10 and a schema, for a Set that fails."""
    config = Config(
        namespaces=("pid", "mount"),
        cgroups=CgroupConfig(path=f"/{cid}", pids_limit=10),
        intel_rdt=IntelRdtConfig(**form.fields("a")),
    )
    c = factory.create(cid, config)
    c.run(INIT)
    return c


@pytest.mark.requirement("CG-SET-RESTORED-AFTER-RDT")
def test_set_whose_schemata_write_fails_puts_the_old_limits_back(
    factory: Factory, host: Host, rdt_schema: SchemaForm, verify: Any
) -> None:
    rule = "CG-SET-RESTORED-AFTER-RDT"
    cid = host.container_id("rc")
    c = _running_with_limit_and_schema(factory, rdt_schema, cid)
    _failed_schema_set(c, host, rdt_schema, cid, pids_limit=20)
    pids = pids_limit_file(host, f"/{cid}")
    with open(pids, encoding="ascii") as f:
        value = f.read().strip()
    verify(rule, value == "10", f"{pids} reads {value} after the failed Set, want 10")


@pytest.mark.requirement("CG-SET-RESTORED-AFTER-RDT")
def test_set_whose_limits_cannot_be_put_back_after_the_schema_warns(
    factory: Factory,
    host: Host,
    rdt_schema: SchemaForm,
    profile: str,
    caplog: pytest.LogCaptureFixture,
    verify: Any,
) -> None:
    rule = "CG-SET-RESTORED-AFTER-RDT"
    cid = host.container_id("rcw")
    c = _running_with_limit_and_schema(factory, rdt_schema, cid)
    # the new limit is written, writing the old one back fails
    back = inject(host, "write", pids_limit_file(host, f"/{cid}"), errno.EIO, nth=2)
    with caplog.at_level(logging.WARNING):
        _failed_schema_set(c, host, rdt_schema, cid, pids_limit=20)
    assert host.fired(back), "the limit was never written back"
    warning = tables.message("set_back_failed", profile, what="cgroup", err="\0")
    head, _, tail = warning.partition("\0")
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    found = [w for w in warned if w.startswith(head) and w.endswith(tail)]
    verify(rule, len(found) == 1, f"the failed writing back must be warned as {head!r}: {warned}")
