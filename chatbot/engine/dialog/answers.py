"""Checking answers against the contract and putting them in one form.

* a one-question's answer is a code (``str``);
* a many-question's answer is a tuple of codes, in the order given, without
  repeats; ``none`` stands alone;
* a lab answer is a :class:`~chatbot.engine.medicine.labs.LabValue` or a status code.

Anything else raises :class:`AnswerError`, whose message names the id, the bad
value and what is allowed. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatbot.engine import contract
from chatbot.engine.medicine.labs import LabError, LabTable, LabValue, lab_from_answer

Answer = str | tuple[str, ...] | LabValue


@dataclass(frozen=True)
class Ignored:
    """An answer that was given but not used (the dialog did not ask it)."""

    id: str
    reason: str
    value: Any = None


class AnswerError(ValueError):
    """An answer the contract does not allow."""

    def __init__(self, qid: str, message: str, bad: Any = None, allowed: tuple[str, ...] = ()):
        super().__init__(message)
        self.qid = qid
        self.bad = bad
        self.allowed = allowed
        self.message = message


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return repr(value)
    return type(value).__name__


def _one_code(qid: str, value: Any) -> str:
    allowed = contract.codes_for(qid)
    if isinstance(value, bool):  # YAML 1.1 reads unquoted yes/no as booleans
        value = "yes" if value else "no"
    if not isinstance(value, str) or value not in allowed:
        raise AnswerError(qid, f"{qid}: {_show(value)} is not an allowed answer; "
                               f"allowed: {', '.join(allowed)}", value, allowed)
    return value


def normalize(qid: str, value: Any, labs: LabTable) -> Answer:
    """Check one answer against the contract and return it in its one form."""
    if qid not in contract.QUESTIONS:
        raise AnswerError(qid, f"{_show(qid)} is not a question id; known ids: "
                               f"{', '.join(contract.QUESTIONS)}", qid, tuple(contract.QUESTIONS))
    kind, _codes = contract.QUESTIONS[qid]
    if value is None:
        return (contract.UNSURE,) if kind == contract.MANY else contract.UNSURE
    if kind == contract.ONE:
        return _one_code(qid, value)
    if kind == contract.MANY:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not items:
            got = "an empty list" if isinstance(items, (list, tuple)) else _show(value)
            raise AnswerError(qid, f"{qid}: expected a list of one or more codes, got {got}; "
                                   f"allowed: {', '.join(contract.codes_for(qid))}",
                              value, contract.codes_for(qid))
        codes: list[str] = []
        for item in items:
            code = _one_code(qid, item)
            if code not in codes:
                codes.append(code)
        for alone in (contract.NONE, contract.UNSURE):
            if alone in codes and len(codes) > 1:
                raise AnswerError(qid, f"{qid}: {alone!r} cannot be combined with other codes "
                                       f"(got {', '.join(codes)})", alone,
                                  contract.codes_for(qid))
        return tuple(codes)
    # lab
    if isinstance(value, LabValue):
        return value
    try:
        return lab_from_answer(qid, value, labs)
    except LabError as exc:
        allowed = contract.LAB_UNITS[qid] + contract.QUESTIONS[qid][1] + (contract.UNSURE,)
        raise AnswerError(qid, f"{qid}: {exc.message}", value, allowed) from exc


def validate_all(raw: Mapping[str, Any], labs: LabTable) -> dict[str, Answer]:
    """Normalise every entry of an answers file, failing on the first bad one."""
    if not isinstance(raw, Mapping):
        raise AnswerError("", "an answers file must be a mapping of question ids to answers")
    out: dict[str, Answer] = {}
    for qid, value in raw.items():
        out[str(qid)] = normalize(str(qid), value, labs)
    return out


def to_plain(value: Answer) -> Any:
    """An answer as JSON/YAML-ready data, in the form of an answers file."""
    if isinstance(value, LabValue):
        return {"value": value.value, "unit": value.unit}
    if isinstance(value, tuple):
        return list(value)
    return value
