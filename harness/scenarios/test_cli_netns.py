"""Network namespaces through the command line: delete removes what create made and nothing
else (runtime-spec v1.0.2 runtime.md, delete; config-linux.md, namespaces).

* A container joins a named network namespace the harness made (mounted at
  /run/netns/<prefix>-<name>, holding a virtual interface the harness added).  After delete the
  namespace is still mounted there, is the same one, and still holds the interface.
* A container gets a network namespace of its own.  Its identity (``net:[<inode>]``) is read from
  /proc/<init>/ns/net while init runs; after delete no task, descriptor or mount refers to it.

Everything is observed through the host (/proc, mountinfo, netlink), never through the subject.
"""

from __future__ import annotations

import os

import pytest

from harness.hosts import Host
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.command_line import reach_status
from harness.scenarios._support.setting_up import setting_up
from harness.subjects import ApiSubject
from harness.subjects import OciSubject
from harness.subjects.command_line import CONTAINER_NAMESPACES
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import Namespace

#: the interface the harness puts into the namespace a container joins
INTERFACE = "rtgate0"
#: how a skip begins when the subject starts init without the network namespace it was asked
#: for (the reference does on a real host: it starts plain host processes)
NO_OWN_NETNS = "the subject gave init no network namespace of its own"


def _running(cli: CommandLine, host: Host, name: str, network: Namespace) -> int:
    """A running container called ``name`` with the host's usual namespaces plus ``network``;
    returns its init pid."""
    cid = host.container_id(name)
    usual = tuple(ns for ns in CONTAINER_NAMESPACES if ns.type != "network")
    bundle = cli.bundle(name, namespaces=(*usual, network))
    for argv in (("create", "--bundle", bundle, cid), ("start", cid)):
        result = cli(*argv)
        setting_up(result.exit_code == 0, result.describe())
    reach_status(cli, host, cid, "running")
    state = cli.state(cid)
    assert state is not None and int(state.get("pid") or 0) > 0, f"state has no pid: {state}"
    return int(state["pid"])


def _describe(path: str) -> str:
    """What is at ``path`` now, for a failure message."""
    try:
        found = os.stat(path)
    except OSError as err:
        return f"stat: {err.strerror}"
    return f"stat: dev {os.major(found.st_dev)}:{os.minor(found.st_dev)} inode {found.st_ino}"


def _delete(cli: CommandLine, host: Host, name: str, how: str) -> None:
    """Delete the container: ``stopped`` kills it first, ``forced`` deletes it running."""
    cid = host.container_id(name)
    if how == "stopped":
        killed = cli("kill", cid, "KILL")
        setting_up(killed.exit_code == 0, killed.describe())
        reach_status(cli, host, cid, "stopped")
        result = cli("delete", cid)
    else:
        result = cli("delete", "--force", cid)
    assert result.exit_code == 0, result.describe()
    assert cli("state", cid).exit_code != 0, "state still answers after delete"


@pytest.mark.parametrize("how", ["stopped", "forced"])
@pytest.mark.requirement("CLI-NETNS-JOINED-KEPT")
def test_delete_leaves_a_joined_network_namespace(cli: CommandLine, host: Host, how: str) -> None:
    name = f"netjoin-{how}"
    path = host.make_netns(name, INTERFACE)
    ident = host.named_netns(path)
    assert ident is not None, f"the harness's namespace is not mounted at {path}"
    assert INTERFACE in host.netns_links(path), "the harness's interface is not in it"
    pid = _running(cli, host, name, Namespace("network", path=path))
    joined = host.netns_of(pid)
    _delete(cli, host, name, how)
    after = host.named_netns(path)
    assert after is not None, (
        f"after delete no namespace is mounted at {path} ({_describe(path)}); init was in {joined}"
    )
    assert after == ident, f"{path} now holds {after}, not the namespace {ident} it held"
    links = host.netns_links(path)
    assert INTERFACE in links, f"delete took {INTERFACE} out of the joined namespace: {links}"


@pytest.mark.parametrize("how", ["stopped", "forced"])
@pytest.mark.requirement("CLI-NETNS-OWN-RELEASED")
def test_delete_releases_the_containers_own_network_namespace(
    cli: CommandLine, host: Host, subject: ApiSubject | OciSubject, how: str
) -> None:
    name = f"netown-{how}"
    pid = _running(cli, host, name, Namespace("network"))
    ident = host.netns_of(pid)
    assert ident is not None, f"/proc/{pid}/ns/net of the running init cannot be read"
    if ident == host.host_netns():
        pytest.skip(
            f"{NO_OWN_NETNS} on {host.describe()}: init {pid} of {subject.name} is in the "
            f"harness's own network namespace {ident} (/proc/{pid}/ns/net, /proc/self/ns/net), "
            "so there is none of its own to see released"
        )
    holders = host.netns_holders(ident)
    assert f"pid {pid}" in holders, f"the scan of /proc misses init {pid} in {ident}: {holders}"
    _delete(cli, host, name, how)
    left: list[str] = []

    def released() -> bool:
        left[:] = host.netns_holders(ident)
        return not left

    assert eventually(host, released), f"after delete {ident} is still held by: {left}"
