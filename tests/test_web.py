"""`calcinosis serve`: its guards over plain HTTP, and the chat in a real headless Chromium.

The guards (issue 14) are tested with raw HTTP requests and WebSocket handshakes:
a wrong ``Host``, no token, a foreign ``Origin``, the (N+1)th visitor. The browser
tests start the server on a free loopback port, open the page, answer by
keyboard, read what the app drew from the terminal stream the page receives,
and save screenshots under the test's output directory; two browser contexts
are two visitors, and a page on another origin tries the WebSocket. They need
Debian's chromium (.ci/run installs it); skipped elsewhere, but never in CI.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>()][0-9A-Za-z]?")
TOKEN = "test-token-0123456789abcdef"

browser_only = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    port: int
    proc: subprocess.Popen
    log: Path
    tmp: Path  # TMPDIR of the server: the visitors' private folders are made here
    data: Path  # CALCINOSIS_DATA_DIR of the server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={TOKEN}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def visitor_folders(self) -> list[Path]:
        return sorted(self.tmp.glob("calcinosis-visitor-*"))


def start(tmp_path: Path, *args: str, token: str | None = TOKEN) -> Served:
    port = free_port()
    tmp = tmp_path / "servertmp"
    tmp.mkdir(exist_ok=True)
    data = tmp_path / "data"
    log = tmp_path / "serve.log"
    env = dict(os.environ, CALCINOSIS_DATA_DIR=str(data), TMPDIR=str(tmp))
    command = [sys.executable, "-m", "chatbot.cli", "serve", "--port", str(port), *args]
    if token:
        command += ["--token", token]
    proc = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"serve exited: {log.read_text()[-2000:]}")
            time.sleep(0.1)
    return Served(port, proc, log, tmp, data)


def stop(served: Served) -> None:
    served.proc.terminate()
    try:
        served.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        served.proc.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    served = start(tmp_path, "--grace-seconds", "1")
    yield served
    stop(served)


def get(
    port: int, path: str, host: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    result = (response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    conn.close()
    return result


def index_cookies(port: int) -> str:
    """The cookies the page sets when opened with the token (as a browser would keep)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/?token={TOKEN}")
    response = conn.getresponse()
    response.read()
    cookies = [
        value.split(";", 1)[0]
        for name, value in response.getheaders()
        if name.lower() == "set-cookie"
    ]
    conn.close()
    assert response.status == 200
    return "; ".join(cookies)


