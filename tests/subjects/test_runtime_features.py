"""What a runtime's ``features`` output makes of a rule of a later runtime-spec field: a skip
that says what it announced, a failure for output that is not a features document, or the
ociVersion the rule's bundles declare."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.scenarios._support.runtime_features import require_announced
from harness.subjects.oci.runtime import CommandRecord

SCHEMATA = "linux.intelRdt.schemata"


class _Runtime:
    """A command line whose ``features`` answers as given (the runtimes whose output the
    helper reads are the subjects; here only the reading is tested)."""

    def __init__(self, code: int, stdout: str, stderr: str = "") -> None:
        self.records: list[CommandRecord] = []
        self.answer = (code, stdout, stderr)

    def __call__(self, *argv: str) -> CommandRecord:
        code, out, err = self.answer
        self.records.append(CommandRecord(argv, code, 0.0, err, out))
        return self.records[-1]


def _features(**document: Any) -> _Runtime:
    return _Runtime(0, json.dumps(document))


@pytest.mark.parametrize(
    ("runtime", "said"),
    [
        (_Runtime(1, "", "unknown command features\n"), "has no features command"),
        (_features(ociVersionMax="1.0.2-dev"), "does not announce linux.intelRdt.schemata"),
        (_features(linux={"intelRdt": {"enabled": True}}), "(it says None)"),
        (_features(linux={"intelRdt": {"schemata": False}}), "(it says False)"),
    ],
    ids=["no-command", "no-linux", "no-key", "false"],
)
def test_a_runtime_that_does_not_announce_gets_a_skip_saying_so(
    runtime: _Runtime, said: str
) -> None:
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_announced(runtime, SCHEMATA)  # type: ignore[arg-type]
    assert said in str(skipped.value)


def test_output_that_is_not_a_features_document_fails() -> None:
    with pytest.raises(pytest.fail.Exception, match="`features` printed no JSON object"):
        require_announced(_Runtime(0, "schemata: yes"), SCHEMATA)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("maximum", "declared"),
    [("1.3.0", "1.3.0"), ("1.4.1", "1.3.0"), ("1.3.0-rc.1", ""), ("1.2.1", ""), (None, "")],
)
def test_bundles_declare_1_3_0_where_the_runtime_accepts_it(
    maximum: str | None, declared: str
) -> None:
    runtime = _features(ociVersionMax=maximum, linux={"intelRdt": {"schemata": True}})
    assert require_announced(runtime, SCHEMATA) == declared  # type: ignore[arg-type]
