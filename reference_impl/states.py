"""The six container states of libcontainer and the shared teardown, as the seed has them.

Each class mirrors a struct of the seed's ``state_linux.go``: ``transition`` accepts a target
(assigning it), ignores it (no-op) or raises :class:`StateTransitionError`; ``destroy`` applies
the state's guard and then calls :func:`destroy`, which in the seed runs every teardown step in a
fixed order, keeps the *first* error, always ends in ``StoppedState`` and then raises that error.
Where later runc differs (early return, sentinel errors, ``hasInit``), the container's
:class:`~reference_impl.profiles.Profile` says how.

Go's ``switch s.(type)`` becomes a comparison of state *names*, so that a subclass of a state
(an implementation built on this one) still counts as that state.  New state objects are always
made through ``Container.state_for``.
"""

from __future__ import annotations

import logging
import os
import signal as signal_module
from collections.abc import Callable
from typing import TYPE_CHECKING

from reference_impl.cgroups import kill_all
from reference_impl.cgroups.fs import THAWED
from reference_impl.errors import StateTransitionError
from reference_impl.fileutil import remove_all
from reference_impl.hooks import run_hook
from reference_impl.profiles import TeardownStep
from reference_impl.status import Status

if TYPE_CHECKING:
    from reference_impl.container import Container

__all__ = [
    "STATE_CLASSES",
    "ContainerState",
    "CreatedState",
    "LoadedState",
    "PausedState",
    "RestoredState",
    "RunningState",
    "StoppedState",
    "destroy",
    "run_poststop_hooks",
    "signal_all_processes",
]

log = logging.getLogger("reference_impl.states")


def _transition_error(from_state: ContainerState, to_state: ContainerState) -> StateTransitionError:
    return StateTransitionError(str(from_state.status()), str(to_state.status()))


