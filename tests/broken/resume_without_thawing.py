"""Broken: resume records the container as running in its state dir and never thaws the
cgroup, so ``state`` says running while every task stays frozen."""

from __future__ import annotations

import os
from typing import Any

from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from reference_impl.status import Status

#: the record of a resume, in the container's state dir
MARK = "resumed"


class ResumeRecorded(Container):
    """A container whose resume is a file, not a thawed cgroup."""

    def resume(self) -> None:
        with self._lock:
            if self.current_status() != Status.PAUSED:
                raise self.profile.refuse("resume")
            with open(os.path.join(self.root, MARK), "w", encoding="ascii"):
                pass  # the defect: the resume is written down; nothing is thawed
            self.state.transition(self.state_for("running"))

    def pause(self) -> None:
        mark = os.path.join(self.root, MARK)
        if os.path.exists(mark):
            os.remove(mark)
        super().pause()

    def is_paused(self) -> bool:
        if os.path.exists(os.path.join(self.root, MARK)):
            return False
        return super().is_paused()


class ResumeRecordedFactory(Factory):
    container_class = ResumeRecorded


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return ResumeRecordedFactory(root, system, get_profile(profile))