def handshake(
    port: int,
    path: str,
    *,
    origin: str | None,
    host: str | None = None,
    cookie: str | None = None,
    size: str = "width=80&height=24",
) -> tuple[int, socket.socket]:
    """A WebSocket opening handshake; the status (101 = accepted) and the open socket."""
    sock = socket.create_connection(("127.0.0.1", port), 10)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path}?{size} HTTP/1.1",
        f"Host: {host or f'127.0.0.1:{port}'}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    if cookie:
        lines.append(f"Cookie: {cookie}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(1024)
        if not chunk:
            break
        head += chunk
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, sock


# ----- the guards, over plain HTTP


def test_a_request_needs_this_servers_host_and_the_token(server: Served) -> None:
    port = server.port
    assert get(port, f"/?token={TOKEN}")[0] == 200
    assert get(port, f"/?token={TOKEN}", host=f"localhost:{port}")[0] == 200
    status, _, body = get(port, f"/?token={TOKEN}", host="evil.example")  # DNS rebinding
    assert status == 403 and "does not answer to that address" in body
    assert get(port, f"/?token={TOKEN}", host=f"evil.example:{port}")[0] == 403
    status, _, body = get(port, "/")  # no token
    assert status == 403 and "token" in body
    assert get(port, "/?token=wrong-token-0123456789")[0] == 403
    assert get(port, "/static/js/textual.js", host="evil.example")[0] == 403
    status, headers, page = get(port, f"/?token={TOKEN}")
    assert "0.0.0.0" not in page and "127.0.0.1" not in page  # the page's own address
    assert "HttpOnly" in headers["set-cookie"] and "SameSite=Strict" in headers["set-cookie"]
    log = server.log_text()
    assert log.count("refused GET") == 5  # one line per refusal
    assert "Host 'evil.example' is not this server" in log and "no valid token" in log


def test_a_websocket_needs_the_token_and_its_own_origin(server: Served) -> None:
    port = server.port
    own = f"http://127.0.0.1:{port}"
    cookie = index_cookies(port)
    for origin, path in (
        (None, f"/ws/{TOKEN}"),
        ("http://evil.example", f"/ws/{TOKEN}"),
        (f"http://localhost:{port}", f"/ws/{TOKEN}"),  # another origin
        ("null", f"/ws/{TOKEN}"),
        (own, "/ws/not-the-token-at-all"),
    ):
        status, sock = handshake(port, path, origin=origin, cookie=cookie)
        sock.close()
        assert status == 403, (origin, path)
    status, sock = handshake(
        port, f"/ws/{TOKEN}", origin="http://evil.example", host="evil.example", cookie=cookie
    )
    sock.close()
    assert status == 403
    status, sock = handshake(port, f"/ws/{TOKEN}", origin=own, cookie=cookie)
    try:
        assert status == 101
    finally:
        sock.close()
    log = server.log_text()
    assert "WebSocket from the foreign origin 'http://evil.example'" in log
    assert "WebSocket without an Origin" in log and "WebSocket without the token" in log


def test_the_visitor_after_the_last_place_sees_busy_and_folders_are_private(tmp_path: Path) -> None:
    served = start(tmp_path, "--max-visitors", "2", "--grace-seconds", "1")
    own = f"http://127.0.0.1:{served.port}"
    open_sockets = []
    try:
        cookies = []
        for _ in range(2):
            cookies.append(index_cookies(served.port))
            status, sock = handshake(served.port, f"/ws/{TOKEN}", origin=own, cookie=cookies[-1])
            assert status == 101
            open_sockets.append(sock)
        # the first visitor reloads before the old connection is gone: let in, once
        assert get(served.port, "/", headers={"Cookie": cookies[0]})[0] == 200
        status, sock = handshake(served.port, f"/ws/{TOKEN}", origin=own, cookie=cookies[0])
        assert status == 101
        open_sockets.append(sock)
        assert get(served.port, "/", headers={"Cookie": cookies[0]})[0] == 503
        open_sockets.pop().close()
        time.sleep(0.5)
        folders = served.visitor_folders()
        assert len(folders) == 2  # one private folder each
        assert all(f.stat().st_mode & 0o777 == 0o700 for f in folders)
        status, headers, body = get(served.port, f"/?token={TOKEN}")
        assert status == 503 and "All 2 places" in body and "try again" in body
        assert headers.get("retry-after")
        status, sock = handshake(served.port, f"/ws/{TOKEN}", origin=own)
        sock.close()
        assert status == 503
        for sock in open_sockets:
            sock.close()
        deadline = time.monotonic() + 20  # the grace period is 1 s here
        while served.visitor_folders() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert served.visitor_folders() == []  # removed once the visitors left
        assert get(served.port, f"/?token={TOKEN}")[0] == 200  # a place is free again
        assert not served.data.exists()  # the server's own data folder was never used
    finally:
        for sock in open_sockets:
            sock.close()
        stop(served)
    assert "busy" in served.log.read_text()


def test_a_new_token_at_each_start_is_printed_in_the_url(tmp_path: Path) -> None:
    served = start(tmp_path, token=None)
    try:
        time.sleep(0.5)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", served.log_text())
        assert match and int(match.group(1)) == served.port and len(match.group(2)) >= 24
        assert get(served.port, f"/?token={match.group(2)}")[0] == 200
        assert get(served.port, f"/?token={TOKEN}")[0] == 403
    finally:
        stop(served)


def test_any_address_prints_real_addresses_and_a_warning(monkeypatch) -> None:
    from chatbot.web import server

    monkeypatch.setattr(server, "local_addresses", lambda: ["192.168.1.23"])
    options = server.Options(host="0.0.0.0", port=8123, token="t" * 24)
    text = "\n".join(server.announce(options))
    assert "http://192.168.1.23:8123/?token=" + "t" * 24 in text
    assert "0.0.0.0" not in text and "Warning" in text and "trust" in text
    names = server.allowed_names("0.0.0.0")
    assert "192.168.1.23" in names and "localhost" in names and "evil.example" not in names
    assert server.allowed_names("127.0.0.1", ("kiosk.lan",)) >= {"localhost", "::1", "kiosk.lan"}
    assert server.allowed_names("192.168.1.23") == frozenset({"192.168.1.23"})
    assert server.split_host("[::1]:8000") == ("::1", 8000)
    assert server.split_host("Example.ORG:80") == ("example.org", 80)


def received(sock: socket.socket, seconds: float) -> tuple[int, bool]:
    """Bytes received on ``sock`` within ``seconds``, and whether the server closed it."""
    sock.settimeout(0.2)
    total, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            return total, True
        total += len(chunk)
    return total, False


def test_a_huge_terminal_is_capped_and_an_idle_chat_closed(tmp_path: Path) -> None:
    served = start(tmp_path, "--idle-minutes", "0.1", "--grace-seconds", "1")
    own = f"http://127.0.0.1:{served.port}"
    try:
        status, sock = handshake(
            served.port,
            f"/ws/{TOKEN}",
            origin=own,
            cookie=index_cookies(served.port),
            size="width=5000&height=5000",
        )
        assert status == 101
        size, closed = received(sock, 20)  # no typing: closed after 6 s
        sock.close()
        assert closed
        assert size < 3_000_000  # drawn at most 250 x 100 (a 5000 x 5000 screen sent 127 MB)
    finally:
        stop(served)
    assert "closing a connection idle for 6 s" in served.log.read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--max-visitors", "0"], "--max-visitors must be 1 or more"),
        (["--token", "short"], "at least 16 characters"),
        (["--idle-minutes", "0"], "--idle-minutes must be more than 0"),
    ],
)
def test_serve_options_are_checked(args: list[str], message: str) -> None:
    from support import run_cli

    proc = run_cli("serve", *args)
    assert proc.returncode == 2 and message in proc.stderr


