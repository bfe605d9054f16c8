"""The files of a resctrl mount (reference §1.2–1.3, §1.12): what each directory holds and how
each file renders and dispatches, over the :class:`~harness.fakes.resctrl.fs.ResctrlFs` model.

Trees are lists of (directory relative to the mount, its control files), parents first, so the
kernel can make the directories and fill them in order.
"""

from __future__ import annotations

from harness.fakes.kernfs import ControlFile
from harness.fakes.kernfs import Show
from harness.fakes.resctrl.allocation import write_mode
from harness.fakes.resctrl.allocation import write_schemata
from harness.fakes.resctrl.cpu_groups import write_cpus
from harness.fakes.resctrl.cpus import format_cpulist
from harness.fakes.resctrl.cpus import format_cpumask
from harness.fakes.resctrl.fs import ResctrlFs
from harness.fakes.resctrl.fs import ResctrlGroup
from harness.fakes.resctrl.schemata import Schema
from harness.fakes.resctrl.schemata import cache_size
from harness.fakes.resctrl.schemata import display_order
from harness.fakes.resctrl.schemata import format_schemata
from harness.fakes.resctrl.schemata import format_size

__all__ = ["Tree", "group_tree", "info_tree"]

Tree = list[tuple[str, list[ControlFile]]]


