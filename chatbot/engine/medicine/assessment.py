"""The assessment: from a finished session to type, subtype, triage and reasons.

A pure function of the answers. The rules, weights and thresholds are data
(``content/rules/``); this module only interprets them:

1. evidence rules fire in order (a rule may read earlier ones) and add their
   weight and reason to their type;
2. the pathway (most dangerous first) picks the type and how sure it is;
3. subtype rules, deciding tests and triage rules follow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from chatbot.engine import contract
from chatbot.engine.dialog.answers import UNSURE_ANSWER, Ignored, to_plain
from chatbot.engine.medicine.labs import LabReport
from chatbot.engine.medicine.rules import Rules


class AssessedSession(Protocol):
    """What the assessment reads of a session: the facts the rules ask about
    (:class:`~chatbot.engine.conditions.Facts`) and what the result repeats.
    :class:`~chatbot.engine.dialog.session.Session` has all of it; this module does not
    import the session, so the session may use the assessment."""

    @property
    def answers(self) -> Mapping[str, Any]: ...
    @property
    def ignored(self) -> Sequence[Ignored]: ...
    @property
    def respondent(self) -> str | None: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def labs(self) -> LabReport: ...
    def answer(self, qid: str) -> str | tuple[str, ...]: ...
    def lab_status(self, lab: str) -> str: ...
    def lab_measured(self, lab: str) -> bool: ...
    def number(self, name: str) -> float | None: ...
    def caxp_level(self) -> str: ...


@dataclass(frozen=True)
class Candidate:
    type: str
    score: float
    reasons: tuple[str, ...]
    rules: tuple[str, ...]
    weights: tuple[float, ...] = ()  # the weight of each reason, to name the strongest


@dataclass(frozen=True)
class RedFlag:
    code: str
    level: str
    reason: str
    interrupt: bool = False  # to be said at once, before the next question


@dataclass(frozen=True)
class TriageReason:
    rule: str
    level: str
    reason: str


@dataclass(frozen=True)
class Caution:
    """What a doctor should rule out that this tool cannot (clinical.md 8.4, 8.6)."""

    id: str
    text: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "sources": list(self.sources)}


@dataclass(frozen=True)
class Assessment:
    outcome: str  # none | assess
    type: str
    subtype: str | None
    subtype_reason: str | None
    certainty: str
    pathway_step: str
    pathway_note: str
    triage: str
    triage_reasons: tuple[TriageReason, ...]
    red_flags: tuple[RedFlag, ...]
    ranking: tuple[Candidate, ...]
    tests: tuple[str, ...]
    labs: LabReport
    ignored: tuple[Ignored, ...]
    answers: dict[str, Any]
    respondent: str | None
    sources: tuple[str, ...]
    fired: tuple[str, ...] = field(default=())
    call_words: str = ""  # what to say when calling for help, filled in from the answers
    cautions: tuple[Caution, ...] = ()
    age: dict[str, Any] | None = None  # the exact age when known: {value, unit}


class _Memo(dict[str, Any]):
    """A fact of the session by name, read from the session the first time it is asked."""

    __slots__ = ("_read",)

    def __init__(self, read: Callable[[str], Any]):
        super().__init__()
        self._read = read

    def __missing__(self, key: str) -> Any:
        value = self[key] = self._read(key)
        return value


class _RuleFacts:
    """The session's facts plus the evidence rules that have fired so far.

    The session does not change while it is assessed, so each fact is read from it once;
    after that the conditions read it through a dict lookup (the rules ask about a
    hundred questions of each session, most of them several times)."""

    __slots__ = ("_caxp", "answer", "fired", "lab_measured", "lab_status", "number", "rule")

    def __init__(self, session: AssessedSession):
        self.fired: set[str] = set()
        self.rule: Callable[[str], bool] = self.fired.__contains__
        self.answer: Callable[[str], Any] = _Memo(session.answer).__getitem__
        self.lab_status: Callable[[str], str] = _Memo(session.lab_status).__getitem__
        self.lab_measured: Callable[[str], bool] = session.lab_measured
        self.number: Callable[[str], float | None] = session.number
        self._caxp = session.caxp_level

    def caxp_level(self) -> str:
        return self._caxp()


class AssessedFacts:
    """The facts behind a finished assessment, for conditions in ``content/`` (such as
    which questions for the doctor to offer): its answers, lab results and fired rules."""

    __slots__ = ("_a",)

    def __init__(self, assessment: Assessment):
        self._a = assessment

    def answer(self, qid: str) -> Any:
        value = self._a.answers.get(qid)
        if value is None:
            return UNSURE_ANSWER[qid]
        if value.__class__ is str:
            return value  # (most answers: one code)
        if isinstance(value, Mapping):
            return "measured"  # a lab measurement, as the session reports it
        return tuple(value) if isinstance(value, list) else value

    def lab_status(self, lab: str) -> str:
        return self._a.labs.status(lab)

    def lab_measured(self, lab: str) -> bool:
        return isinstance(self._a.answers.get(lab), Mapping)

    def number(self, name: str) -> float | None:
        return self._a.labs.number(name)

    def caxp_level(self) -> str:
        return self._a.labs.caxp_status()

    def rule(self, rule_id: str) -> bool:
        return rule_id in self._a.fired


def news_now(assessment: Assessment, announced: set[str]) -> bool:
    """Whether a red flag that must be said at once holds and was not said yet.

    The front ends ask this after every answer (and on resume, with nothing
    announced) and then show the whole assessment's flags and what to do;
    ``announced`` is updated with the flags now said.
    """
    new = {f.code for f in assessment.red_flags if f.interrupt} - announced
    announced |= new
    return bool(new)


def fill(template: str, labs: LabReport) -> str:
    """Put sentences about the person's lab values into a reason."""
    if "{" not in template:
        return template
    text = template
    for lab in contract.LAB_UNITS:
        key = "{" + lab + "}"
        if key in text:
            # {calcium} speaks of the calcium test that decides (ionised when known)
            shown = labs.calcium_decided_by if lab == "calcium" else lab
            sentence = labs.results[shown].describe()
            text = text.replace(
                key, sentence[:1].upper() + sentence[1:] if text.startswith(key) else sentence
            )
    if "{caxp}" in text:
        shown = "unknown" if labs.caxp is None else f"{labs.caxp:g}"
        product = f"the calcium × phosphate product is {shown} mg²/dL²"
        text = text.replace(
            "{caxp}", product[:1].upper() + product[1:] if text.startswith("{caxp}") else product
        )
    return text


