"""What an answer means: options chosen or words typed, turned into an engine answer.

Plain Python (no Textual), so it is tested without a terminal. Nothing is
guessed: typed words that fit more than one option, or none, come back as a
question to ask the person, with the options that matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine import contract
from ..engine.dialog.questions import Option, Question
from ..engine.medicine.labs import LabTable, LabValue
from .text import literal

ANSWER = "answer"  # value is ready for Session.answer_current
ASK = "ask"  # the words fit several options (or none): ask back with message
PROBLEM = "problem"  # the input cannot be used: show message under the box, keep the text
CONFIRM = "confirm"  # an extreme lab value: ask to confirm message before answering


@dataclass(frozen=True)
class Reply:
    kind: str
    value: Any = None
    said: str = ""  # the person's own words (or the labels chosen), for the transcript
    meaning: str = ""  # what typed words were taken to mean, shown beside them
    message: str = ""  # for ASK, PROBLEM and CONFIRM
    candidates: tuple[str, ...] = ()  # for ASK: the codes the words could mean
    also: dict[str, Any] = field(default_factory=dict)  # answers recorded with it (age)
    reading: Any = None  # the engine's Reading of typed words (kept to read a reply to ASK)

    @property
    def ok(self) -> bool:
        return self.kind == ANSWER


Matcher = Any  # the engine's reader (chatbot.engine.reading.reader.Reader)


def load_matcher(root: Any = None) -> Matcher:
    """The engine's reader of typed answers (one for every front end)."""
    from ..engine.loading import default_engine, load_engine
    from ..engine.reading.reader import reader_for

    return reader_for(default_engine() if root is None else load_engine(root))


def label_of(question: Question, code: str) -> str:
    return question.label_of(code)


def said_for(question: Question, value: Any) -> str:
    """An answer in words: option labels, or a lab value as entered."""
    if isinstance(value, LabValue):
        return value.entered()
    if isinstance(value, (tuple, list)):
        return "; ".join(label_of(question, c) for c in value)
    return label_of(question, str(value))


def _one_or_many(question: Question, codes: Sequence[str]) -> Any:
    return list(codes) if question.kind == contract.MANY else codes[0]


def chosen(question: Question, codes: Sequence[str]) -> Reply:
    """Options picked from the list (or the body map)."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        if question.kind == contract.MANY:
            return Reply(
                PROBLEM,
                message="Tick at least one answer (Space ticks), or choose "
                f'"{question.unsure_label}".',
            )
        return Reply(PROBLEM, message="Please choose one of the answers.")
    if question.kind == contract.MANY:
        for alone in (contract.NONE, contract.UNSURE):
            if alone in codes and len(codes) > 1:
                codes = [c for c in codes if c != alone]
    value = _one_or_many(question, codes)
    return Reply(ANSWER, value, said_for(question, value))


def typed(
    question: Question,
    options: Sequence[Option],
    text: str,
    *,
    labs: LabTable | None = None,
    matcher: Matcher | None = None,
    given: Any = None,
    after: Any = None,
) -> Reply:
    """Words typed into the answer box, read by the engine's reader (the same reading as
    plain mode and ``calcinosis parse``); ``after``: the reading asked back last."""
    shown = literal(text)
    if not shown:
        if question.kind == contract.LAB:
            return Reply(
                PROBLEM, message="Please type the value with its unit, or choose an answer above."
            )
        return Reply(PROBLEM, message="Please choose an answer above, or type one.")
    reader = matcher if matcher is not None else load_matcher()
    reading = reader.read(question, shown, given or {}, offered=options, after=after, numbered=True)
    return from_reading(question, reading)


def from_reading(question: Question, reading: Any) -> Reply:
    """The reply for a :class:`~chatbot.engine.reading.reader.Reading`: exactly its answer."""
    shown = reading.text
    if not reading.ok:
        # a lab value stays in the box to be corrected (the unit typed on completes it)
        kind = PROBLEM if question.kind == contract.LAB else ASK
        return Reply(
            kind,
            said=shown,
            message=reading.ask or "",
            candidates=reading.candidates,
            reading=reading,
        )
    value = reading.answer
    if isinstance(value, tuple):
        value = list(value)
    meaning = reading.said or said_for(question, value)
    if isinstance(value, LabValue) and reading.confirm:
        return Reply(CONFIRM, value, shown, value.entered(), reading.confirm, reading=reading)
    return Reply(ANSWER, value, shown, meaning, also=dict(reading.also), reading=reading)
