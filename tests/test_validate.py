"""``validate``: broken dialog and content files, each with the message it must give.

Each case copies the shipped ``dialogs/`` and ``content/`` to a temporary
folder, breaks one thing with a small text edit, and expects a problem
"FILE, line N: ..." where N is the line of the edited text. The edits anchor
on ids and codes (which are a contract and do not change), not on wording.
Whole-file samples live in ``tests/broken/<case>/`` with an ``expect.yaml``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from support import TESTS, call_cli

from chatbot.engine.resources import data_root
from chatbot.engine.validate import validate

PROBLEM = re.compile(r"^(?P<file>[\w./-]+?)(?:, line (?P<line>\d+))?: (?P<message>.+)$", re.S)
FULL_PROBLEM = re.compile(r"^(dialogs|content)/[\w./-]+\.yaml, line \d+: \S")

# --------------------------------------------------------------------------- helpers


def line_of(text: str, token: str) -> int:
    """The line (1-based) on which the one occurrence of ``token`` starts."""
    assert text.count(token) == 1, f"{token!r} occurs {text.count(token)} times"
    return text[: text.index(token)].count("\n") + 1


def line_after(header: str) -> Callable[[str], int]:
    """The line just after ``header`` (the first key of a mapping)."""
    return lambda text: line_of(text, header) + header.count("\n")


def sub_once(text: str, pattern: str, repl: str, flags: int = re.M) -> str:
    new, n = re.subn(pattern, repl, text, count=1, flags=flags)
    assert n == 1, f"pattern {pattern!r} not found"
    return new


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        return text.replace(old, new)

    return edit


def question_span(text: str, qid: str) -> tuple[int, int]:
    start = text.index(f"  - id: {qid}\n")
    following = text.find("\n  - id: ", start + 1)
    return start, len(text) if following < 0 else following + 1


def key_line(qid: str, key: str) -> Callable[[str], int]:
    """The line of ``key`` in one question of questions.yaml."""

    def at(text: str) -> int:
        start, end = question_span(text, qid)
        offset = re.compile(rf"^    {key}:", re.M).search(text, start, end).start()
        return text[:offset].count("\n") + 1

    return at


def in_question(qid: str, pattern: str, repl: str) -> Callable[[str], str]:
    """A regex edit inside one question of questions.yaml."""

    def edit(text: str) -> str:
        start, end = question_span(text, qid)
        return text[:start] + sub_once(text[start:end], pattern, repl) + text[end:]

    return edit


def drop_key(qid: str, key: str) -> Callable[[str], str]:
    """Remove ``key`` (and its indented block) from one question."""
    return in_question(qid, rf"^    {key}:.*\n(?:      .*\n|\n)*", "")


def insert_rule(rule: str, at_end: bool = False) -> Callable[[str], str]:
    """Insert a rule at the top (or the end) of the ``rules:`` list of a rules file."""

    def edit(text: str) -> str:
        if not at_end:
            return sub_once(text, r"^rules:\n", "rules:\n" + rule)
        start = text.index("\nrules:\n")
        end = re.compile(r"^\S", re.M).search(text, start + len("\nrules:\n"))
        cut = len(text) if end is None else end.start()
        body = text[:cut].rstrip("\n") + "\n"
        return body + rule + "\n" + text[cut:]

    return edit


def first_rule_id(text: str) -> str:
    return re.search(r"^rules:\n(?:[ \t]*#.*\n|[ \t]*\n)*  - id: (\w+)", text, re.M).group(1)


def last_rule_id(text: str) -> str:
    start = text.index("\nrules:\n")
    end = text.find("\npathway:", start)
    return re.findall(r"^  - id: (\w+)", text[start:end], re.M)[-1]


def rule(
    rid: str = "test_rule",
    rtype: str = "dystrophic",
    when: str = "{answer: pain, is: severe}",
    sources: str = "[S1]",
    marker: str = "",
) -> str:
    return (
        f"  - id: {rid}\n    type: {rtype}\n    weight: 1\n    when: {when}{marker}\n"
        f"    reason: A test rule.\n    sources: {sources}\n"
    )


def triage_rule(
    rid: str = "test_triage",
    level: str = "soon",
    red_flag: str | None = None,
    when: str = "{answer: pain, is: severe}",
    marker: str = "",
) -> str:
    flag = f"    red_flag: {red_flag}\n" if red_flag else ""
    return (
        f"  - id: {rid}\n    level: {level}{marker}\n{flag}    when: {when}\n"
        f"    reason: A test rule.\n    sources: [S1]\n"
    )


def _doctor_questions_key_before(token: str) -> Callable[[str], int]:
    """The line of the ``doctor_questions:`` key whose list holds ``token``."""

    def at(text: str) -> int:
        start = text.rindex("    doctor_questions:", 0, text.index(token))
        return text[:start].count("\n") + 1

    return at


@dataclass(frozen=True)
class Expect:
    file: str
    at: str | tuple[str, ...] | Callable[[str], int]  # token(s) in the edited file, or a function
    fragments: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    edit: Callable[[str], str]
    expect: tuple[Expect, ...]
    xfail: str | None = None


def case(
    id: str,
    file: str,
    edit,
    at,
    *fragments: str,
    xfail: str | None = None,
    reported_in: str | None = None,
    also: tuple[Expect, ...] = (),
) -> Case:
    """Edit ``file``; expect a problem in ``reported_in`` (default: the same file) at ``at``."""
    return Case(id, file, edit, (Expect(reported_in or file, at, fragments),) + also, xfail)


Q = "dialogs/questions.yaml"
D = "dialogs/dialog.yaml"
TYPES = "content/types.yaml"
ADVICE = "content/advice.yaml"
SOURCES = "content/sources.yaml"
ASSESS = "content/rules/assessment.yaml"
TRIAGE = "content/rules/triage.yaml"
LABS = "content/labs.yaml"


def _dup_source(text: str) -> str:
    key = re.search(r"^sources:\n(?:[ \t]*#.*\n|[ \t]*\n)*  (\w+):", text, re.M).group(1)
    return text.rstrip("\n") + f"\n  {key}:  # again\n    title: A duplicate\n    kind: web\n"


def _dup_rule(text: str) -> str:
    return insert_rule(rule(f"{first_rule_id(text)}  # again"), at_end=True)(text)


def _later_rule(text: str) -> str:
    return insert_rule(rule(when=f"{{rule: {last_rule_id(text)}}}", marker="  # later"))(text)


def _dup_triage(text: str) -> str:
    return insert_rule(triage_rule(f"{first_rule_id(text)}  # again"), at_end=True)(text)


CASES: list[Case] = [
    # ------------------------------------------------------------ YAML itself
    case(
        "yaml-bad-indentation",
        Q,
        in_question("size", r"^    section: (\w+)\n", r"      section: \1  # too far in\n"),
        "  # too far in",
        "mapping values are not allowed",
    ),
    case(
        "yaml-tab",
        TYPES,
        replace_once("\ntypes:\n", "\ntypes:\n\t- tab\n"),
        "\t- tab",
        "cannot start any token",
    ),
    case(
        "yaml-duplicate-key",
        Q,
        in_question("size", r"^(    unsure: .*\n)", r"\1    unsure: Dunno  # again\n"),
        "    unsure: Dunno  # again",
        "the key 'unsure' appears twice in the same mapping",
    ),
    case(
        "yaml-duplicate-source-key",
        SOURCES,
        _dup_source,
        "  # again",
        "appears twice in the same mapping (first on line",
    ),
    # ------------------------------------------------------------ questions
    case(
        "unknown-question-id",
        Q,
        replace_once("  - id: size\n", "  - id: sise\n"),
        "  - id: sise",
        "'sise' is not a question id of the contract (did you mean 'size'?)",
    ),
    case(
        "question-defined-twice",
        Q,
        replace_once("  - id: size\n", "  - id: extent  # again\n"),
        "  - id: extent  # again",
        "the question 'extent' is defined twice",
    ),
    case(
        "option-code-not-in-contract",
        Q,
        in_question("locations", r"\{code: heels,", "{code: heel,"),
        "{code: heel,",
        "'heel' is not a code of 'locations'",
        "did you mean 'heels'",
        "allowed: fingers_hands",
    ),
    case(
        "option-missing-for-contract-code",
        Q,
        in_question("locations", r"^      - \{code: face,.*\n", ""),
        key_line("locations", "options"),
        "has no option for the contract code 'face'",
    ),
    # ------------------------------------------------------------ contract version 2
    case(
        "also-unknown-id",
        Q,
        in_question("age_group", r"also: \[age\]", "also: [agee]"),
        "also: [agee]",
        "'agee' in 'also' is not a question id of the contract",
        "did you mean 'age'",
    ),
    case(
        "also-asked-on-its-own",
        Q,
        in_question("age_group", r"also: \[age\]", "also: [age, sex]"),
        "  - id: age_group\n",
        "'sex' in 'also' is asked as a question of its own",
    ),
    case(
        "also-recorded-twice",
        Q,
        in_question("sex", r"^    unsure: (.*)\n", r"    unsure: \1\n    also: [age]\n"),
        "  - id: sex\n",
        "'age' is already recorded with 'age_group'",
    ),
    case(
        "exact-age-never-asked",
        Q,
        in_question("age_group", r"^    also: \[age\]\n", ""),
        "  - id: notes\n",
        "the contract question 'age' is never asked",
        "list it in a question's 'also'",
    ),
    case(
        "text-question-with-options",
        Q,
        in_question(
            "notes", r"^    unsure: ", "    options:\n      - {code: x, label: X}\n    unsure: "
        ),
        key_line("notes", "options"),
        "'notes' is a 'text' question",
        "has no options",
    ),
    case(
        "text-if-without-caregiver",
        Q,
        in_question("notes", r"^        caregiver: >\n(?:          .*\n)+", ""),
        "      - when: {answer: conditions, has: other}\n",
        "missing 'caregiver'",
    ),
    case(
        "text-if-bad-condition",
        Q,
        in_question(
            "notes", r"\{answer: conditions, has: other\}", "{answer: conditions, has: others}"
        ),
        "{answer: conditions, has: others}",
        "'others' is not a code of 'conditions'",
    ),
    case(
        "missing-why",
        Q,
        drop_key("extent", "why"),
        "  - id: extent\n",
        "every question needs a 'why' with a 'text'",
    ),
    case(
        "empty-why-text",
        Q,
        in_question(
            "extent",
            r"^    why:\n      text: .*\n(?:        .*\n)*",
            '    why:  # empty\n      text: ""\n',
        ),
        "why:  # empty",
        "every question needs a 'why' with a 'text'",
    ),
    case(
        "missing-unsure-label",
        Q,
        drop_key("size", "unsure"),
        "  - id: size\n",
        "every question needs an 'unsure' label",
    ),
    case(
        "if-unsure-without-sources",
        Q,
        in_question("warning_signs", r"^      sources: \[Nigwekar2018, SfE2016.*\n", ""),
        line_after("    if_unsure:\n"),
        "an 'if_unsure' note needs 'sources'",
    ),
    case(
        "if-unsure-unknown-key",
        Q,
        in_question("warning_signs", r"^    if_unsure:\n", "    if_unsure:\n      they: Hi\n"),
        "      they: Hi",
        "unknown key 'they' in an 'if_unsure' note",
        "allowed: self",
    ),
    case(
        "if-unsure-unknown-source",
        Q,
        in_question(
            "warning_signs", r"sources: \[Nigwekar2018, SfE2016", "sources: [Nigwekar2081, SfE2016"
        ),
        "  - id: warning_signs\n",
        "the source 'Nigwekar2081' is not in content/sources.yaml",
    ),
    case(
        "unknown-section",
        Q,
        in_question("extent", r"^    section: deposits\n", "    section: deposit  # typo\n"),
        "section: deposit  # typo",
        "no section 'deposit' (did you mean 'deposits'?)",
    ),
    case(
        "kind-not-the-contracts",
        Q,
        in_question("extent", r"^    kind: one\n", "    kind: many  # wrong\n"),
        "kind: many  # wrong",
        "'extent' is a 'one' question in the contract, not 'many'",
    ),
    case(
        "why-source-unknown",
        Q,
        in_question("extent", r"^      sources: \[", "      sources: [NoSuchKey2099, "),
        ("  - id: extent\n", "NoSuchKey2099"),
        "the source 'NoSuchKey2099' is not in content/sources.yaml",
    ),
    # ------------------------------------------------------------ transitions and the graph
    case(
        "transition-to-unknown-state",
        Q,
        replace_once("      - to: size\n", "      - to: sizes\n"),
        "- to: sizes",
        "'extent' goes to 'sizes', which is neither a question nor an outcome",
        "(did you mean 'size'?)",
    ),
    case(
        "unreachable-question",
        Q,
        lambda t: sub_once(t, r"^      - to: hypercalcemia_symptoms\n        when: .*\n", ""),
        "  - id: hypercalcemia_symptoms\n",
        "the question 'hypercalcemia_symptoms' can never be reached",
    ),
    case(
        "loop",
        Q,
        in_question(
            "stiffness",
            r"^    next:\n      - to: (\w+)\n",
            '    next:\n      - to: \\1\n        when: {answer: stiffness, is: "no"}\n'
            "      - to: pain  # back\n",
        ),
        "  - id: pain\n",
        "the dialog can loop",
        "stiffness -> pain",
    ),
    case(
        "last-transition-has-when",
        Q,
        in_question(
            "locations",
            r"^    next:\n      - to: (\w+)\n",
            "    next:  # dead end\n      - to: \\1\n"
            "        when: {answer: locations, has: face}\n",
        ),
        "next:  # dead end",
        "the last transition must have no 'when'",
    ),
    case(
        "unknown-start",
        D,
        lambda t: sub_once(t, r"^start: \w+", "start: respondant"),
        "start: respondant",
        "the start 'respondant' is not a question",
    ),
    # ------------------------------------------------------------ conditions
    case(
        "condition-unknown-operator",
        Q,
        in_question(
            "has_deposits",
            r"\{answer: has_deposits, is: \"no\"\}",
            '{answer: has_deposits, equals: "no"}',
        ),
        "equals:",
        "unknown operator 'equals'; use is, in, has or known",
    ),
    case(
        "condition-unknown-code",
        Q,
        in_question(
            "has_deposits",
            r"\{answer: has_deposits, is: \"no\"\}",
            '{answer: has_deposits, is: "nope"}',
        ),
        '"nope"',
        "'nope' is not a code of 'has_deposits'",
        "allowed: yes, no, unsure",
    ),
    case(
        "condition-unknown-question",
        Q,
        in_question(
            "has_deposits",
            r"\{answer: has_deposits, is: \"no\"\}",
            '{answer: has_deposit, is: "no"}',
        ),
        "has_deposit,",
        "no question called 'has_deposit'",
    ),
    case(
        "rule-condition-unknown-code",
        ASSESS,
        insert_rule(rule(when="{answer: skin_changes, has: purple_net}")),
        "purple_net}",
        "'purple_net' is not a code of 'skin_changes'",
    ),
    # ------------------------------------------------------------ content
    case(
        "type-missing-explanation",
        TYPES,
        replace_once("\n  iatrogenic:\n", "\n  iatrogenicc:\n"),
        "  iatrogenicc:",
        "'iatrogenicc' is not a type code of the contract",
        also=(
            Expect(TYPES, line_after("\ntypes:\n"), ("no explanation for the type 'iatrogenic'",)),
        ),
    ),
    case(
        "triage-level-missing-advice",
        ADVICE,
        replace_once("\n  urgent:\n", "\n  urgentt:\n"),
        line_after("\nlevels:\n"),
        "no advice for the triage level 'urgent'",
    ),
    case(
        "content-source-unknown",
        TYPES,
        lambda t: sub_once(
            t, r"^    tells_apart_sources: \[", "    tells_apart_sources: [NoSuchKey2099, "
        ),
        "NoSuchKey2099",
        "the source 'NoSuchKey2099' is not in content/sources.yaml",
    ),
    case(
        "doctor-question-without-caregiver-wording",
        TYPES,
        replace_once('        caregiver: "Could this run in their family?"\n', ""),
        '      - self: "Could this run in my family?"',
        "missing 'caregiver'",
    ),
    case(
        "doctor-question-as-plain-text",
        TYPES,
        replace_once(
            '      - self: "Could this run in my family?"\n'
            '        caregiver: "Could this run in their family?"\n',
            '      - "Could this run in my family?"\n',
        ),
        _doctor_questions_key_before('      - "Could this run in my family?"'),
        "needs 'self' and 'caregiver' wording",
        "Could this run in my family?",
    ),
    case(
        "doctor-question-bad-condition",
        TYPES,
        replace_once(
            '        caregiver: "Could this run in their family?"\n',
            '        caregiver: "Could this run in their family?"\n'
            "        when: {answer: kidney, is: kidny_failure}\n",
        ),
        "{answer: kidney, is: kidny_failure}",
        "'kidny_failure' is not a code of 'kidney'",
    ),
    case(
        "doctor-question-unknown-key",
        TYPES,
        replace_once(
            '        caregiver: "Could this run in their family?"\n',
            '        caregiver: "Could this run in their family?"\n'
            "        if: {answer: kidney, is: ckd}\n",
        ),
        "        if: {answer",
        "unknown key 'if' in a question for the doctor",
    ),
    case(
        "labs-bad-factor",
        LABS,
        lambda t: sub_once(t, r"mmol/L: \{factor: ", "mmol/L: {factor: -"),
        "{factor: -",
        "factor must be more than zero",
    ),
    # ------------------------------------------------------------ rules
    case(
        "rule-caxp-unknown-level",
        ASSESS,
        insert_rule(rule(when="{caxp: very_high}")),
        "{caxp: very_high}",
        "'very_high' is not a calcium x phosphate level",
    ),
    case(
        "labs-caxp-age-raised-above-high",
        LABS,
        replace_once("      raised: {value: 65,", "      raised: {value: 95,"),
        "raised: {value: 95,",
        "by_age: infant: raised must be below high",
    ),
    case(
        "triage-interrupt-not-a-yes-or-no",
        TRIAGE,
        insert_rule(triage_rule(marker="\n    interrupt: sometimes")),
        "interrupt: sometimes",
        "'interrupt' must be true or false",
    ),
    case(
        "triage-interrupt-without-red-flag",
        TRIAGE,
        insert_rule(triage_rule(marker="\n    interrupt: true  # nothing to say")),
        "interrupt: true  # nothing to say",
        "needs a red_flag to say",
    ),
    case(
        "call-words-unknown-slot",
        ADVICE,
        replace_once("started [when]. Kidneys: {kidneys}", "started [when]. Kidneys: {kidney}"),
        'call_words: >\n      "I am calling about {who}, aged {age}, {sex}. The problem',
        "use {kidney}, which is not a slot",
    ),
    case(
        "advice-item-bad-condition",
        ADVICE,
        replace_once(
            "in: [ulcer, chalky_discharge, blisters, dark_dead_skin]}", "in: [ulcer, chalky_bits]}"
        ),
        "chalky_bits",
        "'chalky_bits' is not a code of 'skin_changes'",
    ),
    case("rule-names-later-rule", ASSESS, _later_rule, "  # later", "no rule called"),
    case(
        "rule-names-unknown-rule",
        ASSESS,
        insert_rule(rule(when="{rule: no_such_rule}")),
        "{rule: no_such_rule}",
        "no rule called 'no_such_rule'",
    ),
    case(
        "rule-unknown-type",
        ASSESS,
        insert_rule(rule(rtype="calciphylactic")),
        "calciphylactic",
        "'calciphylactic' is not one of dystrophic, metastatic",
    ),
    case("rule-defined-twice", ASSESS, _dup_rule, "  # again", "is defined twice"),
    case(
        "triage-unknown-level",
        TRIAGE,
        insert_rule(triage_rule(level="urgentish")),
        "urgentish",
        "'urgentish' is not one of routine, soon, urgent, emergency",
    ),
    case(
        "triage-names-unknown-rule",
        TRIAGE,
        insert_rule(triage_rule(when="{rule: no_such_rule}")),
        "{rule: no_such_rule}",
        "no rule called 'no_such_rule'",
    ),
    # ----------------------------------------------------------- problems found while writing these
    case(
        "triage-red-flag-without-text",
        TRIAGE,
        insert_rule(triage_rule(red_flag="no_such_flag")),
        "red_flag: no_such_flag",
        "'no_such_flag'",
        "no text",
    ),
    case(
        "rule-source-unknown",
        ASSESS,
        insert_rule(rule(sources="[NoSuchKey2099]")),
        "NoSuchKey2099",
        "the source 'NoSuchKey2099' is not in content/sources.yaml",
    ),
    case("triage-rule-defined-twice", TRIAGE, _dup_triage, "  # again", "is defined twice"),
    case(
        "outcome-unreachable",
        Q,
        replace_once("      - to: end_assess\n", "      - to: end_none\n"),
        "  end_assess:",
        "the outcome 'end_assess' can never be reached",
        reported_in=D,
    ),
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """The shipped dialogs/ and content/, copied to a folder the test may break."""
    root = data_root()
    shutil.copytree(root / "dialogs", tmp_path / "dialogs")
    shutil.copytree(root / "content", tmp_path / "content")
    return tmp_path


def apply(root: Path, case: Case) -> dict[str, str]:
    """Apply the case's edit; return the (edited) text of every file, by display name."""
    path = root / case.file
    text = path.read_text(encoding="utf-8")
    edited = case.edit(text)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in root.rglob("*.yaml")}


