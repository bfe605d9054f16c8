"""Checking a run's options, once per process, into a frozen :class:`RunOptions`.

``rtgate run`` and the plugin read the same options (:data:`harness.plugin.options.RUN_OPTIONS`)
into a :class:`RunRequest` and hand it to :func:`check_run`.  Every mistake is one
:class:`OptionError`, which each front end words its own way: ``rtgate run`` says
``'--host' must be one of ...``, the plugin ``--rtgate-host: 'host' must be one of ...``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from harness.errors import HostLacksRequired
from harness.errors import InputFileError
from harness.errors import RtgateError
from harness.errors import UsageError
from harness.report.expectations import ExpectationSet
from harness.report.expectations import load_expectations
from harness.report.features import host_features
from harness.report.required import lacking
from harness.report.required import parse_required
from harness.report.waivers import TO_FILL_IN
from harness.report.waivers import is_unexplained
from harness.spec.catalog import Catalog
from harness.spec.catalog import load_catalog
from harness.spec.catalog import release_key
from harness.spec.catalog import since_releases
from harness.spec.versions import unknown_release

if TYPE_CHECKING:
    from harness.subjects.access import RuntimeAccess
    from harness.subjects.base import Subject
    from harness.subjects.base import SubjectKind

__all__ = [
    "HOSTS",
    "Flag",
    "OptionError",
    "RunOptions",
    "RunRequest",
    "check_expectations",
    "check_run",
    "with_runtime_access",
]

#: ``simulated`` (pyfakefs and a kernel model) or ``real`` (this machine, as root)
HOSTS = ("simulated", "real")


@dataclasses.dataclass(frozen=True, slots=True)
class Flag:
    """Another option named in a message: each front end spells it its own way."""

    #: its name in the table: ``host``
    name: str


class OptionError(UsageError):
    """A bad run option: which one, and what is wrong with its value."""

    def __init__(self, option: str, *parts: str | Flag, of_value: bool = True) -> None:
        #: the option's name in the table
        self.option = option
        #: the message, other options in it as :class:`Flag`
        self.parts = parts
        #: the message says what is wrong with the value, and is led by the option's name
        self.of_value = of_value
        super().__init__(self.for_rtgate())

    def _text(self, spell: Callable[[str], str]) -> str:
        return "".join(spell(p.name) if isinstance(p, Flag) else p for p in self.parts)

    def for_rtgate(self) -> str:
        """The line of ``rtgate run``: ``'--host' must be one of ...``."""
        text = self._text(lambda name: f"--{name}")
        return f"'--{self.option}' {text}" if self.of_value else text

    def for_pytest(self) -> str:
        """The line of the plugin: ``--rtgate-host: 'host' must be one of ...``."""
        lead = f"'{self.option}' " if self.of_value else ""
        return f"--rtgate-{self.option}: {lead}{self._text(lambda name: f'--rtgate-{name}')}"


@dataclasses.dataclass(frozen=True, slots=True)
class RunRequest:
    """The run options as given, unchecked: one field per entry of the options table."""

    subject: str = "reference"
    host: str = "simulated"
    preset: str | None = None
    preset_file: str | None = None
    profile: str | None = None
    oci_version: str | None = None
    runtime_arg: tuple[str, ...] = ()
    expectations: str | None = None
    strict: bool = False
    certify: bool = False
    report_dir: str | None = None
    catalog: str | None = None
    requirement: str | None = None
    require: tuple[str, ...] = ()
    command: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class RunOptions:
    """What this run tests, where, against which rules; the ``rtgate_options`` fixture."""

    #: the runtime under test, parsed once (``subject.name`` is what the user wrote)
    subject: Subject
    #: ``simulated`` or ``real``
    host: str
    #: the profile of the catalog the run checks
    profile: str
    #: where the report is written; ``None`` writes no report
    report_dir: str | None
    #: the loaded requirement catalog
    catalog: Catalog
    #: the subject's version as its kind reads it, once per run; empty when unknown
    subject_version: str = ""
    #: the simulated host's preset (``harness.fakes.presets``)
    preset: str = "v1-cat"
    #: what the run knows of its host, for the report
    host_probe: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: the expectations (waivers) of the subject, or None
    expectations: ExpectationSet | None = None
    #: the ociVersion an OCI subject's bundles declare (None: the default, 1.0.2)
    oci_version: str | None = None
    #: ``--runtime-arg``: global flags an OCI subject's runtime gets before every command
    runtime_args: tuple[str, ...] = ()
    #: an xpass fails the verdict
    strict: bool = False
    #: no expectations allowed; implies strict
    certify: bool = False
    #: the command line that started the run, for the report
    command: str = ""
    #: what probing the runtime on this host found, when the run did it before this process
    #: started its session (``rtgate run``, or the controller of xdist workers); else None
    runtime_access: RuntimeAccess | None = None
    #: ``--requirement``: the only requirements this run checks; empty checks the profile's all
    selected: tuple[str, ...] = ()
    #: ``--require`` and the expectations' ``require``: the host features the gate demands
    required: tuple[str, ...] = ()

    @property
    def host_features(self) -> tuple[str, ...]:
        """What expectations are keyed on and fleet reports group by (see report.features)."""
        return host_features(self.host_probe)

    @property
    def scopes(self) -> tuple[str, ...]:
        """The requirement scopes this subject can be checked on (its kind says)."""
        return self.subject.kind.scopes

    def profile_requirements(self) -> list[Any]:
        """The catalog's requirements of the profile that this subject can be checked on."""
        return [r for r in self.catalog.for_profile(self.profile) if r.scope in self.scopes]

    def requirements(self) -> list[Any]:
        """The requirements this run checks and reports: the profile's, or those selected."""
        found = self.profile_requirements()
        return [r for r in found if r.id in self.selected] if self.selected else found


