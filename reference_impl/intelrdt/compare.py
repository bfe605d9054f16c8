"""Whether a closID group's ``schemata`` already holds the schemas a config asks for.

runtime-spec v1.0.2 config-linux.md:523 (v1.3.0 :769-771): with a closID and an
l3CacheSchema or memBwSchema, a runtime MUST compare them with the group's ``schemata`` file
and generate an error when they do not match.  runc never did (v1.1.5 intelrdt.go:724-728 is a
TODO: the file does not read back as written, with leading zeros, padding and every domain).
So the comparison is by value: each domain a given line names must hold that value in the
file's line of the same resource (cache masks in hex, bandwidth in decimal); domains the
config leaves out are not compared.
"""

from __future__ import annotations

__all__ = ["schemata_mismatch"]


def _parse(text: str) -> dict[str, dict[int, str]]:
    lines: dict[str, dict[int, str]] = {}
    for line in text.splitlines():
        name, sep, rest = line.partition(":")
        if not sep:
            continue
        items = (item.split("=", 1) for item in rest.split(";") if "=" in item)
        lines[name.strip()] = {int(d.strip()): v.strip() for d, v in items}
    return lines


def _value(resource: str, text: str) -> int:
    return int(text, 10 if resource.startswith("MB") else 16)


def schemata_mismatch(given: str, current: str) -> str | None:
    """What of ``given`` (schemata lines) ``current`` (a group's schemata) does not hold, in
    one phrase; None when every value matches."""
    held = _parse(current)
    for resource, domains in _parse(given).items():
        if resource not in held:
            return f"the group has no {resource} line"
        for domain, value in domains.items():
            found = held[resource].get(domain)
            if found is None:
                return f"its {resource} line has no domain {domain}"
            try:
                same = _value(resource, value) == _value(resource, found)
            except ValueError:
                same = False
            if not same:
                return f"{resource} domain {domain} is {found}, not {value}"
    return None
