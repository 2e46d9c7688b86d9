"""Checking answers against the contract and putting them in one form.

* a one-question's answer is a code (``str``);
* a many-question's answer is a tuple of codes, in the order given, without
  repeats; ``none`` stands alone;
* a lab answer is a :class:`~chatbot.engine.medicine.labs.LabValue` or a status code;
* the exact ``age`` is an :class:`Age` (``{value: 62, unit: years}`` in a file);
* ``notes`` is a :class:`Text`, kept exactly as typed.

Any of them may be ``unsure``. Anything else raises :class:`AnswerError`, whose
message names the id, the bad value and what is allowed. Nothing is guessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatbot.engine import contract
from chatbot.engine.medicine.labs import LabError, LabTable, LabValue, lab_from_answer


def _number_text(value: float) -> str:
    """``62`` for 62.0, ``1.5`` for 1.5: a number as a person would write it."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Age:
    """An exact age: ``value`` in ``unit`` (days, weeks, months or years, as the contract
    spells them). Only :func:`normalize` makes one, so it is always a possible age."""

    value: float
    unit: str

    @property
    def days(self) -> float:
        return float(self.value) * contract.DAYS_PER_UNIT[self.unit]

    @property
    def years(self) -> float:
        """The exact age in years (``3 weeks`` is about 0.058)."""
        if self.unit == "years":
            return float(self.value)
        if self.unit == "months":
            return float(self.value) / 12
        return self.days / contract.DAYS_PER_UNIT["years"]

    @property
    def group(self) -> str:
        """The contract's age group: infant under 1 year, child 1-17, adult 18 or more."""
        for group, below in contract.AGE_GROUP_BELOW_YEARS:
            if self.years < below:
                return group
        return contract.AGE_GROUP_OTHERWISE

    def describe(self) -> str:
        """``62 years``, ``1 week``: for messages and summaries."""
        unit = self.unit[:-1] if self.value == 1 else self.unit
        return f"{_number_text(self.value)} {unit}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class Text:
    """The person's own words (``notes``), exactly as typed."""

    text: str

    def __str__(self) -> str:
        return self.text


Answer = str | tuple[str, ...] | LabValue | Age | Text


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


# the answer "I'm not sure" to each question (what no answer stands for)
UNSURE_ANSWER: dict[str, Answer] = {
    qid: (contract.UNSURE,) if kind == contract.MANY else contract.UNSURE
    for qid, (kind, _codes) in contract.QUESTIONS.items()
}
# each question's codes (unsure included), to accept a usual answer at once
_CODES: dict[str, frozenset[str]] = {
    qid: frozenset(contract.codes_for(qid)) for qid in contract.QUESTIONS
}


def _one_code(qid: str, value: Any) -> str:
    if value.__class__ is str and value in _CODES[qid]:
        return value  # (the usual case: a code of the question)
    allowed = contract.codes_for(qid)
    if isinstance(value, bool):  # YAML 1.1 reads unquoted yes/no as booleans
        value = "yes" if value else "no"
    if not isinstance(value, str) or value not in allowed:
        raise AnswerError(
            qid,
            f"{qid}: {_show(value)} is not an allowed answer; allowed: {', '.join(allowed)}",
            value,
            allowed,
        )
    return value


def normalize(qid: str, value: Any, labs: LabTable) -> Answer:
    """Check one answer against the contract and return it in its one form."""
    if qid not in contract.QUESTIONS:
        raise AnswerError(
            qid,
            f"{_show(qid)} is not a question id; known ids: {', '.join(contract.QUESTIONS)}",
            qid,
            tuple(contract.QUESTIONS),
        )
    kind, _codes = contract.QUESTIONS[qid]
    if value is None:
        return UNSURE_ANSWER[qid]
    if kind == contract.ONE:
        return _one_code(qid, value)
    if kind == contract.MANY:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not items:
            got = "an empty list" if isinstance(items, (list, tuple)) else _show(value)
            raise AnswerError(
                qid,
                f"{qid}: expected a list of one or more codes, got {got}; "
                f"allowed: {', '.join(contract.codes_for(qid))}",
                value,
                contract.codes_for(qid),
            )
        codes: list[str] = []
        for item in items:
            code = _one_code(qid, item)
            if code not in codes:
                codes.append(code)
        for alone in (contract.NONE, contract.UNSURE):
            if alone in codes and len(codes) > 1:
                raise AnswerError(
                    qid,
                    f"{qid}: {alone!r} cannot be combined with other codes "
                    f"(got {', '.join(codes)})",
                    alone,
                    contract.codes_for(qid),
                )
        return tuple(codes)
    if kind == contract.MEASURE:
        return _age(qid, value)
    if kind == contract.TEXT:
        return _text(qid, value)
    # lab
    if isinstance(value, LabValue):
        return value
    try:
        return lab_from_answer(qid, value, labs)
    except LabError as exc:
        allowed = contract.LAB_UNITS[qid] + contract.QUESTIONS[qid][1] + (contract.UNSURE,)
        raise AnswerError(qid, f"{qid}: {exc.message}", value, allowed) from exc


