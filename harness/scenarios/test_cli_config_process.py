"""config.json's process, seen from inside the container (runtime-spec v1.0.2 config.md
process, POSIX process, Linux process, user; config-linux.md namespaces): what runtime-tools'
runtimetest validates (cmd/runtimetest/main.go validateProcess, validateLinuxProcess,
validatePosixUser, validateRlimits, validateCapabilities, validateOOMScoreAdj,
validateHostname), and the configs its validation/*_fail tests expect a runtime to refuse.

Each container checks several rules at once (harness/scenarios/_support/inside.py): its init
reports /proc/$$/{cmdline,environ,status,limits,oom_score_adj}, its cwd, umask and hostname,
and the harness compares them with what config.json asked.
"""

from __future__ import annotations

import os

import pytest

from harness.hosts import Host
from harness.scenarios._support.config_checks import capability_mismatch
from harness.scenarios._support.config_checks import created
from harness.scenarios._support.config_checks import require_listed
from harness.scenarios._support.inside import PROBE_ARGS
from harness.scenarios._support.inside import Probe
from harness.scenarios._support.inside import findings_of
from harness.scenarios._support.inside import init_args
from harness.scenarios._support.proc_texts import LIMIT_NAMES
from harness.scenarios._support.proc_texts import limits
from harness.scenarios._support.proc_texts import status_fields
from harness.subjects.command_line import CONTAINER_NAMESPACES
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import Namespace
from harness.subjects.oci.details import Capabilities
from harness.subjects.oci.details import ConfigDetails
from harness.subjects.oci.details import Rlimit
from harness.subjects.oci.details import User

#: the /proc/<pid>/ns names of the namespaces the usual container gets new (runc spec's)
NEW_NS = ("pid", "mnt", "net", "uts", "ipc")
#: init's own files and what it sees, one probe each
PROCESS_PROBES = (
    Probe("cmdline", "cat /proc/$$/cmdline"),
    Probe("environ", "cat /proc/$$/environ"),
    Probe("cwd", "readlink /proc/$$/cwd"),
    Probe("status", "cat /proc/$$/status"),
    Probe("umask", "umask"),
    Probe("limits", "cat /proc/$$/limits"),
    Probe("oom", "cat /proc/$$/oom_score_adj"),
    Probe("hostname", "hostname"),
    *(Probe(f"ns-{name}", f"readlink /proc/$$/ns/{name}") for name in NEW_NS),
)
ENV = ("PATH=/bin", "HOME=/root", "RTGATE_ONE=1", "RTGATE_SPACED=a b=c")
USER = User(uid=1000, gid=1000, umask=0o027, additional_gids=(5, 6))
#: the seven runtime-tools' process_rlimits sets, each soft below hard so a swap shows, and
#: each roomy enough for busybox to write its findings (a small FSIZE would kill it)
RLIMITS = (
    Rlimit("RLIMIT_NOFILE", 256, 512), Rlimit("RLIMIT_CORE", 4096, 8192),
    Rlimit("RLIMIT_AS", 2**31, 2**32), Rlimit("RLIMIT_DATA", 2**30, 2**31),
    Rlimit("RLIMIT_FSIZE", 2**28, 2**29), Rlimit("RLIMIT_STACK", 2**24, 2**25),
    Rlimit("RLIMIT_CPU", 3600, 7200),
)  # fmt: skip
OOM_SCORE_ADJ = 123
HOSTNAME = "rtgate-config"

#: a root process's sets that execve keeps as they are (capabilities(7): for uid 0 a
#: program without file capabilities gets permitted = effective = bounding | inheritable),
#: so any difference is the runtime's
BOUNDING = ("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL", "CAP_NET_BIND_SERVICE",
            "CAP_AUDIT_WRITE")  # fmt: skip
CAPABILITIES = Capabilities(
    effective=BOUNDING,
    bounding=BOUNDING,
    inheritable=("CAP_KILL", "CAP_NET_BIND_SERVICE"),
    permitted=BOUNDING,
    ambient=("CAP_NET_BIND_SERVICE",),
)


def _process_config() -> ContainerConfig:
    details = ConfigDetails(
        user=USER, rlimits=RLIMITS, no_new_privileges=True, oom_score_adj=OOM_SCORE_ADJ
    )
    return ContainerConfig(
        args=init_args(PROCESS_PROBES), cwd="/tmp", env=ENV, hostname=HOSTNAME,
        namespaces=CONTAINER_NAMESPACES, details=details,
    )  # fmt: skip


