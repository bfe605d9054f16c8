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
