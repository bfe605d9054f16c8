"""Turning the ``--subject`` text into a subject, with one clear line for every mistake."""

from __future__ import annotations

import importlib
import os
import sys

from harness.errors import UsageError
from harness.subjects.base import ApiSubject

__all__ = ["parse_subject"]

REFERENCE = "python:reference_impl:new_factory"


def parse_subject(text: str) -> ApiSubject:
    """``reference`` or ``python:MODULE:ATTR`` (``oci:`` comes with the runtime gate).

    MODULE is imported from the current directory first, as ``python -m`` would.

    Raises:
        UsageError: for an unknown kind, a module that does not import, a missing attribute.
    """
    spec = REFERENCE if text == "reference" else text
    kind, _, rest = spec.partition(":")
    if kind == "oci":
        raise UsageError(f"subject {text!r}: oci: subjects are not available in this version")
    if kind != "python":
        raise UsageError(f"unknown subject {text!r}: expected 'reference' or 'python:MODULE:ATTR'")
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