AGE_UNIT_NAMES: dict[str, str] = {
    **{unit: unit for unit in contract.MEASURE_UNITS["age"]},
    **{unit[:-1]: unit for unit in contract.MEASURE_UNITS["age"]},  # "year" is "years"
}
AGE_FORM = "{value: 62, unit: years}"


def _age(qid: str, value: Any) -> Age | str:
    """An exact age from an answers file (a mapping ``{value, unit}``) or ``unsure``."""
    units = contract.MEASURE_UNITS[qid]
    allowed = units + (contract.UNSURE,)
    if isinstance(value, Age):
        return value
    if value == contract.UNSURE:
        return contract.UNSURE
    if not isinstance(value, Mapping):
        raise AnswerError(
            qid,
            f"{qid}: {_show(value)} is not an age; give a number with its "
            f"unit, such as {AGE_FORM}; units: {', '.join(units)}",
            value,
            allowed,
        )
    extra = sorted(str(k) for k in value if k not in ("value", "unit"))
    if extra:
        raise AnswerError(
            qid,
            f"{qid}: unknown key {extra[0]!r}; an age has only 'value' and "
            f"'unit', such as {AGE_FORM}",
            value,
            allowed,
        )
    number, unit = value.get("value"), value.get("unit")
    if (
        isinstance(number, bool)
        or not isinstance(number, (int, float))
        or not math.isfinite(number)
    ):
        raise AnswerError(
            qid,
            f"{qid}: the value {_show(number)} is not a number; give it as {AGE_FORM}",
            number,
            allowed,
        )
    if not isinstance(unit, str) or unit.strip().lower() not in AGE_UNIT_NAMES:
        said = "no unit was given" if unit is None else f"{_show(unit)} is not a unit of age"
        raise AnswerError(
            qid,
            f"{qid}: {said}; units allowed: {', '.join(units)} (for example {AGE_FORM})",
            unit,
            allowed,
        )
    age = Age(number, AGE_UNIT_NAMES[unit.strip().lower()])
    if number <= 0:
        raise AnswerError(
            qid,
            f"{qid}: {age.describe()} is not an age; it must be more than "
            f"zero and at most {contract.AGE_MAX_YEARS} years",
            number,
            allowed,
        )
    if age.years > contract.AGE_MAX_YEARS:
        raise AnswerError(
            qid,
            f"{qid}: {age.describe()} is more than "
            f"{contract.AGE_MAX_YEARS} years, the oldest age accepted",
            number,
            allowed,
        )
    return age


def _text(qid: str, value: Any) -> Text | str:
    """The person's words, kept exactly; empty (or ``unsure``) counts as not answered."""
    if isinstance(value, Text):
        value = value.text
    if not isinstance(value, str):
        raise AnswerError(
            qid,
            f"{qid}: {_show(value)} is not text; write the words in quotes",
            value,
            (contract.UNSURE,),
        )
    if not value.strip() or value == contract.UNSURE:
        return contract.UNSURE
    limit = contract.TEXT_MAX_CHARS[qid]
    if len(value) > limit:
        raise AnswerError(
            qid,
            f"{qid}: the text is {len(value):,} characters long; at most "
            f"{limit:,} are kept, so please shorten it by "
            f"{len(value) - limit:,}",
            len(value),
            (contract.UNSURE,),
        )
    return Text(value)


def check_together(answers: Mapping[str, Answer]) -> None:
    """Answers that must agree with each other: ``age`` and ``age_group`` (an error names
    both)."""
    age, group = answers.get("age"), answers.get("age_group")
    if (
        isinstance(age, Age)
        and isinstance(group, str)
        and group != contract.UNSURE
        and group != age.group
    ):
        raise AnswerError(
            "age_group",
            f"age_group {group!r} and age {age.describe()} disagree: "
            f"{age.describe()} is age_group {age.group!r}; give one "
            "of them, or make them agree",
            group,
            (age.group, contract.UNSURE),
        )


def implied_by(qid: str, answers: Mapping[str, Answer]) -> Answer | None:
    """The answer to ``qid`` that other answers imply (``age_group`` from an exact ``age``),
    or None."""
    if qid == "age_group":
        age = answers.get("age")
        if isinstance(age, Age):
            return age.group
    return None


def age_years(answers: Mapping[str, Answer]) -> float | None:
    """The exact age in years when the answers give one, else None."""
    age = answers.get("age")
    return age.years if isinstance(age, Age) else None


def validate_all(raw: Mapping[str, Any], labs: LabTable) -> dict[str, Answer]:
    """Normalise every entry of an answers file, failing on the first bad one."""
    if not isinstance(raw, Mapping):
        raise AnswerError("", "an answers file must be a mapping of question ids to answers")
    out: dict[str, Answer] = {}
    for qid, value in raw.items():
        out[str(qid)] = normalize(str(qid), value, labs)
    check_together(out)
    return out


def to_plain(value: Answer) -> Any:
    """An answer as JSON/YAML-ready data, in the form of an answers file."""
    if value.__class__ is str:
        return value  # (most answers: one code)
    if isinstance(value, LabValue):
        return {"value": value.value, "unit": value.unit}
    if isinstance(value, Age):
        return {"value": value.value, "unit": value.unit}
    if isinstance(value, Text):
        return value.text
    if isinstance(value, tuple):
        return list(value)
    return value