def test_serve_passes_the_theme_and_listens_on_loopback_by_default(monkeypatch) -> None:
    """What `calcinosis serve --theme high-contrast` asks the guarded server to run."""
    from chatbot.cli import main
    from chatbot.web import server

    started = {}

    def fake(command, options, templates):
        started.update(command=command, options=options)
        return 0

    monkeypatch.setattr(server, "serve_guarded", fake)
    assert main(["serve", "--theme", "high-contrast", "--port", "8123"]) == 0
    options = started["options"]
    assert options.host == "127.0.0.1" and options.port == 8123
    assert started["command"].endswith("-m chatbot.cli --theme high-contrast")
    assert len(options.token) >= 24 and not options.own_data and options.max_visitors == 4


def test_own_data_lets_one_visitor_in_and_uses_the_users_folder(tmp_path: Path) -> None:
    served = start(tmp_path, "--own-data")
    own = f"http://127.0.0.1:{served.port}"
    try:
        status, sock = handshake(
            served.port, f"/ws/{TOKEN}", origin=own, cookie=index_cookies(served.port)
        )
        assert status == 101
        second = get(served.port, f"/?token={TOKEN}")
        assert second[0] == 503 and "All 1 place " in second[2]
        time.sleep(0.5)
        assert served.visitor_folders() == []
        sock.close()
    finally:
        stop(served)


# ----- in a real browser


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


def launch(p):
    return p.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )


def open_chat(context, url: str) -> tuple[object, Screen]:
    page = context.new_page()
    screen = Screen()
    page.on("websocket", lambda ws: ws.on("framereceived", screen.add))
    page.goto(url)
    screen.wait_for(page, "answering for yourself")
    page.wait_for_timeout(1500)  # the engine loads just after the first screen
    page.focus(".xterm-helper-textarea")  # keys go to the terminal
    page.wait_for_timeout(300)
    return page, screen


@browser_only
def test_browser_chat_to_a_result(server: Served, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "screenshots"
    out.mkdir()
    with playwright.sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(
                viewport={"width": 1200, "height": 900}, accept_downloads=True
            )
            page, screen = open_chat(context, server.url)
            page.screenshot(path=str(out / "welcome.png"))
            # pub-19: an adult answering for themself, no warning signs, no deposits
            page.keyboard.press("1")  # for myself
            screen.wait_for(page, "Just to be safe")
            page.keyboard.press("4")  # none of these
            page.keyboard.press("Enter")
            screen.wait_for(page, "How old are you")
            page.keyboard.type("62")  # the age, typed
            page.keyboard.press("Enter")
            screen.wait_for(page, "Do you have any of these?")
            page.wait_for_timeout(300)
            page.keyboard.press("2")  # no deposits
            screen.wait_for(page, "Mention")  # "Mention it at your next regular visit"
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / "result.png"))
            text = screen.text()
            assert "not a diagnosis" in text
            assert "routine" in text.lower() or "regular" in text.lower()
            # the summary for the doctor is a download in the browser, not a file on the server
            with page.expect_download(timeout=20_000) as download_info:
                page.keyboard.press("v")
            download = download_info.value
            saved = out / download.suggested_filename
            download.save_as(saved)
            assert download.suggested_filename.startswith("calcinosis-summary-")
            assert saved.read_text().startswith("<!DOCTYPE html>")
            assert "not a diagnosis" in saved.read_text()
        finally:
            browser.close()
    assert (out / "welcome.png").stat().st_size > 10_000
    assert (out / "result.png").stat().st_size > 10_000
    assert not list(server.tmp.rglob("calcinosis-summary-*"))  # nothing on the server
    assert not server.data.exists()


