"""Intel RDT through the command line: what a host must be for a rule, and resctrl read and
written as the kernel's Documentation/arch/x86/resctrl.rst describes it.

Masks are chosen from ``info/L3/{cbm_mask,min_cbm_bits,bit_usage}``, memory bandwidth values
from ``info/MB/{min_bandwidth,bandwidth_gran}``; each write is one line per resource ended by a
newline; ``tasks`` holds one pid per line; ``schemata`` lines are compared by value (names may
be padded, masks zero-padded).
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
        int(read_text(os.path.join(info, name, "num_closids")))
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
def read_text(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read()


def l3_info(name: str) -> str:
    return cache_info("L3", name)


def cache_info(resource: str, name: str) -> str:
    """``info/<resource>/<name>``, stripped."""
    return read_text(os.path.join(RESCTRL, "info", resource, name)).strip()


def bit_usage(resource: str = "L3") -> dict[int, str]:
    """``info/<resource>/bit_usage``: per cache id, one letter per bit, most significant
    first; {} on kernels without the file."""
    path = os.path.join(RESCTRL, "info", resource, "bit_usage")
    if not os.path.exists(path):
        return {}
    usage = {}
    for item in read_text(path).strip().split(";"):
        domain, _, letters = item.partition("=")
        usage[int(domain)] = letters.strip()
    return usage


def free_mask(width: int, cbm_len: int, letters: str, skip: int = 0) -> int:
    """The ``skip``-th lowest run of ``width`` contiguous bits, none of them used exclusively
    or pseudo-locked by another group (0 when there is none)."""
    taken = {cbm_len - 1 - i for i, letter in enumerate(letters) if letter in _TAKEN}
    runs = [
        ((1 << width) - 1) << low
        for low in range(0, cbm_len - width + 1, width)
        if not taken & set(range(low, low + width))
    ]
    return runs[min(skip, len(runs) - 1)] if runs else 0


def valid_schema(host: Host, shift: int = 0) -> str:
    """An ``L3:`` line the kernel accepts on every cache domain (see :func:`valid_line`)."""
    return valid_line("L3", host.l3_domains(), shift)


def valid_line(resource: str, domains: list[int], shift: int = 0) -> str:
    """A line of cache ``resource`` (L3, L2, L3CODE, ...) the kernel accepts on every one of
    ``domains``: contiguous runs of min_cbm_bits (at least two) set bits within cbm_mask,
    clear of exclusive bits; every other domain gets the next run, so that neighbours
    differ.  ``shift`` 1 swaps the runs: another valid line, for a rule that needs two."""
    cbm_len = int(cache_info(resource, "cbm_mask"), 16).bit_length()
    width = max(int(cache_info(resource, "min_cbm_bits")), 2)
    usage = bit_usage(resource)
    items = []
    for i, domain in enumerate(domains):
        mask = free_mask(width, cbm_len, usage.get(domain, ""), skip=(i + shift) % 2)
        if mask == 0:
            skip_for_host(
                f"free {resource} CAT bits",
                f"{resource} cache {domain} has no {width} free contiguous bits: {usage}",
            )
        items.append(f"{domain}={mask:x}")
    return f"{resource}:" + ";".join(items)


def invalid_schema(host: Host, kind: str) -> str:
    """An ``L3:`` line every kernel refuses with EINVAL: a mask wider than ``cbm_mask``
    ("Mask out of range"), or one that is not hex ("Non-hex character in the mask")."""
    full = int(l3_info("cbm_mask"), 16)
    value = f"{full << 1 | full:x}" if kind == "out-of-range" else "xyz"
    return "L3:" + ";".join(f"{domain}={value}" for domain in host.l3_domains())


def l3_masks(schema: str) -> dict[int, int]:
    """The L3 masks of a schemata text or an ``L3:`` line, by cache id."""
    return cache_masks(schema, "L3")


def cache_masks(schema: str, resource: str) -> dict[int, int]:
    """The masks of ``resource`` in a schemata text or line, by cache id.  Names may be
    padded on the left and masks with zeros, so both are compared by value."""
    for line in schema.splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == resource:
            pairs = (item.split("=", 1) for item in rest.split(";") if item.strip())
            return {int(d): int(v.strip(), 16) for d, v in pairs}
    return {}


def group_masks(group: str, resource: str = "L3") -> dict[int, int]:
    return cache_masks(read_text(os.path.join(RESCTRL, group, "schemata")), resource)


def make_group(host: Host, name: str, schema: str) -> str:
    """A resctrl group the harness makes beforehand, as an administrator does: mkdir, then
    its schema in one write ended by a newline.  A real host removes it at close."""
    os.mkdir(host.resctrl_group(name))
    with open(os.path.join(host.resctrl_group(name), "schemata"), "w", encoding="ascii") as f:
        f.write(schema + "\n")
    return name


# -- the command line -----------------------------------------------------------------------
def create_with(cli: Cli, host: Host, name: str, rdt: IntelRdt) -> tuple[str, Any, set[int]]:
    """Create ``name`` with ``rdt``: its id, the command's record, and the live processes from
    just before (what a failed create must not add to)."""
    cid = host.container_id(name)
    bundle = cli.bundle(name, intel_rdt=rdt)
    before = host.live_processes()
    return cid, cli("create", "--bundle", bundle, cid), before


def stop_and_delete(cli: Cli, host: Host, cid: str) -> Any:
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


# -- memory bandwidth and CDP ---------------------------------------------------------------
#: a host with L3 CAT and MBA (10% steps) through a mounted resctrl
MBA_MACHINE = "xeon-2s-cat-mba"
#: a host whose resctrl is mounted with cdp: L3CODE and L3DATA instead of L3
CDP_MACHINE = "xeon-cdp"
#: an AMD host: MBA in 1/8 GB/s units up to 2048, any step (bandwidth_gran 1, min 0)
AMD_MBA_MACHINE = "epyc-milan-mba"
#: the MBA hosts the memory bandwidth rules run on, by vendor
MBA_MACHINES = (MBA_MACHINE, AMD_MBA_MACHINE)
#: a host with L2 CAT (16-bit masks on 48 per-core caches) besides L3 CAT and MBA
L2_MACHINE = "sapphire-rapids-l2"


#: what each CPU flag a rule probes for stands for, as the skip names it
_FLAG_FEATURES = {
    "mba": "MBA", "cat_l3": "L3 CAT", "cdp_l3": "L3 CDP", "cqm_llc": "cache monitoring",
    "cat_l2": "L2 CAT",
}  # fmt: skip


def _with_info(
    host: Host, flag: str, dirs: tuple[str, ...], absent: tuple[str, ...] = ()
) -> str | None:
    """Why ``host`` lacks resctrl mounted with these info/ directories (and the CPU ``flag``),
    or lacks a free CLOSID; None when it has them."""
    where = host.describe()
    if flag not in cpu_flags():
        return f"no {_FLAG_FEATURES[flag]}: /proc/cpuinfo has no {flag} flag ({where})"
    info = os.path.join(RESCTRL, "info")
    if not os.path.isdir(info):
        return f"resctrl is not mounted with an info/ directory on {where}"
    held = set(os.listdir(info))
    if not set(dirs) <= held or held & set(absent):
        wanted = ", ".join([*dirs, *(f"no {name}" for name in absent)])
        return f"resctrl info/ holds {', '.join(sorted(held))} on {where}; the rule needs {wanted}"
    free, groups = free_closids()
    if free < 1:
        return f"resctrl has no free CLOSID for a new group: {groups} groups hold them all"
    return None


def mba_usable(host: Host) -> str | None:
    """A host's ``needs``: memory bandwidth allocation (the mba flag, ``info/MB``)."""
    return _with_info(host, "mba", ("MB",))


