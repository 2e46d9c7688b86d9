"""The guarded web server behind ``calcinosis serve`` (textual-serve underneath).

What textual-serve does on its own is kept (one app process per browser
connection, the terminal stream over a WebSocket, file delivery); around it:

* **Host**: a request is answered only when its ``Host`` header names this
  server (the address it is bound to, ``localhost`` names for a loopback
  address, this machine's addresses for ``0.0.0.0``, or a name given with
  ``--allow-host``), so a DNS-rebinding page cannot reach it.
* **Token**: a secret made at each start (or ``--token``) must be in the URL;
  the page then keeps it in a cookie for this site only. The WebSocket carries
  it in its path and must come from this server's own origin.
* **Visitors**: each browser (a cookie) gets its own temporary data folder
  (``CALCINOSIS_DATA_DIR`` in the app's environment), removed a grace period
  after its last connection closes; ``own_data`` keeps the user's data folder
  and lets one visitor in at a time. At most ``max_visitors`` connections run
  at once (the next one sees a "busy" page), the terminal size is capped and a
  connection with no typing for ``idle_timeout`` seconds is closed.

Every refusal is a 403 (503 when busy) and one line in the server's log.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import secrets
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("calcinosis.serve")

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "127.0.0.1", "::1"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
SERVED_ENV = "CALCINOSIS_SERVED"  # set in the served app: summaries go to the browser
VISITOR_PREFIX = "calcinosis-visitor-"
MAX_MESSAGE = 256 * 1024  # a browser message larger than this closes the connection


@dataclass
class Options:
    """How ``serve`` guards itself; the defaults are the safe ones."""

    host: str = "127.0.0.1"
    port: int = 8000
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    allow_hosts: tuple[str, ...] = ()
    own_data: bool = False
    max_visitors: int = 4
    idle_timeout: float = 30 * 60.0  # seconds without typing before the connection closes
    grace: float = 120.0  # seconds a visitor's folder outlives their last connection
    max_cols: int = 250
    max_rows: int = 100


@dataclass
class Visitor:
    """One browser (one cookie): its private data folder and open connections."""

    id: str
    folder: Path | None
    connections: int = 0
    cleanup: asyncio.TimerHandle | None = None


def split_host(value: str) -> tuple[str, int | None]:
    """``"Example.org:8000"`` -> ``("example.org", 8000)``; ``"[::1]:80"`` -> ``("::1", 80)``."""
    value = value.strip().lower()
    port: int | None = None
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        return name, port
    if value.count(":") == 1:
        name, _, text = value.partition(":")
        if text.isdigit():
            port = int(text)
        return name, port
    return value, None


def local_addresses() -> list[str]:
    """This machine's own IP addresses (no packet is sent to find them)."""
    found: list[str] = []

    def add(address: str) -> None:
        try:
            ip = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            return
        if not ip.is_loopback and not ip.is_unspecified and str(ip) not in found:
            found.append(str(ip))

    try:  # the address a connection would leave from: connect() on UDP sends nothing
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            add(probe.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            add(str(info[4][0]))
    except OSError:
        pass
    return found


def allowed_names(host: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The ``Host`` names a request may carry for a server bound to ``host``."""
    names = {n.strip().lower().strip("[]") for n in extra if n.strip()}
    bound = host.strip().lower().strip("[]")
    if bound in ANY_ADDRESS:
        names |= LOOPBACK_NAMES | set(local_addresses())
        hostname = socket.gethostname().lower()
        names |= {hostname, f"{hostname}.local"}
    else:
        names.add(bound)
        try:
            if ipaddress.ip_address(bound).is_loopback:
                names |= LOOPBACK_NAMES
        except ValueError:
            if bound == "localhost":
                names |= LOOPBACK_NAMES
    return frozenset(names)


def url_host(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def addresses_to_print(options: Options) -> list[str]:
    """The addresses to open, with the token: real ones, never ``0.0.0.0``."""
    bound = options.host.strip().strip("[]")
    if bound in ANY_ADDRESS:
        names = local_addresses() or ["127.0.0.1"]
        if "127.0.0.1" not in names:
            names.append("127.0.0.1")
    else:
        names = [bound]
    return [f"http://{url_host(n)}:{options.port}/?token={options.token}" for n in names]


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>calcinosis: {title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:18px/1.5 sans-serif;max-width:36em;margin:3em auto;padding:0 1em;
color:#111;background:#fff}}</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>
"""


def page(status: int, title: str, text: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        content_type="text/html",
        charset="utf-8",
        text=PAGE.format(title=escape(title), text=escape(text)),
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


class VisitorService(AppService):
    """One app process, with the visitor's own environment (their data folder)."""

    def __init__(
        self, command: str, *, extra_env: dict[str, str], visitor: Visitor, **kwargs: Any
    ) -> None:
        super().__init__(command, **kwargs)
        self.extra_env = extra_env
        self.visitor = visitor

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.pop("CALCINOSIS_SUMMARY_DIR", None)
        environment.update(self.extra_env)
        return environment


class GuardedServer(Server):
    """textual-serve's server with the checks described in this module's docstring."""

    def __init__(self, command: str, options: Options, templates_path: str) -> None:
        super().__init__(
            command,
            host=options.host,
            port=options.port,
            title="calcinosis",
            templates_path=templates_path,
        )
        self.options = options
        self.names = allowed_names(options.host, options.allow_hosts)
        self.visitors: dict[str, Visitor] = {}
        self.active = 0
        if options.own_data:
            options.max_visitors = 1
        self.token_cookie = f"calcinosis_token_{options.port}"
        self.visitor_cookie = f"calcinosis_visitor_{options.port}"

    # ----- logging: one plain line per event
    def initialize_logging(self) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        for name in ("calcinosis.serve", "textual-serve"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.INFO)
            logger.propagate = False

    def refuse(self, request: web.Request, reason: str, text: str) -> web.Response:
        log.warning(
            "refused %s %s from %s: %s", request.method, request.path, request.remote, reason
        )
        return page(403, "Not allowed", text)

    # ----- the aiohttp application
    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard_host], client_max_size=64 * 1024)
        import jinja2

        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws/{token}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def guard_host(self, request: web.Request, handler: Any) -> web.StreamResponse:
        name, _port = split_host(request.headers.get("Host", ""))
        if name not in self.names:
            return self.refuse(
                request,
                f"Host {request.headers.get('Host', '')!r} is not this server",
                "This server does not answer to that address.",
            )
        response: web.StreamResponse = await handler(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    def _token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(
            given.encode(), self.options.token.encode()
        )

    def _cookie(self, response: web.StreamResponse, name: str, value: str) -> None:
        response.set_cookie(name, value, httponly=True, samesite="Strict", path="/")

    def _full(self, visitor: Visitor | None) -> bool:
        """Whether one more connection must wait. A visitor reloading the page may have one
        connection still closing: that one is let in (one place over, for a moment)."""
        if self.active < self.options.max_visitors:
            return False
        reloading = visitor is not None and visitor.connections == 1
        return not (reloading and self.active == self.options.max_visitors)

    def _busy(self, request: web.Request) -> web.Response:
        log.warning(
            "busy: %s %s from %s (%d of %d places in use)",
            request.method,
            request.path,
            request.remote,
            self.active,
            self.options.max_visitors,
        )
        places = self.options.max_visitors
        return page(
            503,
            "Busy",
            f"All {places} place{'s' if places != 1 else ''} for this "
            "chat are in use right now. Please try again in a few minutes (reload "
            "this page).",
            headers={"Retry-After": "60"},
        )

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        query_token = request.query.get("token")
        if not (
            self._token_ok(query_token) or self._token_ok(request.cookies.get(self.token_cookie))
        ):
            return self.refuse(
                request,
                "no valid token",
                "This address needs the secret token printed when 'calcinosis "
                "serve' started: open the whole address it printed "
                "(http://...:PORT/?token=...).",
            )
        visitor_id = request.cookies.get(self.visitor_cookie, "")
        visitor = self.visitors.get(visitor_id)
        if self._full(visitor):
            return self._busy(request)
        if visitor is None:
            visitor_id = secrets.token_urlsafe(18)
        font_size = request.query.get("fontsize", "16")
        context = {
            "font_size": int(font_size) if font_size.isdigit() and len(font_size) < 3 else 16,
            "ws_path": f"/ws/{self.options.token}",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        self._cookie(response, self.token_cookie, self.options.token)
        self._cookie(response, self.visitor_cookie, visitor_id)
        return response

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if not self._token_ok(request.cookies.get(self.token_cookie)):
            return self.refuse(request, "download without the token cookie", "Not allowed.")
        try:
            meta = await self.download_manager.get_download_metadata(request.match_info["key"])
        except KeyError:
            return page(404, "Not found", "This download is no longer available.")
        owner = getattr(meta.app_service, "visitor", None)
        if owner is None or owner.id != request.cookies.get(self.visitor_cookie):
            return self.refuse(request, "download of another visitor's file", "Not allowed.")
        return await super().handle_download(request)

    def _origin_problem(self, request: web.Request) -> str | None:
        origin = request.headers.get("Origin")
        if not origin:
            return "WebSocket without an Origin"
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or parts.netloc.lower() != request.headers.get("Host", "").lower()
        ):
            return f"WebSocket from the foreign origin {origin[:200]!r}"
        return None

    def _size(self, text: Any, default: int, cap: int) -> int:
        try:
            value = int(str(text)[:6])
        except ValueError:
            return default
        return max(10, min(value, cap))

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if not self._token_ok(request.match_info.get("token")):
            return self.refuse(
                request, "WebSocket without the token", "This address needs the secret token."
            )
        problem = self._origin_problem(request)
        if problem:
            return self.refuse(request, problem, "Not allowed from another site.")
        visitor = self.visitors.get(request.cookies.get(self.visitor_cookie, ""))
        if self._full(visitor):
            return self._busy(request)
        if visitor is None:
            visitor = self._new_visitor(
                request.cookies.get(self.visitor_cookie) or secrets.token_urlsafe(18)
            )
        if visitor.cleanup is not None:
            visitor.cleanup.cancel()
            visitor.cleanup = None
        width = self._size(request.query.get("width", "80"), 80, self.options.max_cols)
        height = self._size(request.query.get("height", "24"), 24, self.options.max_rows)
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        visitor.connections += 1
        self.active += 1
        log.info(
            "visitor connected (%d of %d places in use)", self.active, self.options.max_visitors
        )
        service: VisitorService | None = None
        try:
            await websocket.prepare(request)
            extra = {SERVED_ENV: "1"}
            if visitor.folder is not None:
                extra["CALCINOSIS_DATA_DIR"] = str(visitor.folder)
            service = VisitorService(
                self.command,
                extra_env=extra,
                visitor=visitor,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._visit(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one line in the log, never a traceback to the page
            log.warning("connection ended by an error: %s: %s", type(error).__name__, error)
        finally:
            if service is not None:
                await service.stop()
            if not websocket.closed:
                await websocket.close()
            visitor.connections -= 1
            self.active -= 1
            log.info(
                "visitor left (%d of %d places in use)", self.active, self.options.max_visitors
            )
            if visitor.connections == 0:
                self._schedule_cleanup(visitor)
        return websocket

    async def _visit(self, websocket: web.WebSocketResponse, service: AppService) -> None:
        """Pass the browser's messages to the app until it leaves or stops typing."""
        loop = asyncio.get_running_loop()
        last_input = loop.time()
        while True:
            remaining = last_input + self.options.idle_timeout - loop.time()
            if remaining <= 0:
                log.info("closing a connection idle for %d s", self.options.idle_timeout)
                return
            try:
                message = await websocket.receive(timeout=remaining)
            except TimeoutError:
                continue
            if message.type in (
                WSMsgType.CLOSE,
                WSMsgType.CLOSING,
                WSMsgType.CLOSED,
                WSMsgType.ERROR,
            ):
                return
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                last_input = loop.time()
                await service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(
                    self._size(data.get("width"), 80, self.options.max_cols),
                    self._size(data.get("height"), 24, self.options.max_rows),
                )
            elif kind == "ping":
                await websocket.send_json(["pong", data if isinstance(data, str) else ""])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    # ----- private folders
    def _new_visitor(self, visitor_id: str) -> Visitor:
        folder = None
        if not self.options.own_data:
            folder = Path(tempfile.mkdtemp(prefix=VISITOR_PREFIX))  # mode 0700
        visitor = Visitor(visitor_id, folder)
        self.visitors[visitor_id] = visitor
        return visitor

    def _schedule_cleanup(self, visitor: Visitor) -> None:
        loop = asyncio.get_running_loop()
        visitor.cleanup = loop.call_later(self.options.grace, self._forget, visitor)

    def _forget(self, visitor: Visitor) -> None:
        if visitor.connections:
            return
        self.visitors.pop(visitor.id, None)
        if visitor.folder is not None:
            shutil.rmtree(visitor.folder, ignore_errors=True)
            log.info("removed a visitor's private folder")

    async def on_shutdown(self, app: web.Application) -> None:
        for visitor in list(self.visitors.values()):
            if visitor.cleanup is not None:
                visitor.cleanup.cancel()
            if visitor.folder is not None:
                shutil.rmtree(visitor.folder, ignore_errors=True)
        self.visitors.clear()

    async def on_startup(self, app: web.Application) -> None:
        pass  # serve() has said where to connect


def announce(options: Options) -> list[str]:
    """The lines ``serve`` prints at start: where to connect, and how far it reaches."""
    urls = addresses_to_print(options)
    lines = []
    if options.host.strip().strip("[]") in ANY_ADDRESS:
        lines.append("Serving calcinosis on every network address of this machine. Open:")
        lines += [f"  {url}" for url in urls]
        lines.append(
            "Warning: anyone on these networks who has an address above, with its "
            "token, can use the chat, and nothing is encrypted (http). Use it only "
            "on a network you trust; never expose it to the internet."
        )
    else:
        lines.append(f"Serving calcinosis at {urls[0]}")
    if options.own_data:
        lines.append("Your own saved sessions are used (--own-data): one visitor at a time.")
    else:
        lines.append(
            f"Each visitor gets a private, temporary data folder; at most "
            f"{options.max_visitors} at once."
        )
    lines.append("Press Ctrl+C to stop.")
    return lines


def serve_guarded(command: str, options: Options, templates_path: str) -> int:
    try:  # say at once when the port is taken, before printing where to connect
        family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((options.host.strip("[]"), options.port))
    except OSError as exc:
        print(
            f"calcinosis: cannot listen on {options.host}:{options.port} ({exc.strerror or exc}).",
            file=sys.stderr,
        )
        return 2
    server = GuardedServer(command, options, templates_path)
    for line in announce(options):
        print(line, file=sys.stderr, flush=True)
    try:
        server.serve()
    except OSError as exc:
        print(
            f"calcinosis: cannot listen on {options.host}:{options.port} ({exc.strerror or exc}).",
            file=sys.stderr,
        )
        return 2
    finally:
        for visitor in server.visitors.values():
            if visitor.folder is not None:
                shutil.rmtree(visitor.folder, ignore_errors=True)
    return 0
