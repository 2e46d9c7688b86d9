"""The result, action first: what to do and how soon, the words to say when calling,
then the likely type, the strongest reasons, the cautions and what to do if things get
worse; everything else under "More detail", collapsed until opened.

The same parts, in the same order, as the Markdown report and plain mode
(``chatbot.engine.reports.markdown``). The screen scrolls, and says how.
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
from textual.widget import Widget
from textual.widgets import Button, Collapsible, Header, Markdown, Static

from ...engine.medicine.assessment import Assessment
from ...engine.medicine.content import Content, Term
from ...engine.reports.markdown import (
    MAX_REASONS,
    caution_texts,
    deciding_tests,
    detail_markdown,
    explanation_markdown,
    flag_lines,
    if_worse,
    lab_rows,
    top_reasons,
    type_heading,
    type_sentences,
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
        Binding("m", "more", "More detail"),
        Binding("g", "words", "Explain a word"),
        Binding("v", "save_summary", "Save summary", show=False),
    ]

    def __init__(self, assessment: Assessment) -> None:
        super().__init__()
        self.assessment = assessment
        self._filled = False  # "More detail" gets its widgets when first opened

    def compose(self) -> ComposeResult:
        a = self.assessment
        content: Content = self.app.engine.content
        who = a.respondent
        yield Header()
        yield Static(say("result_scroll", who), id="scroll-hint", markup=False)
        with VerticalScroll(id="result-body"):
            # what to do, and how soon: first
            yield TriageBanner(a.triage, content.levels[a.triage], id="triage")
            if a.call_words:
                yield Static(say("call_heading", who), classes="heading", markup=False)
                yield Static(a.call_words, classes="call-words", markup=False)
            titles = [t for t, _reason in flag_lines(a, content)]
            if titles:
                line = Text.assemble((say("flags_heading", who) + ": ", "bold"))
                line.append("; ".join(titles) + ".")
                yield Static(line, classes="red-flag", markup=False)
            yield from self._type(a, content)
            cautions = caution_texts(a)
            if cautions:
                yield Static(say("cautions_heading", who), classes="subheading", markup=False)
                yield Static(
                    "\n".join(f"• {c}" for c in cautions), classes="cautions", markup=False
                )
            worse = if_worse(a, content)
            if worse:
                yield Static(say("worse_heading", who), classes="subheading", markup=False)
                yield Static("\n".join(f"• {f.text}" for f in worse), classes="worse", markup=False)
            yield Static("This is not a diagnosis.", classes="notice not-diagnosis", markup=False)
            # filled when first opened (_fill_more): the detail is hundreds of widgets
            # (Markdown makes one per block), which would make the result slow to appear
            yield Collapsible(title=say("more_title", who), collapsed=True, id="more")
        yield Static("", id="saved-note", markup=False)
        with Horizontal(classes="buttons"):
            yield Button(
                "Change an answer (c)",
                id="change",
                variant="primary",
                compact=True,
                action="screen.change",
            )
            yield Button("Start over (s)", id="restart", compact=True, action="screen.restart")
            yield Button("Save summary (v)", id="save", compact=True, action="screen.save_summary")
            yield Button("Quit", id="quit", compact=True, action="app.quit")
        yield KeysFooter()

    def _type(self, a: Assessment, content: Content) -> ComposeResult:
        who = a.respondent
        yield Static(say("type_heading", who), classes="heading", markup=False)
        if a.type == "none":
            yield Static(
                say("no_type", who) + " " + type_sentences(a, content),
                id="type",
                classes="type",
                markup=False,
            )
            return
        line = Text.assemble((type_heading(content, a), "bold"))
        line.append(f"\n{type_sentences(a, content)}")
        yield Static(line, id="type", classes="type", markup=False)
        reasons = top_reasons(a)
        if reasons:
            yield Static(say("reasons_heading", who), classes="subheading", markup=False)
            yield Static("\n".join(f"• {r}" for r in reasons), classes="reasons", markup=False)
        tests = deciding_tests(a)[:MAX_REASONS]
        if tests:
            yield Static(say("tests_heading", who), classes="subheading", markup=False)
            yield Static("\n".join(f"• {t}" for t in tests), classes="tests", markup=False)

    def _detail(self) -> list[Widget]:
        """What "More detail" holds: the long explanation, the lab values on their range
        bars and the words that can be explained."""
        a = self.assessment
        content: Content = self.app.engine.content
        widgets: list[Widget] = [
            Markdown(detail_markdown(a, content), classes="detail", open_links=False),
            *self._labs(a),
        ]
        terms = glossary_terms(self._all_text(a, content), content)
        if terms:
            widgets.append(
                Static(say("words_heading", a.respondent), classes="heading", markup=False)
            )
            widgets.append(
                Horizontal(
                    *(
                        Button(term.term, id=f"term-{term.key}", classes="term", compact=True)
                        for term in terms
                    ),
                    id="words",
                )
            )
        return widgets

    async def _fill_more(self) -> None:
        """Put the detail into "More detail", once (it opens empty until then)."""
        if self._filled:
            return
        self._filled = True
        more = self.query_one("#more", Collapsible)
        await more.query_one(Collapsible.Contents).mount_all(self._detail())

    @on(Collapsible.Expanded, "#more")
    async def _opened(self) -> None:
        await self._fill_more()

    def _labs(self, a: Assessment) -> ComposeResult:
        rows = lab_rows(a)
        if not rows:
            return  # "No lab values were given" is said in the detail above
        yield Static(say("labs_heading", a.respondent), classes="heading", markup=False)
        for row in rows:
            result = row["result"]
            yield Static(title(result), classes="lab-title", markup=False)
            yield RangeBar(result, id=f"lab-{result.lab}")

    def _all_text(self, a: Assessment, content: Content) -> str:
        return "\n".join(
            [
                type_heading(content, a),
                explanation_markdown(a, content),
                detail_markdown(a, content),
            ]
        )

    def on_mount(self) -> None:
        self.query_one("#result-body").focus()

    async def action_more(self) -> None:
        """Open (or close) "More detail" and bring it into view."""
        more = self.query_one("#more", Collapsible)
        await self._fill_more()
        more.collapsed = not more.collapsed
        if not more.collapsed:
            self.call_after_refresh(more.scroll_visible, top=True)

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
        self.app.push_screen(
            ConfirmScreen(message, yes="Start over", no="Stay", danger=True, yes_key=False), done
        )

    def action_save_summary(self) -> None:
        """Write the doctor's summary as one printable page and say where it is."""
        from ...export import Summary
        from ...storage import now

        session = self.app.session
        summary = Summary(
            self.assessment,
            dict(session.answers),
            list(session.history),
            now(),
            session.respondent,
            True,
        )
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

    async def action_words(self) -> None:
        await self._fill_more()
        buttons = self.query(".term")
        if buttons:
            self.query_one("#more", Collapsible).collapsed = False  # the words are in there
            first = buttons.first()
            self.call_after_refresh(first.focus)
            self.call_after_refresh(first.scroll_visible)

    @on(Button.Pressed, ".term")
    def _term(self, event: Button.Pressed) -> None:
        event.stop()
        from .glossary import GlossaryScreen

        key = (event.button.id or "").removeprefix("term-")
        term = self.app.engine.content.glossary.get(key)
        if term is not None:
            self.app.push_screen(GlossaryScreen(term, self.app.engine.content))