def _tests(
    rules: Rules,
    facts: _RuleFacts,
    chosen: str,
    certainty: str,
    ranking: tuple[Candidate, ...],
    sources: list[str],
) -> list[str]:
    """The tests that would tell the leading types apart (their sources added to
    ``sources``)."""
    tests: list[str] = []
    if chosen == "none":
        return tests
    leading = {c.type for c in ranking[:3] if c.score > 0 or c.type == chosen}
    if (chosen == "unclear" or certainty != "likely") and len(leading) < 2:
        # not sure yet: name every test that could still change the answer
        leading |= set(contract.CANDIDATE_TYPES)
    for test in rules.tests:
        if len(leading & test.separates) >= (1 if test.id == "pth" else 2) and test.when(facts):
            tests.append(test.text)
            sources.extend(test.sources)
    return tests


def _triage(
    rules: Rules, facts: _RuleFacts, labs: LabReport, sources: list[str]
) -> tuple[str, list[TriageReason], list[RedFlag]]:
    """The triage level, its reasons and the red flags, most urgent first (their
    sources added to ``sources``)."""
    level = rules.triage_default
    triage_reasons: list[TriageReason] = []
    flags: list[RedFlag] = []
    for triage in rules.triage:
        if triage.when(facts):
            text = fill(triage.reason, labs)
            triage_reasons.append(TriageReason(triage.id, triage.level, text))
            sources.extend(triage.sources)
            if contract.triage_rank(triage.level) > contract.triage_rank(level):
                level = triage.level
            if triage.red_flag and all(f.code != triage.red_flag for f in flags):
                flags.append(RedFlag(triage.red_flag, triage.level, text, triage.interrupt))
    flags.sort(key=lambda f: -contract.triage_rank(f.level))
    triage_reasons.sort(key=lambda r: -contract.triage_rank(r.level))
    return level, triage_reasons, flags


