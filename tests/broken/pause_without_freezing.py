"""Broken: pause records the container as paused in its state dir and never freezes the
cgroup, so ``state`` says paused while every task runs on."""

from __future__ import annotations

import os
from typing import Any

from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from reference_impl.status import Status

#: the record of a pause, in the container's state dir
MARK = "paused"


class PauseRecorded(Container):
    """A container whose pause is a file, not a frozen cgroup."""

    def pause(self) -> None:
        with self._lock:
            status = self.current_status()
            if status not in (Status.RUNNING, Status.CREATED):
                raise self.profile.refuse("pause", status=status)
            with open(os.path.join(self.root, MARK), "w", encoding="ascii"):
                pass  # the defect: the pause is written down; nothing is frozen
            self.state.transition(self.state_for("paused"))

    def resume(self) -> None:
        super().resume()
        os.remove(os.path.join(self.root, MARK))

    def is_paused(self) -> bool:
        return os.path.exists(os.path.join(self.root, MARK)) or super().is_paused()


class PauseRecordedFactory(Factory):
    container_class = PauseRecorded


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return PauseRecordedFactory(root, system, get_profile(profile))
