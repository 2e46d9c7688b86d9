"""What the welcome and chat screens share: turning an answer area's messages into answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.screen import Screen

from ..widgets.answer import AnswerArea

if TYPE_CHECKING:
    from ...engine.dialog.session import Session
    from ..host import ChatHost
    from ..interpret import Reply


class AnsweringScreen(Screen):
    """A screen with an :class:`AnswerArea` for the session's current question."""

    app: ChatHost
    _pending: tuple[Callable[[Any], None], Any] | None = None

    @property
    def session(self) -> Session:
        return self.app.session

    @property
    def area(self) -> AnswerArea:
        return self.query_one(AnswerArea)

    # ----- messages from the answer area
    @on(AnswerArea.Chosen)
    def _on_chosen(self, event: AnswerArea.Chosen) -> None:
        event.stop()
        if not self._stale(event.qid):
            self.when_ready(self._chosen, event.codes)

    @on(AnswerArea.Typed)
    def _on_typed(self, event: AnswerArea.Typed) -> None:
        event.stop()
        if not self._stale(event.qid):
            self.when_ready(self._typed, event.text)

    def _stale(self, qid: str | None) -> bool:
        """An answer made for a question that is no longer the current one (a key pressed
        while the previous answer was being taken): dropped, never applied to the next."""
        if qid is None or not self.app.ready:
            return False
        current = self.session.current
        return current is None or current.id != qid

    def when_ready(self, step: Callable[[Any], None], value: Any) -> None:
        """Run ``step(value)`` now, or as soon as the engine has loaded (a moment after the
        first screen is drawn)."""
        if self.app.ready:
            step(value)
        else:
            self._pending = (step, value)

    def engine_ready(self) -> None:
        pending = getattr(self, "_pending", None)
        self._pending = None
        if pending is not None:
            pending[0](pending[1])

    def _chosen(self, codes: list[str]) -> None:
        from .. import interpret

        question = self.session.current
        if question is not None:
            self.handle(interpret.chosen(question, codes))

    def _typed(self, text: str) -> None:
        from .. import interpret

        question = self.session.current
        if question is not None:
            asked = getattr(self, "_asked", None)  # the reading asked back last, if here
            after = asked if asked is not None and asked.question == question.id else None
            self.handle(
                interpret.typed(
                    question,
                    self.session.options(question),
                    text,
                    labs=self.app.engine.labs,
                    matcher=self.app.matcher,
                    given=self.session.answers,
                    after=after,
                )
            )

    def handle(self, reply: Reply) -> None:
        from .. import interpret

        self._asked = reply.reading if reply.kind == interpret.ASK else None
        if reply.kind == interpret.ANSWER:
            self.accept(reply)
        elif reply.kind == interpret.CONFIRM:
            self.confirm(reply)
        elif reply.kind == interpret.ASK:
            self.ask_back(reply)
        else:
            self.area.problem(reply.message)

    def confirm(self, reply: Reply) -> None:
        from .confirm import ConfirmScreen

        def done(keep: bool | None) -> None:
            if keep:
                self.accept(reply)
            else:
                self.area.problem("Not kept. Please check the value and type it again.")
                self.area.focus_answer()

        self.app.push_screen(
            ConfirmScreen(
                reply.message, yes=f"Yes, {reply.meaning} is right", no="No, let me change it"
            ),
            done,
        )

    def accept(self, reply: Reply) -> None:
        from ...engine.dialog.answers import AnswerError

        question = self.session.current
        if question is None:
            return
        try:
            self.session.answer_current(reply.value, also=reply.also or None)
        except AnswerError as exc:
            self.area.problem(exc.message)
            return
        self.app.saved()
        self.answered(question.id, reply)

    # ----- for the screens to fill in
    def answered(self, qid: str, reply: Reply) -> None:
        raise NotImplementedError

    def ask_back(self, reply: Reply) -> None:
        self.area.problem(reply.message)
