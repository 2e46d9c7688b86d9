"""FHIR R4 export: the dialog as a Questionnaire, answers as a QuestionnaireResponse.

Pure functions that build plain ``dict`` s (JSON-ready); no file I/O, no network,
standard library only. The resources validate against the FHIR R4 (and R4B)
Questionnaire / QuestionnaireResponse models.

Coding scheme
-------------
Every answer code is a ``Coding`` in a per-question code system::

    system = f"{SYSTEM}:{question_id}"     e.g. urn:calcinosis:answers:pain
    code   = the contract code             e.g. severe   (``unsure`` included)

Codes such as ``none`` or ``yes`` mean different things in different
questions, hence one system per question rather than one shared system. Lab
statuses use the lab's system (``urn:calcinosis:answers:calcium``). These are
URNs: nothing is ever fetched.

Items
-----
* one ``group`` item per dialog section (``linkId`` = section id);
* inside it, one item per question, ``linkId`` = the contract id, ``text`` =
  the wording for the person themself: ``choice`` for "one" questions,
  ``choice`` with ``repeats: true`` for "many" questions, with an
  ``answerOption`` per option and one for ``unsure`` (display = the question's
  "not sure" label);
* a lab is two sibling items, because it may be answered with a number *or*
  a status: a ``quantity`` item ``linkId`` = the lab id, whose accepted UCUM
  units are listed in the standard ``questionnaire-unitOption`` extension, and
  a ``choice`` item ``linkId`` = ``f"{lab}_status"`` (high / normal / low /
  unsure; only unsure for albumin, which is measurement only). A response
  holds at most one of the two;
* an answer recorded with a question (its ``also``: the exact ``age`` with
  ``age_group``) is a sibling ``quantity`` item right after it, ``linkId`` =
  its contract id, with the same ``enableWhen``; the age's units are UCUM
  ``d``, ``wk``, ``mo`` and ``a`` (days, weeks, months, years);
* a ``text`` question (``notes``) is a ``text`` item with ``maxLength``; its
  answer is a ``valueString``, exactly as typed. An ``unsure`` (nothing to
  add) is left out of a response, which means the same.

enableWhen
----------
An item's ``enableWhen`` is derived from the dialog's transitions: a question
is asked when some predecessor is asked *and* the transition into it is the
one taken (its ``when`` holds and the earlier transitions' do not). That
boolean formula is simplified (with what FHIR itself guarantees: an answer to
an item implies the item was enabled) and written as FHIR can write it: no
``enableWhen`` (always asked), one condition, several with
``enableBehavior: all``, or several with ``enableBehavior: any``.

What FHIR R4 cannot express, and what is done instead:

* a lab *status* in the dialog (``{lab: calcium, status: high}``) is the
  status stated by the person **or** the status worked out from a measured
  value (by age group, after albumin correction). FHIR can test the stated
  status (``calcium_status = high``) but not the worked-out one, so the
  measured branch is widened to "a value was entered" (``calcium exists``).
  Items whose ``enableWhen`` is widened like this (shown whenever the dialog
  would ask them, and sometimes more) carry the extension
  :data:`EXT_ENABLE_WHEN_APPROXIMATE` (``valueBoolean: true``);
* a condition that is neither one condition nor a flat all/any list is
  likewise widened to the conditions it always implies (possibly none), and
  flagged the same way;
* a ``when`` on an answer *option* (heel_sticks is offered only when the
  person is not an adult) has no R4 equivalent: the option is always listed,
  and the condition, as written in the dialog, is kept in the option's
  extension :data:`EXT_OPTION_CONDITION` (``valueString``, JSON). The engine
  ignores such an answer when it should not have been offered.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from chatbot import __version__
from chatbot.engine import contract
from chatbot.engine.dialog.answers import Age, Answer, Text
from chatbot.engine.dialog.questions import Dialog, Question
from chatbot.engine.medicine.labs import IONIZED, LabValue

SYSTEM = "urn:calcinosis:answers"
QUESTIONNAIRE_URL = "urn:calcinosis:questionnaire"
QUESTIONNAIRE_NAME = "CalcinosisSymptomChecker"
QUESTIONNAIRE_TITLE = "Calcium deposits in the skin: symptom checker"

UCUM = "http://unitsofmeasure.org"
UNIT_OPTION = "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption"
EXT_OPTION_CONDITION = "urn:calcinosis:fhir:option-condition"
EXT_ENABLE_WHEN_APPROXIMATE = "urn:calcinosis:fhir:enable-when-approximate"

STATUS_SUFFIX = "_status"
RESPONSE_STATUSES = ("completed", "in-progress")

# Contract unit (as the contract spells it) -> UCUM code.
UCUM_CODES: dict[str, str] = {
    "mg/dL": "mg/dL",
    "mmol/L": "mmol/L",
    "mEq/L": "meq/L",
    "g/dL": "g/dL",
    "g/L": "g/L",
    "pg/mL": "pg/mL",
    "ng/L": "ng/L",
    "pmol/L": "pmol/L",
    "ng/mL": "ng/mL",
    "nmol/L": "nmol/L",
}
_UNIT_FROM_UCUM: dict[str, str] = {code: unit for unit, code in UCUM_CODES.items()}
_UNIT_FROM_LOWER: dict[str, str] = {unit.lower(): unit for unit in UCUM_CODES}
# Units of a measurement that is not a lab (the exact age) -> UCUM code.
MEASURE_UCUM: dict[str, dict[str, str]] = {
    "age": {"days": "d", "weeks": "wk", "months": "mo", "years": "a"},
}

# FHIR dateTime with a time: seconds and a time zone are required.
_DATETIME = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:"
    r"([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$"
)


def system_for(qid: str) -> str:
    """The code system of one question's answer codes (a lab's statuses use the lab's)."""
    return f"{SYSTEM}:{qid}"


