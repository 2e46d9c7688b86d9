"""The assessment in words: Markdown for people, a dict for ``--json``.

Action first: the result opens with what to do and how soon (an emergency:
call or go now, and the words to say when calling), then the likely type in a
few plain sentences, the strongest reasons, the cautions and what to do if
things get worse. That first part is short (at most ``SHORT_WORDS`` words);
everything else follows under "More detail". A result speaks with one
triage level only: no line of a lower level appears in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from chatbot.engine import contract
from chatbot.engine.medicine.assessment import AssessedFacts, Assessment, RedFlag
from chatbot.engine.medicine.content import Content, Fact, FlagText

TYPE_TITLES_FALLBACK = {t: t.replace("_", " ") for t in contract.TYPES + contract.SUBTYPES}
CERTAINTY_WORDS = {
    "likely": "This is the most likely type from the answers given.",
    "provisional": "This is a first guess: a key test result is missing.",
    "possible": "The answers leave more than one possibility open.",
}
SHORT_WORDS = 250  # the most words before "More detail"
MAX_REASONS = 3  # reasons from the answers shown before "More detail"
MORE_DETAIL = "## More detail"
NOT_A_DIAGNOSIS = "**This is not a diagnosis.**"


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


def type_heading(content: Content, a: Assessment) -> str:
    """ "Calciphylaxis" or "Idiopathic calcinosis, tumoral calcinosis"."""
    head = type_title(content, a.type)
    if a.subtype:
        head += f", {type_title(content, a.subtype).lower()}"
    return head


# ----------------------------------------------------------------- the parts, as data


def _applies(facts: Iterable[Fact], assessed: AssessedFacts) -> list[Fact]:
    return [f for f in facts if f.applies(assessed)]


def flag_lines(a: Assessment, content: Content) -> list[tuple[str, str]]:
    """(title, reason) per red flag, most urgent first. A flag of a lower level than the
    result's keeps only its title: its reason says that lower level ("today")."""
    out = []
    for flag in a.red_flags:
        text: FlagText | None = content.red_flags.get(flag.code)
        title = text.title if text else flag.code
        out.append((title, flag.reason if flag.level == a.triage else ""))
    return out


def top_reasons(a: Assessment) -> list[str]:
    """The strongest reasons from the answers for the type named (at most ``MAX_REASONS``)."""
    if a.type in ("none", "unclear") or not a.ranking:
        return []
    top = a.ranking[0]
    reasons = list(top.reasons)
    if len(top.weights) == len(reasons):  # the heaviest first; equal weights keep their order
        order = sorted(range(len(reasons)), key=lambda i: -top.weights[i])
        reasons = [reasons[i] for i in order]
    if a.subtype_reason:
        reasons = reasons[: MAX_REASONS - 1] + [a.subtype_reason]
    return reasons[:MAX_REASONS]


def deciding_tests(a: Assessment) -> list[str]:
    """When the type is not clear, the tests that would tell: said in the first part (the
    type's own words point to them); otherwise they are under "More detail"."""
    return list(a.tests) if a.type == "unclear" else []


def caution_texts(a: Assessment) -> list[str]:
    """The assessment's cautions (what a doctor should rule out), when it has any."""
    out = []
    for caution in getattr(a, "cautions", None) or ():
        text = (
            caution.get("text") if isinstance(caution, Mapping) else getattr(caution, "text", None)
        )
        if text:
            out.append(str(text))
    return out


def if_worse(a: Assessment, content: Content) -> list[Fact]:
    """What to do if things get worse: the level's own words."""
    return _applies(content.levels[a.triage].if_worse, AssessedFacts(a))


def watch_signs(a: Assessment, content: Content) -> list[Fact]:
    """Signs to watch for, each with what to do (not at emergency level: there the signs
    are already the reason to go)."""
    if a.triage == "emergency":
        return []
    return _applies(content.worse_signs, AssessedFacts(a))


def do_now(a: Assessment, content: Content) -> list[Fact]:
    return _applies(content.levels[a.triage].do_now, AssessedFacts(a))