def check_run(request: RunRequest, *, version: str | None = None) -> RunOptions:
    """Everything that can be wrong with a run's options, found before any test runs; the
    subject parsed and its version read (unless ``version`` is handed down by the controller).

    Raises:
        OptionError: one line naming the bad option and value.
    """
    if request.host not in HOSTS:
        raise OptionError("host", f"must be one of {HOSTS} (got {request.host!r})")
    kind = _kind(request.subject)
    if kind.needs_real_host and request.host != "real":
        raise OptionError(
            "subject",
            f"subject {request.subject!r} runs real containers: add '",
            Flag("host"),
            " real'",
            of_value=False,
        )
    preset, probe = _where(request)
    catalog = _catalog(request.catalog)
    profile = request.profile or kind.default_profile
    if profile not in catalog.profiles:
        known = tuple(sorted(catalog.profiles))
        raise OptionError("profile", f"must be one of {known} (got {profile!r})")
    _check_preset_fits(preset, probe, profile, catalog)
    _check_oci_version(request.oci_version, kind)
    _check_runtime_args(request.runtime_arg, kind)
    subject, found = _subject(request, kind, version)
    selected = _selected(request.requirement, catalog, profile, kind.scopes)
    expectations = _expectations(request, catalog, subject.name, found)
    required = _required(request.require, expectations, probe)
    return RunOptions(
        subject=subject,
        host=request.host,
        profile=profile,
        report_dir=str(Path(request.report_dir).absolute()) if request.report_dir else None,
        catalog=catalog,
        subject_version=found,
        preset=preset,
        host_probe=probe,
        expectations=expectations,
        oci_version=request.oci_version,
        runtime_args=request.runtime_arg,
        strict=request.strict or request.certify,
        certify=request.certify,
        command=request.command,
        selected=selected,
        required=required,
    )


def _required(
    given: tuple[str, ...], expectations: ExpectationSet | None, probe: dict[str, Any]
) -> tuple[str, ...]:
    """The features the gate requires (``--require``, then the expectations file's), each one
    the host has.

    Raises:
        OptionError: an unknown feature name.
        HostLacksRequired: the host lacks one; the verdict fails before any test runs.
    """
    try:
        required = parse_required(given)
    except ValueError as err:
        raise OptionError("require", str(err)) from err
    if expectations is not None:
        required = tuple(dict.fromkeys((*required, *expectations.require)))
    have = host_features(probe)
    missing = lacking(required, have)
    if missing:
        where = (
            f"simulated host {probe['preset']}"
            if probe.get("preset")
            else f"host {probe.get('hostname') or '(unnamed)'}"
        )
        raise HostLacksRequired(
            f"{where} lacks required host feature(s) {', '.join(missing)}; it has "
            f"{', '.join(have) or 'no feature rtgate knows'}"
            f"{_why_lacking(probe)} (no test ran)"
        )
    return required