def status_link_id(lab: str) -> str:
    """The ``linkId`` of the item holding a lab's status (high / normal / low / unsure)."""
    return f"{lab}{STATUS_SUFFIX}"


def _coding(qid: str, code: str, display: str | None = None) -> dict[str, str]:
    coding = {"system": system_for(qid), "code": code}
    if display:
        coding["display"] = display
    return coding


def _lab_status_codes(lab: str) -> tuple[str, ...]:
    return contract.QUESTIONS[lab][1] + (contract.UNSURE,)


# =========================================================================== enableWhen
#
# Formulas are tuples: ("true",), ("false",), ("atom", Atom), ("not", f),
# ("and", (f, ...)), ("or", (f, ...)). Atoms are what FHIR can test, plus
# "opaque" ones it cannot (a status worked out from a number, a derived fact).


class Atom(NamedTuple):
    kind: str  # code | stated | measured | opaque
    qid: str  # the question (or lab) the atom is about; a fact name for facts
    code: str  # the answer code / stated status / worked-out status; "" for measured


TRUE: tuple = ("true",)
FALSE: tuple = ("false",)
_KIND_ORDER = ("code", "stated", "measured", "opaque")
MAX_ATOMS = 18  # truth tables beyond 2**18 rows are not built; the item is then flagged


def _atom(kind: str, qid: str, code: str = "") -> tuple:
    return ("atom", Atom(kind, qid, code))


def _not(f: tuple) -> tuple:
    if f == TRUE:
        return FALSE
    if f == FALSE:
        return TRUE
    return ("not", f)


def _and(parts: Iterable[tuple]) -> tuple:
    kept = [p for p in parts if p != TRUE]
    if any(p == FALSE for p in kept):
        return FALSE
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else ("and", tuple(kept))


def _or(parts: Iterable[tuple]) -> tuple:
    kept = [p for p in parts if p != FALSE]
    if any(p == TRUE for p in kept):
        return TRUE
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else ("or", tuple(kept))


def _plain(node: Any) -> Any:
    """A condition from YAML as plain JSON data."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    return node


def _codes(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [("yes" if v else "no") if isinstance(v, bool) else str(v) for v in values]


def _real_codes(qid: str) -> tuple[str, ...]:
    return contract.QUESTIONS[qid][1]


def _lab_has_status(lab: str, status: str) -> tuple:
    """The engine's lab status: stated by the person, or worked out from a measured value.

    Calcium's status is the ionised calcium's whenever that is known (clinical.md 8.2:
    an ionised value decides), else the total calcium's own."""
    if lab == "calcium":
        ionised_known = _or(
            [_atom("measured", IONIZED)]
            + [_atom("stated", IONIZED, s) for s in _real_codes(IONIZED)]
        )
        return _or(
            [
                _and([ionised_known, _own_status(IONIZED, status)]),
                _and([_not(ionised_known), _own_status(lab, status)]),
            ]
        )
    return _own_status(lab, status)


def _own_status(lab: str, status: str) -> tuple:
    """A lab's own status: stated, or worked out from its measured value."""
    measured = _atom("measured", lab)
    if status == contract.UNSURE:
        stated = _or(_atom("stated", lab, s) for s in _real_codes(lab))
        return _and([_not(stated), _or([_not(measured), _atom("opaque", lab, status)])])
    return _or([_atom("stated", lab, status), _and([measured, _atom("opaque", lab, status)])])


