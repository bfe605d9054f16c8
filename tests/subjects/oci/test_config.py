"""config.json generation: the runtime-spec's field names, hooks, namespaces, ociVersion."""

from __future__ import annotations

import json
import string

from hypothesis import given
from hypothesis import strategies as st

from harness.subjects.oci import HOOK_PHASES
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import DeviceRule
from harness.subjects.oci import Hook
from harness.subjects.oci import Hooks
from harness.subjects.oci import IntelRdt
from harness.subjects.oci import Namespace
from harness.subjects.oci import Resources

#: the keys config.md, config-linux.md and runtime.md give the parts written here
SPEC_KEYS = {
    "ociVersion", "process", "root", "mounts", "linux", "hostname", "hooks",
    "terminal", "user", "uid", "gid", "args", "env", "cwd", "path", "readonly",
    "destination", "type", "source", "options", "namespaces", "cgroupsPath", "resources",
    "intelRdt", "closID", "l3CacheSchema", "memBwSchema", "memory", "limit", "pids", "cpu",
    "shares", "timeout", "reservation", "swap", "quota", "period", "cpus", "mems", "blockIO",
    "weight", "hugepageLimits", "pageSize", "devices", "allow", "major", "minor", "access",
    *HOOK_PHASES,
}  # fmt: skip


def keys_of(value: object) -> set[str]:
    """Every object key in a JSON value, at any depth."""
    if isinstance(value, dict):
        return set(value).union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value))
    return set()


def test_default_config_is_the_runtime_spec_minimum() -> None:
    doc = ContainerConfig().to_json()
    assert doc["ociVersion"] == "1.0.2"
    assert doc["process"] == {
        "terminal": False,
        "user": {"uid": 0, "gid": 0},
        "args": ["sleep", "600"],
        "env": ["PATH=/bin:/usr/bin:/sbin:/usr/sbin", "TERM=xterm"],
        "cwd": "/",
    }
    assert doc["root"] == {"path": "rootfs", "readonly": False}
    mounts = {m["destination"]: m["type"] for m in doc["mounts"]}
    assert mounts == {
        "/proc": "proc",
        "/dev": "tmpfs",
        "/dev/pts": "devpts",
        "/dev/shm": "tmpfs",
        "/sys": "sysfs",
    }
    assert [ns["type"] for ns in doc["linux"]["namespaces"]] == [
        "pid",
        "network",
        "ipc",
        "uts",
        "mount",
    ]
    # OPTIONAL fields that were not chosen are left out, not written empty
    assert "hooks" not in doc and "hostname" not in doc
    assert set(doc["linux"]) == {"namespaces"}


def test_oci_version_is_settable() -> None:
    assert ContainerConfig(oci_version="1.2.0").to_json()["ociVersion"] == "1.2.0"


def test_process_hostname_cgroups_path_and_readonly_root() -> None:
    doc = ContainerConfig(
        args=("sh", "-c", "echo hi"),
        cwd="/tmp",
        env=("A=1",),
        hostname="box",
        cgroups_path="/rtgate-1-oci-1",
        readonly_root=True,
    ).to_json()
    assert doc["process"]["args"] == ["sh", "-c", "echo hi"]
    assert doc["process"]["cwd"] == "/tmp"
    assert doc["process"]["env"] == ["A=1"]
    assert doc["hostname"] == "box"
    assert doc["linux"]["cgroupsPath"] == "/rtgate-1-oci-1"
    assert doc["root"]["readonly"] is True


def test_namespace_with_a_path_is_joined() -> None:
    config = ContainerConfig(
        namespaces=(Namespace("pid"), Namespace("network", "/run/netns/rtgate-1-oci-n"))
    )
    assert config.to_json()["linux"]["namespaces"] == [
        {"type": "pid"},
        {"type": "network", "path": "/run/netns/rtgate-1-oci-n"},
    ]


