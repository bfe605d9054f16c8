"""The configs the reference refuses as the runtime-spec says (reference_impl/oci_refusals.py)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.oci_refusals import refusals


def _spec(**parts: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"ociVersion": "1.0.2", "process": {"args": ["sh"]}, "linux": {}}
    spec["process"].update(parts.pop("process", {}))
    spec["linux"].update(parts.pop("linux", {}))
    spec.update(parts)
    return spec


def test_a_plain_config_is_accepted() -> None:
    caps = {"bounding": ["CAP_KILL"], "ambient": []}
    rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}]
    assert refusals(_spec(process={"capabilities": caps, "rlimits": rlimits})) == []
    assert refusals(_spec(ociVersion="1.1.0-rc.1+build")) == []


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        (_spec(ociVersion="invalid"), "not SemVer"),
        (_spec(process={"capabilities": {"bounding": ["CAP_NOPE"]}}), "CAP_NOPE"),
        (_spec(process={"rlimits": [{"type": "RLIMIT_NOPE"}]}), "unknown type RLIMIT_NOPE"),
        (_spec(process={"rlimits": [{"type": "RLIMIT_CORE"}] * 2}), "RLIMIT_CORE given twice"),
        (_spec(linux={"namespaces": [{"type": "uts"}, {"type": "uts"}]}), "uts given twice"),
        (_spec(linux={"namespaces": [{"type": "uts", "path": "/proc/self/ns/net"}]}),
         "is a net namespace, not uts"),
    ],
)  # fmt: skip
def test_what_the_spec_calls_an_error_is_refused(spec: dict[str, Any], said: str) -> None:
    found = refusals(spec)
    assert len(found) == 1 and said in found[0], found


def test_under_runc_profiles_only_what_runc_refuses_is_refused() -> None:
    """runc 1.1.5 takes an ociVersion that is no SemVer, an unknown capability (a warning) and
    a duplicated rlimit; it refuses the rest, and so does the reference outside the
    runtime-spec profile."""
    taken = (
        _spec(ociVersion="invalid"),
        _spec(process={"capabilities": {"bounding": ["CAP_NOPE"]}}),
        _spec(process={"rlimits": [{"type": "RLIMIT_CORE"}] * 2}),
    )
    assert [refusals(spec, as_spec_says=False) for spec in taken] == [[], [], []]
    refused = _spec(linux={"namespaces": [{"type": "uts"}, {"type": "uts"}]})
    assert refusals(refused, as_spec_says=False) == ["linux.namespaces: uts given twice"]
    unknown = _spec(process={"rlimits": [{"type": "RLIMIT_NOPE"}]})
    assert refusals(unknown, as_spec_says=False) == ["process.rlimits: unknown type RLIMIT_NOPE"]