def _answer_formula(node: Mapping[str, Any]) -> tuple:
    qid = str(node["answer"])
    kind = contract.QUESTIONS[qid][0]
    (op,) = set(node) - {"answer"}
    value = node[op]
    if kind in (contract.MEASURE, contract.TEXT):  # a number or words: given or not
        given = _atom("measured", qid)
        return (given if value else _not(given)) if op == "known" else FALSE
    if kind == contract.LAB:  # the answer of a lab is its stated status, or "measured"
        measured = _atom("measured", qid)
        stated = {s: _atom("stated", qid, s) for s in _real_codes(qid)}
        nothing = _and([_not(measured)] + [_not(a) for a in stated.values()])

        def lab_is(code: str) -> tuple:
            return nothing if code == contract.UNSURE else stated.get(code, FALSE)

        if op == "known":
            known = _not(nothing)
            return known if value else nothing
        return _or(lab_is(c) for c in _codes(value))

    def has(code: str) -> tuple:
        return _atom("code", qid, code)

    nothing = _and(_not(has(c)) for c in _real_codes(qid))  # unanswered or unsure

    def is_(code: str) -> tuple:
        if code == contract.UNSURE:
            return nothing
        if kind == contract.MANY:  # exactly this one code
            return _and([has(code)] + [_not(has(c)) for c in _real_codes(qid) if c != code])
        return has(code)

    if op == "known":
        return _not(nothing) if value else nothing
    if op == "is":
        return is_(_codes(value)[0])
    if op == "has":
        code = _codes(value)[0]
        return nothing if code == contract.UNSURE else has(code)
    if op == "in":
        if kind == contract.MANY:
            return _or(nothing if c == contract.UNSURE else has(c) for c in _codes(value))
        return _or(is_(c) for c in _codes(value))
    return _atom("opaque", qid, json.dumps(_plain(node), sort_keys=True))


def _condition_formula(node: Any) -> tuple:
    """A dialog condition (as written in YAML) as a formula over atoms."""
    if node is None:
        return TRUE
    if not isinstance(node, Mapping):
        return _atom("opaque", "", json.dumps(_plain(node), sort_keys=True, default=str))
    if set(node) == {"all"}:
        return _and(_condition_formula(p) for p in node["all"])
    if set(node) == {"any"}:
        return _or(_condition_formula(p) for p in node["any"])
    if set(node) == {"not"}:
        return _not(_condition_formula(node["not"]))
    if "answer" in node and node["answer"] in contract.QUESTIONS and len(node) == 2:
        return _answer_formula(node)
    if "lab" in node and node["lab"] in contract.LAB_UNITS and len(node) == 2:
        lab = node["lab"]
        (op,) = set(node) - {"lab"}
        if op == "measured":
            measured = _atom("measured", lab)
            return measured if node[op] else _not(measured)
        if op in ("status", "in"):
            return _or(
                _lab_has_status(lab, str(s))
                for s in (node[op] if isinstance(node[op], list) else [node[op]])
            )
    # facts, rules and anything else: FHIR cannot look at them
    return _atom("opaque", str(node.get("fact", "")), json.dumps(_plain(node), sort_keys=True))


def _atoms(f: tuple, out: dict[Atom, None]) -> dict[Atom, None]:
    if f[0] == "atom":
        out.setdefault(f[1], None)
    elif f[0] == "not":
        _atoms(f[1], out)
    elif f[0] in ("and", "or"):
        for part in f[1]:
            _atoms(part, out)
    return out


def _eval(f: tuple, env: Mapping[Atom, bool]) -> bool:
    tag: str = f[0]
    if tag == "atom":
        return bool(env[f[1]])
    if tag == "not":
        return not _eval(f[1], env)
    if tag == "and":
        return all(_eval(p, env) for p in f[1])
    if tag == "or":
        return any(_eval(p, env) for p in f[1])
    return tag == "true"


def _subject(atom: Atom) -> str:
    """The question an atom is about (an answer to it implies the question was asked)."""
    return atom.qid


def _possible(env: Mapping[Atom, bool], enabled: Mapping[str, tuple]) -> bool:
    """Whether an assignment of atoms can happen at all."""
    on = [a for a, v in env.items() if v]
    for a in on:
        # an answer to a question means the question was asked
        guard = enabled.get(_subject(a))
        if guard is not None and not _eval(guard, env):
            return False
    by_question: dict[str, list[Atom]] = {}
    for a in on:
        by_question.setdefault(a.qid, []).append(a)
    for qid, atoms in by_question.items():
        kind = contract.QUESTIONS.get(qid, ("", ()))[0]
        codes = [a for a in atoms if a.kind == "code"]
        if kind == contract.ONE and len(codes) > 1:
            return False
        if kind == contract.MANY and len(codes) > 1 and any(a.code == contract.NONE for a in codes):
            return False
        if kind == contract.LAB:
            # a lab answer is a number or one stated status; a number has one worked-out status
            if sum(a.kind in ("stated", "measured") for a in atoms) > 1:
                return False
            worked = [a for a in atoms if a.kind == "opaque"]
            if len(worked) > 1:
                return False
            if worked and not env.get(Atom("measured", qid, ""), False):
                return False
    return True


class _Expressed(NamedTuple):
    literals: tuple[tuple[Atom, bool], ...]
    behavior: str | None  # None (no or one condition), "all" or "any"
    exact: bool  # the enableWhen says exactly when the dialog asks the question
    formula: tuple  # equivalent to the dialog's condition when exact


