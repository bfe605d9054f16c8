"""The simulated host's one disk and the block IO throttle files that name it: cgroup v1's
``blkio.throttle.*_device`` and cgroup v2's ``io.max``.

A throttle rule names a device by ``MAJ:MIN``; the kernel refuses one it does not have
(ENODEV, ``blkg_conf_open_bdev``), so the simulated host has a disk, listed in
/proc/partitions, whose rules are kept and shown as the kernel shows them.
"""

from __future__ import annotations

import errno

from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoll
from harness.fakes._parse import strim
from harness.fakes.kernfs import ControlFile

__all__ = ["DISK", "IO_MAX_KEYS", "io_max_file", "parse_device", "partitions", "throttle_file"]

#: (name, major, minor) of the simulated disk: a virtio disk, as on the machine rtgate is
#: developed on (virtio_blk's dynamic major)
DISK = ("vda", 254, 0)
#: io.max's keys in the order the kernel shows them (blk-throttle.c tg_prfill_limit)
IO_MAX_KEYS = ("rbps", "wbps", "riops", "wiops")


def partitions() -> str:
    """/proc/partitions: the header and the disk (1 KiB blocks; a 10 GiB disk)."""
    name, major, minor = DISK
    return f"major minor  #blocks  name\n\n{major:4d} {minor:7d} {10 << 20:10d} {name}\n"


def parse_device(text: str) -> str:
    """``MAJ:MIN`` of a rule: EINVAL when malformed, ENODEV for a device the host lacks."""
    major, colon, minor = text.partition(":")
    if not colon or not major.isdigit() or not minor.isdigit():
        raise KernelErrno(errno.EINVAL)
    if (int(major), int(minor)) != DISK[1:]:
        raise KernelErrno(errno.ENODEV)
    return f"{int(major)}:{int(minor)}"


def _rules(text: str) -> dict[str, list[str]]:
    """A throttle file's shown lines as device -> the rest of its line."""
    return {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}


def _show(rules: dict[str, list[str]]) -> str:
    return "".join(f"{device} {' '.join(rest)}\n" for device, rest in rules.items())


def throttle_file(name: str, values: dict[str, str]) -> ControlFile:
    """A v1 ``blkio.throttle.*_device``: "MAJ:MIN VALUE" sets the device's limit, 0 lifts it
    (tg_set_conf); it shows one "MAJ:MIN VALUE" line per limited device, kept in
    ``values[name]``."""

    def store(payload: bytes) -> None:
        fields = strim(payload.decode("utf-8", "replace")).split()
        if len(fields) != 2:
            raise KernelErrno(errno.EINVAL)
        device = parse_device(fields[0])
        value = kstrtoll(fields[1], 0)
        if value < 0:
            raise KernelErrno(errno.EINVAL)
        rules = _rules(values.get(name, ""))
        if value == 0:
            rules.pop(device, None)
        else:
            rules[device] = [str(value)]
        values[name] = _show(rules)

    return ControlFile(name, lambda: values.get(name, ""), store)


def io_max_file(values: dict[str, str]) -> ControlFile:
    """cgroup v2's ``io.max``: "MAJ:MIN key=value ..." with the keys of :data:`IO_MAX_KEYS`,
    "max" for no limit, 0 out of range (tg_set_limit: ERANGE); a device with a limit shows
    every key, in that order, one with none is not shown (tg_prfill_limit)."""

    def store(payload: bytes) -> None:
        fields = strim(payload.decode("utf-8", "replace")).split()
        if not fields:
            raise KernelErrno(errno.EINVAL)
        device = parse_device(fields[0])
        rules = _rules(values.get("io.max", ""))
        limits = dict(f.split("=") for f in rules.get(device, [f"{k}=max" for k in IO_MAX_KEYS]))
        for field in fields[1:]:
            key, equals, text = field.partition("=")
            if not equals or key not in IO_MAX_KEYS:
                raise KernelErrno(errno.EINVAL)
            value = "max" if text == "max" else str(kstrtoll(text, 0))
            if value == "0":
                raise KernelErrno(errno.ERANGE)
            limits[key] = value
        if all(v == "max" for v in limits.values()):
            rules.pop(device, None)
        else:
            rules[device] = [f"{k}={limits[k]}" for k in IO_MAX_KEYS]
        values["io.max"] = _show(rules)

    return ControlFile("io.max", lambda: values.get("io.max", ""), store)