def _why_lacking(probe: dict[str, Any]) -> str:
    """What the probe of a real host said of resctrl, when it said why it is missing."""
    absent = probe.get("resctrl")
    return f"; its probe found {absent}" if isinstance(absent, str) and absent else ""


def _selected(
    given: str | None, catalog: Catalog, profile: str, scopes: tuple[str, ...]
) -> tuple[str, ...]:
    """The ids of ``--requirement``, each one a requirement this run can check."""
    if given is None:
        return ()
    ids = tuple(dict.fromkeys(part.strip() for part in given.split(",") if part.strip()))
    if not ids:
        raise OptionError("requirement", f"must name at least one requirement id (got {given!r})")
    checkable = {r.id for r in catalog.for_profile(profile) if r.scope in scopes}
    for req_id in ids:
        if req_id not in catalog:
            raise OptionError("requirement", f"names {req_id!r}, which the catalog does not have")
        if req_id not in checkable:
            raise OptionError(
                "requirement",
                f"names {req_id!r}, which profile {profile!r} does not check on this subject "
                f"(its profiles: {', '.join(catalog[req_id].profiles)}; its scope: "
                f"{catalog[req_id].scope})",
            )
    return ids


def _kind(text: str) -> SubjectKind:
    from harness.subjects.registry import kind_of

    try:
        return kind_of(text)
    except UsageError as err:
        raise OptionError("subject", str(err), of_value=False) from err


def _subject(request: RunRequest, kind: SubjectKind, version: str | None) -> tuple[Subject, str]:
    """The subject, parsed once, and its version: handed down, or read once."""
    try:
        subject = kind.subject(request.subject, request.oci_version)
        if request.runtime_arg:
            subject = dataclasses.replace(subject, runtime_args=request.runtime_arg)
        return subject, version if version is not None else kind.read_version(subject)
    except UsageError as err:
        raise OptionError("subject", str(err), of_value=False) from err


def _where(request: RunRequest) -> tuple[str, dict[str, Any]]:
    """The preset (none on a real host) and what the report says of the host."""
    if request.preset_file is not None and request.preset is not None:
        raise OptionError(
            "preset-file", "names the simulated machine too: give '", Flag("preset"), "' or '",
            Flag("preset-file"), "', not both", of_value=False,
        )  # fmt: skip
    if request.host != "real":
        if request.preset_file is not None:
            return _preset_file(request.preset_file)
        return _preset(request.preset)
    for option in ("preset", "preset-file"):
        if getattr(request, option.replace("-", "_")) is not None:
            raise OptionError(
                option, "names a simulated machine; it cannot go with '", Flag("host"), " real'"
            )
    from harness.hosts import real_host_unavailable

    reason = real_host_unavailable()
    if reason is not None:
        raise OptionError(
            "host", "'", Flag("host"), f" real' cannot run here: {reason}", of_value=False
        )
    return "", _real_description()


def _real_description() -> dict[str, Any]:
    """What the report says of this machine (read-only probes)."""
    from harness.hosts.real import describe_real

    return describe_real()


def with_runtime_access(options: RunOptions, access: RuntimeAccess) -> RunOptions:
    """``options`` once the runtime was probed on the host; the host described again when it
    was prepared for the runtime, as the report describes the host the tests ran on, and what
    the probe found (``host_probe["runtime_probe"]``: usable, refused by the host, or broken)."""
    if access.host_changed and options.host == "real":
        options = dataclasses.replace(options, host_probe=_real_description())
    if access.summary:
        probe = {**options.host_probe, "runtime_probe": access.summary}
        options = dataclasses.replace(options, host_probe=probe)
    return dataclasses.replace(options, runtime_access=access)


def _preset(name: str | None) -> tuple[str, dict[str, Any]]:
    """The checked preset name and its description (imported lazily: fakes are heavy)."""
    from harness.fakes import presets

    chosen = name or presets.DEFAULT_PRESET
    if chosen not in presets.PRESETS:
        raise OptionError("preset", f"must be one of {tuple(presets.PRESETS)} (got {name!r})")
    return chosen, presets.describe(chosen)


def _preset_file(path: str) -> tuple[str, dict[str, Any]]:
    """The machine of a preset file, registered under its name for this process (xdist workers
    load it again from the same option), and its description."""
    from harness.fakes import presets
    from harness.fakes.preset_file import load_preset_file

    try:
        loaded = load_preset_file(path)
    except InputFileError as err:
        raise OptionError("preset-file", str(err), of_value=False) from None
    try:
        presets.register_file(loaded)
    except ValueError as err:
        raise OptionError("preset-file", f"preset file {path!r}: {err}", of_value=False) from None
    return loaded.name, presets.describe(loaded.name)


