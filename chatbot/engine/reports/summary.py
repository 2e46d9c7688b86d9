"""The summary for the doctor, as Markdown: what a GP with ten minutes reads first.

First page: who answered, exact age and sex, the result with triage and
cautions, the warning signs, the lab values with units and the reference range
used (corrected calcium, Ca x P), medicines and conditions, and the person's
own words quoted as typed. Then every question and answer, the person's
questions for the doctor, and the sources, numbered, by title, publisher and
link. ``chatbot.export`` turns it into a printable page (the first page
breaks before "Every question and answer").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatbot.engine import contract
from chatbot.engine.reports.callwords import exact_age
from chatbot.engine.reports.markdown import (
    CERTAINTY_WORDS,
    caution_texts,
    escape_md,
    flag_lines,
    lab_rows,
    source_keys,
    source_line,
    top_reasons,
    type_heading,
)

if TYPE_CHECKING:
    from chatbot.engine.dialog.questions import Dialog
    from chatbot.engine.medicine.assessment import Assessment
    from chatbot.engine.medicine.content import Content

TITLE = "Calcinosis check: summary for the doctor"
QA_HEADING = "## Every question and answer"
RESPONDENT_WORDS = {"self": "the person themself", "caregiver": "a caregiver, for someone else"}
BACKGROUND = (
    ("kidney", "Kidneys"),
    ("conditions", "Conditions"),
    ("medications", "Medicines"),
    ("intake", "Taken regularly by mouth"),
    ("events", "At or before the deposits"),
)


@dataclass(frozen=True)
class SummaryInput:
    """What the summary is made of (``chatbot.export.Summary`` gives it)."""

    assessment: Assessment
    answers: Mapping[str, Any]  # the session's answers (codes, lab values, text)
    history: Sequence[str]  # question ids in the order they were answered
    date: str  # as people read it
    finished: bool = True


def answer_words(dialog: Dialog, qid: str, value: Any) -> str:
    """An answer in the dialog's words (a typed value or text as given, escaped)."""
    question = dialog.questions.get(qid)
    if hasattr(value, "entered") and callable(value.entered):
        return escape_md(value.entered())
    if isinstance(value, Mapping) and "value" in value:
        return escape_md(
            f"{value.get('value'):g} {value.get('unit', '')}".strip()
            if isinstance(value.get("value"), (int, float))
            else str(value.get("value"))
        )
    if question is None or (not question.options and value != contract.UNSURE):
        return escape_md(str(value))
    if isinstance(value, (tuple, list)):
        return ", ".join(question.label_of(code) for code in value)
    return question.label_of(value)


def _labels(dialog: Dialog, qid: str, value: Any) -> str:
    """The labels of the codes answered, "none" kept, "not sure" for unsure or unasked."""
    if value is None or value in (contract.UNSURE, [contract.UNSURE], (contract.UNSURE,)):
        return "not known"
    if qid not in dialog.questions:
        return escape_md(str(value))
    return answer_words(dialog, qid, value)


def _age_and_sex(a: Assessment, dialog: Dialog) -> tuple[str, str]:
    age = exact_age(a)
    group = a.answers.get("age_group")
    if age:
        shown = age if not age.replace(".", "").isdigit() else f"{age} years"
    elif group and group != contract.UNSURE and "age_group" in dialog.questions:
        shown = dialog.questions["age_group"].label_of(group)
    else:
        shown = "not said"
    sex = a.answers.get("sex")
    if isinstance(sex, str) and sex != contract.UNSURE and "sex" in dialog.questions:
        return shown, dialog.questions["sex"].label_of(sex)
    return shown, "not said"


def first_page(s: SummaryInput, dialog: Dialog, content: Content) -> list[str]:
    a = s.assessment
    age, sex = _age_and_sex(a, dialog)
    out = [f"# {TITLE}", ""]
    if not s.finished:
        out += [
            "**This session is not finished.** The result below uses only the answers "
            'given so far; questions not reached count as "not sure".',
            "",
        ]
    out += [
        f"- **Date:** {s.date}",
        f"- **Answered by:** {RESPONDENT_WORDS.get(a.respondent or '', 'not said')}",
        f"- **Age:** {age}",
        f"- **Sex:** {sex}",
        "",
    ]

    level = content.levels[a.triage]
    out += ["## Result", "", f"- **Triage:** {level.title} (`{a.triage}`)"]
    if a.type == "none":
        out.append("- **Type:** none (no deposits described)")
    else:
        certainty = CERTAINTY_WORDS.get(a.certainty, "").rstrip(".")
        out.append(f"- **Most likely type:** {type_heading(content, a)} ({certainty.lower()})")
        others = [c for c in a.ranking[1:] if c.score > 0]
        if others:
            out.append(
                "- **Also considered:** "
                + ", ".join(
                    f"{type_heading_of(content, c.type)} (score {c.score:g})" for c in others
                )
            )
    reasons = top_reasons(a)
    if reasons:
        out.append("- **Main reasons:** " + " ".join(reasons))
    flags = flag_lines(a, content)
    if flags:
        out.append(
            "- **Warning signs:** "
            + "; ".join(
                title + (f" ({reason.rstrip('.')})" if reason else "") for title, reason in flags
            )
        )
    else:
        out.append("- **Warning signs:** none in the answers")
    for caution in caution_texts(a):
        out.append(f"- **Caution:** {caution}")
    out.append("")

    out += ["## Lab values", ""] + labs_markdown(a) + [""]

    out += ["## Medicines and conditions", ""]
    for qid, name in BACKGROUND:
        if qid in dialog.questions:
            out.append(f"- **{name}:** {_labels(dialog, qid, s.answers.get(qid))}")
    out.append("")

    notes = _notes(a)
    out += ["## In the person's own words", ""]
    if notes:
        shown = notes if len(notes) <= NOTES_ON_FIRST_PAGE else _cut(notes)
        out += _quote(shown)
        if shown != notes:
            out += ["", f'(The rest is under "{NOTES_IN_FULL}", after the answers.)']
    else:
        out.append("Nothing was written.")
    out.append("")
    return out


