"""rtgate: a conformance and fault-injection test harness for Linux container runtimes.

The public entry points are the ``rtgate`` command (:mod:`harness.cli`) and the pytest plugin
(:mod:`harness.plugin`).  The version comes from the installed distribution so that reports
name what actually ran; a plain checkout reports the version written in ``pyproject.toml``.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["__version__"]


def _version() -> str:
    try:
        return metadata.version("rtgate")
    except metadata.PackageNotFoundError:
        return "0.1.0+checkout"


__version__ = _version()
