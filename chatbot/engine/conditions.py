"""A small data language for conditions, shared by the dialog and the rules.

Conditions come from YAML and are checked here; no text from YAML is ever run as
Python (see ``_Source``). The forms are::

    {answer: ID, is: CODE}          # a one-question's answer equals CODE
    {answer: ID, in: [CODE, ...]}   # one-question: answer is one of;
                                    # many-question: any of them chosen
    {answer: ID, has: CODE}         # a many-question's answer contains CODE
    {answer: ID, known: true}       # answered with something other than unsure
    {lab: ID, status: STATUS}       # high | normal | low | unsure
                                    # (after albumin correction, by age)
    {lab: ID, in: [STATUS, ...]}
    {lab: ID, measured: true}       # a number with a unit was given
    {fact: NAME, at_least: X}       # a derived number (see Facts.number) is >= X
    {fact: NAME, below: X}          # ... is < X (false when the number is unknown)
    {caxp: LEVEL}  {caxp: [LEVEL, ...]}  # the calcium x phosphate product is
                                    # normal | raised | high for the age group
                                    # (unsure when it cannot be computed)
    {rule: RULE_ID}                 # another rule fired (assessment rules only)
    {all: [COND, ...]}  {any: [COND, ...]}  {not: COND}

``compile_condition`` checks a parsed YAML condition and returns one plain
function of a :class:`Facts`-like object, so evaluation is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from chatbot.engine import contract
from chatbot.engine.yamlio import Located


class ConditionError(ValueError):
    """A condition in YAML that does not fit the language; the message says where."""


class Facts(Protocol):
    def answer(self, qid: str) -> str | tuple[str, ...]: ...
    def lab_status(self, lab: str) -> str: ...
    def lab_measured(self, lab: str) -> bool: ...
    def number(self, name: str) -> float | None: ...
    def caxp_level(self) -> str: ...
    def rule(self, rule_id: str) -> bool: ...


Predicate = Callable[[Facts], bool]

LAB_STATUSES = ("high", "normal", "low", "unsure")
# Derived numbers a rule may compare (see assessment.Facts.number).
FACT_NAMES = (
    "calcium_mgdl",
    "phosphate_mgdl",
    "albumin_gdl",
    "pth_pgml",
    "caxp",
    "ionized_calcium_mmoll",
    "vitamin_d_ngml",
    "age_days",
)
CAXP_LEVELS = ("normal", "raised", "high", "unsure")


def _where(node: Any) -> str:
    return node.where() if isinstance(node, Located) else "(condition)"


def _fail(node: Any, message: str) -> ConditionError:
    return ConditionError(f"{_where(node)}: {message}")


def _codes_of(node: Any, qid: str, value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    allowed = contract.codes_for(qid)
    for code in values:
        if not isinstance(code, str) or code not in allowed:
            raise _fail(node, f"{code!r} is not a code of {qid!r}; allowed: {', '.join(allowed)}")
    return tuple(values)


class _Source:
    """The Python expression of one condition, built from a closed set of templates.

    Every value from YAML (question ids, codes, statuses, numbers) is checked first and
    then bound to a name in ``values``; only those names and fixed templates are written
    into the expression's text, never a value itself, so YAML cannot put code in it.
    The expression is compiled once, as one function: evaluating a condition is then one
    Python frame instead of one per part (the rules and the dialog's transitions test
    conditions thousands of times per assessment)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.locals = 0

    def bind(self, value: Any) -> str:
        name = f"_v{len(self.values)}"
        self.values[name] = value
        return name

    def local(self) -> str:
        """A new name for a value worked out while the condition is tested."""
        self.locals += 1
        return f"_n{self.locals}"


def compile_condition(node: Any, rule_ids: Sequence[str] | None = None) -> Predicate:
    """Check a condition from YAML and turn it into a predicate on facts.

    ``rule_ids`` lists the rule ids a ``{rule: ...}`` may name; None forbids them.
    """
    source = _Source()
    text = _expression(node, rule_ids, source)
    code = compile(f"lambda f: {text}", f"<condition {_where(node)}>", "eval")
    # the bound values are the function's globals (no builtins: it needs none)
    predicate: Predicate = eval(code, {"__builtins__": {}, **source.values})
    return predicate


def _expression(node: Any, rule_ids: Sequence[str] | None, source: _Source) -> str:
    if not isinstance(node, Mapping) or not node:
        raise _fail(node, "a condition must be a mapping such as {answer: pain, is: severe}")
    keys = set(node)
    if keys == {"all"} or keys == {"any"}:
        (combiner,) = keys
        parts = node[combiner]
        if not isinstance(parts, list) or not parts:
            raise _fail(node, f"'{combiner}' takes a non-empty list of conditions")
        texts = [_expression(p, rule_ids, source) for p in parts]
        return "(" + (" and " if combiner == "all" else " or ").join(texts) + ")"
    if keys == {"not"}:
        return f"(not {_expression(node['not'], rule_ids, source)})"
    if "answer" in keys:
        return _answer_condition(node, source)
    if "lab" in keys:
        return _lab_condition(node, source)
    if "fact" in keys:
        return _fact_condition(node, source)
    if keys == {"caxp"}:
        return _caxp_condition(node, source)
    if keys == {"rule"}:
        if rule_ids is None:
            raise _fail(node, "'rule' conditions are allowed only in assessment rules")
        rid = node["rule"]
        if rid not in rule_ids:
            raise _fail(node, f"no rule called {rid!r}")
        return f"f.rule({source.bind(rid)})"
    raise _fail(
        node,
        "unknown condition; use answer, lab, fact, caxp, rule, all, any or not "
        f"(got keys: {', '.join(sorted(map(str, keys)))})",
    )