def assess(session: AssessedSession, rules: Rules) -> Assessment:
    facts = _RuleFacts(session)
    labs = session.labs
    scores = {t: 0.0 for t in contract.CANDIDATE_TYPES}
    reasons: dict[str, list[str]] = {t: [] for t in contract.CANDIDATE_TYPES}
    weights: dict[str, list[float]] = {t: [] for t in contract.CANDIDATE_TYPES}
    fired_by_type: dict[str, list[str]] = {t: [] for t in contract.CANDIDATE_TYPES}
    sources: list[str] = []
    order: list[str] = []
    for rule in rules.rules:
        if rule.when(facts):
            facts.fired.add(rule.id)
            order.append(rule.id)
            scores[rule.type] += rule.weight
            fired_by_type[rule.type].append(rule.id)
            if rule.reason and rule.weight > 0:
                reasons[rule.type].append(fill(rule.reason, labs))
                weights[rule.type].append(rule.weight)
                sources.extend(rule.sources)

    if session.outcome == "none":
        step_id, chosen, certainty = "none", "none", "likely"
        note = "No deposits were described."
    else:
        step = next(s for s in rules.pathway if s.when is None or s.when(facts))
        step_id, chosen, certainty, note = step.id, step.type, step.certainty, step.note
        if step.if_labs_unknown and "unsure" in (labs.status("calcium"), labs.status("phosphate")):
            certainty = step.if_labs_unknown

    subtype = subtype_reason = None
    for sub in rules.subtypes:
        if chosen in sub.types and sub.when(facts):
            subtype, subtype_reason = sub.subtype, sub.reason
            sources.extend(sub.sources)
            break

    def sort_key(t: str) -> tuple[int, float, int]:
        return (0 if t == chosen else 1, -scores[t], contract.CANDIDATE_TYPES.index(t))

    ranking = tuple(
        Candidate(t, scores[t], tuple(reasons[t]), tuple(fired_by_type[t]), tuple(weights[t]))
        for t in sorted(contract.CANDIDATE_TYPES, key=sort_key)
    )

    tests = _tests(rules, facts, chosen, certainty, ranking, sources)
    level, triage_reasons, flags = _triage(rules, facts, labs, sources)
    cautions = tuple(Caution(c.id, c.text, c.sources) for c in rules.cautions if c.when(facts))
    for caution in cautions:
        sources.extend(caution.sources)
    age = session.answers.get("age")
    plain_age = to_plain(age) if age is not None else None

    return Assessment(
        outcome=session.outcome or "assess",
        type=chosen,
        subtype=subtype,
        subtype_reason=subtype_reason,
        certainty=certainty,
        pathway_step=step_id,
        pathway_note=note,
        triage=level,
        triage_reasons=tuple(triage_reasons),
        red_flags=tuple(flags),
        ranking=ranking,
        tests=tuple(tests),
        labs=labs,
        ignored=tuple(session.ignored),
        answers={qid: to_plain(v) for qid, v in session.answers.items()},
        respondent=session.respondent,
        sources=tuple(dict.fromkeys(sources)),
        fired=tuple(order),
        cautions=cautions,
        age=plain_age if isinstance(plain_age, dict) else None,
    )