def expected_lines(expect: Expect, text: str) -> set[int]:
    if callable(expect.at):
        return {expect.at(text)}
    tokens = (expect.at,) if isinstance(expect.at, str) else expect.at
    return {line_of(text, token) for token in tokens}


def find(problems: list[str], expect: Expect, lines: set[int]) -> str | None:
    for problem in problems:
        match = PROBLEM.match(problem)
        if not match or match["file"] != expect.file:
            continue
        if match["line"] is None or int(match["line"]) not in lines:
            continue
        if all(fragment in match["message"] for fragment in expect.fragments):
            return problem
    return None


# --------------------------------------------------------------------------- tests


def test_shipped_data_is_valid():
    assert validate() == []


def test_untouched_copy_is_valid(data_copy):
    assert validate(data_copy) == []


def test_there_are_enough_cases():
    assert len([c for c in CASES if not c.xfail]) >= 12
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c, id=c.id, marks=[pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else []
        )
        for c in CASES
    ],
)
def test_broken_edit(data_copy, case):
    texts = apply(data_copy, case)
    problems = validate(data_copy)
    assert problems, f"{case.id}: validate found nothing"
    for expect in case.expect:
        lines = expected_lines(expect, texts[expect.file])
        found = find(problems, expect, lines)
        assert found, (
            f"{case.id}: no problem '{expect.file}, line {sorted(lines)}: "
            f"...{' ... '.join(expect.fragments)}...' in:\n" + "\n".join(problems)
        )
    # every problem says where it is
    for problem in problems:
        assert FULL_PROBLEM.match(problem), f"{case.id}: problem without file and line: {problem}"
        assert "Traceback" not in problem and str(data_copy) not in problem, problem


