"""config.json's seccomp filter and user namespace mappings, seen from inside the container
(runtime-spec v1.0.2 config-linux.md:560-655 seccomp, :77-89 uidMappings and gidMappings):
more than runtime-tools checks (its validateSeccomp only skips, main.go:916-940; its
validateUIDMappings and validateGIDMappings read uid_map and gid_map, main.go:1045-1088, as
this does).

A runtime whose features say seccomp is disabled, or list no SCMP_ACT_ERRNO, or list no user
namespace, gets these rules as skips saying so.
"""

from __future__ import annotations

import pytest

from harness.hosts import Host
from harness.scenarios._support.config_checks import require_listed
from harness.scenarios._support.inside import Probe
from harness.scenarios._support.inside import findings_of
from harness.scenarios._support.inside import init_args
from harness.scenarios._support.proc_texts import status_fields
from harness.scenarios._support.runtime_features import announced
from harness.subjects.command_line import CONTAINER_NAMESPACES
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import Namespace
from harness.subjects.oci.details import ConfigDetails

#: mkdir refused with the default errno (EPERM), everything else allowed
SECCOMP = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}],
}
SECCOMP_PROBES = (
    Probe("mkdir", "if mkdir /tmp/rtgate-filtered; then echo made; else echo refused; fi"),
    Probe("touch", "if touch /tmp/rtgate-allowed; then echo made; else echo refused; fi"),
    Probe("status", "cat /proc/$$/status"),
)
#: container ids 0-65535 are host ids 100000-165535 (uid) and 200000-265535 (gid)
UID_MAP = ((0, 100000, 65536),)
GID_MAP = ((0, 200000, 65536),)
USERNS_PROBES = (
    Probe("uid_map", "cat /proc/$$/uid_map"),
    Probe("gid_map", "cat /proc/$$/gid_map"),
    Probe("status", "cat /proc/$$/status"),
)


def _last_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[-1]


@pytest.mark.requirement("CLI-CFG-SECCOMP")
def test_seccomp_filter_is_applied(cli: CommandLine, host: Host) -> None:
    seccomp = (announced(cli) or {}).get("linux", {}).get("seccomp")
    if isinstance(seccomp, dict) and seccomp.get("enabled") is False:
        pytest.skip(f"the runtime's features say seccomp is not enabled: {seccomp}")
    require_listed(cli, "linux.seccomp.actions", ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"))
    config = ContainerConfig(args=init_args(SECCOMP_PROBES), details=ConfigDetails(seccomp=SECCOMP))
    found = findings_of(cli, host, "cfg-seccomp", config)
    mode = status_fields(found["status"]).get("Seccomp")
    outcome = {name: _last_line(found[name]) for name in ("mkdir", "touch")}
    assert outcome == {"mkdir": "refused", "touch": "made"} and mode == "2", (
        f"with mkdir and mkdirat filtered to SCMP_ACT_ERRNO, init's Seccomp mode is {mode!r} "
        f"(2: a filter) and mkdir was {outcome['mkdir']} ({found['mkdir'].strip()!r}), "
        f"a file create {outcome['touch']}"
    )


def _mappings(text: str) -> tuple[tuple[int, int, int], ...]:
    return tuple(tuple(int(w) for w in line.split()) for line in text.splitlines() if line.strip())  # type: ignore[misc]


@pytest.mark.requirement("CLI-CFG-USERNS-MAPPINGS")
def test_user_namespace_mappings_are_as_configured(cli: CommandLine, host: Host) -> None:
    require_listed(cli, "linux.namespaces", ("user",))
    details = ConfigDetails(uid_mappings=UID_MAP, gid_mappings=GID_MAP)
    config = ContainerConfig(
        args=init_args(USERNS_PROBES),
        namespaces=(*CONTAINER_NAMESPACES, Namespace("user")),
        details=details,
    )
    found = findings_of(cli, host, "cfg-userns", config)
    maps = (_mappings(found["uid_map"]), _mappings(found["gid_map"]))
    uid = status_fields(found["status"]).get("Uid", "").split()
    assert maps == (UID_MAP, GID_MAP) and uid[:1] == ["0"], (
        f"asked uidMappings {UID_MAP} and gidMappings {GID_MAP}; init's uid_map and gid_map "
        f"are {maps}, its Uid {uid}"
    )
