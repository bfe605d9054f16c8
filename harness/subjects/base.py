"""What a subject is to the scenarios.

An API-scope subject is a Python implementation of the reference's factory API: a callable
``new_factory(root, system, profile)`` returning an object with ``create(id, config)`` and
``load(id)``, whose containers offer ``status``, ``start``, ``run``, ``exec``, ``pause``,
``resume``, ``signal``, ``destroy``, ``refresh_state``, ``run_type``, ``state``, ``state_for(name)``
and ``init_process``.  The data types of that API (``Config``, ``Process``, ...) are the
reference's, re-exported by :mod:`harness.subjects.api`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from harness.subjects.oci.config import DEFAULT_OCI_VERSION

__all__ = ["ApiSubject", "OciSubject"]


@dataclasses.dataclass(frozen=True, slots=True)
class ApiSubject:
    """A runtime driven in process through the factory API."""

    #: what the user wrote: "reference" or "python:MODULE:ATTR"
    name: str
    #: the callable that makes a factory
    make_factory: Callable[..., Any]
    #: the implementation's version, for the report
    version: str

    scope = "api"

    def new_factory(self, root: str, system: Any, profile: str) -> Any:
        """A factory whose containers keep their state dirs under ``root``."""
        return self.make_factory(root, system, profile)


@dataclasses.dataclass(frozen=True, slots=True)
class OciSubject:
    """An OCI runtime binary, driven through its command line on a real host."""

    #: what the user wrote: "oci:runc", "oci:/usr/local/bin/crun"
    name: str
    #: the binary's absolute path
    binary: str
    #: the version ``--version`` reports
    version: str
    #: the ociVersion its bundles' config.json declare
    oci_version: str = DEFAULT_OCI_VERSION

    scope = "cli"
