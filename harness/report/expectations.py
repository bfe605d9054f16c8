"""Expectations: which requirements a given runtime is known to fail, and why.

One TOML file per runtime and version range, in the manner of web-platform-tests' metadata::

    subject = "runc"                 # oci:runc, oci:/usr/bin/runc, or a subject string as given
    versions = ">=1.1,<1.2"          # PEP 440 specifiers; "" for every version
    require = ["resctrl", "mba"]     # optional: host features the gate demands (as --require)

    [[expected]]
    requirement = "CLI-DELETE-CREATED"
    reason = "runc deletes a created container; the spec says delete MUST error"
    link = "https://github.com/opencontainers/runc/blob/v1.1.5/delete.go"
    expires = 2027-06-30             # optional: after this day the expectation no longer holds
    intermittent = true              # optional: the runtime fails it only at times (a race)

A requirement that fails (or errors) with an expectation becomes ``xfail``, carrying the reason
and link; one that passes becomes ``xpass``, so a fixed bug shows up instead of hiding behind
an old expectation.  An intermittent entry leaves a pass a pass: the runtime's race is measured,
and a gate must not flip with the machine's load.  Nothing here turns a failure into a pass.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import tomllib
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from packaging.specifiers import InvalidSpecifier
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion
from packaging.version import Version

from harness.errors import InputFileError
from harness.errors import split_toml_error
from harness.input_files import read_input
from harness.report.features import FEATURES
from harness.report.model import ExpectedFailure
from harness.report.model import RequirementResult
from harness.report.required import parse_required

__all__ = [
    "Expectation",
    "ExpectationSet",
    "applicable",
    "apply_expectations",
    "load_expectations",
]

_FIELDS = {
    "requirement",
    "reason",
    "link",
    "expires",
    "versions",
    "host",
    "profiles",
    "intermittent",
}
#: the keys of the file itself
_TOP_FIELDS = {"subject", "versions", "require", "expected"}


@dataclasses.dataclass(frozen=True, slots=True)
class Expectation:
    """One requirement known to fail, with why and where it is tracked."""

    requirement: str
    reason: str
    link: str
    expires: datetime.date | None = None
    #: the line of its ``[[expected]]`` table, for messages
    line: int = 0
    #: PEP 440 specifiers the subject's version must also meet ("" for any)
    versions: str = ""
    #: host features that must be present, or absent when written ``!name``
    host: tuple[str, ...] = ()
    #: the profiles of the runs it is for (empty: every profile)
    profiles: tuple[str, ...] = ()
    #: the runtime fails it only at times (a race it has): a pass stays a pass
    intermittent: bool = False

    def holds_on(self, day: datetime.date) -> bool:
        return self.expires is None or day <= self.expires

    def why_not(
        self, day: datetime.date, version: str, features: Iterable[str], profile: str = ""
    ) -> str | None:
        """Why this entry does not apply to a run, or None when it does."""
        if self.profiles and profile not in self.profiles:
            return f"for profiles {', '.join(self.profiles)}, not {profile or 'an unnamed one'}"
        if not self.holds_on(day):
            return f"expired on {self.expires}"
        if self.versions and not _version_in(version, self.versions):
            return f"for versions {self.versions}, not {version or 'an unknown version'}"
        have = set(features)
        for want in self.host:
            absent = want.startswith("!")
            name = want.removeprefix("!")
            if absent == (name in have):
                return f"for hosts {'without' if absent else 'with'} {name}"
        return None

    def as_result(self) -> ExpectedFailure:
        """What a requirement result carries of it."""
        expires = self.expires.isoformat() if self.expires else None
        return ExpectedFailure(
            reason=self.reason, link=self.link, expires=expires, intermittent=self.intermittent
        )


@dataclasses.dataclass(frozen=True, slots=True)
class ExpectationSet:
    """A loaded expectations file."""

    path: str
    #: sha256 of the file's bytes, so a report says exactly which expectations applied
    digest: str
    subject: str
    versions: str
    entries: tuple[Expectation, ...]
    #: host features the gate demands of every host it runs on (``--require``)
    require: tuple[str, ...] = ()

    def matches(self, subject: str, version: str) -> str | None:
        """Why this file does not fit the run's subject and version, or None when it does."""
        names = {
            subject,
            subject.removeprefix("oci:"),
            os.path.basename(subject.removeprefix("oci:")),
        }
        if self.subject not in names:
            return f"{self.path} is for subject {self.subject!r}; this run's subject is {subject!r}"
        if not self.versions:
            return None
        if not _version_in(version, self.versions):
            found = version or "unknown"
            return f"{self.path} is for {self.subject} {self.versions}; the version is {found}"
        return None

    def describe(self) -> dict[str, Any]:
        """What the report records of the file."""
        return {"path": self.path, "sha256": self.digest, "subject": self.subject,
                "versions": self.versions, "entries": len(self.entries),
                "require": list(self.require)}  # fmt: skip