@browser_only
def test_two_browsers_are_two_private_visitors(server: Served) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = launch(p)
        try:
            first = browser.new_context(viewport={"width": 1200, "height": 900})
            page_a, screen_a = open_chat(first, server.url)
            page_a.keyboard.press("1")  # for myself: saved in A's folder
            screen_a.wait_for(page_a, "Just to be safe")
            page_a.wait_for_timeout(800)
            second = browser.new_context(viewport={"width": 1200, "height": 900})
            page_b, screen_b = open_chat(second, server.url)
            page_b.wait_for_timeout(2500)  # time for an offer to continue, if there were one
            assert "Continue where you left off" not in screen_b.text()
            page_b.keyboard.press("F5")  # the saved sessions: B sees none of A's
            screen_b.wait_for(page_b, "No saved sessions yet")
            folders = server.visitor_folders()
            assert len(folders) == 2
            saved = [f for f in folders if (f / "sessions.sqlite3").exists()]
            assert saved  # A's answer is in A's own folder
            import sqlite3

            counts = []
            for folder in saved:
                db = sqlite3.connect(folder / "sessions.sqlite3")
                counts.append(db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])
                db.close()
            assert sorted(counts)[-1] == 1 and sum(counts) == 1
        finally:
            browser.close()
    assert not server.data.exists()


FOREIGN_PAGE = """<!DOCTYPE html><html><body><script>
window.result = "pending";
const ws = new WebSocket("ws://127.0.0.1:PORT/ws/TOKEN?width=80&height=24");
ws.onopen = () => { window.result = "open"; };
ws.onerror = () => { window.result = "refused"; };
</script></body></html>
"""


@browser_only
def test_a_page_on_another_origin_cannot_open_the_chat(server: Served, tmp_path: Path) -> None:
    """Even a page that knows the token (say, from a shared screen) is refused: the
    WebSocket must come from the chat's own page."""
    playwright = pytest.importorskip("playwright.sync_api")
    site = tmp_path / "evil"
    site.mkdir()
    (site / "index.html").write_text(
        FOREIGN_PAGE.replace("PORT", str(server.port)).replace("TOKEN", TOKEN)
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(site))
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with playwright.sync_playwright() as p:
            browser = launch(p)
            try:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
                page.wait_for_function("window.result !== 'pending'", timeout=15_000)
                assert page.evaluate("window.result") == "refused"
            finally:
                browser.close()
    finally:
        httpd.shutdown()
    assert "WebSocket from the foreign origin" in server.log_text()
    assert server.visitor_folders() == []  # no app was started for it


@browser_only
def test_any_address_works_at_the_machines_own_address(tmp_path: Path) -> None:
    """`--host 0.0.0.0`: the printed address (not 0.0.0.0) opens the chat, as from
    another machine; a Host of 0.0.0.0 is refused."""
    from chatbot.web.server import local_addresses

    addresses = local_addresses()
    if not addresses:
        pytest.skip("this machine has no address but loopback")
    playwright = pytest.importorskip("playwright.sync_api")
    served = start(tmp_path, "--host", "0.0.0.0")
    try:
        time.sleep(0.5)
        log = served.log_text()
        url = f"http://{addresses[0]}:{served.port}/?token={TOKEN}"
        assert url in log and "0.0.0.0" not in log and "Warning" in log
        assert get(served.port, f"/?token={TOKEN}", host=f"0.0.0.0:{served.port}")[0] == 403
        with playwright.sync_playwright() as p:
            browser = launch(p)
            try:
                context = browser.new_context(viewport={"width": 1200, "height": 900})
                page, screen = open_chat(context, url)
                page.keyboard.press("1")
                screen.wait_for(page, "Just to be safe")
            finally:
                browser.close()
    finally:
        stop(served)
