"""Help: every key, from the Markdown file beside this module."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown, Static

HELP_FILE = Path(__file__).with_name("help.md")
SCROLL_HINT = "Scroll with ↑ ↓, PgUp and PgDn; Esc closes the help."


class HelpScreen(ModalScreen[None]):
    CSS_PATH: ClassVar = ["../global.tcss", "../dialogs.tcss"]
    BINDINGS: ClassVar = [Binding("escape,f1,q", "close", "Close help")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog wide"):
            with VerticalScroll(id="help-body"):
                yield Markdown(HELP_FILE.read_text(encoding="utf-8"), open_links=False)
            yield Static(SCROLL_HINT, classes="scroll-hint", markup=False)
            yield Button("Close (Esc)", id="close", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
