"""report.html in a real browser: headless Chromium loads it offline, with no request but the file
and its data: images, none failed, and shows the region's name and figures.

Chromium is driven through the DevTools protocol over ``--remote-debugging-pipe`` (fd 3 reads
commands, fd 4 writes replies, messages separated by NUL): no port, no extra package.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from report_serving_db import OCCITANIE_FEBRUARY_REQUESTS, build_serving_db

from orchestration.config import Settings
from orchestration.extracts import write_extract
from orchestration.report_format import french_number, french_percent

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not on PATH (Debian's chromium package; .ci/run installs it)"
)
TIMEOUT_SECONDS = 10.0


class DevTools:
    """A headless Chromium and its DevTools pipe: commands answered in order, events recorded."""

    def __init__(self, profile: Path):
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        # Above 4, so that the child's dup2 onto 3 and 4 never overwrites one with the other; closed
        # at exec, where only the inheritable copies on 3 and 4 remain.
        child_read = fcntl.fcntl(commands_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_write = fcntl.fcntl(replies_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(commands_read)
        os.close(replies_write)

        def onto_3_and_4() -> None:
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "about:blank",
            ],
            # close_fds would close 3 and 4 after preexec_fn; the parent's own descriptors are not
            # inheritable (PEP 446), so the child gets 0-4 only.
            close_fds=False,
            preexec_fn=onto_3_and_4,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed whole, renderers included
        )
        os.close(child_read)
        os.close(child_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command and return its result (raise on a protocol error or a timeout)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        reply = self.wait(lambda m: m.get("id") == message["id"], f"reply to {method}")
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait(self, matches, what: str) -> dict:
        """Read messages (recording events) until one ``matches``; fail after the timeout."""
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if matches(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                raise AssertionError(f"chromium: no {what} within {TIMEOUT_SECONDS} s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise AssertionError(f"chromium exited before the {what}")
            self._buffer += chunk

    def close(self) -> None:
        """End the browser and every process it started."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=5)
        os.close(self._commands)
        os.close(self._replies)


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(tmp_path / "chromium-profile")
    try:
        yield devtools
    finally:
        devtools.close()


def _load(browser: DevTools, path: Path) -> tuple[str, list[str], list[dict], bool]:
    """Open ``path`` in a new tab; return its visible text, every URL it requested, every failed load
    and whether all its images decoded."""
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    browser.call("Network.enable", session=session)
    browser.call("Page.enable", session=session)
    browser.call("Page.navigate", {"url": path.as_uri()}, session=session)
    browser.wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session, "load event")
    text = browser.call(
        "Runtime.evaluate", {"expression": "document.body.innerText", "returnByValue": True}, session=session
    )["result"]["value"]
    decoded = browser.call(
        "Runtime.evaluate",
        {
            "expression": "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
            "returnByValue": True,
        },
        session=session,
    )["result"]["value"]
    ours = [event for event in browser.events if event.get("sessionId") == session]
    requested = [e["params"]["request"]["url"] for e in ours if e["method"] == "Network.requestWillBeSent"]
    failed = [e["params"] for e in ours if e["method"] == "Network.loadingFailed"]
    return text, requested, failed, decoded


def test_region_report_loads_offline_and_shows_the_region_and_its_figures(tmp_path, browser):
    settings = Settings(home=tmp_path / "home")
    build_serving_db(settings.serving_db)
    result = write_extract(settings, "region:76", "csv", day=date(2025, 4, 3))
    page = result.folder / "report.html"

    text, requested, failed, decoded = _load(browser, page)

    assert [url for url in requested if not url.startswith("data:")] == [page.as_uri()]
    assert failed == []
    assert decoded and len(requested) == 4  # the page, its two charts and its map
    assert "France Services — Occitanie" in text
    assert "Chiffres clés — février 2025" in text
    assert french_number(OCCITANIE_FEBRUARY_REQUESTS) == "1\u202f234\u202f567"
    assert "1\u202f234\u202f567" in text  # the region's requests of the month, as a French reader reads them
    assert french_percent(0.9654) in text  # its satisfied users: 96,5 %


def test_the_browser_check_catches_an_external_request(tmp_path, browser):
    # What the report must never do: a page that pulls an image from elsewhere (nothing listens there).
    page = tmp_path / "external.html"
    page.write_text('<html><body><p>Occitanie</p><img src="http://127.0.0.1:9/logo.png"></body></html>')

    _, requested, failed, decoded = _load(browser, page)

    assert requested == [page.as_uri(), "http://127.0.0.1:9/logo.png"]
    assert len(failed) == 1 and not decoded
