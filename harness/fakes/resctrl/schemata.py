"""Parsing and rendering a resctrl ``schemata`` file, exactly as the kernel does (§1.4–1.7).

The parser is pure: it takes the written bytes and the rules of the group written to and returns
the staged values, or raises :class:`SchemataError` carrying the ``last_cmd_status`` text (None
when the kernel writes no text, e.g. for an unknown domain id).  The caller applies the staged
values only when every line parsed, so a failed write changes nothing -- except MBps values on
kernels since ~v6.0, which ``parse_bw`` stores at once (``write_now``).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Literal

from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoul
from harness.fakes._parse import strim
from harness.fakes.resctrl.era import EraTraits
from harness.fakes.topology import CacheTopology
from harness.fakes.topology import ResctrlTopology

__all__ = [
    "MBA_MAX_MBPS",
    "ParsedSchemata",
    "Schema",
    "SchemataError",
    "SchemataRules",
    "Staged",
    "cache_size",
    "display_order",
    "format_schemata",
    "format_size",
    "parse_schemata",
    "schemas_of",
    "validate_bw",
    "validate_cbm",
]

#: schema name -> domain id -> value
Staged = dict[str, dict[int, int]]
#: the default MB value of a CLOSID under ``mba_MBps`` (U32_MAX)
MBA_MAX_MBPS = 2**32 - 1
U32_MAX = 2**32 - 1


@dataclass(frozen=True, slots=True)
class Schema:
    """One line of ``schemata``: a resource, or one half of a CDP pair."""

    name: str
    kind: Literal["cache", "mb"]
    #: ``info/<name>/num_closids``
    num_closid: int
    #: the CDP peer (``L3CODE`` for ``L3DATA``), whose masks count in overlap checks
    peer: str | None = None
    #: the cache level a cache schema allocates (None for MB)
    cache: CacheTopology | None = None
    #: the domain (cache) ids of its line, ascending: MB uses the L3 ids
    domains: tuple[int, ...] = ()

    @property
    def level(self) -> str:
        """ "L3", "L2" or "MB": the resource the schema belongs to."""
        return self.name[:2]

    @property
    def alloc(self) -> CacheTopology:
        """The cache level of a cache schema."""
        assert self.cache is not None, f"{self.name} is not a cache schema"
        return self.cache


def _cache_schemas(level: str, cache: CacheTopology) -> list[Schema]:
    """``L3``/``L2``, or under CDP the DATA and CODE halves, each with half the CLOSIDs."""
    if cache.cdp:
        half = cache.num_closids // 2
        data, code = f"{level}DATA", f"{level}CODE"
        return [
            Schema(data, "cache", half, code, cache, cache.cache_ids),
            Schema(code, "cache", half, data, cache, cache.cache_ids),
        ]
    return [Schema(level, "cache", cache.num_closids, None, cache, cache.cache_ids)]


def schemas_of(topo: ResctrlTopology) -> list[Schema]:
    """The schemas of a mount, in the kernel's resource-array order (``rdt_resources_all``:
    L3 or L3DATA/L3CODE, then L2 or L2DATA/L2CODE, then MB)."""
    result = _cache_schemas("L3", topo.l3)
    if topo.l2 is not None:
        result += _cache_schemas("L2", topo.l2)
    if topo.mba is not None:
        result.append(Schema("MB", "mb", topo.mba.num_closids, domains=topo.cache_ids))
    return result


def display_order(schemas: list[Schema], era: EraTraits) -> list[Schema]:
    """Line order of reads.  Older kernels walk the resource array (L3, L2, MB); since the
    schema list (~v5.15) each resource is added at the list's head, so MB comes first, then L2,
    then L3 (a CDP pair keeps its DATA, CODE order)."""
    if not era.new_order:
        return list(schemas)
    order = {"MB": 0, "L2": 1, "L3": 2}
    return sorted(schemas, key=lambda s: order[s.level])


class SchemataError(Exception):
    """A rejected write: EINVAL, with the text for ``last_cmd_status`` (or None)."""

    def __init__(self, message: str | None, *, clears_status: bool = True) -> None:
        super().__init__(message or "(no message)")
        self.message = message
        #: False for the early checks that return before last_cmd_status is cleared
        self.clears_status = clears_status


#: (schema, domain, new mask) -> the message to reject it with, or None
CbmCheck = Callable[[Schema, int, int], str | None]


@dataclass(frozen=True, slots=True)
class SchemataRules:
    """What the kernel knows while parsing a write to one group."""

    topo: ResctrlTopology
    era: EraTraits
    #: schemas this group may write (its CLOSID is below their num_closid)
    schemas: Mapping[str, Schema]
    #: the group's mode: locksetup stops each line after its first domain
    mode: str = "shareable"
    #: overlap checks after ``cbm_validate`` (pseudo-locked region, exclusive, other group)
    check: CbmCheck | None = None
    #: whether a domain of the schema's cache already holds a pseudo-locked region
    locked_in_domain: Callable[[Schema, int], bool] = lambda schema, domain: False
    #: stores an MBps value at once (``mbps_immediate`` eras under ``mba_MBps``)
    write_now: Callable[[str, int, int], None] | None = None


@dataclass(slots=True)
class ParsedSchemata:
    """Staged values, and for a locksetup group the region to lock."""

    staged: Staged = field(default_factory=dict)
    lock: tuple[str, int, int] | None = None


def _strsep(text: str | None, sep: str) -> tuple[str | None, str | None]:
    """C ``strsep``: (token, rest); rest is None when ``sep`` does not occur."""
    if text is None:
        return None, None
    head, found, tail = text.partition(sep)
    return head, (tail if found else None)


def validate_cbm(text: str, cache: CacheTopology, sparse_masks: bool, era: EraTraits) -> int:
    """``cbm_validate`` against one cache level: hex, in range, contiguous (unless sparse),
    min_cbm_bits long.

    Raises:
        SchemataError: with the kernel's message.
    """
    try:
        value = kstrtoul(text, 16)
    except KernelErrno:
        raise SchemataError(era.text("non_hex", value=text)) from None
    zero_invalid = era.lower_case or cache.min_cbm_bits > 0
    cbm_len = cache.cbm_len
    if (zero_invalid and value == 0) or value > (1 << cbm_len) - 1:
        raise SchemataError(era.text("out_of_range"))
    first = next((i for i in range(cbm_len) if value >> i & 1), cbm_len)
    zero = next((i for i in range(first, cbm_len) if not value >> i & 1), cbm_len)
    sparse = sparse_masks and era.newer_info
    if not sparse and any(value >> i & 1 for i in range(zero, cbm_len)):
        raise SchemataError(era.text("non_consecutive", mask=value))
    if zero - first < cache.min_cbm_bits:
        raise SchemataError(era.text("min_bits", bits=cache.min_cbm_bits))
    return value


def validate_bw(text: str, topo: ResctrlTopology, era: EraTraits) -> int:
    """``bw_validate``: linear delay, decimal, in [min_bandwidth, max], rounded up to the
    granularity; under ``mba_MBps`` any value (older kernels still round it).

    AMD (``bw_validate_amd`` until the parsers merged; ``arch_needs_linear`` false after): no
    linear-delay check, range [0, 2048] (``MAX_MBA_BW_AMD``; ``1 << BW_LEN`` since 6.8),
    granularity 1, the same range text (resctrl.rst, "Reading/writing the schemata file (on
    AMD systems)").

    Raises:
        SchemataError: with the kernel's message.
    """
    mba = topo.mba
    assert mba is not None
    if not mba.delay_linear and mba.vendor == "intel":
        raise SchemataError(era.text("non_linear"))
    try:
        bw = kstrtoul(text, 10)
        if era.new_mb_parse and bw > U32_MAX:
            raise KernelErrno(0)
    except KernelErrno:
        key = "mb_parse_new" if era.new_mb_parse else "mb_parse_old"
        raise SchemataError(era.text(key, value=text)) from None
    if mba.mba_MBps:
        return bw if era.new_mb_parse else -(-bw // mba.bandwidth_gran) * mba.bandwidth_gran
    if bw < mba.min_bandwidth or bw > mba.max_bw:
        raise SchemataError(era.text("mb_range", bw=bw, low=mba.min_bandwidth, high=mba.max_bw))
    return -(-bw // mba.bandwidth_gran) * mba.bandwidth_gran


def _parse_line(line: str, schema: Schema, rules: SchemataRules, parsed: ParsedSchemata) -> None:
    """``parse_line`` for one schema: ``id=value`` tokens separated by ``;``."""
    era, topo = rules.era, rules.topo
    if rules.mode == "pseudo-locksetup" and schema.kind == "mb":
        raise SchemataError(era.text("lock_mba"))
    staged = parsed.staged.setdefault(schema.name, {})
    rest: str | None = line
    while rest:
        token, rest = _strsep(rest, ";")
        ident, value = _strsep(token, "=")
        try:
            if value is None or ident is None:
                raise KernelErrno(0)
            domain = kstrtoul(ident, 10)
        except KernelErrno:
            raise SchemataError(era.text("bad_domain")) from None
        if domain not in schema.domains:
            raise SchemataError(None)
        if domain in staged:
            raise SchemataError(era.text("duplicate", domain=domain))
        text = strim(value)
        if schema.kind == "mb":
            bw = validate_bw(text, topo, era)
            immediate = era.mbps_immediate and topo.mba is not None and topo.mba.mba_MBps
            if immediate and rules.write_now is not None:
                rules.write_now(schema.name, domain, bw)
            else:
                staged[domain] = bw
            continue
        if rules.mode == "pseudo-locksetup" and rules.locked_in_domain(schema, domain):
            raise SchemataError(era.text("locked_in_hierarchy"))
        mask = validate_cbm(text, schema.alloc, topo.sparse_masks, era)
        problem = rules.check(schema, domain, mask) if rules.check is not None else None
        if problem is not None:
            raise SchemataError(problem)
        staged[domain] = mask
        if rules.mode == "pseudo-locksetup":
            parsed.lock = (schema.name, domain, mask)
            return


def parse_schemata(data: bytes, rules: SchemataRules) -> ParsedSchemata:
    """``rdtgroup_schemata_write`` up to (not including) applying the staged values.

    Raises:
        SchemataError: with the last_cmd_status text, or with ``clears_status`` False for a write
            without its trailing newline.
    """
    if not data or not data.endswith(b"\n"):
        raise SchemataError(None, clears_status=False)
    text = data[:-1].decode("utf-8", "replace")
    parsed = ParsedSchemata()
    era = rules.era
    rest: str | None = text
    while rest is not None:
        line, rest = _strsep(rest, "\n")
        assert line is not None
        head, tail = _strsep(line, ":")
        resname = strim(head or "")
        if tail is None:
            raise SchemataError(era.text("missing_colon"))
        if not tail:
            raise SchemataError(era.text("missing_value", name=resname))
        schema = rules.schemas.get(resname)
        if schema is None:
            raise SchemataError(era.text("unknown_resource", name=resname))
        _parse_line(tail, schema, rules, parsed)
    return parsed


def _name_width(schemas: list[Schema]) -> int:
    """``max_name_width``: a CDP-capable cache whose CDP is off counts as its CODE name (four
    characters more), so the layout does not change between mounts."""
    widths = [len(s.name) for s in schemas]
    widths += [len(s.name) + 4 for s in schemas if s.cache is not None and s.cache.cdp_capable
               and not s.cache.cdp]  # fmt: skip
    return max(widths)


def _data_width(schemas: list[Schema], topo: ResctrlTopology) -> int:
    """``max_data_width``: hex digits of the longest CBM; MB 3 on Intel, 4 on AMD."""
    mb_width = 4 if topo.mba is not None and topo.mba.vendor == "amd" else 3
    return max((s.alloc.cbm_len + 3) // 4 if s.kind == "cache" else mb_width for s in schemas)


def format_schemata(
    config: Mapping[str, Mapping[int, int]],
    schemas: list[Schema],
    topo: ResctrlTopology,
    era: EraTraits,
) -> str:
    """Every schema and domain, ``%*s:`` names, values padded in the older eras."""
    name_w = _name_width(schemas)
    data_w = _data_width(schemas, topo) if era.padded else 0
    lines = []
    for schema in display_order(schemas, era):
        values = config[schema.name]
        if schema.kind == "cache":
            items = [f"{d}={values[d]:0{data_w}x}" for d in sorted(values)]
        else:
            items = [f"{d}={values[d]:>{data_w}}" for d in sorted(values)]
        lines.append(f"{schema.name:>{name_w}}:" + ";".join(items) + "\n")
    return "".join(lines)


def cache_size(schema: Schema, cbm: int) -> int:
    """Bytes ``cbm`` covers of one cache of the schema's level (``rdtgroup_cbm_to_size``)."""
    return schema.alloc.cache_bytes // schema.alloc.cbm_len * cbm.bit_count()


def format_size(
    config: Mapping[str, Mapping[int, int]],
    schemas: list[Schema],
    era: EraTraits,
    *,
    zeros: bool = False,
) -> str:
    """``size``: bytes a cache mask covers, the raw value for MB; all zero in locksetup."""
    name_w = _name_width(schemas)
    lines = []
    for schema in display_order(schemas, era):
        values = config[schema.name]
        items = []
        for domain in sorted(values):
            value = values[domain]
            size = 0 if zeros else cache_size(schema, value) if schema.kind == "cache" else value
            items.append(f"{domain}={size}")
        lines.append(f"{schema.name:>{name_w}}:" + ";".join(items) + "\n")
    return "".join(lines)