NOTES_ON_FIRST_PAGE = 600  # characters of the person's words on the first page
NOTES_IN_FULL = "The person's own words in full"


def _notes(a: Assessment) -> str:
    """The person's own words; "" when none were written (or "nothing to add": unsure)."""
    notes = a.answers.get("notes")
    if not isinstance(notes, str) or notes == contract.UNSURE:
        return ""
    return notes.strip()


def _cut(text: str) -> str:
    """The start of ``text``, cut at a word, marked as cut."""
    head = text[:NOTES_ON_FIRST_PAGE]
    head = head.rsplit(None, 1)[0] if " " in head else head
    return head.rstrip() + " …"


def _quote(text: str) -> list[str]:
    """Text a person typed, as a quotation, shown literally."""
    return [f"> {escape_md(line)}" if line.strip() else ">" for line in text.splitlines()]


def type_heading_of(content: Content, code: str) -> str:
    text = content.types.get(code) or content.subtypes.get(code)
    return text.title if text else code.replace("_", " ")


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def labs_markdown(a: Assessment) -> list[str]:
    """Each lab with its unit and the reference range used; corrected calcium and the
    Ca x P product where they apply; the notes on the values."""
    rows = lab_rows(a)
    if not rows:
        return ["No lab values were given."]
    out = ["| test | as given | value | reference range used | status |", "|---|---|---|---|---|"]
    for row in rows:
        r = row["result"]
        given = escape_md(r.entered) if r.entered else "reported as a status"
        value = f"{_num(r.measured)} {r.unit}" if r.measured is not None else ""
        rng = f"{_num(r.low)}-{_num(r.high)} {r.unit}" if r.low is not None else ""
        out.append(f"| {r.name or r.lab} | {given} | {value} | {rng} | {r.status} |")
    calcium = a.labs.results.get("calcium")
    extra = []
    if calcium is not None and calcium.corrected and calcium.value is not None:
        extra.append(
            f"- **Corrected calcium** (for albumin): {_num(calcium.value)} "
            f"{calcium.unit} (measured {_num(calcium.measured)} {calcium.unit})"
        )
    if a.labs.caxp is not None:
        level = f", {a.labs.caxp_level}" if a.labs.caxp_level else ""
        extra.append(f"- **Calcium × phosphate product:** {a.labs.caxp:g} mg²/dL²{level}")
    extra += [f"- {note}" for note in a.labs.notes]
    return out + ([""] + extra if extra else [])


def qa_markdown(s: SummaryInput, dialog: Dialog) -> list[str]:
    out = [QA_HEADING, "", "| question | answer |", "|---|---|"]
    for qid in s.history:
        question = dialog.questions.get(qid)
        if question is None or qid not in s.answers:
            continue
        text = question.text(s.assessment.respondent).replace("|", "\\|")
        words = answer_words(dialog, qid, s.answers[qid]).replace("|", "\\|")
        out.append(f"| {text} | {words} |")
    return out


def doctor_summary(
    s: SummaryInput, dialog: Dialog, content: Content, questions: Sequence[str]
) -> str:
    """The whole summary: first page, every question and answer, the person's questions
    for the doctor, the numbered sources, and the notice."""
    a = s.assessment
    out = first_page(s, dialog, content)
    out += qa_markdown(s, dialog) + [""]
    notes = _notes(a)
    if len(notes) > NOTES_ON_FIRST_PAGE:
        out += [f"## {NOTES_IN_FULL}", ""] + _quote(notes) + [""]
    if questions:
        out += ["## Questions to ask the doctor", ""] + [f"- {q}" for q in questions] + [""]
    out += ["## Sources", ""]
    out += [f"{n}. {source_line(content, key)}" for n, key in enumerate(source_keys(a, content), 1)]
    out += ["", f"_{content.notices['not_a_diagnosis']}_", ""]
    return "\n".join(out)
