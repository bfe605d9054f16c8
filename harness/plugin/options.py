"""The plugin's command-line options, read once and checked into a frozen :class:`RunOptions`.

Every bad value ends in one :class:`pytest.UsageError` line naming the option, in the shape
``--rtgate-host: 'host' must be one of ('simulated',) (got 'moon')``.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from harness.errors import RtgateError
from harness.errors import UsageError
from harness.report.expectations import ExpectationSet
from harness.report.expectations import load_expectations
from harness.report.features import host_features
from harness.spec.catalog import Catalog
from harness.spec.catalog import load_catalog

__all__ = [
    "DEFAULT_PROFILE",
    "DEFAULT_SUBJECT",
    "HOSTS",
    "OCI_DEFAULT_PROFILE",
    "RunOptions",
    "add_options",
    "check_expectations",
    "default_profile",
    "read_options",
    "subject_version",
]

#: ``simulated`` (pyfakefs and a kernel model) or ``real`` (this machine, as root)
HOSTS = ("simulated", "real")
DEFAULT_SUBJECT = "reference"
DEFAULT_PROFILE = "seed"
#: an OCI runtime binary is judged by the runtime-spec unless a libcontainer profile is asked for
OCI_DEFAULT_PROFILE = "runtime-spec"
CERTIFY_REFUSES = (
    "--rtgate-certify: a certification run takes no expectations file: every requirement "
    "counts as it ends"
)
#: config.md: ociVersion MUST be in SemVer v2.0.0 format
OCI_VERSION = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


@dataclasses.dataclass(frozen=True, slots=True)
class RunOptions:
    """What this run tests, where, against which rules; the ``rtgate_options`` fixture."""

    #: the runtime under test, as the user wrote it: ``reference``, ``python:M:A``, ``oci:X``
    subject: str
    #: ``simulated`` or ``real``
    host: str
    #: the profile of the catalog the run checks
    profile: str
    #: where the report is written; ``None`` writes no report
    report_dir: str | None
    #: the loaded requirement catalog
    catalog: Catalog
    #: the subject's version as its adapter reports it; empty when unknown
    subject_version: str = ""
    #: the simulated host's preset (``harness.fakes.presets``)
    preset: str = "v1-cat"
    #: what the run knows of its host, for the report
    host_probe: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: the expectations (waivers) of the subject, or None
    expectations: ExpectationSet | None = None
    #: the ociVersion an OCI subject's bundles declare (None: the default, 1.0.2)
    oci_version: str | None = None
    #: an xpass fails the verdict
    strict: bool = False
    #: no expectations allowed; implies strict
    certify: bool = False
    #: the command line that started the run, for the report
    command: str = ""

    @property
    def host_features(self) -> tuple[str, ...]:
        """What expectations are keyed on and fleet reports group by (see report.features)."""
        return host_features(self.host_probe)

    @property
    def scopes(self) -> tuple[str, ...]:
        """The requirement scopes this subject can be checked on: an OCI binary has no
        factory API, only its command line."""
        return ("cli",) if self.subject.startswith("oci:") else ("api", "cli")

    def requirements(self) -> list[Any]:
        """The catalog's requirements of this run: its profile, in the subject's scopes."""
        return [r for r in self.catalog.for_profile(self.profile) if r.scope in self.scopes]


def add_options(parser: pytest.Parser) -> None:
    """Declare the ``--rtgate-*`` options in their own help group."""
    group = parser.getgroup("rtgate", "rtgate conformance runs")
    group.addoption(
        "--rtgate-subject",
        dest="rtgate_subject",
        default=DEFAULT_SUBJECT,
        metavar="SUBJECT",
        help="runtime under test: reference, python:MODULE:ATTR or oci:NAME (default: reference)",
    )
    group.addoption(
        "--rtgate-host",
        dest="rtgate_host",
        default="simulated",
        metavar="HOST",
        help="where the subject acts (default: simulated)",
    )
    group.addoption(
        "--rtgate-preset",
        dest="rtgate_preset",
        default=None,
        metavar="PRESET",
        help="which simulated machine the host is (default: v1-cat); see 'rtgate presets'",
    )
    group.addoption(
        "--rtgate-profile",
        dest="rtgate_profile",
        default=None,
        metavar="PROFILE",
        help="which profile of the requirement catalog to check (default: seed; runtime-spec"
        " for an oci: subject)",
    )
    group.addoption(
        "--rtgate-report-dir",
        dest="rtgate_report_dir",
        default=None,
        metavar="DIR",
        help="write compliance.json and junit.xml into DIR (default: write no report)",
    )
    group.addoption(
        "--rtgate-expectations",
        dest="rtgate_expectations",
        default=None,
        metavar="PATH",
        help="a TOML file of requirements the subject is known to fail (they become xfail)",
    )
    group.addoption(
        "--rtgate-oci-version",
        dest="rtgate_oci_version",
        default=None,
        metavar="VERSION",
        help="the ociVersion an oci: subject's config.json files declare (default: 1.0.2)",
    )
    group.addoption(
        "--rtgate-strict",
        dest="rtgate_strict",
        action="store_true",
        help="an xpass (an expected failure that passed) fails the verdict",
    )
    group.addoption(
        "--rtgate-certify",
        dest="rtgate_certify",
        action="store_true",
        help="certification: refuse any expectations file, and be strict",
    )
    group.addoption(
        "--rtgate-command",
        dest="rtgate_command",
        default="",
        help=argparse.SUPPRESS,
    )
    group.addoption(
        "--rtgate-catalog",
        dest="rtgate_catalog",
        default=None,
        metavar="PATH",
        help="requirement catalog to use (default: the packaged requirements.toml)",
    )


def default_profile(subject: str) -> str:
    """The profile a run of ``subject`` checks when none is named: an OCI runtime binary is
    held to the runtime-spec, the reference and Python implementations to the seed."""
    return OCI_DEFAULT_PROFILE if subject.startswith("oci:") else DEFAULT_PROFILE


def read_options(config: pytest.Config) -> RunOptions:
    """Check the options and load the catalog.

    Raises:
        pytest.UsageError: one line naming the bad option and value.
    """
    host = config.getoption("rtgate_host")
    if host not in HOSTS:
        raise pytest.UsageError(f"--rtgate-host: 'host' must be one of {HOSTS} (got {host!r})")
    try:
        catalog = load_catalog(config.getoption("rtgate_catalog"))
    except RtgateError as err:
        raise pytest.UsageError(f"--rtgate-catalog: {err}") from err
    profile = config.getoption("rtgate_profile") or default_profile(
        config.getoption("rtgate_subject")
    )
    if profile not in catalog.profiles:
        known = tuple(sorted(catalog.profiles))
        raise pytest.UsageError(
            f"--rtgate-profile: 'profile' must be one of {known} (got {profile!r})"
        )
    subject = config.getoption("rtgate_subject")
    try:
        version = subject_version(subject)
    except UsageError as err:
        raise pytest.UsageError(f"--rtgate-subject: {err}") from err
    report_dir = config.getoption("rtgate_report_dir")
    if host == "real":
        if config.getoption("rtgate_preset") is not None:
            raise pytest.UsageError(
                "--rtgate-preset: presets are simulated machines; not with --rtgate-host=real"
            )
        preset, probe = "", _real_probe()
    else:
        preset, probe = _preset(config.getoption("rtgate_preset"))
    expectations = None
    certify = bool(config.getoption("rtgate_certify"))
    if certify and config.getoption("rtgate_expectations"):
        raise pytest.UsageError(CERTIFY_REFUSES)
    if config.getoption("rtgate_expectations"):
        try:
            expectations = check_expectations(
                config.getoption("rtgate_expectations"), catalog, subject, version
            )
        except RtgateError as err:
            raise pytest.UsageError(f"--rtgate-expectations: {err}") from err
    return RunOptions(
        subject=subject,
        host=host,
        profile=profile,
        report_dir=str(Path(report_dir).absolute()) if report_dir else None,
        catalog=catalog,
        subject_version=version,
        preset=preset,
        host_probe=probe,
        expectations=expectations,
        oci_version=_oci_version(config.getoption("rtgate_oci_version"), subject),
        strict=bool(config.getoption("rtgate_strict")) or certify,
        certify=certify,
        command=config.getoption("rtgate_command") or "",
    )


def _oci_version(value: str | None, subject: str) -> str | None:
    """A checked ``--rtgate-oci-version``: a SemVer 2.0.0 version, for an oci: subject only."""
    if value is None:
        return None
    if not subject.startswith("oci:"):
        raise pytest.UsageError("--rtgate-oci-version: only an oci: subject reads config.json")
    if not OCI_VERSION.match(value):
        raise pytest.UsageError(
            f"--rtgate-oci-version: 'version' must be a SemVer version like 1.0.2 (got {value!r})"
        )
    return value


def _preset(name: str | None) -> tuple[str, dict[str, Any]]:
    """The checked preset name and its description (imported lazily: fakes are heavy)."""
    from harness.fakes import presets

    chosen = name or presets.DEFAULT_PRESET
    if chosen not in presets.PRESETS:
        known = tuple(presets.PRESETS)
        raise pytest.UsageError(f"--rtgate-preset: 'preset' must be one of {known} (got {name!r})")
    return chosen, presets.describe(chosen)


def check_expectations(path: str, catalog: Catalog, subject: str, version: str) -> ExpectationSet:
    """Load an expectations file and check it fits the run's subject and version.

    Raises:
        InputFileError: malformed, or naming a requirement the catalog does not have.
        UsageError: the file is for another subject or version range.
    """
    mismatch = load_expectations(path).matches(subject, version)
    if mismatch is not None:  # said first: every other complaint would be beside the point
        raise UsageError(mismatch)
    return load_expectations(path, known=list(catalog))


def _real_probe() -> dict[str, Any]:
    """What the report says of this machine (read-only probes)."""
    from harness.hosts.real import describe_real

    return describe_real()


def subject_version(text: str) -> str:
    """Check ``text`` with the subject registry and return the subject's version.

    The registry is imported lazily, and its absence tolerated, so the plugin works in a tree
    (or a test) without subjects.

    Raises:
        UsageError: the registry refuses the subject.
    """
    try:
        from harness.subjects.registry import parse_subject
    except ModuleNotFoundError as err:
        if err.name in ("harness.subjects", "harness.subjects.registry"):
            return ""
        raise
    subject = parse_subject(text)
    return str(getattr(subject, "version", "") or "")
