"""The welcome: what this is and is not, how to move around, and the first question."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from ..host import OpenChat, OpenHistory
from ..widgets.answer import AnswerArea
from ..widgets.footer import KeysFooter
from ..widgets.paragraphs import Paragraph, Paragraphs
from .base import AnsweringScreen

if TYPE_CHECKING:
    from ..interpret import Reply

INTRO = (
    "Welcome. This guide asks about hard lumps, bumps or chalky spots in or under the "
    "skin, one question at a time, then explains what the answers suggest and how soon "
    "to see a doctor."
)
# one line at 80 columns: with the notices and the text box, the whole welcome fits at
# 80x24 (it scrolls when the window is smaller)
HOW = "Use ↑ ↓ and Enter, a number, a click, or type; the keys work at any time."


class WelcomeScreen(AnsweringScreen):
    """The first screen; answering its question opens the chat."""

    BINDINGS: ClassVar = [
        Binding("f1", "app.help", "Help"),
        Binding("f3", "not_sure", "Not sure"),
        Binding("f5", "history", "History"),
    ]

    AUTO_FOCUS = "#choices"

    def compose(self) -> ComposeResult:
        welcome = self.app.welcome
        notices = welcome.notices
        question = welcome.question
        yield Header()
        yield Paragraphs(
            [
                Paragraph(INTRO),
                Paragraph(notices["emergency"], "emergency", "▲ In an emergency: "),
                Paragraph(
                    notices["not_a_diagnosis"],
                    "notice",
                    "Information, not a diagnosis: ",
                    gap=False,
                ),
                Paragraph(notices["privacy"], "notice", "Privacy: ", gap=False),
                Paragraph(HOW, "muted"),
            ],
            id="welcome-body",
        )
        yield Static(question.text(None), id="first-question", classes="question", markup=False)
        # the light question has the attributes AnswerArea reads (id, kind, text, options)
        yield AnswerArea(
            cast(Any, question),
            cast(Any, question.options),
            body_map=False,
            text_box_later=True,  # Textual's Input once the screen is drawn
            id="answer",
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        # explicitly, not only by AUTO_FOCUS: a browser page (calcinosis serve) may start
        # without focus, and then Textual skips the automatic focus
        self.area.focus_answer()
        self.call_after_refresh(self.area.add_text_box)

    def reset(self) -> None:
        """Shown again after "start over": the first question, nothing chosen."""
        question = self.app.welcome.question
        self.area.show(question, question.options)  # type: ignore[arg-type]

    def action_not_sure(self) -> None:
        self.when_ready(self._chosen, ["unsure"])

    def action_history(self) -> None:
        """The saved sessions (once the engine has loaded, a moment after this screen)."""
        if not self.app.ready:
            self.notify(
                "One moment: the guide is still getting ready. Press F5 again in a second.",
                timeout=4,
            )
            return
        self.post_message(OpenHistory())

    def answered(self, qid: str, reply: Reply) -> None:
        self.post_message(OpenChat())