BROKEN = sorted(p for p in (TESTS / "broken").iterdir() if (p / "expect.yaml").is_file())


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(
            p,
            id=p.name,
            marks=[
                pytest.mark.xfail(
                    reason=yaml.safe_load((p / "expect.yaml").read_text())["xfail"], strict=True
                )
            ]
            if yaml.safe_load((p / "expect.yaml").read_text()).get("xfail")
            else [],
        )
        for p in BROKEN
    ],
)
def test_broken_sample_file(data_copy, sample):
    """A whole replacement file from tests/broken/<case>/ (same layout as the data)."""
    expect = yaml.safe_load((sample / "expect.yaml").read_text(encoding="utf-8"))
    for path in sample.rglob("*.yaml"):
        if path.name == "expect.yaml":
            continue
        target = data_copy / path.relative_to(sample)
        assert target.is_file(), f"{path} replaces nothing"
        shutil.copyfile(path, target)
    problems = validate(data_copy)
    wanted_line = expect.get("line")
    for problem in problems:
        match = PROBLEM.match(problem)
        if (
            match
            and match["file"] == expect["file"]
            and (wanted_line is None or match["line"] == str(wanted_line))
            and expect["fragment"] in match["message"]
        ):
            break
    else:
        pytest.fail(
            f"no problem '{expect['file']}, line {wanted_line}: "
            f"...{expect['fragment']}...' in:\n" + "\n".join(problems)
        )


