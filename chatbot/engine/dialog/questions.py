"""The dialog as data: ``dialogs/*.yaml`` loaded into frozen, typed objects.

Loading checks the schema and collects every problem with its file and line;
:class:`DialogError` carries them all. Structural checks that look at the
whole graph (reachability, dead ends) live in :mod:`chatbot.engine.validate`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatbot.engine import contract
from chatbot.engine.conditions import ConditionError, Predicate, compile_condition
from chatbot.engine.yamlio import Located, YamlError, load_file


class DialogError(ValueError):
    """The dialog files have problems; ``problems`` lists them, each with file and line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    when: Predicate | None = None
    when_source: Any = None


@dataclass(frozen=True)
class Transition:
    dest: str
    when: Predicate | None
    when_source: Any  # the condition as written in YAML (for the diagram and FHIR)
    where: str


@dataclass(frozen=True)
class TextVariant:
    """Other wording of a question, used when its condition holds (``text_if``)."""

    when: Predicate
    text_self: str
    text_caregiver: str
    when_source: Any = None


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    kind: str  # one | many | lab | text
    text_self: str
    text_caregiver: str
    options: tuple[Option, ...]
    unsure_label: str
    why: str
    why_sources: tuple[str, ...]
    transitions: tuple[Transition, ...]
    where: str
    # said right after an "I'm not sure" answer (optional; e.g. what to watch for)
    if_unsure_self: str = ""
    if_unsure_caregiver: str = ""
    if_unsure_sources: tuple[str, ...] = ()
    # contract ids this question also records when the answer gives them (``age`` with
    # ``age_group``: "62" answers both); see Session.answer_current
    also: tuple[str, ...] = ()
    # other wordings, the first whose condition holds wins (see :meth:`text`)
    text_if: tuple[TextVariant, ...] = ()

    def text(self, respondent: str | None, facts: Any = None) -> str:
        """The question for the person (or a caregiver); with ``facts`` (a session), the
        first ``text_if`` wording whose condition holds."""
        if facts is not None:
            for variant in self.text_if:
                if variant.when(facts):
                    return (
                        variant.text_caregiver if respondent == "caregiver" else variant.text_self
                    )
        return self.text_caregiver if respondent == "caregiver" else self.text_self

    def unsure_note(self, respondent: str | None) -> str:
        """What to say after "I'm not sure" to this question ("" when nothing)."""
        return self.if_unsure_caregiver if respondent == "caregiver" else self.if_unsure_self

    def label_of(self, code: str) -> str:
        if code == contract.UNSURE:
            return self.unsure_label
        for option in self.options:
            if option.code == code:
                return option.label
        return code


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    title_caregiver: str

    def title_for(self, respondent: str | None) -> str:
        return self.title_caregiver if respondent == "caregiver" else self.title


@dataclass(frozen=True)
class Outcome:
    id: str
    outcome: str  # none | assess
    text: str
    where: str = "dialogs/dialog.yaml"