def _literal_formula(literal: tuple[Atom, bool]) -> tuple:
    atom, positive = literal
    return ("atom", atom) if positive else ("not", ("atom", atom))


_Literal = tuple[Atom, bool]
_Key = tuple[bool, ...]


def _universe(f: tuple, enabled: Mapping[str, tuple]) -> list[Atom]:
    """The atoms of ``f`` and of the guards that constrain them, in order found."""
    universe = _atoms(f, {})
    frontier = list(universe)
    while frontier:  # add the atoms of the guards that constrain these atoms
        atom = frontier.pop()
        guard = enabled.get(_subject(atom))
        if guard is not None:
            for extra in _atoms(guard, {}):
                if extra not in universe:
                    universe[extra] = None
                    frontier.append(extra)
    return list(universe)


def _truth_table(
    f: tuple, atoms: list[Atom], enabled: Mapping[str, tuple]
) -> tuple[list[Atom], dict[_Key, bool], bool]:
    """The visible atoms, whether ``f`` may hold for each possible row of them, and
    whether that is exact (no opaque atom changes the value)."""
    visible = [a for a in atoms if a.kind != "opaque"]
    table: dict[_Key, set[bool]] = {}
    for bits in itertools.product((False, True), repeat=len(atoms)):
        env = dict(zip(atoms, bits, strict=True))  # product(repeat=len(atoms))
        if _possible(env, enabled):
            table.setdefault(tuple(env[a] for a in visible), set()).add(_eval(f, env))
    exact = all(len(values) == 1 for values in table.values())
    rows = {key: True in values for key, values in table.items()}  # opaque atoms: "maybe"
    return visible, rows, exact


class _Rows:
    """The truth table's rows and which literal holds in which row."""

    def __init__(self, visible: list[Atom], rows: dict[_Key, bool]):
        self.index = {a: i for i, a in enumerate(visible)}
        self.rows = rows
        self.shown = [k for k, v in rows.items() if v]

    def holds(self, literal: _Literal, key: _Key) -> bool:
        return key[self.index[literal[0]]] == literal[1]

    def covers(self, chosen: list[_Literal], key: _Key) -> bool:
        return any(self.holds(lit, key) for lit in chosen)

    def implies_shown(self, chosen: list[_Literal]) -> bool:
        return all(self.rows[k] for k in self.rows if all(self.holds(lit, k) for lit in chosen))


def _as_any(t: _Rows, literals: list[_Literal], exact: bool) -> _Expressed | None:
    """any(literals): each literal alone is enough, and together they cover every
    "shown" row; None when that cannot say it."""
    enough = [
        lit
        for lit in literals
        if any(t.holds(lit, k) for k in t.rows)
        and all(t.rows[k] for k in t.rows if t.holds(lit, k))
    ]
    if not all(t.covers(enough, k) for k in t.shown):
        return None
    chosen = list(enough)
    for lit in list(chosen):
        rest = [c for c in chosen if c != lit]
        if rest and all(t.covers(rest, k) for k in t.shown):
            chosen = rest
    behavior = "any" if len(chosen) > 1 else None
    return _Expressed(tuple(chosen), behavior, exact, _or(map(_literal_formula, chosen)))


def _as_all(t: _Rows, literals: list[_Literal], exact: bool, f: tuple) -> _Expressed:
    """all(literals): each literal is needed, a minimal set of them that is enough; when
    none is, the needed conditions that the others do not already imply (not exact)."""
    needed = [lit for lit in literals if all(t.holds(lit, k) for k in t.shown)]
    if t.implies_shown(needed):
        chosen = list(needed)
        for lit in list(chosen):
            rest = [c for c in chosen if c != lit]
            if t.implies_shown(rest):
                chosen = rest
        behavior = "all" if len(chosen) > 1 else None
        return _Expressed(tuple(chosen), behavior, exact, _and(map(_literal_formula, chosen)))

    # not expressible: keep the needed conditions that the others do not already imply
    chosen = list(needed)
    for lit in list(chosen):
        rest = [c for c in chosen if c != lit]
        if all(t.holds(lit, k) for k in t.rows if all(t.holds(c, k) for c in rest)):
            chosen = rest
    return _Expressed(tuple(chosen), "all" if len(chosen) > 1 else None, False, f)


