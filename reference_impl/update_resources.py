"""``runc update``'s resources: its flags, or ``--resources FILE`` (a ``linux.resources``
JSON), made into the container's new cgroup config as runc v1.1.5 update.go:136-287 does.

Every resource the command knows is replaced: one not given is 0 (or ""), which Set leaves
alone; a quota or a period given without the other keeps the other's old value.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
from typing import Any

from reference_impl.cgroups.fs2 import shares_to_weight
from reference_impl.configs import CgroupConfig

__all__ = ["UpdateError", "add_update_flags", "updated_cgroups"]

#: the flags of a number, by runc's name, and their CgroupConfig field
_NUMBERS = {
    "cpu-period": "cpu_period",
    "cpu-share": "cpu_shares",
    "cpu-quota": "cpu_quota",
}
#: the flags of a size in bytes (go-units RAMInBytes, or -1)
_SIZES = {
    "memory": "memory_limit",
    "memory-swap": "memory_swap",
    "memory-reservation": "memory_reservation",
}
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?) ?([kmgtp])?(?:i?b)?$", re.IGNORECASE)


class UpdateError(Exception):
    """A flag or a resources file update cannot use."""


def add_update_flags(parser: argparse.ArgumentParser) -> None:
    """runc update's resource flags (v1.1.5 update.go:28-118)."""
    parser.add_argument("--resources", "-r", default="")
    parser.add_argument("--blkio-weight", type=int, default=0)
    parser.add_argument("--pids-limit", type=int, default=0)
    for flag in (*_NUMBERS, *_SIZES, "cpuset-cpus", "cpuset-mems"):
        parser.add_argument(f"--{flag}", default="")


def updated_cgroups(old: CgroupConfig, args: argparse.Namespace) -> CgroupConfig:
    """``old`` with the resources of the command replaced.

    Raises:
        UpdateError: a value that is no number or size, or a resources file that cannot be
            read as JSON.
    """
    given = _from_file(args.resources) if args.resources else _from_flags(args)
    period, quota = given.pop("cpu_period"), given.pop("cpu_quota")
    if bool(period) == bool(quota):  # both or neither (update.go:245-261)
        given.update(cpu_period=period, cpu_quota=quota)
    elif period:
        given["cpu_period"] = period
    else:
        given["cpu_quota"] = quota
    given["cpu_weight"] = shares_to_weight(given["cpu_shares"])
    return dataclasses.replace(old, **given)


def _from_flags(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {
        "blkio_weight": args.blkio_weight,
        "pids_limit": args.pids_limit,
        "cpuset_cpus": args.cpuset_cpus,
        "cpuset_mems": args.cpuset_mems,
        "unified": None,
    }
    for flag, field in _NUMBERS.items():
        text = getattr(args, flag.replace("-", "_"))
        values[field] = _number(flag, text) if text else 0
    for flag, field in _SIZES.items():
        text = getattr(args, flag.replace("-", "_"))
        values[field] = _size(flag, text) if text else 0
    return values


def _number(flag: str, text: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise UpdateError(f'invalid value for {flag}: strconv.ParseInt: parsing "{text}": '
                          "invalid syntax") from None  # fmt: skip


def _size(flag: str, text: str) -> int:
    """go-units ``RAMInBytes``: a number with an optional binary unit; "-1" is unlimited."""
    if text == "-1":
        return -1
    found = _SIZE.match(text)
    if found is None:
        raise UpdateError(f"invalid value for {flag}: invalid size: '{text}'")
    return int(float(found.group(1)) * _UNITS[(found.group(2) or "").lower()])


def _from_file(path: str) -> dict[str, Any]:
    """A ``linux.resources`` document: what it leaves out is 0 (update.go:163-180)."""
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except OSError as err:
        raise UpdateError(f"open {path}: {err.strerror.lower()}") from None
    except ValueError as err:
        raise UpdateError(str(err)) from None
    memory = document.get("memory") or {}
    cpu = document.get("cpu") or {}
    unified = document.get("unified")
    return {
        "memory_limit": int(memory.get("limit") or 0),
        "memory_swap": int(memory.get("swap") or 0),
        "memory_reservation": int(memory.get("reservation") or 0),
        "cpu_shares": int(cpu.get("shares") or 0),
        "cpu_quota": int(cpu.get("quota") or 0),
        "cpu_period": int(cpu.get("period") or 0),
        "cpuset_cpus": str(cpu.get("cpus") or ""),
        "cpuset_mems": str(cpu.get("mems") or ""),
        "blkio_weight": int((document.get("blockIO") or {}).get("weight") or 0),
        "pids_limit": int((document.get("pids") or {}).get("limit") or 0),
        "unified": {str(k): str(v) for k, v in unified.items()} if unified else None,
    }
