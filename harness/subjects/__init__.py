"""Adapters that give the scenarios one interface over every kind of subject."""

from __future__ import annotations

from harness.subjects.base import ApiSubject
from harness.subjects.base import OciSubject
from harness.subjects.base import Subject
from harness.subjects.base import SubjectKind
from harness.subjects.registry import parse_subject

__all__ = ["ApiSubject", "OciSubject", "Subject", "SubjectKind", "parse_subject"]
