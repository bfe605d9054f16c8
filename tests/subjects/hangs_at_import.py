"""A ``python:`` subject whose import blocks until the test releases it
(:data:`tests.subjects.hanging.IMPORT_RELEASE`); then it is the reference."""

from __future__ import annotations

from reference_impl import new_factory  # noqa: F401 - the subject's factory
from tests.subjects.hanging import IMPORT_RELEASE

IMPORT_RELEASE.wait()
