"""Both hosts keep the ``Host`` Protocol the suite is written against: every member is there,
and every method takes the parameters the Protocol names, in its order."""

from __future__ import annotations

import inspect

import pytest

from harness.hosts import RealHost
from harness.hosts import SimulatedHost
from harness.hosts.protocol import Host


def _members() -> dict[str, object]:
    names = {n for n in vars(Host) if not n.startswith("_")} | set(Host.__annotations__)
    return {n: getattr(Host, n, None) for n in sorted(names)}


def _parameters(method: object) -> list[tuple[str, object]]:
    signature = inspect.signature(method)  # type: ignore[arg-type]
    return [(p.name, p.kind) for p in signature.parameters.values()]


def _source(function: object) -> str:
    try:
        return inspect.getsource(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""  # made at run time (a dataclass's __init__): its fields are annotated


def test_the_protocol_names_what_the_suite_asks() -> None:
    members = _members()
    assert {"container_id", "cgroup_dirs", "is_alive", "hook_runs", "state_root"} <= set(members)


@pytest.mark.parametrize("host_class", [SimulatedHost, RealHost], ids=["simulated", "real"])
def test_host_keeps_the_protocol(host_class: type) -> None:
    missing, unlike = [], []
    annotated = {
        name for klass in host_class.__mro__ for name in getattr(klass, "__annotations__", {})
    }
    for name, member in _members().items():
        if not callable(member):
            # an attribute: set on the class, annotated there, or set in __init__
            init = _source(host_class.__init__)
            if not (hasattr(host_class, name) or name in annotated or f"self.{name} =" in init):
                missing.append(name)
            continue
        own = getattr(host_class, name, None)
        if own is None:
            missing.append(name)
        elif _parameters(own) != _parameters(member):
            unlike.append(f"{name}{inspect.signature(own)} vs {inspect.signature(member)}")
    assert not missing, f"{host_class.__name__} lacks {missing}"
    assert not unlike, f"{host_class.__name__} differs from the Protocol: {unlike}"
