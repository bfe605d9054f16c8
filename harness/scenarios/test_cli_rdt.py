"""Intel RDT through the command line: ``linux.intelRdt`` in config.json, as users set it.

runtime-spec v1.0.2 (config-linux.md#intelrdt): with intelRdt set the runtime MUST write the
container's pid to ``tasks`` in a sub-directory of a mounted resctrl named by ``closID`` (the
container id without one) and MUST write ``l3CacheSchema`` to its ``schemata``; without resctrl
mounted it MUST generate an error; and a create that errs leaves the host as it was (runtime.md).

Each rule boots the machine it is about (``cli_on``): a host without resctrl, or one with L3 CAT.
On a real host the same rule runs when the probe finds this machine is of that kind, and skips
with what it found otherwise.  The resctrl files are read and written as the kernel's
Documentation/arch/x86/resctrl.rst describes them: ``info/L3/{cbm_mask,min_cbm_bits,bit_usage}``
to choose masks, one ``L3:<id>=<cbm>;...`` line ended by a newline per write, ``tasks`` one pid
per line, and ``schemata`` lines compared by value (names may be padded, masks zero-padded).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.hosts.base import RESCTRL
from harness.hosts.facts import cpu_flags
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.command_line import left_by_create
from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.machines import resctrl_unmounted
from harness.scenarios._support.skips import skip_for_host
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import IntelRdt

Cli = CommandLine

#: a host with L3 CAT through a mounted resctrl (two cache domains, 11-bit masks)
CAT_MACHINE = "v1-cat"
#: the bit_usage letters of bits no other group may share (exclusive, pseudo-locked)
_TAKEN = frozenset("EP")


# -- what a host must be --------------------------------------------------------------------
def no_rdt_cpu(host: Host) -> str | None:
    """A host's ``needs``: the CPU has no L3 CAT (no cat_l3 flag) and resctrl is not mounted."""
    if "cat_l3" in cpu_flags():
        where = host.describe()
        return f"/proc/cpuinfo has the cat_l3 flag on {where}; the rule needs a CPU without it"
    return resctrl_unmounted(host)


def cat_unmounted(host: Host) -> str | None:
    """A host's ``needs``: the CPU has L3 CAT (cat_l3) but resctrl is not mounted."""
    if "cat_l3" not in cpu_flags():
        return f"/proc/cpuinfo has no cat_l3 flag on {host.describe()}; the rule needs a CAT CPU"
    return resctrl_unmounted(host)


def rdt_usable(host: Host) -> str | None:
    """A host's ``needs``: L3 CAT through a mounted resctrl (what ``host.rdt_unavailable``
    probes: the cat_l3 flag, a resctrl line in mountinfo, ``info/L3``) with a CLOSID free for
    one more group (a shared RDT node may have given them all away)."""
    reason = host.rdt_unavailable()
    if reason is not None:
        return f"{reason} ({host.describe()})"
    free, groups = free_closids()
    if free < 1:
        return f"resctrl has no free CLOSID for a new group: {groups} groups hold them all"
    return None


def free_closids() -> tuple[int, int]:
    """(CLOSIDs free for new groups, control groups already made).  Every group made in the
    resctrl root takes a CLOSID, the default group has one of its own, and the number there
    are is the smallest ``num_closids`` of the allocation resources in ``info/``."""
    info = os.path.join(RESCTRL, "info")
    counts = [
        int(_read(os.path.join(info, name, "num_closids")))
        for name in os.listdir(info)
        if os.path.exists(os.path.join(info, name, "num_closids"))
    ]
    groups = [
        name for name in os.listdir(RESCTRL)
        if name not in ("info", "mon_groups", "mon_data")
        and os.path.isdir(os.path.join(RESCTRL, name))
    ]  # fmt: skip
    return min(counts, default=0) - 1 - len(groups), len(groups)


WITHOUT_RESCTRL = [
    pytest.param("hybrid-no-rdt", no_rdt_cpu, id="no-rdt-cpu"),
    pytest.param("rdt-unmounted", cat_unmounted, id="cat-unmounted"),
]


