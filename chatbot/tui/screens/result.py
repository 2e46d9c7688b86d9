"""The result: triage first (words and colour, red flags named), then the type and the rest.

Order follows the medical-safety rule of ``chatbot.engine.reports.markdown``: what to do
and how soon comes before what the deposits may be.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Markdown, Static

from ...engine.medicine.assessment import Assessment
from ...engine.medicine.content import Content, Term
from ...engine.reports.markdown import (
    CERTAINTY_WORDS,
    advice_markdown,
    explanation_markdown,
    lab_rows,
    source_keys,
    type_title,
)
from ..widgets.footer import KeysFooter
from ..widgets.rangebar import RangeBar, title
from ..widgets.triage import TriageBanner
from ..wording import say

if TYPE_CHECKING:
    from ..host import ChatHost


def glossary_terms(text: str, content: Content) -> list[Term]:
    """The glossary terms (or their aliases) that appear in ``text``, in glossary order."""
    found = []
    lower = text.lower()
    for term in content.glossary.values():
        for word in (term.term, *term.aliases):
            if re.search(r"\b" + re.escape(word.lower()) + r"\b", lower):
                found.append(term)
                break
    return found


class ResultScreen(Screen[str]):
    """Dismisses with ``"change:QID"`` or ``"restart"``."""

    app: ChatHost
    CSS_PATH: ClassVar = ["../global.tcss", "../result.tcss"]
    BINDINGS: ClassVar = [
        Binding("f1", "app.help", "Help"),
        # c, s and v are written on the buttons above the footer, which keeps it to one line
        Binding("c", "change", "Change an answer", show=False),
        Binding("s", "restart", "Start over", show=False),
        Binding("g", "words", "Explain a word"),
        Binding("v", "save_summary", "Save summary", show=False),
    ]

    def __init__(self, assessment: Assessment) -> None:
        super().__init__()
        self.assessment = assessment

    def compose(self) -> ComposeResult:
        a = self.assessment
        content: Content = self.app.engine.content
        who = a.respondent
        yield Header()
        with VerticalScroll(id="result-body"):
            yield Static(say("result_title", who) + " (information, not a diagnosis)",
                         classes="title", markup=False)
            yield Static(say("triage_heading", who), classes="heading first", markup=False)
            yield TriageBanner(a.triage, content.levels[a.triage], id="triage")
            if a.red_flags:
                yield Static(say("flags_heading", who), classes="heading", markup=False)
                for flag in a.red_flags:
                    text = content.red_flags.get(flag.code)
                    line = Text.assemble(("▲ ", "bold"))
                    line.append(text.title if text else flag.code, style="bold")
                    line.append(f" ({flag.level}): {flag.reason}")
                    yield Static(line, classes="red-flag", markup=False)
            yield from self._type(a, content)
            explanation = explanation_markdown(a, content)
            if explanation:
                yield Static(say("about_heading", who), classes="heading", markup=False)
                yield Markdown(explanation, classes="explanation", open_links=False)
            yield Static(say("advice_heading", who), classes="heading", markup=False)
            yield Markdown(advice_markdown(a, content), classes="advice", open_links=False)
            yield from self._labs(a)
            terms = glossary_terms(self._all_text(a, content), content)
            if terms:
                yield Static(say("words_heading", who), classes="heading", markup=False)
                with Horizontal(id="words"):
                    for term in terms:
                        yield Button(term.term, id=f"term-{term.key}", classes="term",
                                     compact=True)
            yield Static(say("sources_heading", who), classes="heading", markup=False)
            cites = [f"• {key}: {content.sources[key].cite() if key in content.sources else key}"
                     for key in source_keys(a, content)]
            yield Static("\n".join(cites), id="sources", markup=False)
            yield Static(f"This is not a diagnosis. {content.notices['not_a_diagnosis']}",
                         classes="notice not-diagnosis", markup=False)
        yield Static("", id="saved-note", markup=False)
        with Horizontal(classes="buttons"):
            yield Button("Change an answer (c)", id="change", variant="primary", compact=True,
                         action="screen.change")
            yield Button("Start over (s)", id="restart", compact=True, action="screen.restart")
            yield Button("Save summary (v)", id="save", compact=True,
                         action="screen.save_summary")
            yield Button("Quit", id="quit", compact=True, action="app.quit")
        yield KeysFooter()

    def _type(self, a: Assessment, content: Content) -> ComposeResult:
        who = a.respondent
        yield Static(say("type_heading", who), classes="heading", markup=False)
        if a.type == "none":
            yield Static(say("no_type", who) + " " + content.types["none"].summary,
                         id="type", classes="type", markup=False)
            return
        head = type_title(content, a.type)
        if a.subtype:
            head += f", {type_title(content, a.subtype).lower()}"
        line = Text.assemble((head, "bold"))
        line.append(f"\n{CERTAINTY_WORDS.get(a.certainty, '')} {a.pathway_note}".rstrip())
        yield Static(line, id="type", classes="type", markup=False)
        top = a.ranking[0]
        reasons = list(top.reasons) if a.type != "unclear" else []
        if a.subtype_reason:
            reasons.append(a.subtype_reason)
        if reasons:
            yield Static(say("reasons_heading", who), classes="subheading", markup=False)
            yield Static("\n".join(f"• {r}" for r in reasons), classes="reasons", markup=False)
        others = [c for c in a.ranking if c.type != a.type]
        if others:
            yield Static(say("others_heading", who), classes="subheading", markup=False)
            lines = []
            for cand in others:
                why = " ".join(cand.reasons) if cand.reasons else \
                    "Nothing in the answers points here."
                lines.append(f"• {type_title(content, cand.type)}: {why}")
            yield Static("\n".join(lines), classes="others", markup=False)
        if a.tests:
            yield Static(say("tests_heading", who), classes="subheading", markup=False)
            yield Static("\n".join(f"• {t}" for t in a.tests), classes="tests", markup=False)

    def _labs(self, a: Assessment) -> ComposeResult:
        yield Static(say("labs_heading", a.respondent), classes="heading", markup=False)
        rows = lab_rows(a)
        if not rows:
            yield Static(say("no_labs", a.respondent), classes="labs-none", markup=False)
        for row in rows:
            result = row["result"]
            yield Static(title(result), classes="lab-title", markup=False)
            yield RangeBar(result, id=f"lab-{result.lab}")
        if a.labs.caxp is not None:
            yield Static(f"Calcium × phosphate product: {a.labs.caxp:g} mg²/dL²"
                         + (f" ({a.labs.caxp_level})" if a.labs.caxp_level else ""),
                         classes="caxp", markup=False)
        for note in a.labs.notes:
            yield Static(f"Note: {note}", classes="lab-note", markup=False)

    def _all_text(self, a: Assessment, content: Content) -> str:
        parts = [type_title(content, a.type), type_title(content, a.subtype),
                 explanation_markdown(a, content), advice_markdown(a, content)]
        parts += [r for c in a.ranking for r in c.reasons] + list(a.tests)
        return "\n".join(p for p in parts if p)

    def on_mount(self) -> None:
        self.query_one("#result-body").focus()

    # ----- actions
    def action_change(self) -> None:
        from .change import ChangeScreen

        def done(qid: str | None) -> None:
            if qid:
                self.dismiss(f"change:{qid}")

        self.app.clear_notifications()  # a "saved to" notice would cover the list
        self.app.push_screen(ChangeScreen(self.app.session), done)

    def action_restart(self) -> None:
        """Start over, after asking: it clears the result on screen (a stray "s" typed
        here must not throw it away)."""
        from .confirm import ConfirmScreen

        recorder = self.app.recorder
        saved = recorder is not None and getattr(recorder, "saving", False)
        message = say("restart_kept" if saved else "restart_lose", self.assessment.respondent)

        def done(yes: bool | None) -> None:
            if yes:
                self.dismiss("restart")

        # "Stay" has the focus, and the "y" key does not say yes here: a stray "s" then
        # Enter, or "s…y" (such as "say"), typed on the result must not start over
        self.app.push_screen(ConfirmScreen(message, yes="Start over", no="Stay",
                                           danger=True, yes_key=False), done)

    def action_save_summary(self) -> None:
        """Write the doctor's summary as one printable page and say where it is."""
        from ...export import Summary
        from ...storage import now

        session = self.app.session
        summary = Summary(self.assessment, dict(session.answers), list(session.history),
                          now(), session.respondent, True)
        note = self.query_one("#saved-note", Static)
        self.app.clear_notifications()  # one notice at a time, however often v is pressed
        try:
            message, notice, _ = self.app.save_summary(summary)
        except OSError as exc:
            message = f"The summary could not be saved. {exc}"
            note.update(Text(message))
            note.set_class(True, "problem")
            note.display = True
            self.notify(message, severity="error", timeout=10)
            return
        note.update(Text(message))  # the whole sentence stays on the screen, above the buttons
        note.set_class(False, "problem")
        note.display = True
        self.notify(notice, timeout=5)

    def action_words(self) -> None:
        buttons = self.query(".term")
        if buttons:
            buttons.first().focus()
            buttons.first().scroll_visible()

    @on(Button.Pressed, ".term")
    def _term(self, event: Button.Pressed) -> None:
        event.stop()
        from .glossary import GlossaryScreen

        key = (event.button.id or "").removeprefix("term-")
        term = self.app.engine.content.glossary.get(key)
        if term is not None:
            self.app.push_screen(GlossaryScreen(term, self.app.engine.content))
