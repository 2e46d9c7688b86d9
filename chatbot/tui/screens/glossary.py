"""A word explained: the glossary entry for a term used in the result."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...engine.medicine.content import Content, Term


class GlossaryScreen(ModalScreen[None]):
    CSS_PATH: ClassVar = ["../global.tcss", "../dialogs.tcss"]
    BINDINGS: ClassVar = [Binding("escape,q", "close", "Close")]

    def __init__(self, term: Term, content: Content) -> None:
        super().__init__()
        self.term = term
        self.content = content

    def compose(self) -> ComposeResult:
        term = self.term
        with Vertical(id="glossary", classes="dialog"):
            yield Static(term.term[:1].upper() + term.term[1:], classes="title", markup=False)
            with VerticalScroll(id="glossary-body"):
                if term.aliases:
                    yield Static(
                        "Also called: " + ", ".join(term.aliases), classes="aliases", markup=False
                    )
                yield Static(term.definition, classes="definition", markup=False)
                cites = [
                    self.content.sources[k].cite()
                    for k in term.sources
                    if k in self.content.sources
                ]
                if cites:
                    yield Static(
                        "Sources:\n" + "\n".join(f"• {c}" for c in cites),
                        classes="sources",
                        markup=False,
                    )
            yield Static("↑ ↓ to scroll, Esc to close.", classes="scroll-hint", markup=False)
            yield Button("Close (Esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
