"""The assessment and triage rules from ``content/rules/*.yaml``, checked and compiled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args

from chatbot.engine import contract
from chatbot.engine.conditions import ConditionError, Predicate, compile_condition
from chatbot.engine.schema import NOT_EMPTY, NOWHERE, OneOf, Place, SourceKeys, meta, read, shape
from chatbot.engine.yamlio import YamlError, load_file

Certainty = Literal["likely", "provisional", "possible"]
CERTAINTIES: tuple[str, ...] = get_args(Certainty)


class RulesError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Rule:
    id: str
    type: str
    weight: float
    when: Predicate
    reason: str
    sources: tuple[str, ...]
    where: str = ""


@dataclass(frozen=True)
class Step:
    id: str
    type: str
    certainty: str
    when: Predicate | None
    note: str
    # certainty when calcium or phosphate is unknown (None: unchanged)
    if_labs_unknown: str | None = None


@dataclass(frozen=True)
class SubtypeRule:
    subtype: str
    types: tuple[str, ...]
    when: Predicate
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class TestRule:
    id: str
    when: Predicate
    separates: frozenset[str]
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class TriageRule:
    id: str
    level: str
    red_flag: str | None
    when: Predicate
    reason: str
    sources: tuple[str, ...]
    where: str = ""
    interrupt: bool = False  # said at once, mid-dialog, when it starts to hold


@dataclass(frozen=True)
class CautionRule:
    """What a doctor should rule out that the tool cannot, said when ``when`` holds."""

    id: str
    when: Predicate
    text: str
    sources: tuple[str, ...]
    where: str = ""


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    pathway: tuple[Step, ...]
    subtypes: tuple[SubtypeRule, ...]
    tests: tuple[TestRule, ...]
    triage: tuple[TriageRule, ...]
    triage_default: str

    def sources_used(self) -> set[str]:
        return {key for _where, key in self.cited}

    cited: tuple[tuple[str, str], ...] = ()  # (file and line, source key) for validation
    cautions: tuple[CautionRule, ...] = ()


# --------------------------------------------------------------------------- the files' shape

_TypeCode = Annotated[str, OneOf(contract.CANDIDATE_TYPES)]
_Level = Annotated[str, OneOf(contract.TRIAGE_LEVELS)]


@shape
class _RuleSpec:
    WHAT: ClassVar[str] = "an assessment rule"
    id: str = field(metadata=meta(what="a rule id"))
    type: _TypeCode = field(metadata=meta(what="a type code"))
    weight: float = field(metadata=meta(what="a number"))
    when: Any = field(metadata=meta(what="the condition"))
    reason: str = field(metadata=meta(what="the reason shown (may be empty for helpers)"))
    sources: SourceKeys = ()
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _StepSpec:
    WHAT: ClassVar[str] = "a pathway step"
    id: str = field(metadata=meta(what="a step id"))
    type: Annotated[str, OneOf(contract.TYPES)] = field(metadata=meta(what="a type code"))
    certainty: Certainty
    note: str = field(metadata=meta(what="a plain sentence about this step"))
    when: Any = None  # only the last step has none
    if_labs_unknown: Certainty | None = None


@shape
class _SubtypeSpec:
    WHAT: ClassVar[str] = "a subtype rule"
    subtype: Annotated[str, OneOf(contract.SUBTYPES)] = field(metadata=meta(what="a subtype code"))
    types: tuple[_TypeCode, ...] = field(metadata=meta(what="a list of type codes"))
    when: Any = field(metadata=meta(what="the condition"))
    reason: str = field(metadata=meta(what="the reason shown"))
    sources: SourceKeys = ()
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _TestSpec:
    WHAT: ClassVar[str] = "a deciding test"
    id: str = field(metadata=meta(what="a test id"))
    separates: tuple[_TypeCode, ...] = field(metadata=meta(what="a list of type codes"))
    when: Any = field(metadata=meta(what="the condition"))
    text: str = field(metadata=meta(what="the test in plain words"))
    sources: SourceKeys = ()
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _AssessmentFile:
    WHAT: ClassVar[str] = "content/rules/assessment.yaml"
    rules: tuple[_RuleSpec, ...] = field(metadata=meta(what="a list of rules"))
    pathway: tuple[_StepSpec, ...] = field(metadata=meta(what="a list of steps"))
    subtypes: tuple[_SubtypeSpec, ...] = field(metadata=meta(what="a list of subtype rules"))
    tests: tuple[_TestSpec, ...] = field(metadata=meta(what="a list of deciding tests"))
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _TriageSpec:
    WHAT: ClassVar[str] = "a triage rule"
    id: str = field(metadata=meta(what="a rule id"))
    level: _Level = field(metadata=meta(what="a triage level"))
    when: Any = field(metadata=meta(what="the condition"))
    reason: str = field(metadata=meta(what="the reason shown"))
    sources: SourceKeys = ()
    red_flag: str | None = field(default=None, metadata=meta(what="a red flag code"))
    interrupt: bool = False  # said at once, mid-dialog, when it starts to hold
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _TriageFile:
    WHAT: ClassVar[str] = "content/rules/triage.yaml"
    default: _Level = field(metadata=meta(what="a triage level"))
    rules: tuple[_TriageSpec, ...] = field(metadata=meta(what="a list of triage rules"))


@shape
class _CautionSpec:
    WHAT: ClassVar[str] = "a caution"
    id: str = field(metadata=meta(what="a caution id"))
    when: Any = field(metadata=meta(what="the condition"))
    text: Annotated[str, NOT_EMPTY] = field(metadata=meta(what="one plain sentence"))
    sources: Annotated[SourceKeys, NOT_EMPTY] = field(metadata=meta(what="its sources"))
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _CautionsFile:
    WHAT: ClassVar[str] = "content/rules/cautions.yaml"
    cautions: tuple[_CautionSpec, ...] = field(metadata=meta(what="a list of cautions"))


# --------------------------------------------------------------------------- across entries


class _Compiler:
    """Conditions compiled against the rule ids they may name; the sources cited."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.cited: list[tuple[str, str]] = []

    def condition(self, node: Any, rule_ids: list[str]) -> Predicate | None:
        try:
            return compile_condition(node, rule_ids)
        except ConditionError as exc:
            self.problems.append(str(exc))
            return None

    def sources(self, place: Place, keys: tuple[str, ...]) -> tuple[str, ...]:
        self.cited.extend((place.where("sources"), key) for key in keys)
        return keys

    def twice(self, seen: dict[str, str], rid: str, place: Place, what: str) -> None:
        """A problem when ``rid`` was defined before (``seen``: id -> where)."""
        if rid in seen:
            self.problems.append(
                f"{place.where('id')}: the {what} {rid!r} is defined twice (first at {seen[rid]})"
            )
        else:
            seen[rid] = place.where("id")


