"""Expectations files: read and checked with file and line in every error, matched to the
subject and its version, and applied so that a known failure is xfail and a fixed one xpass."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import pytest

from harness.errors import InputFileError
from harness.report.expectations import ExpectationSet
from harness.report.expectations import applicable
from harness.report.expectations import apply_expectations
from harness.report.expectations import load_expectations
from harness.report.model import RequirementResult
from tests.test_broken_variants import rtgate

GOOD = """\
subject = "runc"
versions = ">=1.1,<1.2"

[[expected]]
requirement = "A"
reason = "deletes a created container"
link = "https://example.org/a"

[[expected]]
requirement = "B"
reason = "old bug"
link = "https://example.org/b"
expires = 2026-01-31
"""


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "exp.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _result(req_id: str, outcome: str, message: str | None = None) -> RequirementResult:
    return RequirementResult(req_id, "MUST", "t", "s", None, "cli", "a", outcome, (), message)  # type: ignore[arg-type]


def test_a_good_file_loads(tmp_path: Path) -> None:
    loaded = load_expectations(_file(tmp_path, GOOD), known=["A", "B", "C"])
    assert [(e.requirement, e.line) for e in loaded.entries] == [("A", 4), ("B", 9)]
    assert loaded.entries[1].expires == datetime.date(2026, 1, 31)
    assert len(loaded.digest) == 64
    assert loaded.describe()["entries"] == 2


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('subject = "runc"\n[[expected]\n', 2, "not valid TOML"),
        ('versions = "1"\n', 1, "'subject'"),
        ('subject = "runc"\nversions = "one or two"\n', 2, "PEP 440"),
        ('subject = "runc"\n[[expected]]\nrequirement = "A"\nlink = "l"\n', 2, "'reason'"),
        ('subject = "runc"\n[[expected]]\nrequirement = "Z"\nreason = "r"\nlink = "l"\n', 2, "'Z'"),
        (GOOD + '\n[[expected]]\nrequirement = "A"\nreason = "r"\nlink = "l"\n', 15, "twice"),
        (GOOD.replace('reason = "old bug"', "why = 1"), 9, "unknown field"),  # fmt: skip
        (
            'subject = "runc"\n[[expected]]\nrequirement = "A"\nreason = "r"\nlink = "l"\n'
            'expires = "soon"\n',
            2,
            "'expires'",
        ),  # fmt: skip
    ],
)
def test_a_bad_file_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(InputFileError) as info:
        load_expectations(path, known=["A", "B"])
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert message in str(info.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="nope.toml: cannot read"):
        load_expectations(str(tmp_path / "nope.toml"))


@pytest.mark.parametrize(
    ("subject", "version", "fits"),
    [
        ("oci:runc", "1.1.5", True),
        ("oci:/usr/sbin/runc", "1.1.12", True),
        ("oci:runc", "1.2.0", False),
        ("oci:crun", "1.1.5", False),
        ("oci:runc", "", False),
    ],
)
def test_a_file_is_for_one_subject_and_version_range(
    tmp_path: Path, subject: str, version: str, fits: bool
) -> None:
    loaded = load_expectations(_file(tmp_path, GOOD))
    assert (loaded.matches(subject, version) is None) is fits


def _apply(
    results: list[RequirementResult],
    loaded: ExpectationSet,
    day: datetime.date,
    version: str = "1.1.5",
    features: tuple[str, ...] = (),
) -> tuple[RequirementResult, ...]:
    holding, _ = applicable(loaded, day, version, features)
    return apply_expectations(results, holding)


def test_failures_become_xfail_passes_xpass_and_expired_ones_count_again(tmp_path: Path) -> None:
    loaded = load_expectations(_file(tmp_path, GOOD))
    before = [_result("A", "fail", "boom"), _result("B", "fail", "old"), _result("C", "fail")]
    after = _apply(before, loaded, datetime.date(2026, 6, 1))
    assert [r.outcome for r in after] == ["xfail", "fail", "fail"], "B expired in January"
    assert after[0].message is not None
    assert "deletes a created container" in after[0].message
    assert after[0].expectation is not None
    assert after[0].expectation.link == "https://example.org/a"
    assert "boom" in after[0].message, "the failure itself stays in the report"
    _, not_applying = applicable(loaded, datetime.date(2026, 6, 1), "1.1.5", ())
    assert not_applying == {"B": "expired on 2026-01-31"}
    early = _apply(before, loaded, datetime.date(2026, 1, 31))
    assert [r.outcome for r in early] == ["xfail", "xfail", "fail"]
    assert early[1].expectation is not None and early[1].expectation.expires == "2026-01-31"
    fixed = _apply([_result("A", "pass"), _result("A2", "skip")], loaded, datetime.date(2026, 1, 1))
    assert [r.outcome for r in fixed] == ["xpass", "skip"]
    assert fixed[0].fatal is False and dataclasses.replace(fixed[0], outcome="fail").fatal


def test_run_with_expectations_reports_xfail_and_passes(tmp_path: Path) -> None:
    subject = "python:tests.broken.poststop_runs_all:new_factory"
    exp = tmp_path / "broken.toml"
    exp.write_text(
        f'subject = "{subject}"\n\n[[expected]]\n'
        'requirement = "LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE"\n'
        'reason = "runs every poststop hook, as the runtime-spec asks"\n'
        'link = "https://github.com/opencontainers/runtime-spec/blob/v1.0.2/runtime.md"\n',
        encoding="utf-8",
    )
    out = tmp_path / "report"
    done = rtgate("run", "--quick", "--subject", subject, "--expectations", str(exp),
                  "--report-dir", str(out), "-k", "poststop")  # fmt: skip
    assert done.returncode == 1, "the -k selection leaves requirements untested"
    report = json.loads((out / "compliance.json").read_text())
    held = next(
        r for r in report["requirements"] if r["id"] == "LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE"
    )
    assert held["outcome"] == "xfail" and "as the runtime-spec asks" in held["message"]
    assert report["run"]["expectations"]["path"] == str(exp)
    assert "LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE" not in report["summary"]["fatal"]


def test_expectations_for_another_subject_are_refused(tmp_path: Path) -> None:
    done = rtgate("run", "--expectations", _file(tmp_path, GOOD))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "is for subject 'runc'; this run's subject is 'reference'" in done.stderr


NARROW = """\
subject = "runc"
versions = ">=1.1,<1.2"