@dataclass(frozen=True)
class Dialog:
    start: str
    sections: tuple[Section, ...]
    questions: dict[str, Question]
    outcomes: dict[str, Outcome]
    files: tuple[str, ...] = field(default=())

    @property
    def states(self) -> list[str]:
        return list(self.questions) + list(self.outcomes)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Reader:
    """Collects problems while reading one set of dialog files."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, node: Any, key: Any, message: str) -> None:
        where = node.where(key) if isinstance(node, Located) else "dialog"
        self.problems.append(f"{where}: {message}")

    def require(self, node: Mapping, key: str, kind: type | tuple[type, ...], what: str) -> Any:
        if key not in node:
            self.problem(node, None, f"missing '{key}' ({what})")
            return None
        value = node[key]
        if not isinstance(value, kind):
            self.problem(node, key, f"'{key}' must be {what}")
            return None
        return value

    def unknown_keys(self, node: Mapping, allowed: tuple[str, ...], what: str) -> None:
        for key in node:
            if key not in allowed:
                self.problem(
                    node,
                    key,
                    f"unknown key '{key}' in {what}{_suggest(key, allowed)}; "
                    f"allowed: {', '.join(allowed)}",
                )

    def condition(self, node: Any, key: str) -> Predicate | None:
        try:
            return compile_condition(node[key])
        except ConditionError as exc:
            self.problems.append(str(exc))
            return None


QUESTION_KEYS = (
    "id",
    "section",
    "kind",
    "text",
    "text_if",
    "options",
    "unsure",
    "if_unsure",
    "why",
    "also",
    "next",
)
# kinds of question that have no options to choose from (the person types)
TYPED_KINDS = (contract.TEXT, contract.MEASURE)


def _read_question(reader: _Reader, node: Any, sections: set[str]) -> Question | None:
    if not isinstance(node, Located):
        reader.problem(node, None, "each question must be a mapping with id, kind, text, ...")
        return None
    reader.unknown_keys(node, QUESTION_KEYS, "a question")
    qid = reader.require(node, "id", str, "the question's contract id")
    if qid is None:
        return None
    if qid not in contract.QUESTIONS:
        reader.problem(
            node,
            "id",
            f"{qid!r} is not a question id of the contract"
            f"{_suggest(qid, list(contract.QUESTIONS))}",
        )
        return None
    contract_kind, codes = contract.QUESTIONS[qid]
    kind = reader.require(node, "kind", str, "one, many, lab or text")
    if kind is not None and kind != contract_kind:
        reader.problem(
            node, "kind", f"{qid!r} is a {contract_kind!r} question in the contract, not {kind!r}"
        )
    section = reader.require(node, "section", str, "a section id from dialog.yaml")
    if section is not None and section not in sections:
        reader.problem(
            node, "section", f"no section {section!r}{_suggest(section, sorted(sections))}"
        )
    text = reader.require(node, "text", Mapping, "a mapping with 'self' and 'caregiver' wording")
    text_self = text_caregiver = ""
    if text is not None:
        reader.unknown_keys(text, ("self", "caregiver"), "a question's text")
        text_self = reader.require(text, "self", str, "the wording for the person themself") or ""
        text_caregiver = reader.require(text, "caregiver", str, "the wording for a caregiver") or ""
    options = _read_options(reader, node, qid, contract_kind, codes)
    seen = [o.code for o in options]
    for code in codes:
        if code not in seen:
            reader.problem(node, "options", f"{qid!r} has no option for the contract code {code!r}")
    unsure = node.get("unsure")
    if not isinstance(unsure, str) or not unsure.strip():
        reader.problem(
            node,
            "unsure" if "unsure" in node else None,
            "every question needs an 'unsure' label (the \"I'm not sure\" answer)",
        )
        unsure = "I'm not sure"
    why_text, why_sources = _read_why(reader, node)
    if_unsure = _read_if_unsure(reader, node)
    also = _read_also(reader, node, qid)
    text_if = _read_text_if(reader, node)
    transitions = _read_transitions(reader, node)
    return Question(
        id=qid,
        section=section or "",
        kind=contract_kind,
        text_self=" ".join(text_self.split()),
        text_caregiver=" ".join(text_caregiver.split()),
        options=tuple(options),
        unsure_label=unsure.strip(),
        why=" ".join(why_text.split()),
        why_sources=why_sources,
        transitions=tuple(transitions),
        where=node.where(),
        if_unsure_self=if_unsure[0],
        if_unsure_caregiver=if_unsure[1],
        if_unsure_sources=if_unsure[2],
        also=also,
        text_if=text_if,
    )


def _read_options(
    reader: _Reader, node: Located, qid: str, contract_kind: str, codes: tuple[str, ...]
) -> list[Option]:
    """A question's options (none for a question the person types)."""
    options: list[Option] = []
    if contract_kind in TYPED_KINDS:
        if node.get("options"):
            reader.problem(
                node,
                "options",
                f"{qid!r} is a {contract_kind!r} question: the "
                "person types the answer, so it has no options",
            )
        raw_options = []
    else:
        raw_options = reader.require(node, "options", list, "a list of {code, label}")
    for raw in raw_options or []:
        if not isinstance(raw, Mapping):
            reader.problem(node, "options", "each option must be a mapping {code, label}")
            continue
        reader.unknown_keys(raw, ("code", "label", "when"), "an option")
        code = reader.require(raw, "code", str, "a contract code (quote yes/no)")
        label = reader.require(raw, "label", str, "the words shown for this option")
        if code is not None and code not in codes:
            reader.problem(
                raw,
                "code",
                f"{code!r} is not a code of {qid!r}"
                f"{_suggest(code, codes)}; allowed: {', '.join(codes)}",
            )
            continue
        when = reader.condition(raw, "when") if "when" in raw else None
        if code is not None and label is not None:
            options.append(Option(code, label, when, raw.get("when")))
    return options


def _read_why(reader: _Reader, node: Located) -> tuple[str, tuple[str, ...]]:
    """A question's ``why``: the text (stripped) and its source keys."""
    why = node.get("why")
    why_text: str = ""
    why_sources: tuple[str, ...] = ()
    if (
        not isinstance(why, Mapping)
        or not isinstance(why.get("text"), str)
        or not why["text"].strip()
    ):
        reader.problem(
            node,
            "why" if "why" in node else None,
            "every question needs a 'why' with a 'text' (why we ask)",
        )
    else:
        why_text = why["text"].strip()
        sources = why.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            reader.problem(why, "sources", "'sources' must be a list of source keys")
        else:
            why_sources = tuple(sources)
    return why_text, why_sources