def level_reasons(a: Assessment) -> list[str]:
    """Why this level: the triage reasons at the result's own level only."""
    return list(dict.fromkeys(r.reason for r in a.triage_reasons if r.level == a.triage))


def first_sentences(text: str, count: int) -> str:
    """The first ``count`` sentences of ``text``."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", text.strip())
    return " ".join(parts[:count])


def type_sentences(a: Assessment, content: Content, count: int = 2) -> str:
    """The likely type in two or three plain sentences: what it is, and how sure."""
    text = content.types.get(a.type)
    summary = first_sentences(text.summary, max(count, 1)) if text else ""
    if a.type in ("none", "unclear") or a.certainty == "likely" or count == 0:
        return summary
    return f"{summary} {CERTAINTY_WORDS.get(a.certainty, '')}".strip()


# ----------------------------------------------------------------- Markdown


def action_markdown(a: Assessment, content: Content) -> list[str]:
    """What to do and how soon; the call words; the warning signs in the answers."""
    level = content.levels[a.triage]
    out = [f"# {level.title} (`{a.triage}`)", "", level.when, ""]
    if a.call_words:
        out += ["**What to say when you call:**", "", f"> {a.call_words}", ""]
    titles = [title for title, _reason in flag_lines(a, content)]
    if titles:  # their reasons are under "Why this level"
        out += ["**Warning signs in the answers:** " + "; ".join(titles) + ".", ""]
    return out


# How each level says how soon, in the texts the rules write: a sentence that says a
# lower level than the result's is left out of explanatory notes (one level per result).
LEVEL_MARKERS = {
    "urgent": re.compile(r"\btoday\b|same-day", re.I),
    "soon": re.compile(r"days to weeks|within (?:the next )?(?:a )?few days", re.I),
    "routine": re.compile(r"next regular visit|next check-up", re.I),
}


def one_level(text: str, level: str) -> str:
    """``text`` without the sentences that say a level lower than ``level``."""
    lower = [
        m
        for lv, m in LEVEL_MARKERS.items()
        if contract.triage_rank(lv) < contract.triage_rank(level)
    ]
    sentences = re.split(r"(?<=[.!?])\s+", text.strip()) if text else []
    return " ".join(x for x in sentences if not any(m.search(x) for m in lower))


WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")


def count_words(text: str) -> int:
    """Words as a reader counts them (Markdown marks and bullets are not words)."""
    return len(WORD.findall(text))


def short_markdown(a: Assessment, content: Content) -> str:
    """The part read first (at most ``SHORT_WORDS`` words): action, type, reasons,
    cautions, if things get worse. When the answers make it longer, fewer reasons
    and a shorter type summary are shown there (all of them stay under "More detail")."""
    text = ""
    # fewer reasons, a shorter type summary (0: its first sentence, without how sure),
    # fewer cautions: each step only while the part is still too long
    for reasons, sentences, cautions in (
        (MAX_REASONS, 2, None),
        (2, 2, None),
        (2, 1, None),
        (1, 1, None),
        (1, 1, 1),
        (1, 0, 1),
        (1, 0, 0),
    ):
        text = _short(a, content, reasons, sentences, cautions)
        if count_words(text) <= SHORT_WORDS:
            break
    return text


def _short(
    a: Assessment, content: Content, n_reasons: int, n_sentences: int, n_cautions: int | None = None
) -> str:
    out = action_markdown(a, content)
    if a.type == "none":
        out += ["## Type: none", ""]
    else:
        codes = ", ".join(f"`{c}`" for c in (a.type, a.subtype) if c)
        out += [f"## Most likely type: {type_heading(content, a)} ({codes})", ""]
    out += [type_sentences(a, content, n_sentences), ""]
    reasons = top_reasons(a)[:n_reasons]
    if reasons:
        out += ["**Why, from the answers:**", ""] + [f"- {r}" for r in reasons] + [""]
    tests = deciding_tests(a)[:n_reasons]
    if tests:
        out += ["**What would tell the types apart:**", ""] + [f"- {t}" for t in tests] + [""]
    cautions = caution_texts(a)[:n_cautions]
    if cautions:
        out += ["**A doctor should also check:**", ""] + [f"- {c}" for c in cautions] + [""]
    worse = if_worse(a, content)
    if worse:
        out += ["**If things get worse:**", ""] + _facts(worse) + [""]
    out += [NOT_A_DIAGNOSIS, ""]
    return "\n".join(out)


def _facts(facts: Iterable[Fact], numbers: Mapping[str, int] | None = None) -> list[str]:
    return [f"- {f.text}{_refs(f.sources, numbers)}" for f in facts]


def _refs(sources: Iterable[str], numbers: Mapping[str, int] | None) -> str:
    """ " [1, 4]": the numbers of the sources in the list at the end."""
    if not numbers:
        return ""
    found = sorted({numbers[s] for s in sources if s in numbers})
    return f" [{', '.join(map(str, found))}]" if found else ""


def advice_markdown(a: Assessment, content: Content) -> str:
    """The "when to see a doctor" advice for the triage level, with what to do if worse."""
    level = content.levels[a.triage]
    lines = [f"**{level.title}.** {level.when}", ""]
    lines += _facts(do_now(a, content))
    if a.call_words:
        lines += ["", "**What to say when you call:**", "", f"> {a.call_words}"]
    lines += ["", "**If things get worse:**", ""]
    lines += _facts(if_worse(a, content)) + _facts(watch_signs(a, content))
    return "\n".join(lines)


def explanation_markdown(
    a: Assessment, content: Content, numbers: Mapping[str, int] | None = None
) -> str:
    lines: list[str] = []
    for code in (a.type, a.subtype):
        if code is None:
            continue
        text = content.types.get(code) or content.subtypes.get(code)
        if text is None:
            continue
        lines += [f"**{text.title}.** {text.summary}{_refs(text.summary_sources, numbers)}", ""]
        lines += _facts(text.explanation, numbers)
        if text.treatment:
            lines += ["", "**How doctors usually manage it:**", ""]
            lines += _facts(text.treatment, numbers)
        if text.tells_apart:
            lines += [
                "",
                f"**What tells it apart:** {text.tells_apart}"
                f"{_refs(text.tells_apart_sources, numbers)}",
            ]
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


def lab_table(a: Assessment) -> list[str]:
    """The lab values as a Markdown table, with the range used, the Ca x P product and
    the notes."""
    rows = lab_rows(a)
    out: list[str] = []
    if rows:
        out += [
            "| test | as entered | value | normal range used | status |",
            "|---|---|---|---|---|",
        ]
        for row in rows:
            r = row["result"]
            entered = escape_md(r.entered) if r.entered else "(reported as a status)"
            value = f"{_num(r.value)} {r.unit}" if r.value is not None else ""
            if r.corrected and r.value is not None:
                value += f" (corrected for albumin; measured {_num(r.measured)} {r.unit})"
            rng = f"{_num(r.low)}-{_num(r.high)} {r.unit}" if r.low is not None else ""
            out.append(f"| {r.name or r.lab} | {entered} | {value} | {rng} | {r.status} |")
        if a.labs.caxp is not None:
            level = f" ({a.labs.caxp_level})" if a.labs.caxp_level else ""
            out += ["", f"Calcium × phosphate product: {a.labs.caxp:g} mg²/dL²{level}."]
    else:
        out.append("No lab values were given.")
    out += [f"\n- {note}" for note in a.labs.notes]
    return out


def detail_markdown(a: Assessment, content: Content) -> str:
    """Everything after the first part: what to do now, why this level, the types
    considered, the explanation, lab values, questions for the doctor, numbered sources."""
    keys = source_keys(a, content)
    numbers = {k: n for n, k in enumerate(keys, 1)}
    out: list[str] = []
    steps = do_now(a, content)
    if steps:
        out += ["### What to do now", ""] + _facts(steps, numbers) + [""]
    flags = [f"**{title}**: {reason}" for title, reason in flag_lines(a, content) if reason]
    reasons = flags + [r for r in level_reasons(a) if not any(r in f for f in flags)]
    if reasons:
        out += ["### Why this level", ""] + [f"- {r}" for r in reasons] + [""]
    cautions = caution_texts(a)
    if cautions:
        out += ["### A doctor should also check", ""] + [f"- {c}" for c in cautions] + [""]
    signs = watch_signs(a, content)
    if signs:
        out += ["### Signs to watch for", ""] + _facts(signs, numbers) + [""]
    if a.type not in ("none",):
        out += ["### All types considered", "", content.notices["ranking_order"].strip(), ""]
        note = one_level(a.pathway_note, a.triage)
        if note:
            out += [note, ""]
        for cand in a.ranking:
            why = " ".join(cand.reasons) if cand.reasons else "Nothing in the answers points here."
            out.append(f"- **{type_title(content, cand.type)}** (score {cand.score:g}): {why}")
        if a.subtype and a.subtype_reason:
            out.append(f"- **{type_title(content, a.subtype)}**: {a.subtype_reason}")
        out.append("")
        if a.tests:
            out += ["### What would tell them apart", ""] + [f"- {t}" for t in a.tests] + [""]
    explanation = explanation_markdown(a, content, numbers)
    if explanation:
        out += ["### About this type", "", explanation, ""]
    out += ["### Lab values", ""] + lab_table(a) + [""]
    if a.ignored:
        out += [
            "### Answers not used",
            "",
            "These answers belong to questions the dialog would not ask with the other "
            "answers given, so they were not used:",
            "",
        ]
        out += [f"- `{i.id}`: {i.reason}" for i in a.ignored]
        out.append("")
    questions = doctor_questions(a, content)
    if questions:
        out += ["### Questions to ask the doctor", ""] + [f"- {q}" for q in questions] + [""]
    out += ["### Sources", ""]
    out += [f"{n}. {source_line(content, key)}" for n, key in enumerate(keys, 1)]
    out += ["", f"_{content.notices['not_a_diagnosis']}_", ""]
    return "\n".join(out)


def to_markdown(a: Assessment, content: Content) -> str:
    """The whole result as Markdown: the short part, then "More detail"."""
    return "\n".join([short_markdown(a, content), MORE_DETAIL, "", detail_markdown(a, content)])


def source_line(content: Content, key: str) -> str:
    """A source as people read it: title, publisher and link (never a file name)."""
    src = content.sources.get(key)
    return src.cite() if src else key


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
    for caution in getattr(a, "cautions", None) or ():
        source = (
            caution.get("source")
            if isinstance(caution, Mapping)
            else getattr(caution, "source", None)
        )
        if isinstance(source, str) and source in content.sources:
            keys.append(source)
        keys += [k for k in getattr(caution, "sources", ()) if k in content.sources]
    return list(dict.fromkeys(keys))


def _flag_dict(flag: RedFlag, content: Content) -> dict[str, Any]:
    text = content.red_flags.get(flag.code)
    return {
        "code": flag.code,
        "level": flag.level,
        "reason": flag.reason,
        "title": text.title if text else flag.code,
        "text": text.text if text else "",
    }


def to_dict(a: Assessment, content: Content) -> dict[str, Any]:
    """The machine-readable result (``--json``): the contract's fields and more."""
    return {
        "type": a.type,
        "subtype": a.subtype,
        "triage": a.triage,
        "certainty": a.certainty,
        "pathway_step": a.pathway_step,
        "ranking": [
            {"type": c.type, "score": c.score, "reasons": list(c.reasons), "rules": list(c.rules)}
            for c in a.ranking
        ],
        "red_flags": [_flag_dict(flag, content) for flag in a.red_flags],
        "triage_reasons": [
            {"rule": r.rule, "level": r.level, "reason": r.reason} for r in a.triage_reasons
        ],
        "tests": list(a.tests),
        "labs": a.labs.to_dict(),
        "ignored": [{"id": i.id, "reason": i.reason} for i in a.ignored],
        "advice": advice_markdown(a, content),
        "explanation": explanation_markdown(a, content),
        "sources": [
            {"key": k, "citation": source_line(content, k)} for k in source_keys(a, content)
        ],
        "answers": a.answers,
        "notice": content.notices["not_a_diagnosis"],
        # contract version 2: what a doctor should rule out, and the exact age
        "cautions": [c.to_dict() for c in a.cautions],
        "age": a.age,
    }
