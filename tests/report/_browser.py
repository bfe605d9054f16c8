"""A headless Chromium driven over the DevTools protocol, with the standard library only.

The HTML report is checked in a real browser (its script runs, its filters work, it throws
nothing) without Selenium, Playwright or a driver binary: Chromium speaks the protocol on a
pipe (``--remote-debugging-pipe``: it reads commands on fd 3 and writes replies on fd 4, each
a JSON object ended by a NUL byte), so no port is opened and nothing is downloaded.

Every wait has a deadline; closing asks the browser to quit, then kills only its process.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["Browser", "BrowserError", "browser", "find_chromium", "unavailable"]

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
WIDTH, HEIGHT = 1280, 900
#: seconds a protocol call or a page load may take (a cold start on 2 cores is slow)
TIMEOUT = 30.0
_CLOSE_TIMEOUT = 10.0


class BrowserError(RuntimeError):
    """The browser answered with an error, went away, or did not answer in time."""


def find_chromium() -> str | None:
    """The path of a Chromium on PATH, or None."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable() -> str | None:
    """Why the browser tests cannot run here (for a skip), or None when they can."""
    if find_chromium() is None:
        return "chromium not found on PATH (.ci/run installs Debian's chromium package)"
    return None


class Browser:
    """One Chromium process and one page in it."""

    def __init__(
        self, process: subprocess.Popen[bytes], commands: int, replies: int, log: Path
    ) -> None:
        self._process = process
        self._log = log
        self._commands = commands
        self._replies = replies
        self._buffer = b""
        self._next_id = 0
        self._session: str | None = None
        self._events: list[dict[str, Any]] = []
        #: what the page threw or logged as an error since the last :meth:`open`
        self.errors: list[str] = []

    def open(self, url: str, timeout: float = TIMEOUT) -> None:
        """Load ``url`` in the page and wait for its load event."""
        if self._session is None:
            self._session = self._attach()
        self.errors.clear()
        self._events.clear()
        navigation = self.call("Page.navigate", {"url": url}, timeout=timeout)
        if navigation.get("errorText"):
            raise BrowserError(f"cannot open {url}: {navigation['errorText']}")
        if "loaderId" in navigation:  # absent for a fragment change within the same document
            self._wait_event("Page.loadEventFired", time.monotonic() + timeout)

    def evaluate(self, expression: str, timeout: float = TIMEOUT) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        reply = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in reply:
            raise BrowserError(
                f"{expression!r} threw: {_exception_text(reply['exceptionDetails'])}"
            )
        return reply["result"].get("value")

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save what the page shows (its viewport) as a PNG."""
        reply = self.call("Page.captureScreenshot", {"format": "png"})
        target = Path(path)
        target.write_bytes(base64.b64decode(reply["data"]))
        return target

    def call(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = TIMEOUT
    ) -> dict[str, Any]:
        """Send one protocol command (to the page once one is open) and return its result."""
        return self._call(method, params or {}, self._session, time.monotonic() + timeout)

    def close(self) -> None:
        """Ask the browser to quit; kill its process (only it) if it does not in time."""
        with contextlib.suppress(BrowserError, OSError):
            self._send("Browser.close", {}, None)
        try:
            self._process.wait(timeout=_CLOSE_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=_CLOSE_TIMEOUT)
        finally:
            os.close(self._commands)
            os.close(self._replies)

    def _attach(self) -> str:
        deadline = time.monotonic() + TIMEOUT
        target = self._call("Target.createTarget", {"url": "about:blank"}, None, deadline)
        attached = self._call(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            None,
            deadline,
        )
        session: str = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self._call(f"{domain}.enable", {}, session, deadline)
        self._call(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            session,
            deadline,
        )
        return session

    def _call(
        self, method: str, params: dict[str, Any], session: str | None, deadline: float
    ) -> dict[str, Any]:
        call_id = self._send(method, params, session)
        while True:
            message = self._receive(deadline, method)
            if message.get("id") != call_id:
                self._note(message)
                continue
            if "error" in message:
                raise BrowserError(f"{method}: {message['error'].get('message', message['error'])}")
            result: dict[str, Any] = message.get("result", {})
            return result

    def _send(self, method: str, params: dict[str, Any], session: str | None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._commands, data) :]
        return self._next_id

    def _wait_event(self, method: str, deadline: float) -> dict[str, Any]:
        while True:
            for event in self._events:
                if event.get("method") == method:
                    self._events.remove(event)
                    return event
            self._note(self._receive(deadline, method))

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        """The next message from the browser, read before ``deadline``."""
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer to {waiting_for} in time")
            ready, _, _ = select.select([self._replies], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise BrowserError(
                    f"the browser went away while waiting for {waiting_for}: {self._log_tail()}"
                )
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _log_tail(self) -> str:
        try:
            return self._log.read_text(errors="replace")[-800:]
        except OSError as err:
            return f"(no log: {err})"

    def _note(self, message: dict[str, Any]) -> None:
        """Keep an event: errors go to :attr:`errors`, the rest waits for :meth:`_wait_event`."""
        if message.get("sessionId") != self._session or "method" not in message:
            return
        error = _error_of(message["method"], message.get("params", {}))
        if error is not None:
            self.errors.append(error)
        self._events.append(message)


@contextlib.contextmanager
def browser() -> Iterator[Browser]:
    """A headless Chromium with a fresh profile that is removed at the end.

    Raises:
        BrowserError: no Chromium on PATH (callers skip first with :func:`unavailable`).
    """
    executable = find_chromium()
    if executable is None:
        raise BrowserError(unavailable() or "no chromium")
    profile = tempfile.mkdtemp(prefix="rtgate-chromium-")
    to_browser_read, to_browser_write = os.pipe()
    from_browser_read, from_browser_write = os.pipe()
    try:
        with open(Path(profile, "chromium.log"), "wb") as log:
            process = subprocess.Popen(
                [executable, *_flags(profile), "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # 3 and 4 are open here: the pipes took the lowest free fds.  Keeping them
                # open in the child lets _pipe_fds put the pipe ends there.
                pass_fds=(3, 4, to_browser_read, from_browser_write),
                preexec_fn=lambda: _pipe_fds(to_browser_read, from_browser_write),
            )
    except BaseException:
        for fd in (to_browser_read, to_browser_write, from_browser_read, from_browser_write):
            os.close(fd)
        shutil.rmtree(profile, ignore_errors=True)
        raise
    os.close(to_browser_read)
    os.close(from_browser_write)
    driver = Browser(process, to_browser_write, from_browser_read, Path(profile, "chromium.log"))
    try:
        yield driver
    finally:
        driver.close()
        shutil.rmtree(profile, ignore_errors=True)


def _flags(profile: str) -> list[str]:
    return [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--remote-debugging-pipe",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--metrics-recording-only",
        f"--window-size={WIDTH},{HEIGHT}",
    ]


def _pipe_fds(commands: int, replies: int) -> None:
    """In the child: the protocol pipe ends at fds 3 (read) and 4 (write).

    Copies first, so that neither end is overwritten when it already sits at 3 or 4.
    """
    commands_copy, replies_copy = os.dup(commands), os.dup(replies)
    os.dup2(commands_copy, 3)
    os.dup2(replies_copy, 4)


def _error_of(method: str, params: dict[str, Any]) -> str | None:
    """The text of an error the page reported, or None for any other event."""
    if method == "Runtime.exceptionThrown":
        return "exception: " + _exception_text(params.get("exceptionDetails", {}))
    if method == "Runtime.consoleAPICalled" and params.get("type") == "error":
        args = params.get("args", [])
        return "console.error: " + " ".join(
            str(arg.get("value", arg.get("description", ""))) for arg in args
        )
    entry = params.get("entry", {})
    if method == "Log.entryAdded" and entry.get("level") == "error":
        return f"log: {entry.get('text', '')} ({entry.get('url', '')})"
    return None


def _exception_text(details: dict[str, Any]) -> str:
    exception = details.get("exception", {})
    text = exception.get("description") or details.get("text", "exception")
    return f"{text} at {details.get('url', '?')}:{details.get('lineNumber', '?')}"