[[expected]]
requirement = "A"
reason = "fails only on CDP parts"
link = "https://example.org/cdp"
host = ["cdp"]

[[expected]]
requirement = "B"
reason = "fixed in 1.1.4"
link = "https://example.org/b"
versions = "<1.1.4"

[[expected]]
requirement = "C"
reason = "fails where there is no MBA"
link = "https://example.org/c"
host = ["!mba"]
"""


@pytest.mark.parametrize(
    ("version", "features", "held", "why_b"),
    [
        ("1.1.5", ("cdp", "mba"), ["A"], "for versions <1.1.4, not 1.1.5"),
        ("1.1.3", ("cat-l3",), ["B", "C"], None),
        ("1.1.3", ("cdp",), ["A", "B", "C"], None),
    ],
)
def test_an_entry_applies_per_version_and_host_feature(
    tmp_path: Path, version: str, features: tuple[str, ...], held: list[str], why_b: str | None
) -> None:
    loaded = load_expectations(_file(tmp_path, NARROW))
    before = [_result(r, "fail") for r in "ABC"]
    after = _apply(before, loaded, datetime.date(2026, 1, 1), version, features)
    assert [r.id for r in after if r.outcome == "xfail"] == held
    _, not_applying = applicable(loaded, datetime.date(2026, 1, 1), version, features)
    assert not_applying.get("B") == why_b
    if "cdp" not in features:
        assert not_applying["A"] == "for hosts with cdp"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('host = ["quantum"]', "unknown host feature(s) ['quantum']"),
        ("host = 3", "'host' must be a list"),
        ('versions = "newest"', "'versions' must be PEP 440"),
        ('intermittent = "sometimes"', "'intermittent' must be true or false"),
    ],
)
def test_a_bad_entry_condition_names_file_and_line(
    tmp_path: Path, entry: str, message: str
) -> None:
    head = 'subject = "runc"\n\n[[expected]]\nrequirement = "A"\nreason = "r"\nlink = "l"\n'
    text = f"{head}{entry}\n"
    with pytest.raises(InputFileError) as caught:
        load_expectations(_file(tmp_path, text))
    assert message in str(caught.value)
    assert caught.value.line == 3


BY_PROFILE = """\
subject = "runc"