def _version_in(version: str, specifiers: str) -> bool:
    try:
        return Version(version) in SpecifierSet(specifiers)
    except InvalidVersion:
        return False


def load_expectations(path: str, known: Iterable[str] = ()) -> ExpectationSet:
    """Read and check an expectations file; ``known`` are the catalog's requirement ids.

    Raises:
        InputFileError: unreadable, not TOML, or an entry that is wrong; names file and line.
    """
    raw = read_input(path, "expectations")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise InputFileError(path, f"not UTF-8 text: {err}") from None
    except tomllib.TOMLDecodeError as err:
        message, line = split_toml_error(str(err), raw.decode("utf-8"))
        raise InputFileError(path, f"not valid TOML: {message}", line) from None
    lines = _table_lines(raw.decode("utf-8"))
    unknown = set(data) - _TOP_FIELDS
    if unknown:
        raise InputFileError(
            path, f"unknown key(s) {sorted(unknown)}; known: {sorted(_TOP_FIELDS)}", 1
        )
    subject = data.get("subject")
    if not isinstance(subject, str) or not subject:
        raise InputFileError(path, "'subject' (the runtime the file is for) is required", 1)
    versions = _versions(path, data.get("versions", ""), _key_line(raw, "versions"))
    require = _require(path, data.get("require", []), _key_line(raw, "require"))
    listed = data.get("expected", [])
    if not isinstance(listed, list):
        raise InputFileError(
            path,
            f"'expected' must be an array of tables ([[expected]]; got {listed!r})",
            _key_line(raw, "expected"),
        )
    known_ids = set(known)
    entries = []
    seen: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    for index, entry in enumerate(listed):
        line = lines[index] if index < len(lines) else None
        entries.append(_entry(path, entry, line, known_ids, seen))
    return ExpectationSet(
        path=path,
        digest=hashlib.sha256(raw).hexdigest(),
        subject=subject,
        versions=versions,
        entries=tuple(entries),
        require=require,
    )


def _entry(
    path: str,
    entry: Any,
    line: int | None,
    known: set[str],
    seen: dict[str, list[tuple[int, tuple[str, ...]]]],
) -> Expectation:
    if not isinstance(entry, dict):
        raise InputFileError(path, "each [[expected]] must be a table", line)
    unknown = set(entry) - _FIELDS
    if unknown:
        raise InputFileError(
            path, f"unknown field(s) {sorted(unknown)}; known: {sorted(_FIELDS)}", line
        )
    for field in ("requirement", "reason", "link"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            raise InputFileError(path, f"[[expected]] needs a non-empty '{field}'", line)
    req = entry["requirement"]
    if known and req not in known:
        raise InputFileError(path, f"no requirement {req!r} in the catalog", line)
    profiles = _profiles(path, entry.get("profiles", []), line)
    for other in seen.get(req, []):
        if not (profiles and other[1]) or set(profiles) & set(other[1]):
            raise InputFileError(
                path, f"{req} is expected twice for one profile (first at line {other[0]})", line
            )
    seen.setdefault(req, []).append((line or 0, profiles))
    expires = entry.get("expires")
    # a TOML datetime is a datetime.date too, and cannot be compared with the run's day
    if expires is not None and type(expires) is not datetime.date:
        raise InputFileError(
            path,
            f"'expires' must be a TOML date like 2027-06-30, unquoted (got {_toml(expires)})",
            line,
        )
    intermittent = entry.get("intermittent", False)
    if not isinstance(intermittent, bool):
        raise InputFileError(
            path, f"'intermittent' must be true or false (got {_toml(intermittent)})", line
        )
    return Expectation(
        req,
        entry["reason"].strip(),
        entry["link"].strip(),
        expires,
        line or 0,
        _versions(path, entry.get("versions", ""), line),
        _host(path, entry.get("host", []), line),
        profiles,
        intermittent,
    )


def _versions(path: str, value: Any, line: int | None) -> str:
    """A checked ``versions``: a string of PEP 440 specifiers, "" for every version."""
    try:
        if not isinstance(value, str):
            raise TypeError(value)
        SpecifierSet(value)
    except (InvalidSpecifier, TypeError):
        raise InputFileError(
            path,
            f"'versions' must be PEP 440 specifiers like '>=1.1,<1.2' (got {_toml(value)})",
            line,
        ) from None
    return value


def _toml(value: Any) -> str:
    """A value as the message shows it: its TOML kind where that is what is wrong."""
    if isinstance(value, datetime.datetime):
        return f"the date and time {value.isoformat()}"
    if isinstance(value, datetime.time):
        return f"the time {value.isoformat()}"
    return repr(value)


def _host(path: str, value: Any, line: int | None) -> tuple[str, ...]:
    """A checked ``host`` list: known feature names, each maybe prefixed with ``!``."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputFileError(path, f"'host' must be a list of feature names (got {value!r})", line)
    unknown = sorted(v for v in value if v.removeprefix("!") not in FEATURES)
    if unknown:
        raise InputFileError(
            path, f"unknown host feature(s) {unknown}; known: {sorted(FEATURES)}", line
        )
    return tuple(value)


def _require(path: str, value: Any, line: int | None) -> tuple[str, ...]:
    """The checked top-level ``require``: feature names, as ``--require`` takes them."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputFileError(
            path, f"'require' must be a list of host feature names (got {value!r})", line
        )
    try:
        return parse_required(value)
    except ValueError as err:
        raise InputFileError(path, f"'require' {err}", line) from None


