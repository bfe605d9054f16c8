"""Where a state machine's examples get their host: one simulated boot per machine test, put
back as booted (:mod:`harness.fakes.reset`) for each example that uses it.

A Hypothesis machine test runs a hundred examples or more; booting a simulated host for each
cost more than most examples' steps, and an example Hypothesis discards before its first rule
(a rule the swarm left out) booted one for nothing.  Here the simulated host is booted once
when the test starts; between examples its patching of the filesystem is paused (Hypothesis
works on the real one then, as it did between per-example hosts), and an example's first ask
for the host resets it if an earlier example had it.  A real host is opened per example as
before, but only when the example asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from typing import Any
from typing import Protocol

from pyfakefs.fake_filesystem_unittest import Patcher

from harness.fakes.reset import BootImage
from harness.fakes.reset import boot_image
from harness.hosts import Host
from harness.hosts import open_host
from harness.interrupts import shielded

__all__ = ["ExampleHosts", "FreshHosts", "ReusedHost", "begin_example", "example_hosts"]


class ExampleHosts(Protocol):
    """A host for each example of a state machine: :meth:`begin` when the machine is made,
    :meth:`host` when a rule first needs it, :meth:`end` at the machine's teardown."""

    def begin(self) -> None: ...

    def host(self) -> Host: ...

    def end(self) -> None: ...


class FreshHosts:
    """A host opened for each example that asks for one, closed at its end."""

    def __init__(self, kind: str, preset: str | None) -> None:
        self._kind, self._preset = kind, preset
        self._stack = ExitStack()
        self._host: Host | None = None

    def begin(self) -> None:
        """Nothing is opened until a rule asks."""

    def host(self) -> Host:
        if self._host is None:
            self._host = self._stack.enter_context(open_host(self._kind, self._preset))
        return self._host

    def end(self) -> None:
        self._host = None
        self._stack.close()


class ReusedHost:
    """One booted simulated host, reset for each example that asks for it after another did.

    Between examples the filesystem patching is paused, so the test's own machinery (Hypothesis'
    engine, its reports) sees the real filesystem, as it did between per-example hosts."""

    def __init__(self, booted: Host, image: BootImage, patcher: Patcher) -> None:
        self._booted, self._image, self._patcher = booted, image, patcher
        self._dirty = False  # an example has had the host since it was last reset
        self._given = False  # this example has it

    def begin(self) -> None:
        with shielded():
            self._patcher.resume()

    def host(self) -> Host:
        if not self._given:
            if self._dirty:
                self._image.restore()
            self._dirty = self._given = True
        return self._booted

    def end(self) -> None:
        self._given = False
        with shielded():
            self._patcher.pause()


@contextmanager
def example_hosts(kind: str, preset: str | None) -> Iterator[ExampleHosts]:
    """The hosts of one machine test's examples: a :class:`ReusedHost` on a simulated host, a
    :class:`FreshHosts` on a real one."""
    if kind == "real":
        yield FreshHosts(kind, preset)
        return
    with open_host(kind, preset) as booted:
        patcher = Patcher.PATCHER
        assert patcher is not None and patcher.is_patching, "a simulated host patches"
        reused = ReusedHost(booted, boot_image(booted), patcher)
        reused.end()  # booted_kernel's exit ends a paused patching as well as a running one
        yield reused


def begin_example(stack: ExitStack, options: Any, hosts: ExampleHosts | None) -> ExampleHosts:
    """A machine's hosts for its example, begun, and ended when ``stack`` closes: ``hosts``
    when the test shares them, else a host of its own (``options``: ``rtgate_options``)."""
    hosts = hosts if hosts is not None else FreshHosts(options.host, options.preset)
    hosts.begin()
    stack.callback(hosts.end)
    return hosts