# -- resctrl as the kernel documents it -----------------------------------------------------
def _read(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read()


def _l3_info(name: str) -> str:
    return _read(os.path.join(RESCTRL, "info", "L3", name)).strip()


def _bit_usage() -> dict[int, str]:
    """``info/L3/bit_usage``: per cache id, one letter per bit, most significant first; {}
    on kernels without the file."""
    path = os.path.join(RESCTRL, "info", "L3", "bit_usage")
    if not os.path.exists(path):
        return {}
    usage = {}
    for item in _read(path).strip().split(";"):
        domain, _, letters = item.partition("=")
        usage[int(domain)] = letters.strip()
    return usage


def _free_mask(width: int, cbm_len: int, letters: str, skip: int = 0) -> int:
    """The ``skip``-th lowest run of ``width`` contiguous bits, none of them used exclusively
    or pseudo-locked by another group (0 when there is none)."""
    taken = {cbm_len - 1 - i for i, letter in enumerate(letters) if letter in _TAKEN}
    runs = [
        ((1 << width) - 1) << low
        for low in range(0, cbm_len - width + 1, width)
        if not taken & set(range(low, low + width))
    ]
    return runs[min(skip, len(runs) - 1)] if runs else 0


def valid_schema(host: Host) -> str:
    """An ``L3:`` line the kernel accepts on every cache domain: contiguous runs of
    min_cbm_bits (at least two) set bits within cbm_mask, clear of exclusive bits; the
    second domain gets the next run, so that the domains differ."""
    cbm_len = int(_l3_info("cbm_mask"), 16).bit_length()
    width = max(int(_l3_info("min_cbm_bits")), 2)
    usage = _bit_usage()
    items = []
    for i, domain in enumerate(host.l3_domains()):
        mask = _free_mask(width, cbm_len, usage.get(domain, ""), skip=i % 2)
        if mask == 0:
            skip_for_host(
                "free L3 CAT bits",
                f"L3 cache {domain} has no {width} free contiguous bits: {usage}",
            )
        items.append(f"{domain}={mask:x}")
    return "L3:" + ";".join(items)


def invalid_schema(host: Host, kind: str) -> str:
    """An ``L3:`` line every kernel refuses with EINVAL: a mask wider than ``cbm_mask``
    ("Mask out of range"), or one that is not hex ("Non-hex character in the mask")."""
    full = int(_l3_info("cbm_mask"), 16)
    value = f"{full << 1 | full:x}" if kind == "out-of-range" else "xyz"
    return "L3:" + ";".join(f"{domain}={value}" for domain in host.l3_domains())


def l3_masks(schema: str) -> dict[int, int]:
    """The L3 masks of a schemata text or an ``L3:`` line, by cache id.  Names may be padded
    on the left and masks with zeros, so both are compared by value."""
    for line in schema.splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == "L3":
            pairs = (item.split("=", 1) for item in rest.split(";") if item.strip())
            return {int(d): int(v.strip(), 16) for d, v in pairs}
    return {}


def group_masks(group: str) -> dict[int, int]:
    return l3_masks(_read(os.path.join(RESCTRL, group, "schemata")))


def make_group(host: Host, name: str, schema: str) -> str:
    """A resctrl group the harness makes beforehand, as an administrator does: mkdir, then
    its schema in one write ended by a newline.  A real host removes it at close."""
    os.mkdir(host.resctrl_group(name))
    with open(os.path.join(host.resctrl_group(name), "schemata"), "w", encoding="ascii") as f:
        f.write(schema + "\n")
    return name


# -- the command line -----------------------------------------------------------------------
def _create(cli: Cli, host: Host, name: str, rdt: IntelRdt) -> tuple[str, Any, set[int]]:
    """Create ``name`` with ``rdt``: its id, the command's record, and the live processes from
    just before (what a failed create must not add to)."""
    cid = host.container_id(name)
    bundle = cli.bundle(name, intel_rdt=rdt)
    before = host.live_processes()
    return cid, cli("create", "--bundle", bundle, cid), before


def _stop_and_delete(cli: Cli, host: Host, cid: str) -> Any:
    """SIGKILL, wait until state says stopped, then delete: what every runtime allows."""
    killed = cli("kill", cid, "KILL")
    assert killed.exit_code == 0, killed.describe()
    assert eventually(host, lambda: cli.status(cid) == "stopped"), f"state: {cli.status(cid)}"
    return cli("delete", cid)


def left_behind(
    cli: Cli, host: Host, cid: str, groups: tuple[str, ...], before: set[int]
) -> list[str]:
    """What a create that failed left of the container: state, state dir, cgroups, processes
    it started, resctrl groups (empty when nothing)."""
    left = left_by_create(cli, host, cid, before)
    left += [host.resctrl_group(g) for g in groups if os.path.isdir(host.resctrl_group(g))]
    return left


# -- no resctrl -----------------------------------------------------------------------------
@pytest.mark.parametrize(("machine", "needs"), WITHOUT_RESCTRL)
@pytest.mark.requirement("CLI-RDT-UNSUPPORTED")
def test_create_with_a_schema_and_no_resctrl_fails(
    cli_on: CliOnHost, machine: str, needs: Any
) -> None:
    with cli_on(machine, needs) as (host, cli):
        cid, result, before = _create(cli, host, "nores", IntelRdt(l3_cache_schema="L3:0=3"))
        assert result.exit_code != 0, f"{result.describe()}; resctrl is not mounted"
        left = left_behind(cli, host, cid, (cid,), before)
        assert left == [], f"the refused create left {left}"


@pytest.mark.parametrize("shape", ["closid", "empty"])
@pytest.mark.parametrize(("machine", "needs"), WITHOUT_RESCTRL)
@pytest.mark.requirement("CLI-RDT-UNSUPPORTED-NO-SCHEMA")
def test_create_with_no_schema_and_no_resctrl_fails(
    cli_on: CliOnHost, machine: str, needs: Any, shape: str
) -> None:
    with cli_on(machine, needs) as (host, cli):
        clos = host.container_id("nowhere") if shape == "closid" else None
        name = f"noschema-{shape}"
        cid, result, before = _create(cli, host, name, IntelRdt(clos_id=clos))
        assert result.exit_code != 0, (
            f"{result.describe()}; config.json sets intelRdt {IntelRdt(clos_id=clos).to_json()}"
            " and resctrl is not mounted"
        )
        left = left_behind(cli, host, cid, (cid, clos) if clos else (cid,), before)
        assert left == [], f"the refused create left {left}"


# -- L3 CAT ---------------------------------------------------------------------------------
# a group named by closID needs closID (runc v1.1.0), which the seed's config does not know
@pytest.mark.parametrize(
    "named_by", ["id", pytest.param("closid", marks=pytest.mark.needs("CLI-RDT-CLOSID-KEPT"))]
)
@pytest.mark.requirement("CLI-RDT-GROUP")
def test_group_holds_schema_and_init(cli_on: CliOnHost, named_by: str) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        schema = valid_schema(host)
        cid = host.container_id(f"grp-{named_by}")
        clos = host.container_id("grp-clos") if named_by == "closid" else None
        group = clos or cid
        rdt = IntelRdt(clos_id=clos, l3_cache_schema=schema)
        _, result, _ = _create(cli, host, f"grp-{named_by}", rdt)
        assert result.exit_code == 0, result.describe()
        pid = int((cli.state(cid) or {}).get("pid") or 0)
        assert os.path.isdir(host.resctrl_group(group)), f"no resctrl group {group}"
        assert pid in host.resctrl_tasks(group), f"init {pid} is not in {group}/tasks"
        assert group_masks(group) == l3_masks(schema), (
            f"{group}/schemata holds {group_masks(group)}; the config says {schema}"
        )
        if clos is not None:
            assert not os.path.exists(host.resctrl_group(cid)), "a group named by the id"
        deleted = _stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        if clos is None:
            assert not os.path.exists(host.resctrl_group(cid)), "delete left the group"


@pytest.mark.requirement("CLI-RDT-CLOSID-KEPT")
def test_joined_closid_group_is_kept(cli_on: CliOnHost) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        team = make_group(host, host.container_id("team"), valid_schema(host))
        masks = group_masks(team)
        cid, result, _ = _create(cli, host, "joiner", IntelRdt(clos_id=team))
        assert result.exit_code == 0, result.describe()
        pid = int((cli.state(cid) or {}).get("pid") or 0)
        assert pid in host.resctrl_tasks(team), f"init {pid} did not join {team}"
        assert not os.path.exists(host.resctrl_group(cid)), "a group named by the id"
        deleted = _stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert os.path.isdir(host.resctrl_group(team)), "delete removed a group it did not make"
        assert group_masks(team) == masks, f"{team}/schemata changed: {group_masks(team)}"
        assert pid not in host.resctrl_tasks(team), f"init {pid} is still in {team}/tasks"


@pytest.mark.parametrize("kind", ["out-of-range", "non-hex"])
@pytest.mark.requirement("CLI-RDT-INVALID-SCHEMA")
def test_refused_schema_fails_create_and_leaves_nothing(cli_on: CliOnHost, kind: str) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        schema = invalid_schema(host, kind)
        cid, result, before = _create(cli, host, f"bad-{kind}", IntelRdt(l3_cache_schema=schema))
        assert result.exit_code != 0, f"{result.describe()}; the kernel refuses {schema}"
        left = left_behind(cli, host, cid, (cid,), before)
        assert left == [], f"the refused create left {left}"
