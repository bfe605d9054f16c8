"""The requirement catalog: ``requirements.toml`` read, checked and offered as a mapping.

Every requirement is one checkable rule with a stable id.  The catalog is data someone edits by
hand, so every defect is reported as a :class:`~harness.errors.SpecError` naming the file and,
where it can be found, the line — never as a ``KeyError`` deep inside a run.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NoReturn

from harness.errors import SpecError
from harness.errors import split_toml_error
from harness.input_files import read_input
from harness.spec.features import FEATURES
from harness.spec.versions import unknown_release

__all__ = [
    "DEFAULT_CATALOG",
    "ID_PATTERN",
    "LEVELS",
    "SCOPES",
    "SINCE_PATTERN",
    "Catalog",
    "Level",
    "Requirement",
    "Scope",
    "load_catalog",
    "release_key",
    "since_releases",
]

Level = Literal["MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY"]
Scope = Literal["api", "cli"]

LEVELS: tuple[Level, ...] = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")
SCOPES: tuple[Scope, ...] = ("api", "cli")
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
DEFAULT_CATALOG = Path(__file__).with_name("requirements.toml")

_REQUIRED = ("id", "level", "title", "source", "scope", "area", "profiles", "since")
#: one release: ``runc 692f6e1`` (the seed's commit), ``runc v1.1.0``, ``runtime-spec v1.0.2``
_RELEASE = r"(runc (692f6e1|v\d+\.\d+\.\d+(-rc\d+)?)|runtime-spec v\d+\.\d+\.\d+)"
#: ``since``: the runc release and/or the runtime-spec version that brought a rule
SINCE_PATTERN = re.compile(rf"^{_RELEASE}(, {_RELEASE})?$")
_OPTIONAL = ("url", "spec_version")
#: optional keys whose value is a list of names, not one string
_LISTS = ("host_features",)
_HEADER = re.compile(r"^\s*\[\[\s*requirement\s*\]\]")


@dataclasses.dataclass(frozen=True, slots=True)
class Requirement:
    """One checkable rule of the catalog."""

    #: stable, unique, e.g. ``LC-TRANS-STOPPED-RUNNING``
    id: str
    #: the RFC 2119 level; MUST and MUST NOT failures fail the verdict
    level: Level
    #: what the rule says, in our words
    title: str
    #: where the rule comes from: project, commit, file and symbol (or spec version)
    source: str
    #: ``api`` (the factory API) or ``cli`` (the OCI command line)
    scope: Scope
    #: a free word the compliance matrix groups by
    area: str
    #: the profiles this rule belongs to (none: a rule of a release no profile stands for)
    profiles: tuple[str, ...]
    #: the releases that brought the rule: "runc v1.1.0", "runtime-spec v1.0.2", or both
    since: str = ""
    #: a pinned link to the source, when there is one
    url: str | None = None
    #: the runtime-spec version a command-line rule comes from ("1.0.2")
    spec_version: str | None = None
    #: the host features (harness/report/features.py) the rule can only be checked with: a
    #: run that ``--require``\ s all of them fails its verdict when the rule skips
    host_features: tuple[str, ...] = ()


class Catalog(Mapping[str, Requirement]):
    """Requirements by id, in file order, plus what the plugin and the CLI ask of them."""

    __slots__ = ("_by_id", "path")

    def __init__(self, requirements: list[Requirement], path: str) -> None:
        self._by_id = {r.id: r for r in requirements}
        #: the file the catalog was read from
        self.path = path

    def __getitem__(self, req_id: str) -> Requirement:
        return self._by_id[req_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"<Catalog {self.path!r}: {len(self)} requirements>"

    @property
    def profiles(self) -> set[str]:
        """Every profile some requirement belongs to."""
        return {p for r in self._by_id.values() for p in r.profiles}

    def for_profile(self, name: str) -> list[Requirement]:
        """The requirements of profile ``name``, sorted by id (empty for an unknown profile)."""
        return sorted((r for r in self._by_id.values() if name in r.profiles), key=_by_id)


def load_catalog(path: str | None = None) -> Catalog:
    """Read and check a catalog file; the packaged ``harness/spec/requirements.toml`` by default.

    Raises:
        SpecError: the file cannot be read, is not TOML, or breaks a rule of the format
            (missing or unknown key, bad level, scope, id or since, duplicate id, bad profiles).
    """
    where = str(path if path is not None else DEFAULT_CATALOG)
    raw = read_input(where, "catalog", error=SpecError)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SpecError(where, f"cannot read the catalog: {err}") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message, line = split_toml_error(str(err), text)
        raise SpecError(where, message, line) from err
    return Catalog(_Checker(where, text).requirements(data), where)


def release_key(release: str) -> tuple[str, tuple[int, ...]]:
    """An order on one project's releases: ``("runc", (1, 1, 0, 99))`` for ``runc v1.1.0``.

    A release candidate sorts before its release; the seed's commit 692f6e1 (2017-08-30) lies
    between v1.0.0-rc4 and v1.0.0-rc5, so it sorts as rc4 plus one half.

    Raises:
        ValueError: not one release of :data:`SINCE_PATTERN`'s form.
    """
    if not re.fullmatch(_RELEASE, release):
        raise ValueError(f"not a release: {release!r}")
    project, _, version = release.partition(" ")
    if version == "692f6e1":
        return project, (1, 0, 0, 4, 50)
    numbers, _, rc = version.removeprefix("v").partition("-rc")
    major, minor, patch = (int(n) for n in numbers.split("."))
    return project, (major, minor, patch, int(rc) if rc else 99, 0)


def since_releases(requirement: Requirement) -> dict[str, tuple[int, ...]]:
    """The releases of ``requirement.since`` by project: ``{"runc": (1, 1, 0, 99, 0)}``."""
    return dict(release_key(r) for r in requirement.since.split(", "))


def _by_id(requirement: Requirement) -> str:
    return requirement.id


class _Checker:
    """Validates parsed entries, finding the source line of each defect in the raw text."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.headers = [n for n, line in enumerate(self.lines, 1) if _HEADER.match(line)]

    def requirements(self, data: dict[str, Any]) -> list[Requirement]:
        for key in data:
            if key != "requirement":
                self.fail(f"unknown top-level key {key!r} (only [[requirement]] tables)", None)
        entries = data.get("requirement")
        if not entries:
            self.fail("the catalog has no [[requirement]] tables", None)
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            self.fail("'requirement' must be an array of tables ([[requirement]])", None)
        seen: set[str] = set()
        result = []
        for index, entry in enumerate(entries):
            requirement = self.requirement(index, entry)
            if requirement.id in seen:
                line = self.line_of(index, "id")
                self.fail(f"duplicate requirement id {requirement.id!r}", line)
            seen.add(requirement.id)
            result.append(requirement)
        return result

    def requirement(self, index: int, entry: dict[str, Any]) -> Requirement:
        name = entry.get("id")
        label = f"requirement {name!r}" if isinstance(name, str) else f"requirement #{index + 1}"
        for key in entry:
            if key not in _REQUIRED + _OPTIONAL + _LISTS:
                allowed = _REQUIRED + _OPTIONAL + _LISTS
                self.fail(
                    f"{label}: unknown key {key!r}; allowed are {allowed}",
                    self.line_of(index, key),
                )
        for key in _REQUIRED:
            if key not in entry:
                self.fail(f"{label}: missing key {key!r}", self.line_of(index, "id"))
        for key in ("id", "title", "source", "area", "level", "scope", "since") + _OPTIONAL:
            if key in entry:
                value = entry[key]
                if not isinstance(value, str) or not value.strip():
                    self.fail(
                        f"{label}: {key!r} must be a non-empty string (got {value!r})",
                        self.line_of(index, key),
                    )
        if not ID_PATTERN.match(entry["id"]):
            self.fail(
                f"'id' must match {ID_PATTERN.pattern!r} (got {entry['id']!r})",
                self.line_of(index, "id"),
            )
        if not SINCE_PATTERN.match(entry["since"]):
            self.fail(
                f"{label}: 'since' must name releases like 'runc v1.1.0', 'runc 692f6e1' or"
                f" 'runtime-spec v1.0.2', comma-separated (got {entry['since']!r})",
                self.line_of(index, "since"),
            )
        self.one_of(index, label, entry, "level", LEVELS)
        self.one_of(index, label, entry, "scope", SCOPES)
        profiles = entry["profiles"]
        # an empty list is a rule of a release no profile stands for yet (its ``since`` says
        # which): recorded, checked by no run
        if not isinstance(profiles, list) or not all(
            isinstance(p, str) and p.strip() for p in profiles
        ):
            self.fail(
                f"{label}: 'profiles' must be a list of names (got {profiles!r})",
                self.line_of(index, "profiles"),
            )
        return Requirement(
            host_features=self.host_features(index, label, entry.get("host_features", [])),
            id=entry["id"],
            level=entry["level"],
            title=entry["title"],
            source=entry["source"],
            scope=entry["scope"],
            area=entry["area"],
            profiles=tuple(dict.fromkeys(profiles)),
            since=entry["since"],
            url=entry.get("url"),
            spec_version=self.spec_version(index, label, entry.get("spec_version")),
        )

    def spec_version(self, index: int, label: str, value: str | None) -> str | None:
        """A checked ``spec_version``: a release of harness/spec/versions.py, or None."""
        wrong = None if value is None else unknown_release(value)
        if wrong is not None:
            self.fail(f"{label}: 'spec_version' {wrong}", self.line_of(index, "spec_version"))
        return value

    def host_features(self, index: int, label: str, value: Any) -> tuple[str, ...]:
        """A checked ``host_features`` list: names :data:`FEATURES` knows."""
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(
                f"{label}: 'host_features' must be a list of feature names (got {value!r})",
                self.line_of(index, "host_features"),
            )
        unknown = sorted(set(value) - set(FEATURES))
        if unknown:
            self.fail(
                f"{label}: unknown host feature(s) {unknown}; known: {sorted(FEATURES)}",
                self.line_of(index, "host_features"),
            )
        return tuple(dict.fromkeys(value))

    def one_of(
        self, index: int, label: str, entry: dict[str, Any], key: str, allowed: tuple[str, ...]
    ) -> None:
        if entry[key] not in allowed:
            self.fail(
                f"{label}: {key!r} must be one of {allowed} (got {entry[key]!r})",
                self.line_of(index, key),
            )

    def line_of(self, index: int, key: str) -> int | None:
        """The line of ``key = ...`` inside the ``index``-th table, else the table's header."""
        if index >= len(self.headers):
            return None
        start = self.headers[index]
        end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.lines) + 1
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, end):
            if pattern.match(self.lines[number - 1]):
                return number
        return start

    def fail(self, message: str, line: int | None) -> NoReturn:
        raise SpecError(self.path, message, line)