def _profiles(path: str, value: Any, line: int | None) -> tuple[str, ...]:
    """A checked ``profiles`` list: the profiles an entry is for."""
    from harness.spec.tables import PROFILES

    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputFileError(path, f"'profiles' must be a list of profiles (got {value!r})", line)
    unknown = sorted(set(value) - set(PROFILES))
    if unknown:
        raise InputFileError(path, f"unknown profile(s) {unknown}; known: {list(PROFILES)}", line)
    return tuple(value)


def _table_lines(text: str) -> list[int]:
    """The line of each ``[[expected]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[expected]]"]


def _key_line(raw: bytes, key: str) -> int | None:
    for n, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        if line.strip().startswith(f"{key}"):
            return n
    return None


def applicable(
    expectations: ExpectationSet,
    day: datetime.date,
    version: str,
    features: Iterable[str],
    profile: str = "",
) -> tuple[dict[str, Expectation], dict[str, str]]:
    """The entries that apply to a run of ``profile``, by requirement, and why each other one
    does not (a requirement one of whose entries applies is not among those)."""
    features = tuple(features)
    holding: dict[str, Expectation] = {}
    not_applying: dict[str, str] = {}
    for entry in expectations.entries:
        why = entry.why_not(day, version, features, profile)
        if why is None:
            holding[entry.requirement] = entry
        elif entry.requirement not in holding:
            not_applying[entry.requirement] = why
    for req in holding:
        not_applying.pop(req, None)
    return holding, not_applying


def apply_expectations(
    requirements: Iterable[RequirementResult], holding: Mapping[str, Expectation]
) -> tuple[RequirementResult, ...]:
    """fail, error or a test-level xfail with an applying expectation -> xfail; pass with one
    -> xpass, or a plain pass when the entry is intermittent; each xfail and xpass carries the
    expectation."""
    result = []
    for req in requirements:
        expected = holding.get(req.id)
        if expected is None:
            result.append(req)
        elif req.outcome in ("fail", "error", "xfail"):
            got = (req.message or "").removeprefix("expected to fail: ")
            when = " at times" if expected.intermittent else ""
            message = f"expected to fail{when}: {expected.reason}; got: {got}"
            result.append(
                dataclasses.replace(
                    req, outcome="xfail", message=message, expectation=expected.as_result()
                )
            )
        elif req.outcome == "pass" and not expected.intermittent:
            message = f"expected to fail but passed: {expected.reason}"
            result.append(
                dataclasses.replace(
                    req, outcome="xpass", message=message, expectation=expected.as_result()
                )
            )
        else:
            result.append(req)
    return tuple(result)
