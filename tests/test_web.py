"""`calcinosis serve` in a real headless Chromium, driven by Playwright.

Starts the server on a free loopback port, opens the page, answers by keyboard,
reads what the app drew from the terminal stream the page receives, and saves
screenshots under the test's output directory. Needs Debian's chromium
(.ci/run installs it); skipped elsewhere, but never in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>()][0-9A-Za-z]?")

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (.ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path):
    port = free_port()
    env = dict(os.environ, CALCINOSIS_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen([sys.executable, "-m", "chatbot.cli", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"serve exited: {proc.stdout.read().decode()[-2000:]}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


class Screen:
    """What the app has drawn so far, from the terminal stream sent to the page."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def add(self, data: bytes | str) -> None:
        self.frames.append(data if isinstance(data, bytes) else data.encode())

    def text(self) -> str:
        raw = ANSI.sub(b"", b"".join(self.frames))
        return re.sub(r"\s+", " ", raw.decode("utf-8", "replace"))

    def wait_for(self, page, words: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while words not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{words!r} never appeared; last: {self.text()[-600:]}")
            page.wait_for_timeout(100)


def test_browser_chat_to_a_result(server: str, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "screenshots"
    out.mkdir()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            screen = Screen()
            page.on("websocket", lambda ws: ws.on("framereceived", screen.add))
            page.goto(server)
            screen.wait_for(page, "answering for yourself")
            page.screenshot(path=str(out / "welcome.png"))
            page.wait_for_timeout(1500)  # the engine loads just after the first screen
            page.focus(".xterm-helper-textarea")  # keys go to the terminal
            page.wait_for_timeout(300)
            # pub-19: an adult answering for themself, no warning signs, no deposits
            page.keyboard.press("1")  # for myself
            screen.wait_for(page, "Just to be safe")
            page.keyboard.press("4")  # none of these
            page.keyboard.press("Enter")
            screen.wait_for(page, "How old are you")
            page.keyboard.press("3")  # 18 or older
            screen.wait_for(page, "hard lumps")
            page.keyboard.press("2")  # no deposits
            screen.wait_for(page, "Mention")  # "Mention it at your next regular visit"
            page.wait_for_timeout(500)
            page.screenshot(path=str(out / "result.png"))
            text = screen.text()
            assert "not a diagnosis" in text
            assert "routine" in text.lower() or "regular" in text.lower()
        finally:
            browser.close()
    assert (out / "welcome.png").stat().st_size > 10_000
    assert (out / "result.png").stat().st_size > 10_000


def test_serve_passes_the_theme_and_listens_on_loopback_by_default(monkeypatch) -> None:
    """What `calcinosis serve --theme high-contrast` asks textual-serve to run."""
    import textual_serve.server

    from chatbot.cli import main

    started = {}

    class FakeServer:
        def __init__(self, command, host, port, **kwargs):
            started.update(command=command, host=host, port=port)

        def serve(self):
            started["served"] = True

    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    assert main(["serve", "--theme", "high-contrast", "--port", "8123"]) == 0
    assert started["host"] == "127.0.0.1" and started["port"] == 8123 and started["served"]
    assert started["command"].endswith("-m chatbot.cli --theme high-contrast")
