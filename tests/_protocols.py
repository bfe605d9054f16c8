"""Whether a class keeps a ``typing.Protocol``: every member there, methods with the
Protocol's parameters in its order.  ``isinstance`` against a runtime-checkable Protocol
would look at names only."""

from __future__ import annotations

import inspect
import re


def _source(function: object) -> str:
    try:
        return inspect.getsource(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""  # made at run time (a dataclass's __init__): its fields are annotated


def _parameters(method: object) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in inspect.signature(method).parameters.values()]  # type: ignore[arg-type]


def protocol_members(protocol: type) -> dict[str, object]:
    """The Protocol's methods and annotated attributes, by name."""
    names = {n for n in vars(protocol) if not n.startswith("_")} | set(protocol.__annotations__)
    return {n: getattr(protocol, n, None) for n in sorted(names)}


def protocol_gaps(protocol: type, klass: type) -> list[str]:
    """What ``klass`` lacks of ``protocol`` or takes differently; empty when it keeps it."""
    gaps = []
    annotated = {name for k in klass.__mro__ for name in getattr(k, "__annotations__", {})}
    init = _source(klass.__init__)
    for name, member in protocol_members(protocol).items():
        if not callable(member):
            # an attribute: set on the class, annotated there, or set in __init__
            set_in_init = re.search(rf"self\.{name}\s*(:[^=\n]*)?=", init)
            if not (hasattr(klass, name) or name in annotated or set_in_init):
                gaps.append(f"no attribute {name}")
            continue
        own = getattr(klass, name, None)
        if own is None:
            gaps.append(f"no method {name}")
        elif _parameters(own) != _parameters(member):
            gaps.append(f"{name}{inspect.signature(own)} is not {inspect.signature(member)}")
    return gaps
