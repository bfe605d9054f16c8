"""CPU masks as resctrl's ``cpus`` and ``cpus_list`` read and parse them (``%*pb``, ``%*pbl``).

Parsers follow ``bitmap_parse``/``bitmap_parselist``: hex words of up to 32 bits separated by
commas, or ranges ``a``, ``a-b``, ``a-b:used/group``; the text ends at the first newline.
"""

from __future__ import annotations

import re

__all__ = ["BadCpus", "format_cpulist", "format_cpumask", "parse_cpulist", "parse_cpumask"]

_RANGE = re.compile(r"(\d+)(?:-(\d+)(?::(\d+)/(\d+))?)?")


class BadCpus(ValueError):
    """The text is neither a mask nor a list (the kernel says "Bad CPU list/mask")."""


def format_cpumask(mask: int, nr_cpus: int) -> str:
    """``%*pb``: hex, zero-padded to ``nr_cpus`` bits, a comma every 32 bits."""
    digits = f"{mask:0{(nr_cpus + 3) // 4}x}"
    words = []
    while len(digits) > 8:
        words.insert(0, digits[-8:])
        digits = digits[:-8]
    words.insert(0, digits)
    return ",".join(words)


def format_cpulist(mask: int) -> str:
    """``%*pbl``: ranges such as ``0-3,8``; empty for no CPUs."""
    parts = []
    cpu = 0
    while mask >> cpu:
        if mask >> cpu & 1:
            end = cpu
            while mask >> (end + 1) & 1:
                end += 1
            parts.append(str(cpu) if end == cpu else f"{cpu}-{end}")
            cpu = end + 1
        else:
            cpu += 1
    return ",".join(parts)


def _text(payload: bytes) -> str:
    return payload.decode("ascii", "replace").split("\n", 1)[0]


def parse_cpumask(payload: bytes) -> int:
    """``cpumask_parse``.

    Raises:
        BadCpus: an empty word, a non-hex digit or a word wider than 32 bits.
    """
    text = _text(payload).strip()
    if not text:
        return 0
    mask = 0
    for word in text.split(","):
        if not word or len(word.lstrip("0")) > 8 or re.fullmatch(r"[0-9a-fA-F]+", word) is None:
            raise BadCpus(word)
        mask = mask << 32 | int(word, 16)
    return mask


def parse_cpulist(payload: bytes) -> int:
    """``cpulist_parse``.

    Raises:
        BadCpus: garbage, a reversed range, or a zero group size.
    """
    text = _text(payload).strip()
    mask = 0
    for item in text.split(",") if text else []:
        match = _RANGE.fullmatch(item.strip())
        if match is None:
            raise BadCpus(item)
        start = int(match[1])
        end = int(match[2]) if match[2] is not None else start
        used = int(match[3]) if match[3] is not None else 1
        group = int(match[4]) if match[4] is not None else 1
        if end < start or group == 0 or used > group:
            raise BadCpus(item)
        for cpu in range(start, end + 1):
            if (cpu - start) % group < used:
                mask |= 1 << cpu
    return mask
