"""The assessment and triage rules from ``content/rules/*.yaml``, checked and compiled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatbot.engine import contract
from chatbot.engine.conditions import ConditionError, Predicate, compile_condition
from chatbot.engine.yamlio import Located, YamlError, load_file

CERTAINTIES = ("likely", "provisional", "possible")


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


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.cited: list[tuple[str, str]] = []

    def where(self, node: Any, key: Any = None) -> str:
        return node.where(key) if isinstance(node, Located) else "rules"

    def get(
        self,
        node: Any,
        key: str,
        kind: type | tuple[type, ...],
        what: str,
        choices: tuple[str, ...] | None = None,
    ) -> Any:
        if not isinstance(node, Mapping):
            self.problems.append(f"{self.where(node)}: expected a mapping")
            return None
        if key not in node:
            self.problems.append(f"{self.where(node)}: missing '{key}' ({what})")
            return None
        value = node[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.problems.append(f"{self.where(node, key)}: '{key}' must be {what}")
            return None
        if choices is not None and value not in choices:
            self.problems.append(
                f"{self.where(node, key)}: {value!r} is not one of {', '.join(choices)}"
            )
            return None
        return value

    def condition(self, node: Any, rule_ids: list[str]) -> Predicate | None:
        try:
            return compile_condition(node, rule_ids)
        except ConditionError as exc:
            self.problems.append(str(exc))
            return None

    def sources(self, node: Mapping) -> tuple[str, ...]:
        value = node.get("sources", [])
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            self.problems.append(
                f"{self.where(node, 'sources')}: 'sources' must be a list of source keys"
            )
            return ()
        self.cited.extend((self.where(node, "sources"), key) for key in value)
        return tuple(value)


def _read_rules(reader: _Reader, data: Any) -> tuple[list[Rule], list[str]]:
    """The scoring rules, and the ids of every rule (a later rule may name an earlier)."""
    rules: list[Rule] = []
    names: list[str] = []
    for node in reader.get(data, "rules", list, "a list of rules") or []:
        rid = reader.get(node, "id", str, "a rule id")
        rtype = reader.get(node, "type", str, "a type code", contract.CANDIDATE_TYPES)
        weight = reader.get(node, "weight", (int, float), "a number")
        reason = reader.get(node, "reason", str, "the reason shown (may be empty for helpers)")
        if rid in names:
            reader.problems.append(f"{reader.where(node, 'id')}: the rule {rid!r} is defined twice")
        when = (
            reader.condition(node.get("when"), list(names))
            if isinstance(node, Mapping) and "when" in node
            else None
        )
        if isinstance(node, Mapping) and "when" not in node:
            reader.problems.append(f"{reader.where(node)}: missing 'when' (the condition)")
        if when is not None and None not in (rid, rtype, weight, reason, when):
            rules.append(
                Rule(
                    rid,
                    rtype,
                    float(weight),
                    when,
                    reason,
                    reader.sources(node),
                    reader.where(node),
                )
            )
        if rid is not None:
            names.append(rid)
    return rules, names


def _read_pathway(reader: _Reader, data: Any, names: list[str]) -> list[Step]:
    """The pathway steps, the last one without ``when``."""
    steps: list[Step] = []
    for node in reader.get(data, "pathway", list, "a list of steps") or []:
        sid = reader.get(node, "id", str, "a step id")
        stype = reader.get(node, "type", str, "a type code", contract.TYPES)
        certainty = reader.get(
            node, "certainty", str, "likely, provisional or possible", CERTAINTIES
        )
        note = reader.get(node, "note", str, "a plain sentence about this step")
        when = (
            reader.condition(node["when"], names)
            if isinstance(node, Mapping) and "when" in node
            else None
        )
        unknown = node.get("if_labs_unknown") if isinstance(node, Mapping) else None
        if unknown is not None and unknown not in CERTAINTIES:
            reader.problems.append(
                f"{reader.where(node, 'if_labs_unknown')}: {unknown!r} is not "
                f"one of {', '.join(CERTAINTIES)}"
            )
            unknown = None
        if None not in (sid, stype, certainty, note):
            steps.append(Step(sid, stype, certainty, when, note, unknown))
    if steps and steps[-1].when is not None:
        reader.problems.append(
            f"{reader.where(data, 'pathway')}: the last pathway step must have "
            "no 'when', so that every answer set gets a type"
        )
    for step in steps[:-1]:
        if step.when is None:
            reader.problems.append(
                f"{reader.where(data, 'pathway')}: only the last step may have "
                f"no 'when' (step {step.id!r})"
            )
    return steps


def _read_subtypes(reader: _Reader, data: Any, names: list[str]) -> list[SubtypeRule]:
    subtypes: list[SubtypeRule] = []
    for node in reader.get(data, "subtypes", list, "a list of subtype rules") or []:
        code = reader.get(node, "subtype", str, "a subtype code", contract.SUBTYPES)
        types = reader.get(node, "types", list, "a list of type codes")
        reason = reader.get(node, "reason", str, "the reason shown")
        when = reader.condition(node.get("when"), names) if isinstance(node, Mapping) else None
        for t in types or []:
            if t not in contract.CANDIDATE_TYPES:
                reader.problems.append(f"{reader.where(node, 'types')}: {t!r} is not a type code")
        if when is not None and None not in (code, types, reason, when):
            subtypes.append(SubtypeRule(code, tuple(types), when, reason, reader.sources(node)))
    return subtypes


def _read_tests(reader: _Reader, data: Any, names: list[str]) -> list[TestRule]:
    tests: list[TestRule] = []
    for node in reader.get(data, "tests", list, "a list of deciding tests") or []:
        tid = reader.get(node, "id", str, "a test id")
        separates = reader.get(node, "separates", list, "a list of type codes")
        text = reader.get(node, "text", str, "the test in plain words")
        when = reader.condition(node.get("when"), names) if isinstance(node, Mapping) else None
        if when is not None and None not in (tid, separates, text, when):
            tests.append(TestRule(tid, when, frozenset(separates), text, reader.sources(node)))
    return tests


def _read_assessment(
    reader: _Reader, data: Any
) -> tuple[list[Rule], list[Step], list[SubtypeRule], list[TestRule]]:
    rules, names = _read_rules(reader, data)
    steps = _read_pathway(reader, data, names)
    subtypes = _read_subtypes(reader, data, names)
    tests = _read_tests(reader, data, names)
    return rules, steps, subtypes, tests


def _read_triage(reader: _Reader, data: Any, names: list[str]) -> tuple[list[TriageRule], str]:
    default = (
        reader.get(data, "default", str, "a triage level", contract.TRIAGE_LEVELS) or "routine"
    )
    out: list[TriageRule] = []
    seen: dict[str, str] = {}
    for node in reader.get(data, "rules", list, "a list of triage rules") or []:
        tid = reader.get(node, "id", str, "a rule id")
        if tid is not None and tid in seen:
            reader.problems.append(
                f"{reader.where(node, 'id')}: the triage rule {tid!r} is "
                f"defined twice (first at {seen[tid]})"
            )
        elif tid is not None:
            seen[tid] = reader.where(node, "id")
        level = reader.get(node, "level", str, "a triage level", contract.TRIAGE_LEVELS)
        reason = reader.get(node, "reason", str, "the reason shown")
        flag = node.get("red_flag") if isinstance(node, Mapping) else None
        if flag is not None and not isinstance(flag, str):
            reader.problems.append(f"{reader.where(node, 'red_flag')}: 'red_flag' must be a code")
        interrupt = node.get("interrupt", False) if isinstance(node, Mapping) else False
        if not isinstance(interrupt, bool):
            reader.problems.append(
                f"{reader.where(node, 'interrupt')}: 'interrupt' must be true or false"
            )
        elif interrupt and not flag:
            reader.problems.append(
                f"{reader.where(node, 'interrupt')}: a rule that interrupts "
                "the dialog needs a red_flag to say"
            )
        when = reader.condition(node.get("when"), names) if isinstance(node, Mapping) else None
        if when is not None and None not in (tid, level, reason, when):
            out.append(
                TriageRule(
                    tid,
                    level,
                    flag,
                    when,
                    reason,
                    reader.sources(node),
                    reader.where(node, "red_flag" if flag else None),
                    interrupt is True,
                )
            )
    return out, default


def _read_cautions(reader: _Reader, data: Any, names: list[str]) -> list[CautionRule]:
    out: list[CautionRule] = []
    seen: set[str] = set()
    for node in reader.get(data, "cautions", list, "a list of cautions") or []:
        for key in node if isinstance(node, Mapping) else ():
            if key not in ("id", "when", "text", "sources"):
                reader.problems.append(
                    f"{reader.where(node, key)}: unknown key {key!r} in a "
                    "caution; allowed: id, when, text, sources"
                )
        cid = reader.get(node, "id", str, "a caution id")
        if cid is not None and cid in seen:
            reader.problems.append(
                f"{reader.where(node, 'id')}: the caution {cid!r} is defined twice"
            )
        seen.add(cid or "")
        text = reader.get(node, "text", str, "one plain sentence")
        if isinstance(text, str) and not text.strip():
            reader.problems.append(f"{reader.where(node, 'text')}: the text is empty")
        when = reader.condition(node.get("when"), names) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping) and not node.get("sources"):
            reader.problems.append(f"{reader.where(node)}: a caution needs its sources")
        if cid is not None and text is not None and when is not None:
            out.append(
                CautionRule(
                    cid, when, " ".join(text.split()), reader.sources(node), reader.where(node)
                )
            )
    return out


def load_rules(directory: Path) -> Rules:
    """Read ``assessment.yaml``, ``triage.yaml`` and (when present) ``cautions.yaml``
    from ``content/rules``."""
    reader = _Reader()
    data: dict[str, Any] = {}
    for name in ("assessment", "triage", "cautions"):
        path = directory / f"{name}.yaml"
        if name == "cautions" and not path.exists():
            data[name] = {"cautions": []}
            continue
        try:
            data[name] = load_file(path, f"content/rules/{name}.yaml")
        except YamlError as exc:
            reader.problems.append(str(exc))
    if reader.problems:
        raise RulesError(reader.problems)
    rules, steps, subtypes, tests = _read_assessment(reader, data["assessment"])
    names = [r.id for r in rules]
    triage, default = _read_triage(reader, data["triage"], names)
    cautions = _read_cautions(reader, data["cautions"], names)
    if reader.problems:
        raise RulesError(reader.problems)
    return Rules(
        tuple(rules),
        tuple(steps),
        tuple(subtypes),
        tuple(tests),
        tuple(triage),
        default,
        tuple(reader.cited),
        tuple(cautions),
    )
