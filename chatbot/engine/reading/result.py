"""What a typed answer was read as: :class:`Reading`, and what its helpers need of
the reader (:class:`ReaderLike`), kept apart so that the modules reading numbers,
doses and lab text do not import the reader itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from chatbot.engine import contract
from chatbot.engine.medicine.labs import LabTable
from chatbot.engine.reading.lexicon import Lexicon


@dataclass(frozen=True)
class Reading:
    """What a typed answer means for one question."""

    question: str
    text: str  # what was typed, made safe to show
    answer: Any = None  # code, tuple of codes, LabValue, {value, unit}, text
    also: Mapping[str, Any] = field(default_factory=dict)  # {"age": {"value", "unit"}}
    ask: str | None = None  # the question to ask back (answer is then None)
    understood: str = ""  # a short sentence: what was understood
    candidates: tuple[str, ...] = ()  # options offered in the ask-back, in order
    kept: tuple[str, ...] = ()  # many-question codes understood so far
    pending: str = ""  # text to read again with the reply (a number
    #                                        waiting for its unit, a dose to find)
    confirm: str | None = None  # a far-from-normal lab value: confirm first
    said: str = ""  # the answer in words ("A little", "62 years old")

    @property
    def ok(self) -> bool:
        return self.answer is not None and self.ask is None

    def answer_data(self) -> Any:
        """The answer in the form of an answers file (a code, a list, ``{value, unit}``;
        "not sure" stays bare for a many-question)."""
        if self.answer == (contract.UNSURE,):
            return contract.UNSURE
        return _data(self.answer)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "text": self.text,
            "answer": self.answer_data() if self.ok else None,
            "ask": self.ask,
            "understood": self.understood,
        }
        if self.also and self.ok:
            out["also"] = {k: _data(v) for k, v in self.also.items()}
        if self.confirm:
            out["confirm"] = self.confirm
        return out


def _data(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "base_value") and hasattr(value, "unit"):  # a LabValue
        number = value.value
        return {"value": int(number) if number == int(number) else number, "unit": value.unit}
    return value


class ReaderLike(Protocol):
    """The reader as the helper modules use it (see chatbot/engine/reading/reader.py)."""

    lex: Lexicon
    labs: LabTable

    def table(self, question: Any, offered: Sequence[Any]) -> Any: ...

    def scan(self, table: Any, words: Sequence[str]) -> tuple[list[Any], dict[int, Any]]: ...

    def _ask(
        self,
        table: Any,
        shown: str,
        message: str,
        candidates: Iterable[str] = (),
        kept: Sequence[str] = (),
        understood: str = "",
        pending: str = "",
    ) -> Reading: ...

    def _done(
        self,
        table: Any,
        shown: str,
        codes: Sequence[str],
        also: Mapping[str, Any] | None = None,
        note: str = "",
    ) -> Reading: ...

    def _words(
        self,
        table: Any,
        shown: str,
        words: list[str],
        extra: Sequence[str] = (),
        used: frozenset[int] = frozenset(),
        also: Mapping[str, Any] | None = None,
        denied: bool = False,
    ) -> Reading: ...
