"""Which rtgate made a report: the version, and the commit when it runs from a git checkout.

Two reports of "rtgate 0.1.0" from different commits can disagree because the suite changed,
not the runtime; the commit tells them apart.  Read from ``.git`` directly (no ``git`` binary
on a fleet node is needed) when the package sits in a checkout, else from the file a build
wrote into the package.
"""

from __future__ import annotations

from pathlib import Path

import harness

__all__ = ["BUILD_COMMIT", "checkout_commit", "full_version", "packaged_commit"]

#: the file of a built package that names its commit
BUILD_COMMIT = "BUILD_COMMIT"


def checkout_commit(root: Path | None = None) -> str | None:
    """The commit HEAD points at in the checkout holding ``harness``, or None."""
    top = root or Path(harness.__file__).resolve().parent.parent
    git = top / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head.removeprefix("ref: ")
        loose = git / ref
        if loose.is_file():
            return loose.read_text().strip() or None
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(f" {ref}"):
                return line.split()[0]
    except OSError:
        return None
    return None


def packaged_commit() -> str | None:
    """The commit a built package came from (``harness/BUILD_COMMIT``, written by
    tools/build_dist.py), or None."""
    try:
        return (Path(harness.__file__).resolve().parent / BUILD_COMMIT).read_text().strip() or None
    except OSError:
        return None


def full_version() -> str:
    """``0.1.0``, or ``0.1.0+g1a2b3c4`` (a PEP 440 local version) in a git checkout or a
    package built from one."""
    commit = checkout_commit() or packaged_commit()
    return f"{harness.__version__}+g{commit[:12]}" if commit else harness.__version__
