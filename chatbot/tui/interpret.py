"""What an answer means: options chosen or words typed, turned into an engine answer.

Plain Python (no Textual), so it is tested without a terminal. Nothing is
guessed: typed words that fit more than one option, or none, come back as a
question to ask the person, with the options that matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import contract
from ..engine.dialog.questions import Option, Question
from ..engine.medicine.labs import LabError, LabTable, LabValue, extreme_message, parse_lab_text
from .text import literal

ANSWER = "answer"    # value is ready for Session.answer_current
ASK = "ask"          # the words fit several options (or none): ask back with message
PROBLEM = "problem"  # the input cannot be used: show message under the box, keep the text
CONFIRM = "confirm"  # an extreme lab value: ask to confirm message before answering

_NUMBERS = re.compile(r"^\s*\d+(\s*[,;]\s*\d+|\s+\d+)*\s*$")
_UNSURE_WORDS = {"unsure", "not sure", "im not sure", "i am not sure", "dont know", "do not know",
                 "i dont know", "dunno", "no idea", "idk", "?"}


@dataclass(frozen=True)
class Reply:
    kind: str
    value: Any = None
    said: str = ""      # the person's own words (or the labels chosen), for the transcript
    meaning: str = ""   # what typed words were taken to mean, shown beside them
    message: str = ""   # for ASK, PROBLEM and CONFIRM
    candidates: tuple[str, ...] = ()  # for ASK: the codes the words could mean

    @property
    def ok(self) -> bool:
        return self.kind == ANSWER


Matcher = Callable[[Question, Sequence[Option], str], Any]


def load_matcher(root: Any = None) -> Matcher | None:
    """The engine's word matcher (typos, synonyms), or ``None`` when it is not available."""
    try:
        from ..engine.reading.matching import load_synonyms, match_answer
        from ..engine.resources import dialogs_dir
    except ImportError:
        return None
    path = dialogs_dir(root) / "synonyms.yaml"
    synonyms = load_synonyms(path)
    return lambda question, options, text: match_answer(question, options, text, synonyms)


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
            return Reply(PROBLEM, message="Tick at least one answer (Space ticks), or choose "
                                          f"\"{question.unsure_label}\".")
        return Reply(PROBLEM, message="Please choose one of the answers.")
    if question.kind == contract.MANY:
        for alone in (contract.NONE, contract.UNSURE):
            if alone in codes and len(codes) > 1:
                codes = [c for c in codes if c != alone]
    value = _one_or_many(question, codes)
    return Reply(ANSWER, value, said_for(question, value))


def typed(question: Question, options: Sequence[Option], text: str, *,
          labs: LabTable, matcher: Matcher | None) -> Reply:
    """Words typed into the answer box."""
    shown = literal(text)
    if not shown:
        if question.kind == contract.LAB:
            return Reply(PROBLEM, message="Please type the value with its unit, or choose an "
                                          "answer above.")
        return Reply(PROBLEM, message="Please choose an answer above, or type one.")
    if question.kind == contract.LAB:
        # a lone option number, as on screen (0 "I don't know", 2 "It was normal"), as in
        # plain mode; any other number is a value, whose unit is asked for
        if re.fullmatch(r"\d", shown) and int(shown) <= len(options):
            return _by_number(question, options, shown)  # type: ignore[return-value]
        return _lab(question, shown, labs)
    numbered = _by_number(question, options, shown)
    if numbered is not None:
        return numbered
    key = re.sub(r"[^a-z? ]", "", shown.lower().replace("'", "")).strip()
    if key in _UNSURE_WORDS:
        value = _one_or_many(question, [contract.UNSURE])
        return Reply(ANSWER, value, shown, said_for(question, value))
    direct = _exact(question, options, shown)
    if direct is not None:
        return direct
    if matcher is None:
        return Reply(ASK, said=shown, message=f"I did not understand \"{shown}\". Please choose "
                                              "one of the answers, or type its number.")
    match = matcher(question, options, shown)
    if not match.ok:
        return Reply(ASK, said=shown, message=match.message,
                     candidates=tuple(match.ambiguous))
    codes = list(match.codes)
    if question.kind == contract.ONE and len(codes) > 1:
        labels = " or ".join(f"\"{label_of(question, c)}\"" for c in codes)
        return Reply(ASK, said=shown, message=f"Please choose just one: {labels}?",
                     candidates=tuple(codes))
    reply = chosen(question, codes)
    return Reply(ANSWER, reply.value, shown, reply.said) if reply.ok else reply


def _by_number(question: Question, options: Sequence[Option], text: str) -> Reply | None:
    """Option numbers as shown on screen (0 is "I'm not sure")."""
    if not _NUMBERS.match(text):
        return None
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if question.id == "age_group" and numbers != [0]:
        return None  # "1" may be a choice or an age: the matcher asks back
    if any(n > len(options) for n in numbers):
        return Reply(PROBLEM, message=f"Please use a number from 1 to {len(options)}, or 0 for "
                                      f"\"{question.unsure_label}\".")
    if question.kind == contract.ONE and len(numbers) > 1:
        return Reply(PROBLEM, message="Please choose just one answer.")
    codes = [contract.UNSURE if n == 0 else options[n - 1].code for n in numbers]
    reply = chosen(question, codes)
    return Reply(ANSWER, reply.value, text, reply.said) if reply.ok else reply


def _exact(question: Question, options: Sequence[Option], text: str) -> Reply | None:
    """Codes or whole labels, exactly (any case), separated by commas for many-questions."""
    parts = [p.strip().lower() for p in re.split(r"[,;]", text) if p.strip()]
    lookup = {o.code.lower(): o.code for o in options}
    lookup.update({o.label.lower(): o.code for o in options})
    lookup[question.unsure_label.lower()] = contract.UNSURE
    if not parts or any(p not in lookup for p in parts):
        return None
    codes = [lookup[p] for p in parts]
    if question.kind == contract.ONE and len(codes) > 1:
        return None
    reply = chosen(question, codes)
    return Reply(ANSWER, reply.value, text, reply.said) if reply.ok else reply


def _lab(question: Question, text: str, labs: LabTable) -> Reply:
    try:
        value = parse_lab_text(question.id, text, labs)
    except LabError as exc:
        return Reply(PROBLEM, said=text, message=exc.message)
    if isinstance(value, LabValue):
        confirm = extreme_message(value, labs)
        kind = CONFIRM if confirm else ANSWER
        return Reply(kind, value, text, value.entered(), confirm or "")
    return Reply(ANSWER, value, text, said_for(question, value))