def _ids(fields: dict[str, str], key: str) -> list[int]:
    return [int(word) for word in fields.get(key, "").split()]


def _rlimits_found(text: str) -> tuple[bool, str]:
    found = limits(text)
    wanted = {LIMIT_NAMES[r.type]: (r.soft, r.hard) for r in RLIMITS}
    got = {name: found.get(name) for name in wanted}
    return got == wanted, f"(soft, hard) asked {wanted}, /proc/1/limits shows {got}"


@pytest.mark.requirement(
    "CLI-CFG-ARGS", "CLI-CFG-ENV", "CLI-CFG-CWD", "CLI-CFG-USER-IDS", "CLI-CFG-ADDITIONAL-GIDS",
    "CLI-CFG-UMASK", "CLI-CFG-RLIMITS", "CLI-CFG-NO-NEW-PRIVILEGES", "CLI-CFG-OOM-SCORE-ADJ",
    "CLI-CFG-HOSTNAME", "CLI-CFG-NS-NEW",
)  # fmt: skip
def test_process_is_as_configured(cli: CommandLine, host: Host, verify: object) -> None:
    config = _process_config()
    found = findings_of(cli, host, "cfg-process", config)
    status = status_fields(found["status"])
    argv = found["cmdline"].split("\0")[:-1]
    environ = found["environ"].split("\0")[:-1]
    missing_env = [entry for entry in ENV if entry not in environ]
    uids, gids, groups = _ids(status, "Uid"), _ids(status, "Gid"), _ids(status, "Groups")
    umask = found["umask"].strip()
    ours = {name: os.readlink(f"/proc/self/ns/{name}") for name in NEW_NS}
    shared = {name: ours[name] for name in NEW_NS if found[f"ns-{name}"].strip() == ours[name]}
    verify.each(  # type: ignore[attr-defined]
        ("CLI-CFG-ARGS", argv == list(config.args),
         f"init's argv (/proc/1/cmdline) is {argv[3:]} after the script, asked {PROBE_ARGS}"),
        ("CLI-CFG-ENV", not missing_env,
         f"init's environment (/proc/1/environ) lacks {missing_env}: it holds {environ}"),
        ("CLI-CFG-CWD", found["cwd"].strip() == "/tmp",
         f"init's working directory is {found['cwd'].strip()!r}, asked '/tmp'"),
        ("CLI-CFG-USER-IDS", uids == [USER.uid] * 4 and gids == [USER.gid] * 4,
         f"init's Uid {uids} and Gid {gids} (real, effective, saved, fs), asked uid "
         f"{USER.uid} gid {USER.gid}"),
        ("CLI-CFG-ADDITIONAL-GIDS", set(USER.additional_gids) <= set(groups),
         f"init's Groups are {groups}, asked additionalGids {list(USER.additional_gids)}"),
        ("CLI-CFG-UMASK", umask.isdigit() and int(umask, 8) == USER.umask,
         f"init's umask is {umask!r}, asked {USER.umask:04o}"),
        ("CLI-CFG-RLIMITS", *_rlimits_found(found["limits"])),
        ("CLI-CFG-NO-NEW-PRIVILEGES", status.get("NoNewPrivs") == "1",
         f"init's NoNewPrivs is {status.get('NoNewPrivs')!r}, asked noNewPrivileges true"),
        ("CLI-CFG-OOM-SCORE-ADJ", found["oom"].strip() == str(OOM_SCORE_ADJ),
         f"init's oom_score_adj is {found['oom'].strip()!r}, asked {OOM_SCORE_ADJ}"),
        ("CLI-CFG-NS-NEW", not shared,
         f"pid, mount, network, uts and ipc listed without a path, yet init shares the "
         f"runtime's {shared}"),
        ("CLI-CFG-HOSTNAME", found["hostname"].strip() == HOSTNAME,
         f"the container's hostname is {found['hostname'].strip()!r}, asked {HOSTNAME!r}"),
    )  # fmt: skip


