"""The "just to be safe" screen: what to do now, before the person may go on."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from ...engine.medicine.assessment import AssessedFacts, Assessment
from ..widgets.footer import KeysFooter
from ..widgets.triage import TriageBanner
from ..wording import say

if TYPE_CHECKING:
    from ..host import ChatHost


class WarningScreen(Screen[None]):
    """A full screen (not a pop-up): the level, the signs named, what to do and what to say."""

    app: ChatHost
    CSS_PATH: ClassVar = ["../global.tcss", "../result.tcss"]
    BINDINGS: ClassVar = [
        Binding("f1", "app.help", "Help"),
        # the buttons keep the focus; these keys scroll the text above them
        Binding("up", "scroll('up')", "Scroll up", show=False),
        Binding("down", "scroll('down')", "Scroll down", show=False),
        Binding("pageup", "scroll('page_up')", "Page up", show=False),
        Binding("pagedown", "scroll('page_down')", "Page down", show=False),
        Binding("home", "scroll('home')", "Top", show=False),
        Binding("end", "scroll('end')", "End", show=False),
    ]

    def __init__(self, assessment: Assessment) -> None:
        super().__init__()
        self.assessment = assessment

    def compose(self) -> ComposeResult:
        a = self.assessment
        content = self.app.engine.content
        who = a.respondent
        advice = content.levels[a.triage]
        with VerticalScroll(id="warning-body"):
            yield Static(say("warning_title", who), classes="title", markup=False)
            yield TriageBanner(a.triage, advice, id="warning-level")
            yield Static(say("warning_flags", who), classes="heading", markup=False)
            for flag in a.red_flags:
                text = content.red_flags.get(flag.code)
                line = Text.assemble(("▲ ", "bold"))
                line.append(text.title if text else flag.reason, style="bold")
                if text:
                    line.append(f": {text.text}")
                yield Static(line, classes="red-flag", markup=False)
            yield Static(say("warning_do", who), classes="heading", markup=False)
            facts = AssessedFacts(a)
            for fact in advice.do_now:
                if fact.applies(facts):
                    yield Static(f"• {fact.text}", classes="do-now", markup=False)
            if a.call_words:
                yield Static(say("warning_call", who), classes="heading", markup=False)
                yield Static(a.call_words, classes="call-words", markup=False)
            yield Static(content.notices["emergency"], classes="notice emergency", markup=False)
        yield Static(say("warning_keys", who), classes="hint", markup=False)
        with Horizontal(classes="buttons"):
            yield Button(say("warning_go_on", who), id="go-on", variant="primary", compact=True)
            yield Button("Quit", id="quit", compact=True, action="app.quit")
        yield KeysFooter()

    def on_mount(self) -> None:
        # The text has the focus, not the button: an Enter typed just before the screen
        # opened (to send the answer) must not close it unread.
        self.query_one("#warning-body", VerticalScroll).focus()

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#warning-body", VerticalScroll)
        getattr(body, f"scroll_{where}")(animate=False)

    @on(Button.Pressed, "#go-on")
    def _go_on(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
