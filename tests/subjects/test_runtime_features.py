"""What a runtime's ``features`` output makes of a rule: a skip that says what the runtime
claimed, a failure for output that is not a features document, or the ociVersion the rule's
bundles declare."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.scenarios._support.runtime_features import claims
from harness.scenarios._support.runtime_features import require_announced
from harness.scenarios._support.runtime_features import require_claimed
from harness.scenarios._support.runtime_features import require_oci_version
from harness.subjects.oci.runtime import CommandRecord

SCHEMATA = "linux.intelRdt.schemata"


class _Runtime:
    """A command line whose ``features`` answers as given (the runtimes whose output the
    helper reads are the subjects; here only the reading is tested), its bundles declaring
    ``oci_version``, its test's rules of runtime-spec ``rule_version``."""

    def __init__(
        self, code: int, stdout: str, stderr: str = "", *, rule_version: str | None = "1.3.0"
    ) -> None:
        self.records: list[CommandRecord] = []
        self.answer = (code, stdout, stderr)
        self.oci_version = "1.0.2"
        self.rule_version = rule_version

    def __call__(self, *argv: str) -> CommandRecord:
        code, out, err = self.answer
        self.records.append(CommandRecord(argv, code, 0.0, err, out))
        return self.records[-1]


def _features(**document: Any) -> _Runtime:
    return _Runtime(0, json.dumps(document))


#: a runtime's features as features.md's examples shape them (runtime-spec v1.3.0)
_CLAIMING = {
    "ociVersionMin": "1.0.0",
    "ociVersionMax": "1.3.0",
    "mountOptions": ["bind", "rbind", "idmap"],
    "linux": {
        "namespaces": ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"],
        "capabilities": ["CAP_CHOWN", "CAP_KILL"],
        "cgroup": {"v1": True, "v2": True, "systemd": False},
        "intelRdt": {"enabled": True},
        "mountExtensions": {"idmap": {"enabled": True}},
    },
}


@pytest.mark.parametrize(
    ("runtime", "said"),
    [
        (_Runtime(1, "", "unknown command features\n"), "has no features command"),
        (_features(ociVersionMax="1.0.2-dev"), "do not claim linux.intelRdt.schemata"),
        (_features(linux={"intelRdt": {"enabled": True}}), f"{SCHEMATA} is None"),
        (_features(linux={"intelRdt": {"schemata": False}}), f"{SCHEMATA} is False"),
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


@pytest.mark.parametrize("maximum", ["1.3.0", "1.4.1"])
def test_bundles_declare_the_rule_s_version_where_the_runtime_accepts_it(maximum: str) -> None:
    runtime = _features(ociVersionMax=maximum, linux={"intelRdt": {"schemata": True}})
    assert require_announced(runtime, SCHEMATA) == "1.3.0"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("maximum", "said"),
    [
        ("1.3.0-rc.1", "says ociVersionMax '1.3.0-rc.1'"),
        ("1.2.1", "says ociVersionMax '1.2.1'"),
        (None, "says ociVersionMax None"),
    ],
)
def test_a_runtime_whose_max_is_below_the_rule_s_version_gets_a_skip(
    maximum: str | None, said: str
) -> None:
    runtime = _features(ociVersionMax=maximum, linux={"intelRdt": {"schemata": True}})
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_announced(runtime, SCHEMATA)  # type: ignore[arg-type]
    assert f"{SCHEMATA} is runtime-spec v1.3.0's" in str(skipped.value)
    assert "the run's bundles declare ociVersion 1.0.2" in str(skipped.value)
    assert said in str(skipped.value)


def test_a_rule_the_run_s_version_holds_needs_no_features() -> None:
    runtime = _Runtime(1, "", "unknown command features\n", rule_version="1.0.2")
    runtime.oci_version = "1.1.0"
    assert require_oci_version(runtime, "a rule") == "1.1.0"  # type: ignore[arg-type]
    assert runtime.records == [], "features was run for a rule its bundles hold already"
    pinned = _features(ociVersionMax="1.0.2")
    pinned.oci_version = "1.3.0"
    assert require_oci_version(pinned, "a v1.3 rule") == "1.3.0"  # type: ignore[arg-type]


def test_a_runtime_without_features_gets_a_later_rule_as_a_skip() -> None:
    runtime = _Runtime(1, "", "unknown command features\n")
    with pytest.raises(pytest.skip.Exception, match="the runtime has no features command"):
        require_oci_version(runtime, "closID '/'")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("linux.namespaces", "user"),
        ("linux.capabilities", "CAP_KILL"),
        ("mountOptions", "idmap"),
        ("linux.cgroup.v2", None),
        ("linux.intelRdt.enabled", None),
        ("linux.mountExtensions.idmap.enabled", None),
    ],
)
def test_a_claimed_field_lets_the_rule_run(path: str, name: str | None) -> None:
    runtime = _features(**_CLAIMING)
    assert claims(_CLAIMING, path, name)
    assert require_claimed(runtime, path, name) == _CLAIMING  # type: ignore[arg-type]
    assert [record.argv for record in runtime.records] == [("features",)]


@pytest.mark.parametrize(
    ("path", "name", "said"),
    [
        (
            "linux.namespaces",
            "time",
            "do not claim 'time' in linux.namespaces: linux.namespaces is ['cgroup'",
        ),
        ("hooks", "prestart", "do not claim 'prestart' in hooks: hooks is None"),
        ("linux.cgroup.systemd", None, "linux.cgroup.systemd: linux.cgroup.systemd is False"),
        ("linux.seccomp.enabled", None, "linux.seccomp.enabled is None"),
        ("linux.netDevices.enabled", None, "linux.netDevices.enabled is None"),
    ],
)
def test_an_unclaimed_field_skips_saying_what_the_runtime_said(
    path: str, name: str | None, said: str
) -> None:
    assert not claims(_CLAIMING, path, name)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_claimed(_features(**_CLAIMING), path, name)  # type: ignore[arg-type]
    assert said in str(skipped.value)


def test_no_features_command_claims_nothing() -> None:
    runtime = _Runtime(1, "", "unknown command features\n")
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_claimed(runtime, "linux.namespaces", "user")  # type: ignore[arg-type]
    assert "has no features command, so it claims no 'user' in linux.namespaces" in str(
        skipped.value
    )
    assert "unknown command features" in str(skipped.value)


@pytest.mark.parametrize(
    ("path", "name", "said"),
    [
        ("linux.namespaces", "user", "linux.namespaces is 'user pid', not a list of names"),
        ("linux.cgroup", None, "linux.cgroup is {'v2': True}, not a boolean"),
    ],
)
def test_a_field_of_the_wrong_type_fails(path: str, name: str | None, said: str) -> None:
    runtime = _features(linux={"namespaces": "user pid", "cgroup": {"v2": True}})
    with pytest.raises(pytest.fail.Exception) as failed:
        require_claimed(runtime, path, name)  # type: ignore[arg-type]
    assert said in str(failed.value)
