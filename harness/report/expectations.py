"""Expectations (waivers): which requirements a given runtime is known to fail, and why.

One TOML file per runtime and version range, in the manner of web-platform-tests' metadata::

    subject = "runc"                 # oci:runc, oci:/usr/bin/runc, or a subject string as given
    versions = ">=1.1,<1.2"          # PEP 440 specifiers; "" for every version

    [[expected]]
    requirement = "CLI-DELETE-CREATED"
    reason = "runc deletes a created container; the spec says delete MUST error"
    link = "https://github.com/opencontainers/runc/blob/v1.1.5/delete.go"
    expires = 2027-06-30             # optional: after this day the expectation no longer holds

A requirement that fails (or errors) with an expectation becomes ``xfail``, carrying the reason
and link; one that passes becomes ``xpass``, so a fixed bug shows up instead of hiding behind
an old waiver.  Nothing here turns a failure into a pass.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import tomllib
from collections.abc import Iterable
from typing import Any

from packaging.specifiers import InvalidSpecifier
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion
from packaging.version import Version

from harness.errors import InputFileError
from harness.errors import split_toml_error
from harness.report.model import RequirementResult

__all__ = ["Expectation", "ExpectationSet", "apply_expectations", "load_expectations"]

_FIELDS = {"requirement", "reason", "link", "expires"}


@dataclasses.dataclass(frozen=True, slots=True)
class Expectation:
    """One requirement known to fail, with why and where it is tracked."""

    requirement: str
    reason: str
    link: str
    expires: datetime.date | None = None
    #: the line of its ``[[expected]]`` table, for messages
    line: int = 0

    def holds_on(self, day: datetime.date) -> bool:
        return self.expires is None or day <= self.expires


@dataclasses.dataclass(frozen=True, slots=True)
class ExpectationSet:
    """A loaded expectations file."""

    path: str
    #: sha256 of the file's bytes, so a report says exactly which waivers applied
    digest: str
    subject: str
    versions: str
    entries: tuple[Expectation, ...]

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
        try:
            fits = Version(version) in SpecifierSet(self.versions)
        except InvalidVersion:
            fits = False
        if not fits:
            found = version or "unknown"
            return f"{self.path} is for {self.subject} {self.versions}; the version is {found}"
        return None

    def describe(self) -> dict[str, Any]:
        """What the report records of the file."""
        return {"path": self.path, "sha256": self.digest, "subject": self.subject,
                "versions": self.versions, "entries": len(self.entries)}  # fmt: skip


def load_expectations(path: str, known: Iterable[str] = ()) -> ExpectationSet:
    """Read and check an expectations file; ``known`` are the catalog's requirement ids.

    Raises:
        InputFileError: unreadable, not TOML, or an entry that is wrong; names file and line.
    """
    try:
        raw = open(path, "rb").read()  # noqa: SIM115 - read at once
    except OSError as err:
        raise InputFileError(path, f"cannot read the expectations: {err.strerror}") from err
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise InputFileError(path, f"not UTF-8 text: {err}") from None
    except tomllib.TOMLDecodeError as err:
        message, line = split_toml_error(str(err), raw.decode("utf-8"))
        raise InputFileError(path, f"not valid TOML: {message}", line) from None
    lines = _table_lines(raw.decode("utf-8"))
    subject = data.get("subject")
    if not isinstance(subject, str) or not subject:
        raise InputFileError(path, "'subject' (the runtime the file is for) is required", 1)
    versions = data.get("versions", "")
    try:
        SpecifierSet(versions)
    except (InvalidSpecifier, TypeError):
        raise InputFileError(
            path,
            f"'versions' must be PEP 440 specifiers like '>=1.1,<1.2' (got {versions!r})",
            _key_line(raw, "versions"),
        ) from None
    known_ids = set(known)
    entries = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data.get("expected", [])):
        line = lines[index] if index < len(lines) else None
        entries.append(_entry(path, entry, line, known_ids, seen))
    return ExpectationSet(
        path=path,
        digest=hashlib.sha256(raw).hexdigest(),
        subject=subject,
        versions=versions,
        entries=tuple(entries),
    )


def _entry(
    path: str, entry: Any, line: int | None, known: set[str], seen: dict[str, int]
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
    if req in seen:
        raise InputFileError(path, f"{req} is expected twice (first at line {seen[req]})", line)
    seen[req] = line or 0
    expires = entry.get("expires")
    if expires is not None and not isinstance(expires, datetime.date):
        raise InputFileError(
            path, f"'expires' must be a date like 2027-06-30 (got {expires!r})", line
        )
    return Expectation(req, entry["reason"].strip(), entry["link"].strip(), expires, line or 0)


def _table_lines(text: str) -> list[int]:
    """The line of each ``[[expected]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[expected]]"]


def _key_line(raw: bytes, key: str) -> int | None:
    for n, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        if line.strip().startswith(f"{key}"):
            return n
    return None


def apply_expectations(
    requirements: Iterable[RequirementResult], expectations: ExpectationSet, day: datetime.date
) -> tuple[RequirementResult, ...]:
    """fail or error with a holding expectation -> xfail; pass with one -> xpass."""
    holding = {e.requirement: e for e in expectations.entries if e.holds_on(day)}
    result = []
    for req in requirements:
        expected = holding.get(req.id)
        if expected is None:
            result.append(req)
        elif req.outcome in ("fail", "error"):
            message = f"expected to fail: {expected.reason} ({expected.link}); got: {req.message}"
            result.append(dataclasses.replace(req, outcome="xfail", message=message))
        elif req.outcome == "pass":
            message = f"expected to fail but passed: {expected.reason} ({expected.link})"
            result.append(dataclasses.replace(req, outcome="xpass", message=message))
        else:
            result.append(req)
    return tuple(result)
