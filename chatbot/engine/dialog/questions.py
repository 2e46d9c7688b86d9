"""The dialog as data: ``dialogs/*.yaml`` loaded into frozen, typed objects.

Loading checks the schema and collects every problem with its file and line;
:class:`DialogError` carries them all. Structural checks that look at the
whole graph (reachability, dead ends) live in :mod:`chatbot.engine.validate`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from chatbot.engine import contract
from chatbot.engine.conditions import ConditionError, Predicate, compile_condition
from chatbot.engine.schema import NOT_EMPTY, NOWHERE, Place, SourceKeys, Table, meta, read, shape
from chatbot.engine.yamlio import YamlError, load_file


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

    @cached_property
    def always_offered(self) -> bool:
        """Whether every option is offered whatever the answers (none has a ``when``)."""
        return self.kind == contract.LAB or all(o.when is None for o in self.options)

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


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the files' shape


@shape
class _SectionSpec:
    WHAT: ClassVar[str] = "a section"
    SHAPE: ClassVar[str] = "each section needs an 'id' and a 'title'"
    id: str
    title: str
    title_caregiver: str | None = None


@shape
class _OutcomeSpec:
    WHAT: ClassVar[str] = "an outcome"
    SHAPE: ClassVar[str] = "an outcome needs 'outcome: none' or 'outcome: assess' and a 'text'"
    outcome: Literal["none", "assess"]
    text: str = ""


@shape
class _DialogFile:
    WHAT: ClassVar[str] = "dialog.yaml"
    start: str = field(metadata=meta(what="the id of the first question"))
    sections: tuple[_SectionSpec, ...] = field(metadata=meta(what="a list of {id, title}"))
    outcomes: Table[_OutcomeSpec] = field(metadata=meta(what="a mapping of outcomes"))
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _WordingSpec:
    WHAT: ClassVar[str] = "a question's text"
    own: str = field(metadata=meta(key="self", what="the wording for the person themself"))
    caregiver: str = field(metadata=meta(what="the wording for a caregiver"))


@shape
class _OptionSpec:
    WHAT: ClassVar[str] = "an option"
    SHAPE: ClassVar[str] = "each option must be a mapping {code, label}"
    code: str = field(metadata=meta(what="a contract code (quote yes/no)"))
    label: str = field(metadata=meta(what="the words shown for this option"))
    when: Any = field(default=None, metadata=meta(what="a condition"))
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _VariantSpec:
    WHAT: ClassVar[str] = "a 'text_if' wording"
    SHAPE: ClassVar[str] = "each 'text_if' item must be a mapping {when, self, caregiver}"
    when: Any = field(metadata=meta(what="a condition"))
    own: str = field(metadata=meta(key="self", what="the wording for the person themself"))
    caregiver: str = field(metadata=meta(what="the wording for a caregiver"))


@shape
class _WhySpec:
    WHAT: ClassVar[str] = "a question's 'why'"
    text: str = field(metadata=meta(what="why we ask"))
    sources: SourceKeys = ()


@shape
class _IfUnsureSpec:
    WHAT: ClassVar[str] = "an 'if_unsure' note"
    own: str = field(metadata=meta(key="self", what="the note for the person themself"))
    caregiver: str = field(metadata=meta(what="the note for a caregiver"))
    sources: Annotated[SourceKeys, NOT_EMPTY] = field(
        metadata=meta(what="an 'if_unsure' note needs 'sources': a list of source keys")
    )


@shape
class _TransitionSpec:
    WHAT: ClassVar[str] = "a transition"
    SHAPE: ClassVar[str] = "each transition must be a mapping {to, when}"
    to: str = field(metadata=meta(what="the next question id or outcome"))
    when: Any = field(default=None, metadata=meta(what="a condition"))
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _QuestionSpec:
    WHAT: ClassVar[str] = "a question"
    SHAPE: ClassVar[str] = "each question must be a mapping with id, kind, text, ..."
    id: str = field(metadata=meta(what="the question's contract id"))
    section: str = field(metadata=meta(what="a section id from dialog.yaml"))
    kind: Literal["one", "many", "lab", "measure", "text"]
    text: _WordingSpec = field(metadata=meta(what="a mapping with 'self' and 'caregiver' wording"))
    unsure: Annotated[str, NOT_EMPTY] = field(
        metadata=meta(what="every question needs an 'unsure' label (the \"I'm not sure\" answer)")
    )
    why: _WhySpec = field(
        metadata=meta(what="every question needs a 'why' with a 'text' (why we ask)")
    )
    next: tuple[_TransitionSpec, ...] = field(metadata=meta(what="a list of {to, when}"))
    options: tuple[_OptionSpec, ...] | None = field(
        default=None, metadata=meta(what="a list of {code, label}")
    )
    text_if: Annotated[tuple[_VariantSpec, ...], NOT_EMPTY] = field(
        default=(), metadata=meta(what="a list of {when, self, caregiver}")
    )
    if_unsure: _IfUnsureSpec | None = field(
        default=None, metadata=meta(what="a mapping with 'self', 'caregiver' and 'sources'")
    )
    also: Annotated[tuple[str, ...], NOT_EMPTY] = field(
        default=(), metadata=meta(what="a list of contract question ids")
    )
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _QuestionsFile:
    WHAT: ClassVar[str] = "questions.yaml"
    questions: tuple[_QuestionSpec, ...] = field(metadata=meta(what="a list of questions"))


# kinds of question that have no options to choose from (the person types)
TYPED_KINDS = (contract.TEXT, contract.MEASURE)


# --------------------------------------------------------------------------- across entries


class _Reader:
    """Collects problems while reading one set of dialog files."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def condition(self, node: Any) -> Predicate | None:
        try:
            return compile_condition(node)
        except ConditionError as exc:
            self.problems.append(str(exc))
            return None