#: the rule of the release that brought cgroup v2 hosts; an older profile knows cgroup v1 only
_CGROUP_V2_RULE = "CG-V2-APPLY"


def _check_preset_fits(
    preset: str, description: dict[str, Any], profile: str, catalog: Catalog
) -> None:
    """A simulated cgroup v2 host is refused for a profile whose release predates cgroup v2
    (the seed, runc 692f6e1): its runtime cannot even make a cgroup there."""
    if not preset or description.get("topology", {}).get("cgroup_mode") != "v2":
        return
    if _CGROUP_V2_RULE not in catalog:
        return
    from harness.spec import tables

    try:
        project, mine = release_key(tables.release(profile))
    except (RtgateError, KeyError):
        return  # a profile of a catalog of its own: the tables do not know its release
    brought = catalog[_CGROUP_V2_RULE].since
    if mine < since_releases(catalog[_CGROUP_V2_RULE]).get(project, mine):
        raise OptionError(
            "preset",
            f"must be a cgroup v1 or hybrid host for profile {profile!r}: "
            f"{tables.release(profile)} knows no cgroup v2, which came with {brought}"
            f" (got {preset!r})",
        )


def _catalog(path: str | None) -> Catalog:
    try:
        return load_catalog(path)
    except RtgateError as err:
        raise OptionError("catalog", str(err), of_value=False) from err


def _check_oci_version(value: str | None, kind: SubjectKind) -> None:
    """A runtime-spec release the catalog's rules can be held to (every ``spec_version`` is
    one of the same table), for a kind whose bundles declare it."""
    if value is None:
        return
    wrong = unknown_release(value)
    if wrong is not None:
        raise OptionError("oci-version", wrong)
    if not kind.reads_config_json:
        raise OptionError("oci-version", "is for an oci: subject, which reads config.json")


#: one global flag in one word: ``-d``, ``--debug``, ``--log-level=debug``
RUNTIME_ARG = re.compile(r"-[A-Za-z0-9]|--[A-Za-z0-9][A-Za-z0-9_-]*(=\S.*)?")
#: flags rtgate gives the runtime itself: ``--root`` keeps the run's containers apart
_RTGATE_FLAGS = ("--root",)


def _check_runtime_args(values: tuple[str, ...], kind: SubjectKind) -> None:
    """Each a global flag in one word, for a kind whose binaries take them, none of rtgate's."""
    if not values:
        return
    if not kind.takes_runtime_args:
        raise OptionError("runtime-arg", "is for an oci: subject, a binary that takes flags")
    for value in values:
        if not RUNTIME_ARG.fullmatch(value):
            raise OptionError(
                "runtime-arg",
                "must be one global flag, its value after '=' "
                f"(-d, --debug, --log-level=debug; got {value!r})",
            )
        if value.partition("=")[0] in _RTGATE_FLAGS:
            raise OptionError(
                "runtime-arg",
                f"must not be {value.partition('=')[0]}, which rtgate gives each command "
                f"itself (got {value!r})",
            )


def _expectations(
    request: RunRequest, catalog: Catalog, subject: str, version: str
) -> ExpectationSet | None:
    if request.certify and request.expectations:
        raise OptionError(
            "certify",
            "takes no '",
            Flag("expectations"),
            "': a certification run counts every requirement as it ends",
        )
    if not request.expectations:
        return None
    try:
        found = check_expectations(request.expectations, catalog, subject, version)
        if request.strict:
            refuse_unexplained(found)
        return found
    except RtgateError as err:
        raise OptionError("expectations", str(err), of_value=False) from err


def refuse_unexplained(found: ExpectationSet) -> None:
    """A strict gate takes no waiver whose reason or link ``rtgate expectations update`` left
    to be filled in.

    Raises:
        InputFileError: at the first such entry.
    """
    for entry in found.entries:
        if is_unexplained(entry.reason) or is_unexplained(entry.link):
            raise InputFileError(
                found.path,
                f"{entry.requirement}'s reason or link is still {TO_FILL_IN!r}: a strict run"
                " takes no waiver nobody explained",
                entry.line,
            )


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
