"""``calcinosis serve``: the terminal UI in a web browser, via textual-serve.

Safe by default (see :mod:`chatbot.web.server`): only requests naming this
server, a secret token in the URL, WebSockets only from its own page, and a
private temporary data folder for each visitor. The page template is
textual-serve's own without its Google Fonts link, so the browser fetches
nothing from outside this machine.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    theme: str | None = None,
    *,
    token: str | None = None,
    allow_hosts: tuple[str, ...] = (),
    own_data: bool = False,
    max_visitors: int = 4,
    idle_minutes: float = 30.0,
    grace_seconds: float = 120.0,
) -> int:
    try:
        from .server import Options, serve_guarded
    except ImportError:
        print(
            "calcinosis: 'serve' needs the textual-serve package (pip install textual-serve).",
            file=sys.stderr,
        )
        return 2
    command = f"{shlex.quote(sys.executable)} -m chatbot.cli"
    if theme:
        command += f" --theme {shlex.quote(theme)}"
    options = Options(
        host=host,
        port=port,
        allow_hosts=allow_hosts,
        own_data=own_data,
        max_visitors=max_visitors,
        idle_timeout=idle_minutes * 60,
        grace=grace_seconds,
    )
    if token:
        options.token = token
    return serve_guarded(command, options, str(TEMPLATES))