def _read_question(reader: _Reader, spec: _QuestionSpec, sections: set[str]) -> Question | None:
    place, qid = spec.place, spec.id
    if qid not in contract.QUESTIONS:
        reader.problems.append(
            f"{place.where('id')}: {qid!r} is not a question id of the contract"
            f"{_suggest(qid, list(contract.QUESTIONS))}"
        )
        return None
    contract_kind, codes = contract.QUESTIONS[qid]
    if spec.kind != contract_kind:
        reader.problems.append(
            f"{place.where('kind')}: {qid!r} is a {contract_kind!r} question in the contract, "
            f"not {spec.kind!r}"
        )
    if spec.section not in sections:
        reader.problems.append(
            f"{place.where('section')}: no section {spec.section!r}"
            f"{_suggest(spec.section, sorted(sections))}"
        )
    if not spec.why.text.strip():
        reader.problems.append(
            f"{place.where('why')}: every question needs a 'why' with a 'text' (why we ask)"
        )
    options = _read_options(reader, spec, contract_kind, codes)
    if_unsure = spec.if_unsure
    return Question(
        id=qid,
        section=spec.section,
        kind=contract_kind,
        text_self=_one_line(spec.text.own),
        text_caregiver=_one_line(spec.text.caregiver),
        options=tuple(options),
        unsure_label=spec.unsure.strip(),
        why=_one_line(spec.why.text),
        why_sources=spec.why.sources,
        transitions=_read_transitions(reader, spec),
        where=place.where(),
        if_unsure_self=_one_line(if_unsure.own) if if_unsure else "",
        if_unsure_caregiver=_one_line(if_unsure.caregiver) if if_unsure else "",
        if_unsure_sources=if_unsure.sources if if_unsure else (),
        also=_read_also(reader, spec),
        text_if=_read_text_if(reader, spec),
    )


def _read_options(
    reader: _Reader, spec: _QuestionSpec, contract_kind: str, codes: tuple[str, ...]
) -> list[Option]:
    """A question's options (none for a question the person types); every contract code
    needs one."""
    qid, place = spec.id, spec.place
    if contract_kind in TYPED_KINDS:
        if spec.options:
            reader.problems.append(
                f"{place.where('options')}: {qid!r} is a {contract_kind!r} question: the "
                "person types the answer, so it has no options"
            )
        return []
    if spec.options is None:
        reader.problems.append(f"{place.where()}: missing 'options' (a list of {{code, label}})")
        return []
    options: list[Option] = []
    for raw in spec.options:
        if raw.code not in codes:
            reader.problems.append(
                f"{raw.place.where('code')}: {raw.code!r} is not a code of {qid!r}"
                f"{_suggest(raw.code, codes)}; allowed: {', '.join(codes)}"
            )
            continue
        when = reader.condition(raw.when) if raw.when is not None else None
        options.append(Option(raw.code, raw.label, when, raw.when))
    seen = {o.code for o in options} | {o.code for o in spec.options}
    for code in codes:
        if code not in seen:
            reader.problems.append(
                f"{place.where('options')}: {qid!r} has no option for the contract code {code!r}"
            )
    return options


def _read_transitions(reader: _Reader, spec: _QuestionSpec) -> tuple[Transition, ...]:
    """A question's ``next``: the transitions in order, the last one without ``when``."""
    transitions: list[Transition] = []
    for index, raw in enumerate(spec.next):
        when = reader.condition(raw.when) if raw.when is not None else None
        if raw.when is None and index != len(spec.next) - 1:
            reader.problems.append(
                f"{raw.place.where()}: only the last transition may have no 'when'; "
                "the ones after it could never be taken"
            )
        transitions.append(Transition(raw.to, when, raw.when, raw.place.where()))
    if not spec.next or spec.next[-1].when is not None:
        reader.problems.append(
            f"{spec.place.where('next')}: the last transition must have no 'when', so that "
            "the dialog always has somewhere to go"
        )
    return tuple(transitions)