def _read_transitions(reader: _Reader, node: Located) -> list[Transition]:
    """A question's ``next``: the transitions in order, the last one without ``when``."""
    transitions: list[Transition] = []
    raw_next = reader.require(node, "next", list, "a list of {to, when}")
    for index, raw in enumerate(raw_next or []):
        if not isinstance(raw, Located):
            reader.problem(node, "next", "each transition must be a mapping {to, when}")
            continue
        reader.unknown_keys(raw, ("to", "when"), "a transition")
        dest = reader.require(raw, "to", str, "the next question id or outcome")
        when = reader.condition(raw, "when") if "when" in raw else None
        if "when" not in raw and index != len(raw_next) - 1:
            reader.problem(
                raw,
                None,
                "only the last transition may have no 'when'; "
                "the ones after it could never be taken",
            )
        if dest is not None:
            transitions.append(Transition(dest, when, raw.get("when"), raw.where()))
    if raw_next is not None and (not raw_next or "when" in raw_next[-1]):
        reader.problem(
            node,
            "next",
            "the last transition must have no 'when', so that the "
            "dialog always has somewhere to go",
        )
    return transitions


def _read_also(reader: _Reader, node: Mapping, qid: str) -> tuple[str, ...]:
    """``also: [age]``: contract ids recorded with this question's answer, never asked
    on their own."""
    if "also" not in node:
        return ()
    raw = node["also"]
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        reader.problem(node, "also", "'also' must be a list of contract question ids")
        return ()
    found: list[str] = []
    for other in raw:
        if other not in contract.QUESTIONS:
            reader.problem(
                node,
                "also",
                f"{other!r} in 'also' is not a question id of the "
                f"contract{_suggest(other, list(contract.QUESTIONS))}",
            )
        elif other == qid:
            reader.problem(node, "also", f"{qid!r} cannot list itself in 'also'")
        elif other not in found:
            found.append(other)
    return tuple(found)


def _read_text_if(reader: _Reader, node: Mapping) -> tuple[TextVariant, ...]:
    """``text_if``: a list of {when, self, caregiver}, other wordings for some answers."""
    if "text_if" not in node:
        return ()
    raw = node["text_if"]
    if not isinstance(raw, list) or not raw:
        reader.problem(node, "text_if", "'text_if' must be a list of {when, self, caregiver}")
        return ()
    variants: list[TextVariant] = []
    for item in raw:
        if not isinstance(item, Located):
            reader.problem(
                node, "text_if", "each 'text_if' item must be a mapping {when, self, caregiver}"
            )
            continue
        reader.unknown_keys(item, ("when", "self", "caregiver"), "a 'text_if' wording")
        own = reader.require(item, "self", str, "the wording for the person themself")
        theirs = reader.require(item, "caregiver", str, "the wording for a caregiver")
        when = reader.require(item, "when", Mapping, "a condition") and reader.condition(
            item, "when"
        )
        if own and theirs and when:
            variants.append(
                TextVariant(when, " ".join(own.split()), " ".join(theirs.split()), item.get("when"))
            )
    return tuple(variants)


def _read_if_unsure(reader: _Reader, node: Mapping) -> tuple[str, str, tuple[str, ...]]:
    """The optional ``if_unsure`` note: ``self`` and ``caregiver`` wording and its sources."""
    if "if_unsure" not in node:
        return "", "", ()
    raw = node["if_unsure"]
    if not isinstance(raw, Mapping):
        reader.problem(
            node,
            "if_unsure",
            "'if_unsure' must be a mapping with 'self', 'caregiver' and 'sources'",
        )
        return "", "", ()
    reader.unknown_keys(raw, ("self", "caregiver", "sources"), "an 'if_unsure' note")
    own = reader.require(raw, "self", str, "the note for the person themself") or ""
    theirs = reader.require(raw, "caregiver", str, "the note for a caregiver") or ""
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(x, str) for x in sources):
        reader.problem(
            raw,
            "sources" if "sources" in raw else None,
            "an 'if_unsure' note needs 'sources': a list of source keys",
        )
        sources = []
    return " ".join(own.split()), " ".join(theirs.split()), tuple(sources)


def _display(path: Path, directory: Path) -> str:
    """A file named as the person sees it: ``dialogs/questions.yaml``."""
    try:
        return str(path.relative_to(directory.parent))
    except ValueError:
        return str(path)