def _ids(raw: Any, key: str) -> list[str]:
    """Every rule id under ``key`` in a parsed file, a broken rule's too: a rule left out
    for a mistake of its own is not reported again by each rule that names it."""
    items = raw.get(key) if isinstance(raw, Mapping) else None
    if not isinstance(items, list):
        return []
    return [n["id"] for n in items if isinstance(n, Mapping) and isinstance(n.get("id"), str)]


def _read_rules(
    c: _Compiler, specs: tuple[_RuleSpec, ...], ids: list[str]
) -> tuple[list[Rule], list[str]]:
    """The scoring rules, and the ids of every rule (a later rule may name an earlier)."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    at = 0  # the position of this rule among all, the broken ones too
    for spec in specs:
        while at < len(ids) and ids[at] != spec.id:
            at += 1
        c.twice(seen, spec.id, spec.place, "rule")
        when = c.condition(spec.when, ids[:at])
        if when is not None:
            sources = c.sources(spec.place, spec.sources)
            place = spec.place.where()
            rules.append(Rule(spec.id, spec.type, spec.weight, when, spec.reason, sources, place))
        at += 1
    return rules, ids


def _read_pathway(
    c: _Compiler, specs: tuple[_StepSpec, ...], names: list[str], where: str
) -> list[Step]:
    """The pathway steps, the last one without ``when``."""
    steps: list[Step] = []
    for spec in specs:
        when = c.condition(spec.when, names) if spec.when is not None else None
        steps.append(
            Step(spec.id, spec.type, spec.certainty, when, spec.note, spec.if_labs_unknown)
        )
    if specs and specs[-1].when is not None:
        c.problems.append(
            f"{where}: the last pathway step must have no 'when', so that every answer set "
            "gets a type"
        )
    for spec in specs[:-1]:
        if spec.when is None:
            c.problems.append(f"{where}: only the last step may have no 'when' (step {spec.id!r})")
    return steps


def _read_assessment(
    c: _Compiler, data: _AssessmentFile, ids: list[str]
) -> tuple[list[Rule], list[Step], list[SubtypeRule], list[TestRule]]:
    rules, names = _read_rules(c, data.rules, ids)
    steps = _read_pathway(c, data.pathway, names, data.place.where("pathway"))
    subtypes = []
    for sub in data.subtypes:
        when = c.condition(sub.when, names)
        if when is not None:
            sources = c.sources(sub.place, sub.sources)
            subtypes.append(SubtypeRule(sub.subtype, sub.types, when, sub.reason, sources))
    tests = []
    for test in data.tests:
        when = c.condition(test.when, names)
        if when is not None:
            sources = c.sources(test.place, test.sources)
            tests.append(TestRule(test.id, when, frozenset(test.separates), test.text, sources))
    return rules, steps, subtypes, tests


def _read_triage(c: _Compiler, data: _TriageFile, names: list[str]) -> list[TriageRule]:
    out: list[TriageRule] = []
    seen: dict[str, str] = {}
    for spec in data.rules:
        c.twice(seen, spec.id, spec.place, "triage rule")
        if spec.interrupt and not spec.red_flag:
            c.problems.append(
                f"{spec.place.where('interrupt')}: a rule that interrupts "
                "the dialog needs a red_flag to say"
            )
        when = c.condition(spec.when, names)
        if when is not None:
            sources = c.sources(spec.place, spec.sources)
            place = spec.place.where("red_flag" if spec.red_flag else None)
            out.append(
                TriageRule(
                    spec.id,
                    spec.level,
                    spec.red_flag,
                    when,
                    spec.reason,
                    sources,
                    place,
                    spec.interrupt,
                )
            )
    return out


def _read_cautions(c: _Compiler, data: _CautionsFile, names: list[str]) -> list[CautionRule]:
    out: list[CautionRule] = []
    seen: dict[str, str] = {}
    for spec in data.cautions:
        c.twice(seen, spec.id, spec.place, "caution")
        when = c.condition(spec.when, names)
        if when is not None:
            sources = c.sources(spec.place, spec.sources)
            text = " ".join(spec.text.split())
            out.append(CautionRule(spec.id, when, text, sources, spec.place.where()))
    return out


def load_rules(directory: Path) -> Rules:
    """Read ``assessment.yaml``, ``triage.yaml`` and (when present) ``cautions.yaml``
    from ``content/rules``."""
    problems: list[str] = []
    data: dict[str, Any] = {}
    for name in ("assessment", "triage", "cautions"):
        path = directory / f"{name}.yaml"
        if name == "cautions" and not path.exists():
            data[name] = {"cautions": []}
            continue
        try:
            data[name] = load_file(path, f"content/rules/{name}.yaml")
        except YamlError as exc:
            problems.append(str(exc))
    if problems:
        raise RulesError(problems)
    at = "content/rules/{}.yaml, line 1".format
    assessment = read(_AssessmentFile, data["assessment"], at("assessment"), problems)
    triage_file = read(_TriageFile, data["triage"], at("triage"), problems)
    cautions_file = read(_CautionsFile, data["cautions"], at("cautions"), problems)
    c = _Compiler(problems)
    names = _ids(data["assessment"], "rules")
    rules, steps, subtypes, tests = (
        _read_assessment(c, assessment, names) if assessment else ([], [], [], [])
    )
    triage = _read_triage(c, triage_file, names) if triage_file else []
    cautions = _read_cautions(c, cautions_file, names) if cautions_file else []
    if problems or triage_file is None:
        raise RulesError(problems)
    return Rules(
        tuple(rules),
        tuple(steps),
        tuple(subtypes),
        tuple(tests),
        tuple(triage),
        triage_file.default,
        tuple(c.cited),
        tuple(cautions),
    )