def test_there_are_broken_samples():
    assert len(BROKEN) >= 2


# --------------------------------------------------------------------------- the command line


def test_cli_validate_shipped_ok():
    proc = call_cli("validate")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK")
    assert proc.stderr == ""


def test_cli_validate_untouched_copy_ok(data_copy):
    proc = call_cli("validate", str(data_copy))
    assert proc.returncode == 0, proc.stderr
    assert "OK" in proc.stdout


@pytest.mark.parametrize(
    "case_id",
    [
        "unknown-question-id",
        "loop",
        "condition-unknown-code",
        "yaml-bad-indentation",
        "rule-names-unknown-rule",
    ],
)
def test_cli_validate_broken(data_copy, case_id):
    case = next(c for c in CASES if c.id == case_id)
    texts = apply(data_copy, case)
    proc = call_cli("validate", str(data_copy))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert re.fullmatch(r"\d+ problem\(s\) in .+\.", lines[-1]), lines[-1]
    problems = lines[:-1]
    assert problems and all(FULL_PROBLEM.match(p) for p in problems), problems
    expect = case.expect[0]
    assert find(problems, expect, expected_lines(expect, texts[expect.file])), problems
    assert int(lines[-1].split()[0]) == len(problems)


def test_cli_validate_folder_without_dialogs(tmp_path):
    proc = call_cli("validate", str(tmp_path))
    assert proc.returncode == 2
    assert "has no dialogs/ folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_synonyms_typo_is_reported_with_file_and_line(data_copy: Path) -> None:
    path = data_copy / "dialogs" / "synonyms.yaml"
    text = path.read_text()
    path.write_text(text.replace("\nlocations:", "\nlocatons:", 1))
    line = line_of(path.read_text(), "locatons:")
    problems = validate(data_copy)
    assert any(
        "synonyms.yaml" in p and f"line {line}:" in p and "did you mean 'locations'" in p
        for p in problems
    ), problems


def test_reading_yaml_problems_are_reported_with_file_and_line(data_copy: Path) -> None:
    path = data_copy / "dialogs" / "reading.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("pain_score: {none_max: 0,") == 1
    path.write_text(
        text.replace("pain_score: {none_max: 0,", "pain_score: {none_max: zero, nne: 1,"),
        encoding="utf-8",
    )
    line = line_of(path.read_text(encoding="utf-8"), "pain_score:")
    problems = validate(data_copy)
    assert (
        f"dialogs/reading.yaml, line {line}: 'none_max' must be a number, not plain text: 'zero'"
        in problems
    ), problems
    assert any(
        p.startswith(f"dialogs/reading.yaml, line {line}: unknown key 'nne'")
        and "allowed: none_max, mild_max, severe_min" in p
        for p in problems
    ), problems