@pytest.mark.requirement(
    "CLI-CFG-CAPS-BOUNDING", "CLI-CFG-CAPS-EFFECTIVE", "CLI-CFG-CAPS-PERMITTED",
    "CLI-CFG-CAPS-INHERITABLE", "CLI-CFG-CAPS-AMBIENT",
)  # fmt: skip
def test_capability_sets_are_as_configured(cli: CommandLine, host: Host, verify: object) -> None:
    require_listed(cli, "linux.capabilities", BOUNDING)
    probes = (Probe("status", "cat /proc/$$/status"),)
    config = ContainerConfig(
        args=init_args(probes), details=ConfigDetails(capabilities=CAPABILITIES)
    )
    status = status_fields(findings_of(cli, host, "cfg-caps", config)["status"])
    verify.each(  # type: ignore[attr-defined]
        ("CLI-CFG-CAPS-BOUNDING", *capability_mismatch(status, "CapBnd", CAPABILITIES.bounding)),
        ("CLI-CFG-CAPS-EFFECTIVE", *capability_mismatch(status, "CapEff", CAPABILITIES.effective)),
        ("CLI-CFG-CAPS-PERMITTED", *capability_mismatch(status, "CapPrm", CAPABILITIES.permitted)),
        ("CLI-CFG-CAPS-INHERITABLE",
         *capability_mismatch(status, "CapInh", CAPABILITIES.inheritable)),
        ("CLI-CFG-CAPS-AMBIENT", *capability_mismatch(status, "CapAmb", CAPABILITIES.ambient)),
    )  # fmt: skip


#: a network namespace given as the uts one: the runtime's own (runtime-tools hands the
#: runtime /proc/self/ns/<another type>, linux_ns_path_type.go)
WRONG_TYPE = "/proc/self/ns/net"
NOFILE = Rlimit("RLIMIT_NOFILE", 64, 64)


def _case(rule: str, what: str, **fields: object) -> object:
    return pytest.param(fields, what, marks=pytest.mark.requirement(rule), id=rule.lower())


#: configs the spec says a runtime must refuse (those of runtime-tools' *_fail,
#: linux_ns_path_type and misc_props tests, and the duplicates no runtime-tools test tries),
#: by the rule each breaks: the fields of the container's config they replace
REFUSED = (
    _case("CLI-CFG-CAPS-UNKNOWN-REFUSED", "a bounding set with CAP_RTGATE_TEST",
          details=ConfigDetails(
              capabilities=Capabilities(bounding=("CAP_CHOWN", "CAP_RTGATE_TEST")))),
    _case("CLI-CFG-RLIMITS-UNKNOWN-REFUSED", "an rlimit RLIMIT_RTGATE_TEST",
          details=ConfigDetails(rlimits=(Rlimit("RLIMIT_RTGATE_TEST", 64, 64),))),
    _case("CLI-CFG-RLIMITS-DUP-REFUSED", "RLIMIT_NOFILE listed twice",
          details=ConfigDetails(rlimits=(NOFILE, NOFILE))),
    _case("CLI-CFG-NS-DUP-REFUSED", "two uts entries in linux.namespaces",
          namespaces=(*CONTAINER_NAMESPACES, Namespace("uts"))),
    _case("CLI-CFG-NS-PATH-TYPE-REFUSED",
          f"a uts namespace whose path {WRONG_TYPE} is a network namespace",
          namespaces=(*(ns for ns in CONTAINER_NAMESPACES if ns.type != "uts"),
                      Namespace("uts", path=WRONG_TYPE))),
    _case("CLI-CFG-OCI-VERSION-INVALID-REFUSED", "ociVersion 'invalid', no SemVer",
          oci_version="invalid"),
)  # fmt: skip
#: configs with what the spec says a runtime must ignore
IGNORED = (
    _case("CLI-CFG-UNKNOWN-PROPERTY-IGNORED", "a top-level property rtgateUnknown",
          details=ConfigDetails(unknown=(("rtgateUnknown", "ignore me"),))),
    _case("CLI-CFG-UNKNOWN-ANNOTATION-IGNORED", "an annotation org.rtgate.unknown",
          details=ConfigDetails(annotations=(("org.rtgate.unknown", "ignore me"),))),
)  # fmt: skip


@pytest.mark.parametrize(("fields", "what"), REFUSED)
def test_a_config_the_spec_calls_an_error_is_refused(
    cli: CommandLine, host: Host, fields: dict[str, object], what: str
) -> None:
    made, said = created(cli, host, "cfg-refused", fields)
    assert not made, f"{what}: create exited 0 and made the container: {said}"


@pytest.mark.parametrize(("fields", "what"), IGNORED)
def test_a_property_the_spec_says_to_ignore_is_ignored(
    cli: CommandLine, host: Host, fields: dict[str, object], what: str
) -> None:
    made, said = created(cli, host, "cfg-ignored", fields)
    assert made, f"{what}: create failed: {said}"
