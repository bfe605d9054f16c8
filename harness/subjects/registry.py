"""Turning the ``--subject`` text into a subject, with one clear line for every mistake."""

from __future__ import annotations

import dataclasses
import importlib
import os
import subprocess
import sys

from harness.errors import UsageError
from harness.subjects.base import ApiSubject
from harness.subjects.base import OciSubject

__all__ = ["parse_subject"]

REFERENCE = "python:reference_impl:new_factory"


def parse_subject(text: str, oci_version: str | None = None) -> ApiSubject | OciSubject:
    """``reference``, ``python:MODULE:ATTR`` or ``oci:NAME_OR_PATH``; an OCI subject's bundles
    declare ``oci_version`` when given.

    MODULE is imported from the current directory first, as ``python -m`` would.

    Raises:
        UsageError: for an unknown kind, a module that does not import, a missing attribute,
            a runtime binary that is not there or does not say its version.
    """
    spec = REFERENCE if text == "reference" else text
    kind, _, rest = spec.partition(":")
    if kind == "oci":
        found = _oci_subject(text, rest)
        return dataclasses.replace(found, oci_version=oci_version) if oci_version else found
    if kind != "python":
        raise UsageError(
            f"unknown subject {text!r}: expected 'reference', 'python:MODULE:ATTR' or 'oci:NAME'"
        )
    module_name, _, attr = rest.partition(":")
    if not module_name or not attr:
        raise UsageError(f"subject {text!r}: expected 'python:MODULE:ATTR'")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # noqa: BLE001 - any import failure is the user's module
        raise UsageError(f"subject {text!r}: cannot import {module_name!r}: {err}") from err
    make_factory = getattr(module, attr, None)
    if make_factory is None:
        raise UsageError(f"subject {text!r}: module {module_name!r} has no attribute {attr!r}")
    if not callable(make_factory):
        raise UsageError(f"subject {text!r}: {module_name}.{attr} is not callable")
    version = str(getattr(module, "__version__", "") or _distribution_version(module_name))
    return ApiSubject(name=text, make_factory=make_factory, version=version)


def _distribution_version(module_name: str) -> str:
    if module_name.split(".")[0] == "reference_impl":
        try:
            from importlib.metadata import version

            return version("rtgate")
        except Exception:  # noqa: BLE001 - not installed: a checkout
            return "checkout"
    return "unknown"


def _oci_subject(text: str, binary: str) -> OciSubject:
    from harness.subjects.oci.runtime import RuntimeMissing
    from harness.subjects.oci.runtime import parse_version
    from harness.subjects.oci.runtime import resolve_binary

    if not binary:
        raise UsageError(f"subject {text!r}: expected 'oci:NAME' or 'oci:/path/to/runtime'")
    try:
        path = resolve_binary(binary)
    except RuntimeMissing as err:
        raise UsageError(f"subject {text!r}: {err}") from None
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as err:
        raise UsageError(f"subject {text!r}: {path} --version failed: {err}") from None
    parsed = parse_version(done.stdout)
    return OciSubject(name=text, binary=path, version=parsed.version if parsed else "unknown")