def test_hooks_use_the_spec_phase_names_in_lifecycle_order() -> None:
    hooks = Hooks(
        poststop=(Hook("/h/stop"),),
        prestart=(Hook("/h/a", args=("a", "1"), env=("X=1",), timeout=5), Hook("/h/b")),
        createRuntime=(Hook("/h/cr"),),
        createContainer=(Hook("/h/cc"),),
        startContainer=(Hook("/h/sc"),),
        poststart=(Hook("/h/ps"),),
    )
    written = ContainerConfig(hooks=hooks).to_json()["hooks"]
    spec_order = "prestart createRuntime createContainer startContainer poststart poststop"
    assert list(written) == spec_order.split()
    assert written["prestart"] == [
        {"path": "/h/a", "args": ["a", "1"], "env": ["X=1"], "timeout": 5},
        {"path": "/h/b"},
    ]
    assert written["poststop"] == [{"path": "/h/stop"}]


def test_only_non_empty_hook_lists_are_written() -> None:
    written = ContainerConfig(hooks=Hooks(poststop=(Hook("/h/p"),))).to_json()["hooks"]
    assert written == {"poststop": [{"path": "/h/p"}]}


def test_intel_rdt_fields() -> None:
    full = IntelRdt(clos_id="clos1", l3_cache_schema="L3:0=f", mem_bw_schema="MB:0=50")
    assert ContainerConfig(intel_rdt=full).to_json()["linux"]["intelRdt"] == {
        "closID": "clos1",
        "l3CacheSchema": "L3:0=f",
        "memBwSchema": "MB:0=50",
    }
    only_l3 = ContainerConfig(intel_rdt=IntelRdt(l3_cache_schema="L3:0=3")).to_json()
    assert only_l3["linux"]["intelRdt"] == {"l3CacheSchema": "L3:0=3"}


def test_resources() -> None:
    resources = Resources(memory_limit=64 << 20, pids_limit=32, cpu_shares=512)
    assert ContainerConfig(resources=resources).to_json()["linux"]["resources"] == {
        "memory": {"limit": 64 << 20},
        "pids": {"limit": 32},
        "cpu": {"shares": 512},
    }
    assert ContainerConfig(resources=Resources(pids_limit=4)).to_json()["linux"]["resources"] == {
        "pids": {"limit": 4}
    }


words = st.text(string.ascii_letters + string.digits + "-_./=", min_size=1, max_size=12)
hooks_st = st.lists(
    st.builds(
        Hook,
        path=words.map(lambda w: "/" + w),
        args=st.lists(words, max_size=3).map(tuple),
        env=st.lists(words, max_size=2).map(tuple),
        timeout=st.none() | st.integers(1, 60),
    ),
    max_size=2,
).map(tuple)


@given(
    hooks=st.builds(Hooks, **{phase: hooks_st for phase in HOOK_PHASES}),
    rdt=st.none() | st.builds(IntelRdt, st.none() | words, st.none() | words, st.none() | words),
    resources=st.none()
    | st.builds(
        Resources,
        st.none() | st.integers(1, 1 << 40),
        st.none() | st.integers(1, 1000),
        st.none() | st.integers(2, 262144),
        memory_swap=st.none() | st.integers(-1, 1 << 40),
        cpu_quota=st.none() | st.integers(-1, 1 << 20),
        cpus=st.none() | st.sampled_from(["0", "0-1"]),
        blkio_weight=st.none() | st.integers(10, 1000),
        hugepage_limits=st.lists(
            st.tuples(st.just("2MB"), st.integers(0, 1 << 30)), max_size=1
        ).map(tuple),
        devices=st.lists(
            st.builds(DeviceRule, st.booleans(), st.sampled_from("acb")), max_size=2
        ).map(tuple),
    ),
    namespaces=st.lists(
        st.builds(
            Namespace,
            st.sampled_from(["pid", "network", "ipc", "uts", "mount"]),
            st.none() | words.map(lambda w: "/proc/1/ns/" + w),
        ),
        max_size=5,
    ).map(tuple),  # fmt: skip
)
def test_every_key_written_is_a_runtime_spec_key(hooks, rdt, resources, namespaces) -> None:
    config = ContainerConfig(
        hooks=hooks,
        intel_rdt=rdt,
        resources=resources,
        namespaces=namespaces,
        hostname="h",
        cgroups_path="/x",
    )
    doc = config.to_json()
    assert keys_of(doc) <= SPEC_KEYS
    assert json.loads(json.dumps(doc)) == doc
    for phase in HOOK_PHASES:
        entries = doc.get("hooks", {}).get(phase, [])
        assert [entry["path"] for entry in entries] == [h.path for h in getattr(hooks, phase)]