def _read_also(reader: _Reader, spec: _QuestionSpec) -> tuple[str, ...]:
    """``also: [age]``: contract ids recorded with this question's answer, never asked
    on their own."""
    found: list[str] = []
    where = spec.place.where("also")
    for other in spec.also:
        if other not in contract.QUESTIONS:
            reader.problems.append(
                f"{where}: {other!r} in 'also' is not a question id of the "
                f"contract{_suggest(other, list(contract.QUESTIONS))}"
            )
        elif other == spec.id:
            reader.problems.append(f"{where}: {spec.id!r} cannot list itself in 'also'")
        elif other not in found:
            found.append(other)
    return tuple(found)


def _read_text_if(reader: _Reader, spec: _QuestionSpec) -> tuple[TextVariant, ...]:
    """``text_if``: other wordings for some answers, each with its condition."""
    variants: list[TextVariant] = []
    for item in spec.text_if:
        when = reader.condition(item.when)
        if when is not None:
            own, theirs = _one_line(item.own), _one_line(item.caregiver)
            variants.append(TextVariant(when, own, theirs, item.when))
    return tuple(variants)


def _display(path: Path, directory: Path) -> str:
    """A file named as the person sees it: ``dialogs/questions.yaml``."""
    try:
        return str(path.relative_to(directory.parent))
    except ValueError:
        return str(path)


def _load(path: Path, root: Path, problems: list[str]) -> Any:
    display = _display(path, root)
    try:
        return load_file(path, display)
    except YamlError as exc:
        problems.append(str(exc))
        return None


def _read_outcomes(table: Table[_OutcomeSpec]) -> dict[str, Outcome]:
    return {
        oid: Outcome(oid, spec.outcome, _one_line(spec.text), table.place.where(oid))
        for oid, spec in table.items()
    }


def _raw_ids(body: Any) -> set[str]:
    """The id of every question written, a broken one's too: a question left out for a
    mistake of its own is not reported again by each transition to it."""
    items = body.get("questions") if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        return set()
    return {q["id"] for q in items if isinstance(q, Mapping) and isinstance(q.get("id"), str)}


def _check_links(
    problems: list[str],
    questions: Mapping[str, Question],
    outcomes: Mapping[str, Outcome],
    written: set[str],
) -> None:
    """Each id in an 'also' is recorded with one question and never asked itself; each
    transition goes to a question or an outcome."""
    states = set(questions) | set(outcomes)
    recorded_with: dict[str, str] = {}
    for question in questions.values():
        for other in question.also:
            if other in questions:
                problems.append(
                    f"{question.where}: {other!r} in 'also' is asked as a "
                    f"question of its own ({questions[other].where})"
                )
            elif other in recorded_with:
                problems.append(
                    f"{question.where}: {other!r} is already recorded with {recorded_with[other]!r}"
                )
            else:
                recorded_with[other] = question.id
    for question in questions.values():
        for transition in question.transitions:
            if transition.dest not in states | written:
                problems.append(
                    f"{transition.where}: {question.id!r} goes to {transition.dest!r}, which is "
                    f"neither a question nor an outcome{_suggest(transition.dest, sorted(states))}"
                )


def _read_questions(
    reader: _Reader, specs: tuple[_QuestionSpec, ...], sections: set[str]
) -> dict[str, Question]:
    questions: dict[str, Question] = {}
    for spec in specs:
        question = _read_question(reader, spec, sections)
        if question is None:
            continue
        if question.id in questions:
            reader.problems.append(
                f"{spec.place.where('id')}: the question {question.id!r} is defined twice "
                f"(first at {questions[question.id].where})"
            )
            continue
        questions[question.id] = question
    return questions


def load_dialog(directory: Path) -> Dialog:
    """Read ``dialog.yaml`` and ``questions.yaml`` from a dialogs folder."""
    problems: list[str] = []
    raw_meta = _load(directory / "dialog.yaml", directory, problems)
    body = _load(directory / "questions.yaml", directory, problems)
    if problems:
        raise DialogError(problems)
    at = "{}, line 1".format
    meta_file = read(
        _DialogFile, raw_meta, at(_display(directory / "dialog.yaml", directory)), problems
    )
    body_file = read(
        _QuestionsFile, body, at(_display(directory / "questions.yaml", directory)), problems
    )
    if meta_file is None or body_file is None:
        raise DialogError(problems)
    reader = _Reader(problems)
    sections = [
        Section(s.id, s.title, s.title if s.title_caregiver is None else s.title_caregiver)
        for s in meta_file.sections
    ]
    outcomes = _read_outcomes(meta_file.outcomes)
    questions = _read_questions(reader, body_file.questions, {s.id for s in sections})
    _check_links(problems, questions, outcomes, _raw_ids(body))
    if meta_file.start not in questions:
        problems.append(
            f"{meta_file.place.where('start')}: the start {meta_file.start!r} is not a question"
        )
    if problems:
        raise DialogError(problems)
    return Dialog(
        start=meta_file.start,
        sections=tuple(sections),
        questions=questions,
        outcomes=outcomes,
        files=("dialog.yaml", "questions.yaml"),
    )
