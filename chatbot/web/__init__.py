"""``calcinosis serve``: the terminal UI in a web browser, via textual-serve.

For a caregiver who would rather read in a browser, on this machine or a
trusted local network only: there is no login and no encryption. The page
template is textual-serve's own without its Google Fonts link, so the browser
fetches nothing from outside this machine.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


def serve(host: str = "127.0.0.1", port: int = 8000, theme: str | None = None) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        print("calcinosis: 'serve' needs the textual-serve package "
              "(pip install textual-serve).", file=sys.stderr)
        return 2
    command = f"{shlex.quote(sys.executable)} -m chatbot.cli"
    if theme:
        command += f" --theme {shlex.quote(theme)}"
    server = Server(command, host=host, port=port, title="calcinosis",
                    templates_path=str(TEMPLATES))
    print(f"Serving calcinosis at http://{host}:{port} - for this machine or a trusted local "
          "network only. Press Ctrl+C to stop.", file=sys.stderr)
    server.serve()
    return 0
