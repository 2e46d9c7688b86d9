"""Change an answer: pick one of the answers given; the dialog goes back to it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.dialog.session import Session
from ..interpret import said_for
from ..wording import say


class ChangeScreen(ModalScreen[str | None]):
    """Dismisses with the question id to change, or ``None``."""

    CSS_PATH: ClassVar = ["../global.tcss", "../dialogs.tcss"]
    BINDINGS: ClassVar = [Binding("escape", "close", "Cancel")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        s = self.session
        questions = s.engine.dialog.questions
        options = []
        for number, qid in enumerate(s.history, 1):
            question = questions[qid]
            prompt = Text.assemble((f"{number}. ", "bold"))
            prompt.append(s.text(question))
            prompt.append("\n   → " + said_for(question, s.answers[qid]), style="italic")
            options.append(Option(prompt, id=qid))
        with Vertical(id="change", classes="dialog wide"):
            yield Static(say("change_title", s.respondent), classes="title", markup=False)
            yield OptionList(*options, id="answers")
            yield Static(
                "↑ ↓ PgUp PgDn to move, Enter to change that answer, Esc to cancel.",
                classes="scroll-hint",
                markup=False,
            )
            yield Button("Cancel (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#answers", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
