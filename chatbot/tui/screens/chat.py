"""The conversation: a transcript of questions and answers, and the answer area under it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Header, Input

from ...engine import contract
from .. import interpret
from ..host import ShowResult, ShowWarning
from ..interpret import Reply, said_for
from ..widgets.answer import AnswerArea
from ..widgets.footer import KeysFooter
from ..widgets.messages import Transcript
from ..widgets.progress import ProgressLine
from ..wording import say
from .base import AnsweringScreen

if TYPE_CHECKING:
    from threading import Thread


def _keep_memory() -> None:
    """The chat's widgets live as long as the chat: moved out of the garbage collector's
    way, so that a collection during an answer is short (an answer should be drawn within
    a frame). Only a freeze, which costs next to nothing: the full collection was done
    while the welcome was read (``app._settle_memory``), not before the first question is
    drawn here."""
    import gc

    gc.freeze()


class ChatScreen(AnsweringScreen):
    """Questions and answers as chat messages; always at hand: not sure, back, why, help, quit."""

    CSS_PATH: ClassVar = "../chat.tcss"
    AUTO_FOCUS = "#choices"
    # Textual redraws the whole screen when the focus moves (the list to the text box at
    # a lab question, and back): 5-10 ms more for that answer. The widgets whose look
    # depends on the focus restyle and redraw themselves; nothing else needs drawing
    # (tests/tui/test_what_the_terminal_shows.py compares the terminal with a full redraw).
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    BINDINGS: ClassVar = [
        Binding("f1", "app.help", "Help"),
        Binding("f2", "why", "Why?"),
        Binding("f3", "not_sure", "Not sure"),
        Binding("f4", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.carry: dict[str, Any] = {}  # answers to keep after changing an earlier one
        self.taken_back: dict[str, Any] = {}  # answers taken back, until answered again
        self.announced: set[str] = set()  # red flags already said on the warning screen
        self._ahead: Thread | None = None  # building a reading table (_read_ahead)

    def compose(self) -> ComposeResult:
        yield Header()
        yield ProgressLine(id="progress")
        yield Transcript(id="transcript")
        yield AnswerArea(id="answer")
        yield KeysFooter()

    @property
    def transcript(self) -> Transcript:
        return self.query_one(Transcript)

    def on_mount(self) -> None:
        """Show the answers so far (from the session), then the current question."""
        s = self.session
        dialog = self.app.engine.dialog
        for qid in s.history:
            question = dialog.questions[qid]
            self.transcript.bot(question.text(s.respondent), kind="question")
            self.transcript.user(said_for(question, s.answers[qid]), qid=qid)
        self.next_step()
        if s.history:  # resumed: what had to be said at once is said again
            self.warn_if_needed()
        self.call_after_refresh(_keep_memory)

    # ----- the flow
    def next_step(self) -> None:
        """Re-apply kept answers (after a change), then ask the next question or finish."""
        s = self.session
        while self.carry and s.current is not None and s.current.id in self.carry:
            self._keep(self.carry.pop(s.current.id))
        self.carry.clear()
        self.ask()

    def ask(self) -> None:
        """Show the current question (or the result when the questions are done)."""
        s = self.session
        self.show_progress()
        if s.finished:
            self.finish()
            return
        question = s.current
        assert question is not None
        self.transcript.bot(s.text(question), kind="question")
        self.area.display = True
        self.area.show(question, s.options(question))

    @on(Input.Changed, "#typed")
    def _read_ahead(self, event: Input.Changed) -> None:
        """Words are being typed: build the reader's table for the question in the
        background (10-80 ms) while the rest is typed, so that they are read at once when
        sent. Only then: a person who answers by a key or a click never waits for a
        background thread (starting one holds the interface for 5-30 ms)."""
        s = self.session
        question = s.current
        matcher = self.app.matcher
        if not event.value or question is None or matcher is None:
            return
        if self._ahead is not None and self._ahead.is_alive():
            return  # one at a time: each letter typed meanwhile would start another
        options = s.options(question)
        if matcher.has_table(question, options):
            return
        import threading

        self._ahead = threading.Thread(
            target=matcher.table, args=(question, options), name="read ahead", daemon=True
        )
        self._ahead.start()

    def _keep(self, value: Any) -> None:
        """Re-apply an answer given before the person changed an earlier one."""
        s = self.session
        question = s.current
        assert question is not None
        try:
            s.answer_current(value)
        except Exception:  # no longer valid: ask it again instead
            self.carry.clear()
            return
        self.transcript.bot(s.text(question), kind="question")
        self._settle(question.id)
        self.transcript.user(said_for(question, s.answers[question.id]), qid=question.id, kept=True)
        self.app.saved()

    def show_progress(self) -> None:
        s = self.session
        progress = s.progress()
        sections = [sec.id for sec in self.app.engine.dialog.sections]
        part = sections.index(progress.section) + 1 if progress.section in sections else 1
        self.query_one(ProgressLine).show(progress, part, len(sections))

    def answered(self, qid: str, reply: Reply) -> None:
        self._settle(qid)
        self.transcript.user(reply.said, reply.meaning, qid=qid)
        self.area.clear_typed()
        note = self.session.unsure_note(qid)
        if note:
            self.transcript.bot(note, kind="note")
        self.next_step()
        self.warn_if_needed()

    def warn_if_needed(self) -> None:
        """A warning sign, or an answer that makes an emergency (a very high calcium,
        a high calcium with symptoms): say what to do now, before the next question."""
        assessment = self.session.news(self.announced)
        if assessment is not None:
            content = self.app.engine.content
            flags = "; ".join(
                content.red_flags[f.code].title if f.code in content.red_flags else f.reason
                for f in assessment.red_flags
                if f.interrupt
            )
            level = content.levels[assessment.triage].title
            self.transcript.bot(
                say("warning_shown", self.session.respondent).format(flags=flags, level=level),
                kind="note",
            )
            self.post_message(ShowWarning(assessment))

    def ask_back(self, reply: Reply) -> None:
        """Typed words that fit several options, or none: say so in the chat, never guess."""
        self.transcript.user(reply.said)
        self.transcript.bot(reply.message, kind="ask")
        self.area.clear_typed()
        self.area.problem("")
        self.area.highlight(reply.candidates)  # the text box keeps the focus: type again

    def finish(self) -> None:
        s = self.session
        outcome = self.app.engine.dialog.outcomes.get(s.state)
        if s.outcome == "none" and outcome is not None:
            self.transcript.bot(outcome.text, kind="end")
        else:
            self.transcript.bot(say("finished", s.respondent), kind="end")
        self.area.display = False
        self.post_message(ShowResult())

    # ----- always at hand
    def action_why(self) -> None:
        question = self.session.current
        if question is None:
            return
        self.transcript.bot(f"Why we ask: {question.why}", kind="why")

    def action_not_sure(self) -> None:
        question = self.session.current
        if question is not None:
            self.handle(interpret.chosen(question, [contract.UNSURE]))

    def action_back(self) -> None:
        s = self.session
        if not s.history:
            self.area.problem("This is the first question; there is nothing to go back to.")
            return
        self.carry.clear()
        before = s.answers.get(s.history[-1])
        self.taken_back[s.history[-1]] = before
        if not s.back():
            return
        self.app.saved()
        self._mark_changed(1)
        self.transcript.bot(say("back", s.respondent), kind="note")
        self.ask()
        if not s.finished:
            self.area.preselect(before)  # the earlier answer, to change a tick of it

    def change(self, qid: str) -> None:
        """Go back to ``qid`` (from the result) to change that answer; later answers are kept
        and re-applied where the dialog still asks them."""
        s = self.session
        if qid not in s.history:
            return
        at = s.history.index(qid)
        later = s.history[at + 1 :]
        self.carry = {q: s.answers[q] for q in later if q in s.answers}
        count = len(s.history) - at
        before = s.answers.get(qid)
        self.taken_back.update({q: s.answers.get(q) for q in s.history[at:]})
        s.back_to(qid)
        self.app.saved()
        self._mark_changed(count)
        self.transcript.bot(say("back", s.respondent), kind="note")
        if self.carry:
            self.transcript.bot(say("kept", s.respondent), kind="note")
        self.ask()
        if not s.finished:
            self.area.preselect(before)

    def _settle(self, qid: str) -> None:
        """``qid`` is answered again: "(changed)" on the answer taken back, if it differs."""
        if qid in self.taken_back:
            before = self.taken_back.pop(qid)
            self.transcript.settle(qid, self.session.answers.get(qid) != before)

    def _mark_changed(self, count: int) -> None:
        answers = self.transcript.answers()
        self.transcript.mark_changed(answers[len(answers) - count :] if count else [])