def _express(f: tuple, enabled: Mapping[str, tuple], order: Mapping[str, int]) -> _Expressed:
    """Write ``f`` as FHIR can: true, one literal, all(literals) or any(literals)."""
    atoms = _universe(f, enabled)
    if len(atoms) > MAX_ATOMS:
        return _Expressed((), None, False, f)
    visible, rows, exact = _truth_table(f, atoms, enabled)
    t = _Rows(visible, rows)

    def rank(literal: _Literal) -> tuple[int, int, str]:
        atom = literal[0]
        return (order.get(atom.qid, -1), _KIND_ORDER.index(atom.kind), atom.code)

    literals = sorted(((a, p) for a in visible for p in (True, False)), key=rank)
    if not t.shown:  # never asked: nothing FHIR can say short of hiding it for ever
        return _Expressed((), None, False, f)
    if len(t.shown) == len(rows):
        return _Expressed((), None, exact, TRUE)
    expressed = _as_any(t, literals, exact)
    return expressed if expressed is not None else _as_all(t, literals, exact, f)


def _enable_when_entry(literal: tuple[Atom, bool], dialog: Dialog) -> dict[str, Any]:
    atom, positive = literal
    if atom.kind == "measured":
        return {"question": atom.qid, "operator": "exists", "answerBoolean": positive}
    question = dialog.questions.get(atom.qid)
    display = question.label_of(atom.code) if question else None
    link = status_link_id(atom.qid) if atom.kind == "stated" else atom.qid
    return {
        "question": link,
        "operator": "=" if positive else "!=",
        "answerCoding": _coding(atom.qid, atom.code, display),
    }


def enable_conditions(dialog: Dialog) -> dict[str, _Expressed]:
    """For each question, when the dialog asks it, as FHIR can write it."""
    order = {qid: i for i, qid in enumerate(dialog.questions)}
    incoming: dict[str, list[tuple[str, tuple]]] = {qid: [] for qid in dialog.questions}
    for question in dialog.questions.values():
        earlier: list[tuple] = []
        for transition in question.transitions:
            cond = (
                _condition_formula(transition.when_source)
                if transition.when_source is not None
                else TRUE
            )
            taken = _and([cond] + [_not(c) for c in earlier])
            earlier.append(cond)
            if transition.dest in incoming:
                incoming[transition.dest].append((question.id, taken))
    exact: dict[str, tuple] = {}  # question -> when it is asked (for later questions)
    result: dict[str, _Expressed] = {}
    pending = list(dialog.questions)
    while pending:
        ready = [q for q in pending if q == dialog.start or all(p in exact for p, _ in incoming[q])]
        if not ready:  # a cycle: FHIR gets no condition, flagged as approximate
            for qid in pending:
                result[qid] = _Expressed((), None, False, _atom("opaque", qid, "cycle"))
                exact[qid] = result[qid].formula
            break
        for qid in ready:
            pending.remove(qid)
            if qid == dialog.start:
                f = TRUE
            else:
                f = _or(_and([exact[p], taken]) for p, taken in incoming[qid])
            expressed = _express(f, exact, order)
            result[qid] = expressed
            exact[qid] = expressed.formula
    return result


# =========================================================================== Questionnaire


def _answer_options(question: Question, qid: str, codes: Iterable[str]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    by_code = {o.code: o for o in question.options}
    for code in codes:
        entry: dict[str, Any] = {"valueCoding": _coding(qid, code, question.label_of(code))}
        option = by_code.get(code)
        if option is not None and option.when_source is not None:
            entry["extension"] = [
                {
                    "url": EXT_OPTION_CONDITION,
                    "valueString": json.dumps(_plain(option.when_source), sort_keys=True),
                }
            ]
        options.append(entry)
    return options


def _status_text(question: Question) -> str:
    labels = [o.label for o in question.options] + [question.unsure_label]
    return "If you have no number: " + " / ".join(labels)


def _question_items(question: Question, expressed: _Expressed, dialog: Dialog) -> list[dict]:
    gate: dict[str, Any] = {}
    if expressed.literals:
        gate["enableWhen"] = [_enable_when_entry(lit, dialog) for lit in expressed.literals]
        if len(expressed.literals) > 1:
            gate["enableBehavior"] = expressed.behavior or "all"
    flag = [] if expressed.exact else [{"url": EXT_ENABLE_WHEN_APPROXIMATE, "valueBoolean": True}]
    qid = question.id
    if question.kind == contract.LAB:
        quantity: dict[str, Any] = {"linkId": qid, "text": question.text_self, "type": "quantity"}
        quantity["extension"] = flag + [
            {
                "url": UNIT_OPTION,
                "valueCoding": {"system": UCUM, "code": UCUM_CODES[unit], "display": unit},
            }
            for unit in contract.LAB_UNITS[qid]
        ]
        quantity.update(gate)
        status: dict[str, Any] = {
            "linkId": status_link_id(qid),
            "text": _status_text(question),
            "type": "choice",
        }
        if flag:
            status["extension"] = list(flag)
        status.update(gate)
        status["answerOption"] = _answer_options(question, qid, _lab_status_codes(qid))
        return [quantity, status]
    if question.kind == contract.TEXT:
        words: dict[str, Any] = {"linkId": qid, "text": question.text_self, "type": "text"}
        if flag:
            words["extension"] = list(flag)
        words.update(gate)
        words["maxLength"] = contract.TEXT_MAX_CHARS[qid]
        return [words]
    item: dict[str, Any] = {"linkId": qid, "text": question.text_self, "type": "choice"}
    if flag:
        item["extension"] = flag
    item.update(gate)
    if question.kind == contract.MANY:
        item["repeats"] = True
    item["answerOption"] = _answer_options(question, qid, contract.codes_for(qid))
    return [item] + [
        _measure_item(other, question, gate, flag)
        for other in question.also
        if other in MEASURE_UCUM
    ]


def _measure_text(qid: str, question: Question) -> str:
    units = ", ".join(contract.MEASURE_UNITS[qid])
    return f"{question.text_self} (the exact {qid}, in {units})"


def _measure_item(
    qid: str, question: Question, gate: Mapping[str, Any], flag: list[dict[str, Any]]
) -> dict[str, Any]:
    """A measurement recorded with ``question`` (the exact age): a quantity item."""
    item: dict[str, Any] = {"linkId": qid, "text": _measure_text(qid, question), "type": "quantity"}
    item["extension"] = list(flag) + [
        {"url": UNIT_OPTION, "valueCoding": {"system": UCUM, "code": code, "display": unit}}
        for unit, code in MEASURE_UCUM[qid].items()
    ]
    item.update(gate)
    return item


def questionnaire(dialog: Dialog) -> dict[str, Any]:
    """The dialog as a FHIR R4 ``Questionnaire`` (see the module docstring)."""
    gates = enable_conditions(dialog)
    groups: list[dict[str, Any]] = []
    for section in dialog.sections:
        items: list[dict[str, Any]] = []
        for question in dialog.questions.values():
            if question.section == section.id:
                items.extend(_question_items(question, gates[question.id], dialog))
        if items:
            groups.append(
                {"linkId": section.id, "text": section.title, "type": "group", "item": items}
            )
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": __version__,
        "name": QUESTIONNAIRE_NAME,
        "title": QUESTIONNAIRE_TITLE,
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "Questions about calcium deposits in or under the skin. It informs; "
            "it does not diagnose."
        ),
        "item": groups,
    }