[[expected]]
requirement = "A"
reason = "the seed's words, left in 1.1"
link = "https://example.org/a-seed"
profiles = ["seed"]

[[expected]]
requirement = "A"
reason = "another reading under the runtime-spec"
link = "https://example.org/a-spec"
profiles = ["runtime-spec"]
"""


@pytest.mark.parametrize(
    ("profile", "link", "why"),
    [
        ("seed", "https://example.org/a-seed", None),
        ("runtime-spec", "https://example.org/a-spec", None),
        ("runc-1.1", None, "for profiles runtime-spec, not runc-1.1"),
    ],
)
def test_an_entry_applies_to_its_profiles_only(
    tmp_path: Path, profile: str, link: str | None, why: str | None
) -> None:
    loaded = load_expectations(_file(tmp_path, BY_PROFILE))
    holding, not_applying = applicable(loaded, datetime.date(2026, 1, 1), "1.1.5", (), profile)
    assert (holding["A"].link if "A" in holding else None) == link
    assert not_applying.get("A") == why


TWICE = "A is expected twice for one profile (first at line 3)"


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            'profiles = ["seed", "runc-1.2"]',
            "A is expected twice for one profile (first at line 3)",
        ),
        ("", "A is expected twice for one profile (first at line 3)"),
        ('profiles = ["runc-9"]', "unknown profile(s) ['runc-9']"),
    ],
)
def test_an_entry_twice_for_one_profile_is_refused(
    tmp_path: Path, second: str, message: str
) -> None:
    entry = '[[expected]]\nrequirement = "A"\nreason = "r"\nlink = "l"\n'
    text = f'subject = "runc"\n\n{entry}profiles = ["seed"]\n\n{entry}{second}\n'
    with pytest.raises(InputFileError) as caught:
        load_expectations(_file(tmp_path, text))
    assert message in str(caught.value)


RACY = """\
subject = "crun"

[[expected]]
requirement = "A"
reason = "pause returns before the kernel has frozen the group; fails under load"
link = "https://example.org/race"
intermittent = true
"""


def test_an_intermittent_entry_holds_a_failure_and_leaves_a_pass_a_pass(tmp_path: Path) -> None:
    """A measured race of the runtime: neither an idle nor a busy machine flips the gate."""
    loaded = load_expectations(_file(tmp_path, RACY))
    assert loaded.entries[0].intermittent is True
    day = datetime.date(2026, 1, 1)
    failed = _apply([_result("A", "fail", "freezer reads FREEZING")], loaded, day)[0]
    assert failed.outcome == "xfail"
    assert failed.message is not None
    assert failed.message.startswith("expected to fail at times: pause returns")
    assert "freezer reads FREEZING" in failed.message
    assert failed.expectation is not None and failed.expectation.intermittent is True
    passed = _apply([_result("A", "pass")], loaded, day)[0]
    assert (passed.outcome, passed.message, passed.expectation) == ("pass", None, None)
    plain = load_expectations(_file(tmp_path, RACY.replace("intermittent = true", "")))
    assert _apply([_result("A", "pass")], plain, day)[0].outcome == "xpass"
