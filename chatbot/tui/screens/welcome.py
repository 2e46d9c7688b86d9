"""The welcome: what this is and is not, how to move around, and the first question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from ..widgets.answer import AnswerArea
from ..widgets.footer import KeysFooter
from .base import AnsweringScreen

if TYPE_CHECKING:
    from ..interpret import Reply

INTRO = ("Welcome. This guide asks about hard lumps, bumps or chalky spots in or under the "
         "skin, one question at a time, then explains what the answers suggest and how soon "
         "to see a doctor.")
HOW = ("How to move around: ↑ ↓ and Enter, or the number keys, or type in your own words. "
       "Tab moves between parts of the screen. The keys at the bottom work at any time "
       "(F1 shows them all); you can also click.")


class WelcomeScreen(AnsweringScreen):
    """The first screen; answering its question opens the chat."""

    BINDINGS = [Binding("f1", "app.help", "Help"), Binding("f3", "not_sure", "Not sure")]

    def compose(self) -> ComposeResult:
        welcome = self.app.welcome
        notices = welcome.notices
        yield Header()
        with VerticalScroll(id="welcome-body"):
            yield Static(INTRO, id="intro", markup=False)
            yield Static(Text.assemble(("▲ In an emergency: ", "bold"), notices["emergency"]),
                         classes="notice emergency", markup=False)
            yield Static(Text.assemble(("Information, not a diagnosis: ", "bold"),
                                       notices["not_a_diagnosis"]),
                         classes="notice not-diagnosis", markup=False)
            yield Static(notices["privacy"], classes="notice privacy", markup=False)
            yield Static(HOW, id="how", markup=False)
        yield Static(welcome.question.text(None), id="first-question", classes="question",
                     markup=False)
        yield AnswerArea(id="answer")
        yield KeysFooter()

    def on_mount(self) -> None:
        question = self.app.welcome.question
        self.area.show(question, question.options)  # type: ignore[arg-type]

    def action_not_sure(self) -> None:
        self.when_ready(self._chosen, ["unsure"])

    def answered(self, qid: str, reply: Reply) -> None:
        self.app.begin_chat()
