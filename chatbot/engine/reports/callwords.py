"""What to say when calling for help, filled in from the answers.

The words are a template in ``content/advice.yaml`` (``call_words`` of a
triage level) with named slots such as ``{age}`` or ``{kidneys}``. A slot is
filled from the answers when they tell it, and otherwise with the blank
written for it in ``call_words_blanks`` (e.g. ``[age]``), so the person can
fill it in while calling. A slot the person answered in a way that says
nothing to the listener (sex "other", no other illness when the kidneys are
already named) is left out with its clause. Nothing here is medical
judgement: the slots only repeat what the person said, in the dialog's own
wording.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chatbot.engine import contract
from chatbot.engine.slots import SLOT
from chatbot.engine.slots import SLOTS as SLOTS
from chatbot.engine.slots import template_slots as template_slots

if TYPE_CHECKING:
    from chatbot.engine.dialog.questions import Dialog
    from chatbot.engine.medicine.assessment import Assessment
    from chatbot.engine.medicine.content import Content

KIDNEY_DISEASE = ("ckd", "dialysis", "transplant", "acute_injury")
AGE_UNITS = {
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "years": ("", ""),
}


def _labels(dialog: Dialog, qid: str, value: Any) -> list[str]:
    """The dialog's labels for the codes answered, leaving out none and unsure."""
    question = dialog.questions.get(qid)
    if question is None:
        return []
    codes = value if isinstance(value, (list, tuple)) else [value]
    labels = {o.code: o.label for o in question.options}
    return [
        _spoken(labels[c])
        for c in codes
        if c in labels and c not in (contract.NONE, contract.UNSURE, "other")
    ]


def _spoken(label: str) -> str:
    """A label as said on the phone: without its explanation in brackets ("Obesity (a
    weight a doctor called much too high)" is "Obesity")."""
    return re.sub(r"\s*\([^()]*\)", "", label).strip() or label


def exact_age(a: Assessment) -> str | None:
    """The exact age as said ("62", "3 weeks"), or None when it was not given."""
    age = getattr(a, "age", None) or a.answers.get("age")
    if isinstance(age, Mapping):
        value, unit = age.get("value"), str(age.get("unit", "years"))
    else:
        value, unit = getattr(age, "value", None), str(getattr(age, "unit", "years"))
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        return None
    shown = f"{value:g}"
    one, many = AGE_UNITS.get(unit, (unit, unit))
    word = one if value == 1 else many
    return f"{shown} {word}".strip()


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _calcium_slot(a: Assessment) -> str | None:
    """The calcium as typed (and corrected for albumin when that changes it), or the
    status reported; None when not known."""
    calcium = a.labs.results.get("calcium")
    if calcium is not None and calcium.entered:
        said = calcium.entered
        if calcium.corrected and calcium.value is not None and calcium.value != calcium.measured:
            said += f", which is {calcium.value:g} {calcium.unit} corrected for albumin"
        return said
    if calcium is not None and calcium.status not in (contract.UNSURE,):
        return f"reported as {calcium.status}"
    return None


def slot_values(a: Assessment, dialog: Dialog, content: Content) -> dict[str, str]:
    """The slots the answers can fill; a slot they cannot fill is left out."""
    answers: Mapping[str, Any] = a.answers
    out: dict[str, str] = {}
    if a.respondent == "self":
        out["who"] = "myself"
    age = exact_age(a)
    group = _labels(dialog, "age_group", answers.get("age_group"))
    if age:
        out["age"] = age
    elif group:
        out["age"] = _first_lower(group[0])
    sex = answers.get("sex")
    if sex in ("female", "male"):
        out["sex"] = sex
    else:
        out["sex"] = DROP  # not said, or "other": the listener hears nothing made up
    problems = []
    for flag in a.red_flags:  # most urgent first
        text = content.red_flags.get(flag.code)
        if text is not None:
            problems.append(_first_lower(text.title))
    if problems:
        out["problem"] = "; ".join(problems)
    kidneys = _labels(dialog, "kidney", answers.get("kidney"))
    if kidneys:
        out["kidneys"] = _first_lower(kidneys[0])
    calcium = _calcium_slot(a)
    if calcium is not None:
        out["calcium"] = calcium
    illnesses = _labels(dialog, "conditions", answers.get("conditions"))
    if illnesses:
        out["illnesses"] = ", ".join(illnesses)  # names as written (Down syndrome)
    elif _none(answers.get("conditions")):
        # "none" of the listed conditions is not "no illness" for a person whose
        # kidneys were just named as failing: say nothing rather than "none"
        out["illnesses"] = DROP if answers.get("kidney") in KIDNEY_DISEASE else "none"
    medicines = _labels(dialog, "medications", answers.get("medications")) + _labels(
        dialog, "intake", answers.get("intake")
    )
    if medicines:
        out["medicines"] = ", ".join(medicines)
    elif _none(answers.get("medications")) and _none(answers.get("intake")):
        out["medicines"] = "none"
    return out


DROP = ""  # a slot value that leaves the slot out, with its clause


def _none(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and list(value) == [contract.NONE]


def call_words(a: Assessment, dialog: Dialog, content: Content) -> str:
    """The level's words to say when calling for help, filled in ("" when it has none)."""
    template = content.levels[a.triage].call_words
    if not template:
        return ""
    return fill_call_words(template, slot_values(a, dialog, content), content.call_words_blanks)


def fill_call_words(template: str, values: Mapping[str, str], blanks: Mapping[str, str]) -> str:
    """The template with every ``{slot}`` replaced: by its value, else by its blank.

    A slot whose value is ``DROP`` is left out with its clause: ", {sex}" goes with its
    comma, and a sentence such as "Other illnesses: {illnesses}." goes whole.
    """
    text = template
    for name in template_slots(template):
        if name in values and values[name] == DROP:
            text = _drop(text, name)

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name) or blanks.get(name, match.group(0))

    return re.sub(r'^"\s+', '"', " ".join(SLOT.sub(one, text).split()))


def _drop(text: str, name: str) -> str:
    """``text`` without the clause that holds ``{name}`` (every time it occurs)."""
    key = "{" + name + "}"
    while key in text:
        start = text.index(key)
        end = start + len(key)
        cut = max(text.rfind(c, 0, start) for c in ',.:;"')
        if cut >= 0 and text[cut] == ",":
            text = text[:cut] + text[end:]  # ", {sex}" -> ""
            continue
        # a sentence of its own: from after the last sentence end to its own end
        begin = max(text.rfind(c, 0, start) for c in '."') + 1
        stop = text.find(".", end)
        stop = stop + 1 if stop >= 0 else end
        text = text[:begin] + text[stop:]
    return text