# =========================================================================== QuestionnaireResponse


def _check_codes(qid: str, codes: Iterable[str]) -> list[str]:
    allowed = contract.codes_for(qid)
    out = []
    for code in codes:
        if not isinstance(code, str) or code not in allowed:
            raise ValueError(
                f"{qid}: {code!r} is not an allowed answer; allowed: {', '.join(allowed)}"
            )
        out.append(code)
    return out


def _measure_response(qid: str, question: Question, value: Answer) -> dict[str, Any]:
    if not isinstance(value, Age) or value.unit not in MEASURE_UCUM[qid]:
        raise ValueError(f"{qid}: {value!r} is not a measurement in {', '.join(MEASURE_UCUM[qid])}")
    quantity = {
        "value": value.value,
        "unit": value.unit,
        "system": UCUM,
        "code": MEASURE_UCUM[qid][value.unit],
    }
    return {
        "linkId": qid,
        "text": _measure_text(qid, question),
        "answer": [{"valueQuantity": quantity}],
    }


def _response_items(question: Question, value: Answer, caregiver: bool) -> dict[str, Any]:
    qid = question.id
    text = question.text_caregiver if caregiver else question.text_self
    if question.kind == contract.TEXT:
        if not isinstance(value, Text):
            raise ValueError(f"{qid}: expected text, got {value!r}")
        return {"linkId": qid, "text": text, "answer": [{"valueString": value.text}]}
    if question.kind == contract.LAB:
        if isinstance(value, LabValue):
            unit = _UNIT_FROM_LOWER.get(value.unit.lower())
            if unit is None or unit not in contract.LAB_UNITS[qid]:
                raise ValueError(
                    f"{qid}: the unit {value.unit!r} is not one of "
                    f"{', '.join(contract.LAB_UNITS[qid])}"
                )
            if isinstance(value.value, bool) or not math.isfinite(value.value):
                raise ValueError(f"{qid}: {value.value!r} is not a number")
            quantity = {
                "value": value.value,
                "unit": unit,
                "system": UCUM,
                "code": UCUM_CODES[unit],
            }
            return {"linkId": qid, "text": text, "answer": [{"valueQuantity": quantity}]}
        if not isinstance(value, str) or value not in _lab_status_codes(qid):
            raise ValueError(
                f"{qid}: {value!r} is neither a measurement nor a status; "
                f"statuses: {', '.join(_lab_status_codes(qid))}"
            )
        return {
            "linkId": status_link_id(qid),
            "text": _status_text(question),
            "answer": [{"valueCoding": _coding(qid, value, question.label_of(value))}],
        }
    if question.kind == contract.MANY:
        codes = [value] if isinstance(value, str) else list(value)  # type: ignore[arg-type]
        if not codes:
            raise ValueError(f"{qid}: an empty list of codes")
    else:
        if not isinstance(value, str):
            raise ValueError(f"{qid}: expected one code, got {value!r}")
        codes = [value]
    codes = _check_codes(qid, codes)
    return {
        "linkId": qid,
        "text": text,
        "answer": [{"valueCoding": _coding(qid, c, question.label_of(c))} for c in codes],
    }


