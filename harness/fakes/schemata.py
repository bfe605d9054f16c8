"""Parsing a resctrl ``schemata`` write, exactly as the kernel does (reference §1.5–1.6).

The parser is pure: it takes the written bytes and the current configuration and returns the new
one, or raises :class:`SchemataError` carrying the ``last_cmd_status`` text (None when the kernel
writes no text, e.g. for an unknown domain id).  The messages are the modern ones (``fs/resctrl``
and ~v5.x–6.x); the v4.x lower-case era is not modelled yet.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping

from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoul
from harness.fakes._parse import strim
from harness.fakes.topology import ResctrlTopology

__all__ = ["Schemata", "SchemataError", "format_schemata", "parse_schemata", "validate_cbm"]

#: resource name -> domain id -> value
Schemata = dict[str, dict[int, int]]
#: (domain id, new mask) -> the overlap message to reject it with, or None
OverlapCheck = Callable[[int, int], str | None]


class SchemataError(Exception):
    """A rejected write: EINVAL, with the text for ``last_cmd_status`` (or None)."""

    def __init__(self, message: str | None, *, clears_status: bool = True) -> None:
        super().__init__(message or "(no message)")
        self.message = message
        #: False for the early checks that return before last_cmd_status is cleared
        self.clears_status = clears_status


def _strsep(text: str | None, sep: str) -> tuple[str | None, str | None]:
    """C ``strsep``: (token, rest); rest is None when ``sep`` does not occur."""
    if text is None:
        return None, None
    head, found, tail = text.partition(sep)
    return head, (tail if found else None)


def validate_cbm(text: str, topo: ResctrlTopology) -> int:
    """``cbm_validate``: hex, in range, contiguous, at least min_cbm_bits long.

    Raises:
        SchemataError: with the kernel's message.
    """
    try:
        value = kstrtoul(text, 16)
    except KernelErrno:
        raise SchemataError(f"Non-hex character in the mask {text}") from None
    if (topo.min_cbm_bits > 0 and value == 0) or value > topo.cbm_mask:
        raise SchemataError("Mask out of range")
    cbm_len = topo.cbm_len
    first = next((i for i in range(cbm_len) if value >> i & 1), cbm_len)
    zero = next((i for i in range(first, cbm_len) if not value >> i & 1), cbm_len)
    if any(value >> i & 1 for i in range(zero, cbm_len)):
        raise SchemataError(f"The mask {value:x} has non-consecutive 1-bits")
    if zero - first < topo.min_cbm_bits:
        raise SchemataError(f"Need at least {topo.min_cbm_bits} bits in the mask")
    return value


def _parse_line(
    line: str, topo: ResctrlTopology, staged: dict[int, int], overlap: OverlapCheck | None
) -> None:
    """``parse_line`` for one resource: ``id=value`` tokens separated by ``;``."""
    rest: str | None = line
    while rest:
        token, rest = _strsep(rest, ";")
        ident, value = _strsep(token, "=")
        try:
            if value is None or ident is None:
                raise KernelErrno(0)
            domain = kstrtoul(ident, 10)
        except KernelErrno:
            raise SchemataError("Missing '=' or non-numeric domain") from None
        if domain not in topo.cache_ids:
            raise SchemataError(None)
        if domain in staged:
            raise SchemataError(f"Duplicate domain {domain}")
        mask = validate_cbm(strim(value), topo)
        problem = overlap(domain, mask) if overlap is not None else None
        if problem is not None:
            raise SchemataError(problem)
        staged[domain] = mask


def parse_schemata(
    data: bytes,
    current: Mapping[str, Mapping[int, int]],
    topo: ResctrlTopology,
    overlap: OverlapCheck | None = None,
) -> Schemata:
    """``rdtgroup_schemata_write``: the configuration after applying ``data`` to ``current``.

    All lines are parsed before anything is applied; domains not mentioned keep their values.

    Raises:
        SchemataError: with the last_cmd_status text, or with ``clears_status`` False for a write
            without its trailing newline.
    """
    if not data or not data.endswith(b"\n"):
        raise SchemataError(None, clears_status=False)
    text = data[:-1].decode("utf-8", "replace")
    staged: dict[str, dict[int, int]] = {}
    rest: str | None = text
    while rest is not None:
        line, rest = _strsep(rest, "\n")
        assert line is not None
        head, tail = _strsep(line, ":")
        resname = strim(head or "")
        if tail is None:
            raise SchemataError("Missing ':'")
        if not tail:
            raise SchemataError(f"Missing '{resname}' value")
        if resname not in current:
            raise SchemataError(f"Unknown or unsupported resource name '{resname}'")
        _parse_line(tail, topo, staged.setdefault(resname, {}), overlap)
    result = {name: dict(domains) for name, domains in current.items()}
    for name, domains in staged.items():
        result[name].update(domains)
    return result


def format_schemata(schemata: Mapping[str, Mapping[int, int]]) -> str:
    """The modern unpadded read format: ``L3:0=7ff;1=7ff`` plus a newline per resource."""
    return "".join(
        f"{name}:" + ";".join(f"{d}={v:x}" for d, v in sorted(domains.items())) + "\n"
        for name, domains in schemata.items()
    )
