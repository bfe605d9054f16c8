"""The factory: id validation, ids in use, state.json, load and its refresh."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.containers import raised
from harness.scenarios._support.containers import state_name
from harness.spec import tables
from harness.subjects.base import Factory


def _verdict(cid: str, profile: str) -> str | None:
    """ "accepted", "refused", or None when the profile's spec names no verdict for ``cid``."""
    for kind in ("accepted", "refused"):
        if cid in tables.factory_ids(kind, profile):
            return kind
    return None


def _id_case(cid: str) -> Any:
    """One candidate id, marked with what it checks under each profile."""
    reqs = dict.fromkeys(
        tables.factory_requirement(verdict, p)
        for p in tables.API_PROFILES
        if (verdict := _verdict(cid, p)) is not None
    )
    return pytest.param(cid, id=repr(cid), marks=pytest.mark.requirement(*reqs))


CANDIDATE_IDS = list(
    dict.fromkeys(
        cid
        for p in tables.API_PROFILES
        for kind in ("accepted", "refused")
        for cid in tables.factory_ids(kind, p)
    )
)


@pytest.mark.parametrize("cid", [_id_case(c) for c in CANDIDATE_IDS])
def test_id_validation(factory: Factory, host: Host, profile: str, cid: str) -> None:
    verdict = _verdict(cid, profile)
    if verdict is None:
        pytest.skip(f"the spec names no verdict for {cid!r} in profile {profile}")
    if verdict == "accepted":
        c = factory.create(cid, config_for(cid))
        assert c.id == cid
        assert os.path.isdir(os.path.join(host.state_root, cid))
        return
    with pytest.raises(Exception) as info:
        factory.create(cid, config_for("x"))
    assert str(info.value) == tables.message("invalid_id", profile, id=cid)
    assert os.listdir(host.state_root) == []


@pytest.mark.requirement("LC-FACTORY-LOAD-ID-REFUSED")
def test_load_refuses_an_invalid_id(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    # v1.2.0 factory_linux.go:107-114: validateID before securejoin and loadState
    rule = "LC-FACTORY-LOAD-ID-REFUSED"
    cid = host.container_id("li")
    factory.create(cid, config_for(cid)).run(INIT)
    detour = f"{cid}/../{cid}"  # the root's <cid> once joined: only the check can refuse it
    err = raised(lambda: factory.load(detour))
    want = tables.message("invalid_id", profile, id=detour)
    got = "no error" if err is None else str(err)
    verify(rule, got == want, f"Load({detour!r}) must be refused with {want!r}: {got!r}")
    kind = getattr(err, "kind", None)
    verify(rule, kind == tables.error_kind("invalid_id", profile), f"the error's kind: {kind}")


@pytest.mark.requirement(*tables.requirement_variants("LC-FACTORY-ID-IN-USE"))
def test_id_in_use(factory: Factory, host: Host, profile: str) -> None:
    cid = host.container_id("dup")
    factory.create(cid, config_for(cid))
    with pytest.raises(Exception) as info:
        factory.create(cid, config_for(cid))
    assert str(info.value) == tables.message("id_in_use", profile, id=cid)


@pytest.mark.requirement("LC-FACTORY-CREATE-STOPPED")
def test_new_container_is_stopped_and_untouched(factory: Factory, host: Host) -> None:
    cid = host.container_id("new")
    c = factory.create(cid, config_for(cid))
    assert state_name(c) == "stopped"
    assert str(c.status()) == "stopped"
    assert os.listdir(os.path.join(host.state_root, cid)) == []
    assert host.cgroup_dirs(f"/{cid}") == []


@pytest.mark.requirement(*tables.requirement_variants("LC-FACTORY-LOAD-MISSING"))
def test_load_of_unknown_id(factory: Factory, profile: str) -> None:
    with pytest.raises(Exception) as info:
        factory.load("ghost")
    assert str(info.value) == tables.message("not_exists", profile, id="ghost")


@pytest.mark.requirement("LC-FACTORY-STATE-JSON")
def test_state_json_records_init_and_cgroups(factory: Factory, host: Host) -> None:
    cid = host.container_id("sj")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    with open(os.path.join(host.state_root, cid, "state.json"), encoding="utf-8") as f:
        state = json.load(f)
    pid = c.init_process.pid
    assert state["id"] == cid
    assert state["init_process_pid"] == pid
    assert state["init_process_start"] == host.start_time(pid)
    assert sorted(state["cgroup_paths"].values()) == sorted(host.cgroup_dirs(f"/{cid}"))


@pytest.mark.requirement("LC-FACTORY-LOAD-REFRESHES")
@pytest.mark.parametrize("situation", ["created", "running", "paused", "init-gone"])
def test_load_reports_what_the_host_shows(factory: Factory, host: Host, situation: str) -> None:
    cid = host.container_id("ld")
    c = factory.create(cid, config_for(cid))
    if situation == "created":
        c.start(INIT)
    else:
        c.run(INIT)
    if situation == "paused":
        c.pause()
    if situation == "init-gone":
        make_init_gone(host, c)
    loaded = factory.load(cid)
    expected = {"created": "created", "running": "running", "paused": "paused"}.get(
        situation, "stopped"
    )
    assert state_name(loaded) == expected
    assert str(loaded.status()) == expected


@pytest.mark.requirement("LC-FACTORY-PID-REUSE")
def test_process_with_another_start_time_is_not_init(factory: Factory, host: Host) -> None:
    cid = host.container_id("pr")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    path = os.path.join(host.state_root, cid, "state.json")
    with open(path, encoding="utf-8") as f:
        state = json.load(f)
    # The pid is alive, but the process there started at another time: a reused pid.
    state["init_process_start"] += 1
    with open(path, "w", encoding="utf-8") as f:
        json.dump(state, f)
    assert host.is_alive(state["init_process_pid"])
    assert str(factory.load(cid).status()) == "stopped"