def questionnaire_response(
    answers: Mapping[str, Answer],
    dialog: Dialog,
    *,
    authored: str,
    respondent: str | None = None,
    subject_display: str | None = None,
    status: str = "completed",
) -> dict[str, Any]:
    """Normalised answers (``Session.answers``) as a FHIR R4 ``QuestionnaireResponse``.

    ``authored`` is an ISO 8601 date-time with seconds and a time zone
    (``2024-05-01T10:30:00+02:00``); ``respondent`` (who answered) becomes
    ``source.display`` and ``subject_display`` (whom it is about)
    ``subject.display``. Only answered questions appear, in dialog order,
    grouped by section like the Questionnaire.
    """
    if status not in RESPONSE_STATUSES:
        raise ValueError(f"status {status!r}: use {' or '.join(RESPONSE_STATUSES)}")
    if not isinstance(authored, str) or not _DATETIME.match(authored):
        raise ValueError(
            f"authored {authored!r}: give an ISO 8601 date-time with seconds and "
            "a time zone, e.g. 2024-05-01T10:30:00+02:00"
        )
    recorded_with = {other: q for q in dialog.questions.values() for other in q.also}
    unknown = [qid for qid in answers if qid not in dialog.questions and qid not in recorded_with]
    if unknown:
        raise ValueError(f"not questions of the dialog: {', '.join(map(str, unknown))}")
    caregiver = answers.get("respondent") == "caregiver"
    groups: list[dict[str, Any]] = []
    for section in dialog.sections:
        items: list[dict[str, Any]] = []
        for q in dialog.questions.values():
            if q.section != section.id:
                continue
            if q.id in answers and not (
                q.kind == contract.TEXT and answers[q.id] == contract.UNSURE
            ):
                items.append(_response_items(q, answers[q.id], caregiver))
            items += [
                _measure_response(other, q, answers[other])
                for other in q.also
                if other in MEASURE_UCUM and isinstance(answers.get(other), Age)
            ]
        if items:
            groups.append(
                {
                    "linkId": section.id,
                    "text": section.title_for("caregiver" if caregiver else None),
                    "item": items,
                }
            )
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": QUESTIONNAIRE_URL,
        "status": status,
        "authored": authored,
    }
    if subject_display:
        resource["subject"] = {"display": subject_display}
    if respondent:
        resource["source"] = {"display": respondent}
    resource["item"] = groups
    return resource


# =========================================================================== and back


def _fail(message: str) -> ValueError:
    return ValueError(f"not a calcinosis QuestionnaireResponse: {message}")


def _one_coding(link: str, qid: str, answer: Any) -> str:
    coding = answer.get("valueCoding") if isinstance(answer, Mapping) else None
    if not isinstance(coding, Mapping):
        raise _fail(f"item {link!r} needs valueCoding answers")
    if coding.get("system") != system_for(qid):
        raise _fail(
            f"item {link!r}: code system {coding.get('system')!r}, expected {system_for(qid)!r}"
        )
    return coding.get("code")  # type: ignore[return-value]


def _leaves(items: Any, path: str) -> Iterable[Mapping[str, Any]]:
    if items is None:
        return
    if not isinstance(items, list):
        raise _fail(f"{path}item must be a list")
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("linkId"), str):
            raise _fail(f"{path}item without a linkId")
        if item.get("answer"):
            yield item
            for answer in item["answer"]:
                if isinstance(answer, Mapping) and answer.get("item"):
                    raise _fail(f"item {item['linkId']!r}: nested items under an answer")
        elif item.get("answer") is not None:
            raise _fail(f"item {item['linkId']!r} has an empty answer list")
        yield from _leaves(item.get("item"), f"{item['linkId']}: ")


def _quantity(lab: str, answer: Any) -> dict[str, Any]:
    quantity = answer.get("valueQuantity") if isinstance(answer, Mapping) else None
    if not isinstance(quantity, Mapping):
        raise _fail(f"item {lab!r} needs one valueQuantity answer")
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"item {lab!r}: the quantity has no numeric value")
    unit = None
    if quantity.get("code") is not None:
        if quantity.get("system") != UCUM:
            raise _fail(f"item {lab!r}: unit system {quantity.get('system')!r}, expected {UCUM}")
        unit = _UNIT_FROM_UCUM.get(quantity["code"])
    elif isinstance(quantity.get("unit"), str):
        unit = _UNIT_FROM_LOWER.get(quantity["unit"].strip().lower())
    if unit is None or unit not in contract.LAB_UNITS[lab]:
        raise _fail(
            f"item {lab!r}: unit {quantity.get('code') or quantity.get('unit')!r}; "
            f"accepted: {', '.join(UCUM_CODES[u] for u in contract.LAB_UNITS[lab])}"
        )
    return {"value": value, "unit": unit}