def _join(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + name


def group_tree(fs: ResctrlFs, path: str) -> Tree:
    """A group's directory: cpus, cpus_list, tasks (+ mode, schemata, size for CTRL_MON), and
    with monitoring mon_data/mon_L3_XX/<events> (+ mon_groups/ for CTRL_MON)."""
    group = fs.groups[path]
    files = [
        ControlFile(
            "cpus",
            lambda: format_cpumask(fs.group(path).cpus, fs.num_cpus) + "\n",
            lambda p: write_cpus(fs, path, p, as_list=False),
        ),
        ControlFile(
            "cpus_list",
            lambda: format_cpulist(fs.group(path).cpus) + "\n",
            lambda p: write_cpus(fs, path, p, as_list=True),
        ),
        ControlFile(
            "tasks",
            lambda: "".join(f"{pid}\n" for pid in fs.tasks_of(path)),
            lambda p: fs.write_tasks(path, p),
        ),
    ]
    if group.kind == "ctrl":
        files += [
            ControlFile(
                "mode", lambda: fs.group(path).mode + "\n", lambda p: write_mode(fs, path, p)
            ),
            ControlFile(
                "schemata",
                lambda: _schemata(fs, fs.group(path)),
                lambda p: write_schemata(fs, path, p),
            ),
            ControlFile("size", lambda: _size(fs, fs.group(path))),
        ]
    mon = fs.topo.monitoring
    if fs.debug and group.kind == "ctrl":
        files.append(ControlFile("ctrl_hw_id", lambda: f"{fs.group(path).closid}\n"))
    if fs.debug and mon is not None:
        files.append(ControlFile("mon_hw_id", lambda: f"{fs.group(path).rmid}\n"))
    tree: Tree = [(path, files)]
    if mon is None:
        return tree
    mon_data = _join(path, "mon_data")
    tree.append((mon_data, []))
    for domain in fs.topo.cache_ids:
        tree.append(
            (
                _join(mon_data, f"mon_L3_{domain:02d}"),
                [ControlFile(ev, _counter(fs, path, domain, ev)) for ev in mon.mon_features],
            )
        )
    if group.kind == "ctrl":
        tree.append((_join(path, "mon_groups"), []))
    return tree


def _counter(fs: ResctrlFs, path: str, domain: int, event: str) -> Show:
    """A mon_data event: the group's counter, plus its MON groups' for a CTRL_MON group."""

    def show() -> str:
        group = fs.group(path)
        rmids = [group.rmid]
        if group.kind == "ctrl":
            rmids += [m.rmid for m in fs.mon_groups_of(path)]
        values = [fs.counters.get((r, domain, event), 0) for r in rmids if r is not None]
        words = [v for v in values if isinstance(v, str)]
        if words:  # the kernel stops at the first RMID it cannot read
            return words[0] + "\n"
        return f"{sum(v for v in values if isinstance(v, int))}\n"

    return show


def _schemata(fs: ResctrlFs, group: ResctrlGroup) -> str:
    """The schemata read; locksetup shows ``uninitialized``, a locked group its region."""
    if group.mode == "pseudo-locksetup":
        return "".join(
            f"{s.name}:uninitialized\n" for s in display_order(_visible(fs, group), fs.era)
        )
    if group.mode == "pseudo-locked" and group.plr is not None:
        name, domain, cbm = group.plr
        return f"{name}:{domain}={cbm:x}\n"
    return format_schemata(group.config, _visible(fs, group), fs.topo, fs.era)


def _size(fs: ResctrlFs, group: ResctrlGroup) -> str:
    if group.mode == "pseudo-locked" and group.plr is not None:
        name, domain, cbm = group.plr
        width = max(len(s.name) for s in fs.schemas)
        schema = next(s for s in fs.schemas if s.name == name)
        return f"{name:>{width}}:{domain}={cache_size(schema, cbm)}\n"
    zeros = group.mode == "pseudo-locksetup"
    return format_size(group.config, _visible(fs, group), fs.era, zeros=zeros)


def _visible(fs: ResctrlFs, group: ResctrlGroup) -> list[Schema]:
    return list(fs.schemas_for(group).values())


def info_tree(fs: ResctrlFs) -> Tree:
    """``info/``: last_cmd_status, one dir per schema (L3 or L3CODE/L3DATA, L2 or
    L2CODE/L2DATA, MB), L3_MON.  AMD's MB has no ``thread_throttle_mode`` (its throttle mode is
    undefined, resctrl.rst "Info directory": "Indicator on Intel systems")."""
    topo, era = fs.topo, fs.era
    tree: Tree = [("/info", [ControlFile("last_cmd_status", fs.status)])]
    for schema in fs.schemas:
        files = [ControlFile("num_closids", _const(f"{schema.num_closid}\n"))]
        if schema.kind == "cache":
            cache = schema.alloc
            files += [
                ControlFile("cbm_mask", _const(f"{cache.cbm_mask:x}\n")),
                ControlFile("min_cbm_bits", _const(f"{cache.min_cbm_bits}\n")),
                ControlFile("shareable_bits", _const(f"{cache.shareable_bits:x}\n")),
                ControlFile("bit_usage", lambda s=schema: _bit_usage(fs, s)),
            ]
            if era.newer_info:
                files.append(ControlFile("sparse_masks", _const(f"{int(topo.sparse_masks)}\n")))
        else:
            mba = topo.mba
            assert mba is not None
            files += [
                ControlFile("min_bandwidth", _const(f"{mba.min_bandwidth}\n")),
                ControlFile("bandwidth_gran", _const(f"{mba.bandwidth_gran}\n")),
                ControlFile("delay_linear", _const(f"{int(mba.delay_linear)}\n")),
            ]
            if era.newer_info and mba.vendor == "intel":
                mode = _const(f"{mba.throttle_mode}\n")
                files.append(ControlFile("thread_throttle_mode", mode))
        tree.append((f"/info/{schema.name}", files))
    mon = topo.monitoring
    if mon is not None:
        tree.append(
            (
                "/info/L3_MON",
                [
                    ControlFile("num_rmids", _const(f"{mon.num_rmids}\n")),
                    ControlFile(
                        "mon_features", _const("".join(f"{e}\n" for e in mon.mon_features))
                    ),
                    ControlFile(
                        "max_threshold_occupancy",
                        lambda: f"{fs.max_threshold_occupancy}\n",
                        fs.write_threshold,
                    ),
                ],
            )
        )
    return tree


def _const(text: str) -> Show:
    return lambda: text


def _bit_usage(fs: ResctrlFs, schema: Schema) -> str:
    """``bit_usage``: per domain, MSB first: P pseudo-locked, X hw and sw shareable, H hw only,
    S shareable group, E exclusive group, 0 unused."""
    cache = schema.alloc
    parts = []
    for domain in schema.domains:
        shareable = exclusive = 0
        for group in fs.ctrl_groups():
            if group.mode in ("pseudo-locksetup", "pseudo-locked"):
                continue
            names = [schema.name] + ([schema.peer] if schema.peer else [])
            bits = 0
            for name in names:
                bits |= group.config[name][domain]
            if group.mode == "exclusive":
                exclusive |= bits
            else:
                shareable |= bits
        locked = fs.locked_region(schema, domain)
        chars = []
        for bit in reversed(range(cache.cbm_len)):
            hw = cache.shareable_bits >> bit & 1
            if locked >> bit & 1:
                chars.append("P")
            elif hw and shareable >> bit & 1:
                chars.append("X")
            elif hw:
                chars.append("H")
            elif shareable >> bit & 1:
                chars.append("S")
            elif exclusive >> bit & 1:
                chars.append("E")
            else:
                chars.append("0")
        parts.append(f"{domain}=" + "".join(chars))
    return ";".join(parts) + "\n"