def _load(path: Path, root: Path, reader: _Reader) -> Any:
    display = _display(path, root)
    try:
        return load_file(path, display)
    except YamlError as exc:
        reader.problems.append(str(exc))
        return None


def _read_sections(reader: _Reader, meta: Mapping) -> list[Section]:
    sections: list[Section] = []
    for raw in reader.require(meta, "sections", list, "a list of {id, title}") or []:
        if (
            isinstance(raw, Mapping)
            and isinstance(raw.get("id"), str)
            and isinstance(raw.get("title"), str)
        ):
            reader.unknown_keys(raw, ("id", "title", "title_caregiver"), "a section")
            sections.append(
                Section(raw["id"], raw["title"], raw.get("title_caregiver", raw["title"]))
            )
        else:
            reader.problem(meta, "sections", "each section needs an 'id' and a 'title'")
    return sections


def _read_outcomes(reader: _Reader, meta: Mapping) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    raw_outcomes = reader.require(meta, "outcomes", Mapping, "a mapping of outcomes") or {}
    for oid, raw in raw_outcomes.items():
        if not isinstance(raw, Mapping) or raw.get("outcome") not in ("none", "assess"):
            reader.problem(
                meta["outcomes"],
                oid,
                "an outcome needs 'outcome: none' or 'outcome: assess' and a 'text'",
            )
            continue
        outcomes[oid] = Outcome(
            oid,
            raw["outcome"],
            " ".join(str(raw.get("text", "")).split()),
            meta["outcomes"].where(oid),
        )
    return outcomes


def _check_links(
    reader: _Reader, questions: Mapping[str, Question], outcomes: Mapping[str, Outcome]
) -> None:
    """Each id in an 'also' is recorded with one question and never asked itself; each
    transition goes to a question or an outcome."""
    states = set(questions) | set(outcomes)
    recorded_with: dict[str, str] = {}
    for question in questions.values():
        for other in question.also:
            if other in questions:
                reader.problems.append(
                    f"{question.where}: {other!r} in 'also' is asked as a "
                    f"question of its own ({questions[other].where})"
                )
            elif other in recorded_with:
                reader.problems.append(
                    f"{question.where}: {other!r} is already recorded with {recorded_with[other]!r}"
                )
            else:
                recorded_with[other] = question.id
    for question in questions.values():
        for transition in question.transitions:
            if transition.dest not in states:
                reader.problems.append(
                    f"{transition.where}: {question.id!r} goes to {transition.dest!r}, which is "
                    f"neither a question nor an outcome{_suggest(transition.dest, sorted(states))}"
                )


def load_dialog(directory: Path) -> Dialog:
    """Read ``dialog.yaml`` and ``questions.yaml`` from a dialogs folder."""
    reader = _Reader()
    meta = _load(directory / "dialog.yaml", directory, reader)
    body = _load(directory / "questions.yaml", directory, reader)
    if reader.problems:
        raise DialogError(reader.problems)
    if not isinstance(meta, Mapping):
        raise DialogError(
            [
                f"{_display(directory / 'dialog.yaml', directory)}, line 1: must be a "
                "mapping with start, sections and outcomes"
            ]
        )
    if not isinstance(body, Mapping):
        raise DialogError(
            [
                f"{_display(directory / 'questions.yaml', directory)}, line 1: must be "
                "a mapping with 'questions'"
            ]
        )
    reader.unknown_keys(meta, ("start", "sections", "outcomes"), "dialog.yaml")
    reader.unknown_keys(body, ("questions",), "questions.yaml")
    sections = _read_sections(reader, meta)
    outcomes = _read_outcomes(reader, meta)
    section_ids = {s.id for s in sections}
    questions: dict[str, Question] = {}
    for raw in reader.require(body, "questions", list, "a list of questions") or []:
        question = _read_question(reader, raw, section_ids)
        if question is None:
            continue
        if question.id in questions:
            reader.problem(
                raw,
                "id",
                f"the question {question.id!r} is defined twice "
                f"(first at {questions[question.id].where})",
            )
            continue
        questions[question.id] = question
    _check_links(reader, questions, outcomes)
    start = reader.require(meta, "start", str, "the id of the first question")
    if start is not None and start not in questions:
        reader.problem(meta, "start", f"the start {start!r} is not a question")
    if reader.problems:
        raise DialogError(reader.problems)
    return Dialog(
        start=start,
        sections=tuple(sections),
        questions=questions,
        outcomes=outcomes,
        files=("dialog.yaml", "questions.yaml"),
    )
