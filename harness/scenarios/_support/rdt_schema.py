"""The schema a rule writes when its point is a schema write (Set, a write the kernel refuses,
the old schema written back), in the form this host and the profile's runtime allow.

A rule about what a runtime does with a schema is not about L3 CAT: on a host mounted with
cdp the seed writes ``L3CODE``/``L3DATA`` lines through ``l3CacheSchema``, and runc, which
refuses an ``l3CacheSchema`` there, writes a ``memBwSchema`` where the host has MBA.  Which
profile takes which form is the spec's table (:func:`rdt_schema_forms`); this module knows
only how each form looks on the host and what the kernel says of a bad one.
"""

from __future__ import annotations

import dataclasses
import os

from harness.hosts import Host
from harness.hosts.base import RESCTRL
from harness.hosts.facts import MOUNTINFO
from harness.hosts.facts import cpu_flags
from harness.hosts.facts import resctrl_mounts
from harness.scenarios._support.rdt_cli import free_closids
from harness.scenarios._support.rdt_cli import mb_value
from harness.scenarios._support.rdt_cli import root_domains
from harness.scenarios._support.resctrl import schemata
from harness.scenarios._support.skips import skip_for_host
from harness.spec.resource_tables import rdt_schema_forms
from harness.spec.resource_tables import resource_messages

#: what the skip calls the feature such a rule lacks
FEATURE = "a schema the runtime writes"

#: the values a rule names by level, as L3 masks and as MB values (as the kernel keeps them:
#: :func:`mb_value`)
_MASKS = {"a": 0xF, "b": 0x3C, "c": 0x3, "d": 0xF0}
_BANDWIDTHS = {"a": 50, "b": 70, "c": 30, "d": 20}

#: form -> (config field, the schemata lines it writes, the CPU flag and info/ directories
#: it needs)
_FORMS: dict[str, tuple[str, tuple[str, ...], str, tuple[str, ...]]] = {
    "L3": ("l3_cache_schema", ("L3",), "cat_l3", ("L3",)),
    "L3CDP": ("l3_cache_schema", ("L3CODE", "L3DATA"), "cat_l3", ("L3CODE", "L3DATA")),
    "MB": ("mem_bw_schema", ("MB",), "mba", ("MB",)),
}


@dataclasses.dataclass(frozen=True)
class SchemaForm:
    """One way to write a group's schema here: the intelRdt field, the lines it carries, the
    host's domains, and the value of each level."""

    name: str
    field: str
    lines: tuple[str, ...]
    domains: tuple[int, ...]
    values: dict[str, int]

    @property
    def is_mask(self) -> bool:
        """Its values are cache bit masks (hex), not bandwidths (decimal)."""
        return self.name != "MB"

    def schema(self, *levels: str) -> str:
        """The field's value: every line over every domain, ``levels`` used in turn."""
        return "\n".join(self._line(name, levels) for name in self.lines)

    def fields(self, *levels: str) -> dict[str, str]:
        """``{field: schema}``, for ``IntelRdtConfig(**...)`` and ``config_for(rdt=...)``."""
        return {self.field: self.schema(*levels)}

    def want(self, *levels: str) -> dict[str, dict[int, int]]:
        """What the group's schemata shows after ``schema(*levels)``, line by line."""
        per_domain = {d: self.values[levels[i % len(levels)]] for i, d in enumerate(self.domains)}
        return {name: dict(per_domain) for name in self.lines}

    def shown(self, group: str) -> dict[str, dict[int, int]]:
        """The form's lines of ``group``'s schemata (relative to resctrl's root), parsed."""
        base = 16 if self.is_mask else 10
        found = schemata(group)
        return {
            name: {d: int(v, base) for d, v in found[name].items()}
            for name in self.lines
            if name in found
        }

    def invalid(self) -> str:
        """A value the kernel refuses with EINVAL on any host: a mask with a gap in its 1-bits
        (0b101, inside every cbm_mask of three bits or more), or an MB value that is no
        number."""
        if self.is_mask:
            return "\n".join(f"{n}:" + ";".join(f"{d}=5" for d in self.domains) for n in self.lines)
        return "MB:" + ";".join(f"{d}=x" for d in self.domains)

    def refusals(self) -> tuple[str, ...]:
        """What ``info/last_cmd_status`` may say of :meth:`invalid`, in each kernel era."""
        if self.is_mask:
            return resource_messages("resctrl_noncontiguous", mask="5")
        return resource_messages("resctrl_mb_not_decimal", value="x")

    def _line(self, name: str, levels: tuple[str, ...]) -> str:
        items = [
            f"{d}={self._text(self.values[levels[i % len(levels)]])}"
            for i, d in enumerate(self.domains)
        ]
        return f"{name}:" + ";".join(items)

    def _text(self, value: int) -> str:
        return f"{value:x}" if self.is_mask else str(value)


def schema_form(host: Host, profile: str) -> SchemaForm:
    """The first of ``profile``'s schema forms this host takes; else a skip naming what the
    probes found and what the profile's runtime would need."""
    form, reason = schema_form_or_reason(host, profile)
    if form is None:
        skip_for_host(FEATURE, reason)
    return form


def schema_form_or_reason(host: Host, profile: str) -> tuple[SchemaForm | None, str]:
    """(the form, "") or (None, why this host has none for ``profile``)."""
    unmounted = resctrl_unavailable(host)
    if unmounted is not None:
        return None, unmounted
    free, groups = free_closids()
    if free < 1:
        why = f"resctrl has no free CLOSID for a new group: {groups} groups hold them all"
        return None, f"{why} ({host.describe()})"
    flags = cpu_flags()
    info = set(os.listdir(os.path.join(RESCTRL, "info")))
    lacks: list[str] = []
    for name in rdt_schema_forms(profile):
        field, lines, flag, dirs = _FORMS[name]
        missing = [f"the {flag} flag"] if flag not in flags else []
        missing += [f"info/{d}" for d in dirs if d not in info]
        if not missing:
            return SchemaForm(name, field, lines, _domains(lines[0]), _values(name)), ""
        lacks.append(f"{'+'.join(lines)} lines in {_camel(field)} need {' and '.join(missing)}")
    return None, (
        f"resctrl info/ holds {', '.join(sorted(info))} ({host.describe()}); for profile "
        f"{profile}'s runtime, {'; '.join(lacks)}"
    )


def resctrl_unavailable(host: Host) -> str | None:
    """Why ``host`` has no mounted resctrl, or None when it has one (of whatever resources:
    a rule about the paths a runtime finds there needs no more)."""
    if resctrl_mounts():
        return None
    return f"resctrl is not mounted: {MOUNTINFO} has no resctrl line ({host.describe()})"


def _camel(field: str) -> str:
    """A field as config.json spells it: l3_cache_schema -> l3CacheSchema."""
    head, *rest = field.split("_")
    return head + "".join(word.title() for word in rest)


def _domains(line: str) -> tuple[int, ...]:
    return tuple(root_domains(line))


def _values(name: str) -> dict[str, int]:
    if name != "MB":
        return dict(_MASKS)
    return {level: mb_value(bw) for level, bw in _BANDWIDTHS.items()}
