"""The kinds of subject, in one table, and turning ``--subject`` into a subject.

The built-in kinds are ``reference``, ``python`` and ``oci``.  A third party adds a kind, the
way wptrunner's products are added, with an entry point of the group ``rtgate.subjects``: its
name is the kind's prefix in ``--subject`` and its object a
:class:`~harness.subjects.base.SubjectKind`.  Only the entry point of the kind asked for is
loaded, so a broken one cannot spoil runs of any other.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

from harness.errors import UsageError
from harness.subjects.base import ApiSubject
from harness.subjects.base import OciSubject
from harness.subjects.base import Subject
from harness.subjects.base import SubjectKind
from harness.subjects.bounded import CallTimedOut
from harness.subjects.bounded import bounded_call

__all__ = ["ENTRY_POINTS", "KINDS", "kind_of", "parse_subject"]

#: the entry-point group a third party registers its kinds under
ENTRY_POINTS = "rtgate.subjects"
REFERENCE_MODULE, REFERENCE_ATTR = "reference_impl", "new_factory"
#: what a run checks when no profile is named: the seed for an implementation of the API, the
#: runtime-spec for a runtime binary
SEED, RUNTIME_SPEC = "seed", "runtime-spec"


def parse_subject(text: str, oci_version: str | None = None) -> Subject:
    """``reference``, ``python:MODULE:ATTR``, ``oci:NAME_OR_PATH`` or a third party's kind; an
    OCI subject's bundles declare ``oci_version`` when given.  Its version is not read here
    (see :attr:`SubjectKind.read_version`).

    Raises:
        UsageError: an unknown kind, or what the kind found wrong with the rest.
    """
    return kind_of(text).subject(text, oci_version)


def kind_of(text: str) -> SubjectKind:
    """The kind of ``--subject text``: a built-in one, else the entry point of its name.

    Raises:
        UsageError: no kind of that name, or an entry point that is not a kind of that name.
    """
    name = text.partition(":")[0]
    if name in KINDS:
        return KINDS[name]
    found = entry_points(group=ENTRY_POINTS, name=name)
    if not found:
        usages = [kind.usage for kind in KINDS.values()]
        usages += [f"{point.name}:..." for point in entry_points(group=ENTRY_POINTS)]
        expected = ", ".join(f"'{u}'" for u in usages[:-1]) + f" or '{usages[-1]}'"
        raise UsageError(f"unknown subject {text!r}: expected {expected}")
    point = next(iter(found))
    kind = point.load()
    if not isinstance(kind, SubjectKind) or kind.name != name:
        raise UsageError(
            f"entry point {point.name!r} of {ENTRY_POINTS} ({point.value}) must be a "
            f"SubjectKind named {name!r} (got {kind!r})"
        )
    return kind


# -- python: and reference -------------------------------------------------------------------
def _python_subject(text: str, rest: str, oci_version: str | None) -> ApiSubject:
    """``python:MODULE:ATTR``; MODULE is imported from the current directory first, as
    ``python -m`` would."""
    module_name, _, attr = rest.partition(":")
    if not module_name or not attr:
        raise UsageError(f"subject {text!r}: expected 'python:MODULE:ATTR'")
    return _api_subject(text, module_name, attr, PYTHON)


def _reference_subject(text: str, rest: str, oci_version: str | None) -> ApiSubject:
    if text != "reference":
        raise UsageError(f"subject {text!r}: expected 'reference'")
    return _api_subject(text, REFERENCE_MODULE, REFERENCE_ATTR, REFERENCE)


def _api_subject(text: str, module_name: str, attr: str, kind: SubjectKind) -> ApiSubject:
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = bounded_call(text, f"importing {module_name!r}",
                              lambda: importlib.import_module(module_name), said=True)  # fmt: skip
    except Exception as err:  # noqa: BLE001 - any import failure is the user's module
        raise UsageError(f"subject {text!r}: cannot import {module_name!r}: {err}") from err
    except SystemExit as stop:  # the module's sys.exit() must not be rtgate's exit code
        raise UsageError(
            f"subject {text!r}: module {module_name!r} exited at import with code {stop.code!r}"
        ) from None
    except CallTimedOut as late:  # a hung import: the subject is unusable, as one that fails
        raise UsageError(
            f"subject {text!r}: importing {module_name!r} did not finish within"
            f" {late.limit_s:g} s (--call-timeout)"
        ) from None
    make_factory = getattr(module, attr, None)
    if make_factory is None:
        raise UsageError(f"subject {text!r}: module {module_name!r} has no attribute {attr!r}")
    if not callable(make_factory):
        raise UsageError(f"subject {text!r}: {module_name}.{attr} is not callable")
    return ApiSubject(name=text, make_factory=make_factory, module=module_name, kind=kind)


def _module_version(subject: ApiSubject) -> str:
    """The module's ``__version__``; for the reference, the installed rtgate's version."""
    module = sys.modules.get(subject.module)
    found = str(getattr(module, "__version__", "") or "")
    if found:
        return found
    if subject.module.split(".")[0] == REFERENCE_MODULE:
        try:
            from importlib.metadata import version

            return version("rtgate")
        except Exception:  # noqa: BLE001 - not installed: a checkout
            return "checkout"
    return "unknown"


def _api_command_line(subject: ApiSubject, host: Any, profile: str) -> Any:
    from harness.subjects.command_line import ApiCommandLine

    return ApiCommandLine(subject, host, profile)


# -- oci: ------------------------------------------------------------------------------------
def _oci_subject(text: str, binary: str, oci_version: str | None) -> OciSubject:
    from harness.subjects.oci.runtime import RuntimeMissing
    from harness.subjects.oci.runtime import resolve_binary

    if not binary:
        raise UsageError(f"subject {text!r}: expected 'oci:NAME' or 'oci:/path/to/runtime'")
    try:
        path = resolve_binary(binary)
    except RuntimeMissing as err:
        raise UsageError(f"subject {text!r}: {err}") from None
    if oci_version:
        return OciSubject(name=text, binary=path, oci_version=oci_version, kind=OCI)
    return OciSubject(name=text, binary=path, kind=OCI)


def _binary_version(subject: OciSubject) -> str:
    """What ``BINARY --version`` says (its first ``version`` line), or ``unknown``."""
    from harness.subjects.oci.runtime import parse_version

    try:
        done = subprocess.run(  # noqa: S603 - the binary the user named
            [subject.binary, "--version"], capture_output=True, text=True, timeout=10
        )
    except subprocess.TimeoutExpired:
        return "unknown"  # a runtime too slow to answer: the start-up probe fails it
    except OSError as err:
        failed = f"{subject.binary} --version failed: {err}"
        raise UsageError(f"subject {subject.name!r}: {failed}") from None
    parsed = parse_version(done.stdout)
    return parsed.version if parsed else "unknown"


def _oci_command_line(subject: OciSubject, host: Any, profile: str) -> Any:
    from harness.subjects.command_line import OciCommandLine

    return OciCommandLine(subject, host, profile)


PYTHON = SubjectKind(
    name="python",
    usage="python:MODULE:ATTR",
    scopes=("api", "cli"),
    default_profile=SEED,
    needs_real_host=False,
    reads_config_json=False,
    parse=_python_subject,
    read_version=_module_version,
    command_line=_api_command_line,
)
#: the reference implementation: ``python:reference_impl:new_factory`` under a short name
REFERENCE = dataclasses.replace(
    PYTHON, name="reference", usage="reference", parse=_reference_subject
)
OCI = SubjectKind(
    name="oci",
    usage="oci:NAME",
    scopes=("cli",),
    default_profile=RUNTIME_SPEC,
    needs_real_host=True,
    reads_config_json=True,
    parse=_oci_subject,
    read_version=_binary_version,
    command_line=_oci_command_line,
    takes_runtime_args=True,
)
#: the built-in kinds, by name; they cannot be replaced by an entry point
KINDS = {kind.name: kind for kind in (REFERENCE, PYTHON, OCI)}