def cat_and_mba_usable(host: Host) -> str | None:
    """A host's ``needs``: L3 CAT and MBA through one mounted resctrl."""
    return _with_info(host, "mba", ("L3", "MB")) or _with_info(host, "cat_l3", ("L3",))


def monitoring_usable(host: Host) -> str | None:
    """A host's ``needs``: L3 CAT and monitoring (``info/L3_MON``) through one resctrl."""
    return _with_info(host, "cqm_llc", ("L3", "L3_MON")) or _with_info(host, "cat_l3", ("L3",))


def mon_group(group: str, cid: str) -> str:
    """The monitoring group of container ``cid`` in ``group``, relative to resctrl's root."""
    return os.path.join(group, "mon_groups", cid)


def l2_usable(host: Host) -> str | None:
    """A host's ``needs``: L2 CAT (the cat_l2 flag, ``info/L2``) through a mounted resctrl."""
    return _with_info(host, "cat_l2", ("L2",))


def cdp_mounted(host: Host) -> str | None:
    """A host's ``needs``: resctrl mounted with cdp, so that ``info/`` has L3CODE and L3DATA
    and no L3."""
    return _with_info(host, "cdp_l3", ("L3CODE", "L3DATA"), absent=("L3",))


def neither_cat_nor_mba(host: Host) -> str | None:
    """A host's ``needs``: resctrl mounted with cdp and without MBA, so that ``info/`` has
    neither L3 nor MB (what runc 1.1 takes for no RDT at all)."""
    return _with_info(host, "cdp_l3", ("L3CODE", "L3DATA"), absent=("L3", "MB"))