# answered with nothing but "not sure", for {answer: ID, known: ...}
_NOT_KNOWN = (contract.UNSURE, (), (contract.UNSURE,))


def _answer_condition(node: Mapping[str, Any], source: _Source) -> str:
    qid = node["answer"]
    if qid not in contract.QUESTIONS:
        raise _fail(node, f"no question called {qid!r}")
    kind = contract.QUESTIONS[qid][0]
    ops = set(node) - {"answer"}
    if len(ops) != 1:
        raise _fail(node, "an answer condition takes exactly one of: is, in, has, known")
    (op,) = ops
    value = node[op]
    answer = f"f.answer({source.bind(qid)})"
    if op == "known":
        return f"({answer} {'not in' if bool(value) else 'in'} {source.bind(_NOT_KNOWN)})"
    if op == "is":
        (code,) = _codes_of(node, qid, value)
        return f"({answer} == {source.bind((code,) if kind == contract.MANY else code)})"
    if op == "has":
        if kind != contract.MANY:
            raise _fail(node, f"'has' is for many-questions; {qid!r} takes one answer, use 'is'")
        (code,) = _codes_of(node, qid, value)
        return f"({source.bind(code)} in {answer})"
    if op == "in":
        if not isinstance(value, list) or not value:
            raise _fail(node, "'in' takes a non-empty list of codes")
        codes = source.bind(frozenset(_codes_of(node, qid, value)))
        if kind == contract.MANY:
            return f"(not {codes}.isdisjoint({answer}))"
        return f"({answer} in {codes})"
    raise _fail(node, f"unknown operator {op!r}; use is, in, has or known")


def _lab_condition(node: Mapping[str, Any], source: _Source) -> str:
    lab = node["lab"]
    if lab not in contract.LAB_UNITS:
        raise _fail(node, f"no lab called {lab!r}; labs: {', '.join(contract.LAB_UNITS)}")
    ops = set(node) - {"lab"}
    if len(ops) != 1:
        raise _fail(node, "a lab condition takes exactly one of: status, in, measured")
    (op,) = ops
    value = node[op]
    if op == "measured":
        return f"(f.lab_measured({source.bind(lab)}) == {source.bind(bool(value))})"
    statuses = value if isinstance(value, list) else [value]
    for status in statuses:
        if status not in LAB_STATUSES:
            raise _fail(node, f"{status!r} is not a lab status; use {', '.join(LAB_STATUSES)}")
    if op == "status" and not isinstance(value, list):
        return f"(f.lab_status({source.bind(lab)}) == {source.bind(value)})"
    if op == "in":
        return f"(f.lab_status({source.bind(lab)}) in {source.bind(frozenset(statuses))})"
    raise _fail(node, f"unknown operator {op!r}; use status, in or measured")


def _fact_condition(node: Mapping[str, Any], source: _Source) -> str:
    name = node["fact"]
    if name not in FACT_NAMES:
        raise _fail(node, f"no fact called {name!r}; facts: {', '.join(FACT_NAMES)}")
    ops = set(node) - {"fact"}
    if not ops or not ops <= {"at_least", "below"}:
        raise _fail(node, "a fact condition takes at_least and/or below with a number")
    low = node.get("at_least")
    high = node.get("below")
    for bound in (low, high):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
            raise _fail(node, f"{bound!r} is not a number")
    # the number, named for this part only; unknown (None) is false
    number = source.local()
    tests = [f"({number} := f.number({source.bind(name)})) is not None"]
    if low is not None:
        tests.append(f"{number} >= {source.bind(low)}")
    if high is not None:
        tests.append(f"{number} < {source.bind(high)}")
    return "(" + " and ".join(tests) + ")"


def _caxp_condition(node: Mapping[str, Any], source: _Source) -> str:
    value = node["caxp"]
    levels = value if isinstance(value, list) else [value]
    if not levels:
        raise _fail(node, "'caxp' takes a level or a non-empty list of levels")
    for level in levels:
        if level not in CAXP_LEVELS:
            raise _fail(
                node, f"{level!r} is not a calcium x phosphate level; use {', '.join(CAXP_LEVELS)}"
            )
    return f"(f.caxp_level() in {source.bind(frozenset(levels))})"


def mentioned_questions(node: Any) -> set[str]:
    """Question ids (and lab ids) a condition reads: for validation and FHIR enableWhen."""
    found: set[str] = set()
    if isinstance(node, Mapping):
        if "answer" in node:
            found.add(node["answer"])
        if "lab" in node:
            found.add(node["lab"])
        for key in ("all", "any"):
            for part in node.get(key, []) or []:
                found |= mentioned_questions(part)
        if "not" in node:
            found |= mentioned_questions(node["not"])
    return found
