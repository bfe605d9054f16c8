"""config.json's details as the config rules write them (harness/subjects/oci/details.py)."""

from __future__ import annotations

from harness.subjects.oci import ContainerConfig
from harness.subjects.oci.details import Capabilities
from harness.subjects.oci.details import ConfigDetails
from harness.subjects.oci.details import Device
from harness.subjects.oci.details import Mount
from harness.subjects.oci.details import Rlimit
from harness.subjects.oci.details import User


def test_a_config_without_details_is_the_one_written_before() -> None:
    document = ContainerConfig().to_json()
    assert set(document["process"]) == {"terminal", "user", "args", "env", "cwd"}
    assert set(document["linux"]) == {"namespaces"}
    assert len(document["mounts"]) == 5


def test_details_land_where_the_spec_puts_them() -> None:
    details = ConfigDetails(
        user=User(1000, 1000, umask=0o027, additional_gids=(5,)),
        capabilities=Capabilities(bounding=("CAP_KILL",)),
        rlimits=(Rlimit("RLIMIT_NOFILE", 1, 2), Rlimit("RLIMIT_NOFILE", 1, 2)),
        no_new_privileges=True,
        oom_score_adj=-5,
        domainname="example",
        mounts=(Mount("/m", "tmpfs", "tmpfs", ("ro",)),),
        devices=(Device("/dev/p", "p", file_mode=0o600),),
        sysctl=(("kernel.msgmax", "1"),),
        masked_paths=("/a",),
        readonly_paths=("/b",),
        uid_mappings=((0, 100, 10),),
        rootfs_propagation="shared",
        annotations=(("org.example.k", "v"),),
        unknown=(("rtgateUnknown", "x"),),
    )
    document = ContainerConfig(details=details).to_json()
    process, linux = document["process"], document["linux"]
    assert process["user"] == {"uid": 1000, "gid": 1000, "umask": 23, "additionalGids": [5]}
    assert process["capabilities"]["bounding"] == ["CAP_KILL"]
    assert process["capabilities"]["ambient"] == []
    assert len(process["rlimits"]) == 2, "duplicates are written as given"
    assert (process["noNewPrivileges"], process["oomScoreAdj"]) == (True, -5)
    assert document["domainname"] == "example"
    assert document["mounts"][-1] == {"destination": "/m", "type": "tmpfs", "source": "tmpfs",
                                      "options": ["ro"]}  # fmt: skip
    assert linux["devices"] == [{"path": "/dev/p", "type": "p", "fileMode": 0o600}]
    assert linux["sysctl"] == {"kernel.msgmax": "1"}
    assert (linux["maskedPaths"], linux["readonlyPaths"]) == (["/a"], ["/b"])
    assert linux["uidMappings"] == [{"containerID": 0, "hostID": 100, "size": 10}]
    assert "gidMappings" not in linux
    assert linux["rootfsPropagation"] == "shared"
    assert document["annotations"] == {"org.example.k": "v"}
    assert document["rtgateUnknown"] == "x"