def _measure_quantity(qid: str, answer: Any) -> dict[str, Any]:
    """A measurement (the exact age) as an answers file holds it: ``{value, unit}``."""
    quantity = answer.get("valueQuantity") if isinstance(answer, Mapping) else None
    if not isinstance(quantity, Mapping):
        raise _fail(f"item {qid!r} needs one valueQuantity answer")
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"item {qid!r}: the quantity has no numeric value")
    units = MEASURE_UCUM[qid]
    unit = None
    if quantity.get("code") is not None:
        if quantity.get("system") != UCUM:
            raise _fail(f"item {qid!r}: unit system {quantity.get('system')!r}, expected {UCUM}")
        unit = next((u for u, code in units.items() if code == quantity["code"]), None)
    elif isinstance(quantity.get("unit"), str):
        unit = quantity["unit"].strip().lower()
    if unit not in units:
        raise _fail(
            f"item {qid!r}: unit {quantity.get('code') or quantity.get('unit')!r}; "
            f"accepted: {', '.join(units.values())}"
        )
    return {"value": value, "unit": unit}


def _only(link: str, given: list) -> Any:
    """The one answer of an item that takes one."""
    if len(given) != 1:
        raise _fail(f"item {link!r} takes one answer")
    return given[0]


def _item_answer(link: str, given: list) -> tuple[str, Any]:
    """The answers-file key and value of one item of a QuestionnaireResponse."""
    lab = link[: -len(STATUS_SUFFIX)] if link.endswith(STATUS_SUFFIX) else None
    if lab in contract.LAB_UNITS:
        code = _one_coding(link, lab, _only(link, given))
        if code not in _lab_status_codes(lab):
            raise _fail(
                f"item {link!r}: {code!r} is not a status; "
                f"allowed: {', '.join(_lab_status_codes(lab))}"
            )
        return lab, code
    if link in contract.LAB_UNITS:
        return link, _quantity(link, _only(link, given))
    if link in MEASURE_UCUM:
        return link, _measure_quantity(link, _only(link, given))
    if contract.QUESTIONS.get(link, ("", ()))[0] == contract.TEXT:
        words = (
            given[0].get("valueString")
            if len(given) == 1 and isinstance(given[0], Mapping)
            else None
        )
        if not isinstance(words, str):
            raise _fail(f"item {link!r} takes one valueString answer")
        return link, words
    if link in contract.QUESTIONS:
        return link, _coded_answer(link, given)
    raise _fail(f"unknown linkId {link!r}")


def _coded_answer(link: str, given: list) -> str | list[str]:
    """The code (a one-question) or codes (a many-question) of an item."""
    codes = [_one_coding(link, link, a) for a in given]
    bad = [c for c in codes if c not in contract.codes_for(link)]
    if bad:
        raise _fail(
            f"item {link!r}: {bad[0]!r} is not a code of {link!r}; "
            f"allowed: {', '.join(contract.codes_for(link))}"
        )
    if contract.QUESTIONS[link][0] == contract.ONE:
        if len(codes) != 1:
            raise _fail(f"item {link!r} takes one answer, got {len(codes)}")
        return codes[0]
    return codes


def answers_from_response(resource: Mapping[str, Any]) -> dict[str, Any]:
    """An answers-file dict from a QuestionnaireResponse made by :func:`questionnaire_response`.

    ``{qid: code | [codes] | {value, unit} | status}``, so that replaying it
    gives the same assessment as the original answers. Raises ``ValueError``
    for a resource that is not one of ours.
    """
    if not isinstance(resource, Mapping):
        raise _fail(f"expected a JSON object, got {type(resource).__name__}")
    if resource.get("resourceType") != "QuestionnaireResponse":
        raise _fail(f"resourceType is {resource.get('resourceType')!r}")
    canonical = resource.get("questionnaire")
    if not isinstance(canonical, str) or canonical.split("|", 1)[0] != QUESTIONNAIRE_URL:
        raise _fail(f"questionnaire is {canonical!r}, expected {QUESTIONNAIRE_URL!r}")
    answers: dict[str, Any] = {}
    for item in _leaves(resource.get("item"), ""):
        link: str = item["linkId"]
        given = item["answer"]
        if not isinstance(given, list):
            raise _fail(f"item {link!r}: answer must be a list")
        key, value = _item_answer(link, given)
        if key in answers:
            raise _fail(
                f"{key!r} is answered twice"
                + (
                    " (a lab takes a number or a status, not both)"
                    if key in contract.LAB_UNITS
                    else ""
                )
            )
        answers[key] = value
    return answers
