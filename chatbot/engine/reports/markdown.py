"""The assessment in words: Markdown for people, a dict for ``--json``.

Order follows the medical-safety rule: the notice that this is not a
diagnosis, then the triage with the red flags first, then the type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chatbot.engine import contract
from chatbot.engine.medicine.assessment import AssessedFacts, Assessment
from chatbot.engine.medicine.content import Content, Fact

TYPE_TITLES_FALLBACK = {t: t.replace("_", " ") for t in contract.TYPES + contract.SUBTYPES}
CERTAINTY_WORDS = {
    "likely": "This is the most likely type from the answers given.",
    "provisional": "This is a first guess: a key test result is missing.",
    "possible": "The answers leave more than one possibility open.",
}


def _cite(sources: tuple[str, ...]) -> str:
    return f" [{'; '.join(sources)}]" if sources else ""


def _facts(facts: Iterable[Fact]) -> list[str]:
    return [f"- {f.text}{_cite(f.sources)}" for f in facts]


def escape_md(text: str) -> str:
    """Text a person typed, made inert for Markdown (shown literally)."""
    out = []
    for ch in str(text):
        if ch in "\\`*_{}[]<>()#+-.!|~":
            out.append("\\" + ch)
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\x{ord(ch):02x}" if ch not in "\n\t" else " ")
        else:
            out.append(ch)
    return "".join(out)


def type_title(content: Content, code: str | None) -> str:
    if code is None:
        return ""
    text = content.types.get(code) or content.subtypes.get(code)
    return text.title if text else TYPE_TITLES_FALLBACK.get(code, code)


def advice_markdown(a: Assessment, content: Content) -> str:
    """The "when to see a doctor" advice for the triage level, with what to do if worse."""
    advice = content.levels[a.triage]
    lines = [f"**{advice.title}.** {advice.when}", ""]
    facts = AssessedFacts(a)
    lines += _facts(f for f in advice.do_now if f.applies(facts))
    if a.call_words:
        lines += ["", "**What to say when you call:**", "", f"> {a.call_words}"]
    lines += ["", "**If things get worse:**", ""]
    lines += _facts(f for f in advice.if_worse if f.applies(facts))
    if a.triage != "emergency":  # at emergency level the signs are already the reason to go
        lines += _facts(f for f in content.worse_signs if f.applies(facts))
    return "\n".join(lines)


def explanation_markdown(a: Assessment, content: Content) -> str:
    lines: list[str] = []
    for code in (a.type, a.subtype):
        if code is None:
            continue
        text = content.types.get(code) or content.subtypes.get(code)
        if text is None:
            continue
        lines += [f"### {text.title}", "", f"{text.summary}{_cite(text.summary_sources)}", ""]
        lines += _facts(text.explanation)
        if text.treatment:
            lines += ["", "**How doctors usually manage it:**", ""] + _facts(text.treatment)
        if text.tells_apart:
            lines += ["", f"**What tells it apart:** {text.tells_apart}"
                          f"{_cite(text.tells_apart_sources)}"]
        lines.append("")
    return "\n".join(lines).strip()


def lab_rows(a: Assessment) -> list[dict[str, Any]]:
    rows = []
    for lab, result in a.labs.results.items():
        if result.source == "unanswered" or (result.status == "unsure" and not result.entered):
            continue
        rows.append({"lab": lab, "result": result})
    return rows


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def to_markdown(a: Assessment, content: Content) -> str:
    """The whole result as Markdown: triage and red flags first."""
    level = content.levels[a.triage]
    out: list[str] = ["# What the answers suggest", ""]
    out += [f"> **This is not a diagnosis.** {content.notices['not_a_diagnosis']}", ""]
    out += [f"## How soon to see a doctor: {level.title} (`{a.triage}`)", ""]
    if a.red_flags:
        out += ["**Warning signs in the answers:**", ""]
        for flag in a.red_flags:
            text = content.red_flags.get(flag.code)
            title = text.title if text else flag.code
            detail = f" {text.text}{_cite(text.sources)}" if text else ""
            out.append(f"- **{title}** ({flag.level}): {flag.reason}{detail}")
        out.append("")
    out += [advice_markdown(a, content), ""]
    if a.triage_reasons:
        out += ["**Why this level:**", ""]
        out += [f"- {r.reason} ({r.level})" for r in a.triage_reasons]
        out.append("")

    if a.type == "none":
        out += ["## Type: none", "", content.types["none"].summary, ""]
    else:
        head = type_title(content, a.type)
        if a.subtype:
            head += f", {type_title(content, a.subtype).lower()}"
        out += [f"## Most likely type: {head} (`{a.type}`"
                + (f", `{a.subtype}`" if a.subtype else "") + ")", ""]
        out += [f"{CERTAINTY_WORDS[a.certainty]} {a.pathway_note}", ""]
        top = a.ranking[0]
        if a.type != "unclear" and top.reasons:
            out += ["**Reasons from the answers:**", ""] + [f"- {r}" for r in top.reasons]
            if a.subtype_reason:
                out.append(f"- {a.subtype_reason}")
            out.append("")
        out += ["### All types considered", "", content.notices["ranking_order"].strip(), ""]
        for cand in a.ranking:
            why = " ".join(cand.reasons) if cand.reasons else "Nothing in the answers points here."
            out.append(f"- **{type_title(content, cand.type)}** (score {cand.score:g}): {why}")
        out.append("")
        if a.tests:
            out += ["### What would tell them apart", ""] + [f"- {t}" for t in a.tests] + [""]
    explanation = explanation_markdown(a, content)
    if explanation:
        out += ["## About this type", "", explanation, ""]

    rows = lab_rows(a)
    out += ["## Lab values", ""]
    if rows:
        out += ["| test | as entered | value | normal range | status |",
                "|---|---|---|---|---|"]
        for row in rows:
            r = row["result"]
            entered = escape_md(r.entered) if r.entered else "(reported as a status)"
            value = f"{_num(r.value)} {r.unit}" if r.value is not None else ""
            if r.corrected:
                value += " (corrected for albumin)"
            rng = f"{_num(r.low)}-{_num(r.high)} {r.unit}" if r.low is not None else ""
            out.append(f"| {r.lab} | {entered} | {value} | {rng} | {r.status} |")
        if a.labs.caxp is not None:
            out += ["", f"Calcium × phosphate product: {a.labs.caxp:g} mg²/dL²."]
    else:
        out.append("No lab values were given.")
    for note in a.labs.notes:
        out.append(f"\n- {note}")
    out.append("")
    if a.ignored:
        out += ["## Answers not used", "",
                "These answers belong to questions the dialog would not ask with the other "
                "answers given, so they were not used:", ""]
        out += [f"- `{i.id}`: {i.reason}" for i in a.ignored]
        out.append("")
    questions = doctor_questions(a, content)
    if questions:
        out += ["## Questions to ask the doctor", ""] + [f"- {q}" for q in questions] + [""]
    out += ["## Sources", ""]
    for key in source_keys(a, content):
        src = content.sources.get(key)
        out.append(f"- **{key}**: {src.cite() if src else key}")
    out += ["", f"_{content.notices['not_a_diagnosis']}_", ""]
    return "\n".join(out)


def doctor_questions(a: Assessment, content: Content) -> list[str]:
    """The type's questions for the doctor that fit the answers, in the respondent's
    words ("my" for the person themself, "their" for a caregiver)."""
    text = content.types.get(a.type)
    if not text:
        return []
    facts = AssessedFacts(a)
    return [q.text(a.respondent) for q in text.doctor_questions if q.applies(facts)]


def source_keys(a: Assessment, content: Content) -> list[str]:
    keys = list(a.sources)
    for code in (a.type, a.subtype):
        text = content.types.get(code or "") or content.subtypes.get(code or "")
        if text:
            keys += list(text.summary_sources)
            for fact in text.explanation + text.treatment:
                keys += list(fact.sources)
    for fact in content.levels[a.triage].do_now:
        keys += list(fact.sources)
    return list(dict.fromkeys(keys))


def to_dict(a: Assessment, content: Content) -> dict[str, Any]:
    """The machine-readable result (``--json``): the contract's fields and more."""
    flags = []
    for flag in a.red_flags:
        text = content.red_flags.get(flag.code)
        flags.append({"code": flag.code, "level": flag.level, "reason": flag.reason,
                      "title": text.title if text else flag.code,
                      "text": text.text if text else ""})
    return {
        "type": a.type,
        "subtype": a.subtype,
        "triage": a.triage,
        "certainty": a.certainty,
        "pathway_step": a.pathway_step,
        "ranking": [{"type": c.type, "score": c.score, "reasons": list(c.reasons),
                     "rules": list(c.rules)} for c in a.ranking],
        "red_flags": flags,
        "triage_reasons": [{"rule": r.rule, "level": r.level, "reason": r.reason}
                           for r in a.triage_reasons],
        "tests": list(a.tests),
        "labs": a.labs.to_dict(),
        "ignored": [{"id": i.id, "reason": i.reason} for i in a.ignored],
        "advice": advice_markdown(a, content),
        "explanation": explanation_markdown(a, content),
        "sources": [{"key": k, "citation": content.sources[k].cite() if k in content.sources
                     else k} for k in source_keys(a, content)],
        "answers": a.answers,
        "notice": content.notices["not_a_diagnosis"],
    }