class ContainerState:
    """``containerState``: ``transition``, ``destroy`` and ``status``."""

    #: the name used by tables and by ``Container.state_for``
    name = ""

    def __init__(self, c: Container) -> None:
        self.c = c

    def status(self) -> Status:
        raise NotImplementedError

    def transition(self, s: ContainerState) -> None:
        raise NotImplementedError

    def destroy(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def signal_all_processes(c: Container, sig: int) -> None:
    """``signalAllProcesses``: every process of the container's cgroup gets ``sig``.

    The seed freezes, lists, signals each, thaws and waits for each; only a failure to list the
    pids is raised.  A runc 1.2 profile first refuses a cgroup that is gone (ErrCgroupNotExist),
    uses ``cgroup.kill`` where there is one, and waits for nothing.
    """
    profile = c.profile
    # ``m.Exists()`` is the manager's: on cgroup v1 it asks the devices directory only
    if profile.kill_all_needs_cgroup and not c.cgroup_manager.exists():
        raise profile.refuse("cgroup-gone")
    kill_all(
        c.cgroup_manager,
        c.system,
        sig,
        use_kill_file=profile.cgroup_kill_file,
        waits=profile.kill_all_waits,
    )


def poststop_state(c: Container) -> bytes:
    """The state poststop hooks read: no pid (init is dropped), the profile's status."""
    return c.hook_state(0, c.profile.poststop_status)


def run_poststop_hooks(c: Container) -> None:
    """Run the poststop hooks in order; the first failing one stops the rest (runc), or is
    logged as a warning and the rest run (the runtime-spec profile)."""
    hooks = c.config.hooks
    if hooks is None:
        return
    state = poststop_state(c)
    for index, hook in enumerate(hooks.poststop):
        try:
            run_hook(hook, state, c.system, c.profile.hook_error_prefix)
        except Exception as err:
            if c.profile.poststop_failures == "warn":
                log.warning("poststop hook #%d (%s) failed: %s", index, hook.path, err)
                continue
            wrapped = c.profile.wrap_hook_error("poststop", index, err)
            if wrapped is err:
                raise
            raise wrapped from err


def destroy(c: Container) -> None:
    """``destroy(c)``: kill-all, cgroups, resctrl group, state dir, drop init, poststop hooks.

    Seed: every step runs and the first error is raised at the end, after the state became
    stopped.  A profile that returns early (runc 1.2) raises a failed step's error at once,
    wrapped, leaving the state, init, what is left of the state dir and the hooks alone.
    """
    profile = c.profile
    if profile.kill_all_wanted(c.config.namespaces):
        try:
            signal_all_processes(c, signal_module.SIGKILL)
        except Exception as err:  # noqa: BLE001 - never returned
            if profile.kill_all_errors == "logged":
                log.warning("%s", err)
    steps: list[tuple[TeardownStep, Callable[[], None]]] = [("cgroup", c.cgroup_manager.destroy)]
    if c.intel_rdt_manager is not None:
        steps.append(("rdt", c.intel_rdt_manager.destroy))
    steps.append(("state-dir", lambda: remove_all(c.root)))
    first: BaseException | None = None
    for step, action in steps:
        try:
            action()
        except Exception as err:
            if profile.destroy_returns_early:
                raise profile.wrap_step_error(step, err) from err
            first = first or err
    c.init_process = None
    try:
        run_poststop_hooks(c)
    except Exception as err:  # noqa: BLE001
        first = first or err
    c.state = c.state_for("stopped")
    if first is not None:
        raise first


class StoppedState(ContainerState):
    """A container that is stopped or destroyed."""

    name = "stopped"

    def status(self) -> Status:
        return Status.STOPPED

    def transition(self, s: ContainerState) -> None:
        if s.name in ("running", "restored"):
            self.c.state = s
            return
        if s.name == "stopped":
            return
        raise _transition_error(self, s)

    def destroy(self) -> None:
        self.c.teardown()


class RunningState(ContainerState):
    """A container whose init runs."""

    name = "running"

    def status(self) -> Status:
        return Status.RUNNING

    def transition(self, s: ContainerState) -> None:
        if s.name == "stopped":
            if self.c.init_running():
                raise self.c.profile.refuse("running-transition")
            self.c.state = s
            return
        if s.name == "paused":
            self.c.state = s
            return
        if s.name == "running":
            return
        raise _transition_error(self, s)

    def destroy(self) -> None:
        if self.c.init_running():
            raise self.c.profile.refuse("running-destroy")
        self.c.teardown()


class CreatedState(ContainerState):
    """A container whose init waits on the exec FIFO for ``start``."""

    name = "created"

    def status(self) -> Status:
        return Status.CREATED

    def transition(self, s: ContainerState) -> None:
        if s.name in ("running", "paused", "stopped"):
            self.c.state = s
            return
        if s.name == "created":
            return
        raise _transition_error(self, s)

    def destroy(self) -> None:
        # state_linux.go: createdState.destroy ignores the signal's result and does not wait.
        if self.c.init_process is not None:
            try:
                self.c.init_process.signal(signal_module.SIGKILL)
            except OSError:
                pass
        self.c.teardown()


class PausedState(ContainerState):
    """A frozen container.  It "cannot be destroyed in a paused state" while init lives."""

    name = "paused"

    def status(self) -> Status:
        return Status.PAUSED

    def transition(self, s: ContainerState) -> None:
        if s.name in ("running", "stopped"):
            self.c.state = s
            return
        if s.name == "paused":
            return
        raise _transition_error(self, s)

    def destroy(self) -> None:
        # runType() not in (Running, Created) in the seed, !hasInit() in runc 1.2: the same test.
        if not self.c.has_init():
            # Init is gone: thaw first; a thaw error is returned and nothing is destroyed.
            self.c.cgroup_manager.freeze(THAWED)
            self.c.teardown()
            return
        raise self.c.profile.refuse("paused-destroy")


class RestoredState(ContainerState):
    """Running, with checkpoint information.  Its status is Running."""

    name = "restored"

    def __init__(self, c: Container, image_dir: str = "") -> None:
        super().__init__(c)
        self.image_dir = image_dir

    def status(self) -> Status:
        return Status.RUNNING

    def transition(self, s: ContainerState) -> None:
        # state_linux.go restoredState.transition: stopped and running are accepted WITHOUT
        # assigning c.state, so a restored container stays restored ("sticky").
        if s.name in ("stopped", "running"):
            return
        raise _transition_error(self, s)

    def destroy(self) -> None:
        try:
            os.stat(os.path.join(self.c.root, "checkpoint"))
        except FileNotFoundError:
            pass
        self.c.teardown()


class LoadedState(ContainerState):
    """A container loaded from state.json; it accepts any transition."""

    name = "loaded"

    def __init__(self, c: Container, s: Status = Status.CREATED) -> None:
        # Go leaves `s` unset after Load, so its status is Status(0), which is Created.
        super().__init__(c)
        self.s = s

    def status(self) -> Status:
        return self.s

    def transition(self, s: ContainerState) -> None:
        self.c.state = s

    def destroy(self) -> None:
        self.c.refresh_state()
        self.c.state.destroy()


#: name -> class, for ``Container.state_for`` and the harness
STATE_CLASSES: dict[str, type[ContainerState]] = {
    cls.name: cls
    for cls in (
        StoppedState,
        RunningState,
        CreatedState,
        PausedState,
        RestoredState,
        LoadedState,
    )
}
