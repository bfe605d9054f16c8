"""The cgroup v1 devices controller: ``devices.allow``/``devices.deny`` rules and ``devices.list``.

Follows ``security/device_cgroup.c`` (``devcgroup_update_access``, ``parse``): a cgroup has a
default behaviour (allow or deny) and a list of exceptions to it.  A child starts with a copy of
its parent's.  ``a`` switches the behaviour and clears the exceptions; a ``TYPE MAJ:MIN ACC`` rule
adds or removes an exception.  A child may not allow more than its parent (EPERM).
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Literal

from harness.fakes._parse import KernelErrno
from harness.fakes.kernfs import ControlFile

__all__ = ["DeviceRule", "DevicesState", "device_files", "parse_rule", "show", "update"]

#: ``~0``: the ``*`` of a major or minor number
ANY = -1
_ACCESS_ORDER = "rwm"


@dataclass(frozen=True, slots=True)
class DeviceRule:
    """One exception: type ``b``/``c`` (``a`` when parsed from an "all" write), numbers, access."""

    kind: Literal["a", "b", "c"]
    major: int = ANY
    minor: int = ANY
    access: frozenset[str] = frozenset("rwm")

    def render(self) -> str:
        """``devices.list`` form: ``c 1:3 rwm``."""
        major = "*" if self.major == ANY else str(self.major)
        minor = "*" if self.minor == ANY else str(self.minor)
        access = "".join(a for a in _ACCESS_ORDER if a in self.access)
        return f"{self.kind} {major}:{minor} {access}"

    def covers(self, other: DeviceRule) -> bool:
        """True when this exception includes all of ``other`` (``match_exception_partial``)."""
        return (
            self.kind == other.kind
            and self.major in (ANY, other.major)
            and self.minor in (ANY, other.minor)
            and other.access <= self.access
        )


@dataclass(slots=True)
class DevicesState:
    """One cgroup's default behaviour and exceptions."""

    allow_all: bool = True
    exceptions: list[DeviceRule] = field(default_factory=list)

    def copy(self) -> DevicesState:
        """What a new child starts with."""
        return DevicesState(self.allow_all, list(self.exceptions))

    def permits(self, rule: DeviceRule) -> bool:
        """Whether this cgroup lets ``rule`` through (``verify_new_ex``)."""
        if self.allow_all:
            return not any(ex.kind == rule.kind and _overlaps(ex, rule) for ex in self.exceptions)
        return any(ex.covers(rule) for ex in self.exceptions)


def _overlaps(a: DeviceRule, b: DeviceRule) -> bool:
    majors = ANY in (a.major, b.major) or a.major == b.major
    minors = ANY in (a.minor, b.minor) or a.minor == b.minor
    return majors and minors and bool(a.access & b.access)


def _number(text: str, at: int) -> tuple[int, int]:
    """A major/minor at ``at``: ``*`` or decimal digits; the value and the next index."""
    if text[at : at + 1] == "*":
        return ANY, at + 1
    end = at
    while end < len(text) and text[end].isdigit():
        end += 1
    if end == at or int(text[at:end]) > 2**32 - 1:
        raise KernelErrno(errno.EINVAL)
    return int(text[at:end]), end


def parse_rule(text: str) -> DeviceRule:
    """``parse`` of device_cgroup.c: ``a`` (anything after it ignored) or ``TYPE MAJ:MIN ACC``.

    Raises:
        KernelErrno: EINVAL for an unknown type, a missing space or colon, a bad number or an
            access letter other than r, w, m.
    """
    if not text:
        raise KernelErrno(errno.EINVAL)
    if text[0] == "a":
        return DeviceRule("a")
    if text[0] not in "bc" or text[1:2] not in (" ", "\t", "\n"):
        raise KernelErrno(errno.EINVAL)
    major, at = _number(text, 2)
    if text[at : at + 1] != ":":
        raise KernelErrno(errno.EINVAL)
    minor, at = _number(text, at + 1)
    if text[at : at + 1] not in (" ", "\t", "\n"):
        raise KernelErrno(errno.EINVAL)
    access: set[str] = set()
    for char in text[at + 1 : at + 4]:
        if char in "\n\0":
            break
        if char not in _ACCESS_ORDER:
            raise KernelErrno(errno.EINVAL)
        access.add(char)
    kind: Literal["b", "c"] = "b" if text[0] == "b" else "c"
    return DeviceRule(kind, major, minor, frozenset(access))


def update(
    state: DevicesState,
    parent: DevicesState | None,
    allow: bool,
    rule: DeviceRule,
    has_children: bool,
) -> None:
    """``devcgroup_update_access`` for one write to ``devices.allow`` (``allow``) or ``.deny``.

    Raises:
        KernelErrno: EINVAL for ``a`` on a cgroup with children; EPERM for allowing what the
            parent does not.
    """
    if rule.kind == "a":
        if has_children:
            raise KernelErrno(errno.EINVAL)
        if allow and parent is not None and not parent.allow_all:
            raise KernelErrno(errno.EPERM)
        state.allow_all = allow
        state.exceptions.clear()
        return
    if allow and parent is not None and not parent.permits(rule):
        raise KernelErrno(errno.EPERM)
    if state.allow_all == allow:
        # the rule agrees with the default: it removes access bits from matching exceptions
        kept = []
        for ex in state.exceptions:
            if ex.kind == rule.kind and ex.major == rule.major and ex.minor == rule.minor:
                rest = ex.access - rule.access
                if rest:
                    kept.append(DeviceRule(ex.kind, ex.major, ex.minor, rest))
            else:
                kept.append(ex)
        state.exceptions = kept
        return
    for index, ex in enumerate(state.exceptions):
        if ex.kind == rule.kind and ex.major == rule.major and ex.minor == rule.minor:
            merged = ex.access | rule.access
            state.exceptions[index] = DeviceRule(ex.kind, ex.major, ex.minor, merged)
            return
    state.exceptions.append(rule)


def show(state: DevicesState) -> str:
    """``devices.list``: ``a *:* rwm`` under allow-all, else the exceptions (allowed devices)."""
    if state.allow_all:
        return "a *:* rwm\n"
    return "".join(ex.render() + "\n" for ex in state.exceptions)


def device_files(
    state: DevicesState, parent: DevicesState | None, has_children: Callable[[], bool]
) -> list[ControlFile]:
    """``devices.allow`` and ``devices.deny`` (write-only) and ``devices.list``."""

    def writer(allow: bool) -> ControlFile:
        def store(payload: bytes) -> None:
            rule = parse_rule(payload.decode("utf-8", "replace"))
            update(state, parent, allow, rule, has_children())

        return ControlFile("devices.allow" if allow else "devices.deny", None, store)

    return [writer(True), writer(False), ControlFile("devices.list", lambda: show(state))]