def root_domains(resource: str) -> list[int]:
    """The domain ids of ``resource``'s line in the default group's schemata."""
    for line in read_text(os.path.join(RESCTRL, "schemata")).splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == resource:
            return [int(item.split("=")[0]) for item in rest.split(";") if item.strip()]
    raise AssertionError(f"the default group's schemata has no {resource} line")


def valid_mb_schema() -> str:
    """An ``MB:`` line every domain accepts and keeps as written: half the bandwidth (a
    percentage on Intel, 1/8 GB/s units on AMD, MBps under mba_MBps: 50 is valid in each),
    raised to ``info/MB/min_bandwidth`` and rounded up to ``bandwidth_gran``, since the
    kernel rounds a value up to it."""
    value = mb_value(50)
    return "MB:" + ";".join(f"{d}={value}" for d in root_domains("MB"))


def mb_value(bw: int) -> int:
    """``bw`` as the kernel keeps it: raised to ``info/MB/min_bandwidth`` and rounded up to
    ``bandwidth_gran``."""
    info = os.path.join(RESCTRL, "info", "MB")
    least = int(read_text(os.path.join(info, "min_bandwidth")))
    gran = max(int(read_text(os.path.join(info, "bandwidth_gran"))), 1)
    return -(-max(bw, least) // gran) * gran


def mb_values(text: str) -> dict[int, int]:
    """The MB values of a schemata text or an ``MB:`` line, by domain id."""
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == "MB":
            pairs = (item.split("=", 1) for item in rest.split(";") if item.strip())
            return {int(d): int(v.strip()) for d, v in pairs}
    return {}


def group_mb(group: str) -> dict[int, int]:
    return mb_values(read_text(os.path.join(RESCTRL, group, "schemata")))


def plain_l3_on_cdp() -> str:
    """An ``L3:`` line, valid by the masks of ``info/L3CODE``, that a CDP mount refuses: its
    resources are L3CODE and L3DATA ("Unknown or unsupported resource name")."""
    full = int(read_text(os.path.join(RESCTRL, "info", "L3CODE", "cbm_mask")).strip(), 16)
    return "L3:" + ";".join(f"{d}={full:x}" for d in root_domains("L3CODE"))


# -- CLOSIDs --------------------------------------------------------------------------------
#: a host with L3 CAT and 4 CLOSIDs (3 for new groups), so that few groups exhaust them
FEW_CLOSIDS_MACHINE = "small-closids"


def take_free_closids(host: Host, tag: str) -> list[str]:
    """Make groups (named for this run, removed with its other groups) until no CLOSID is
    free, as groups of other tenants of a node would; their names."""
    free, _ = free_closids()
    names = [host.container_id(f"{tag}{i}") for i in range(free)]
    for name in names:
        os.mkdir(host.resctrl_group(name))
    return names
