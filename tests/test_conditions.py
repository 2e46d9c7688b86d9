"""The condition language (chatbot/engine/conditions.py): each form means what the
module says, and values from YAML stay values (never code)."""

from __future__ import annotations

from typing import Any

import pytest

from chatbot.engine import contract
from chatbot.engine.conditions import ConditionError, compile_condition


class FakeFacts:
    """Facts given as plain dicts; records which rules were asked about."""

    def __init__(
        self,
        answers: dict[str, Any] | None = None,
        labs: dict[str, str] | None = None,
        measured: set[str] | None = None,
        numbers: dict[str, float] | None = None,
        caxp: str = "unsure",
        fired: set[str] | None = None,
    ):
        self.answers = answers or {}
        self.labs = labs or {}
        self.measured = measured or set()
        self.numbers = numbers or {}
        self.caxp = caxp
        self.fired = fired or set()
        self.asked: list[str] = []

    def answer(self, qid: str) -> Any:
        kind = contract.QUESTIONS[qid][0]
        return self.answers.get(qid, (contract.UNSURE,) if kind == contract.MANY else "unsure")

    def lab_status(self, lab: str) -> str:
        return self.labs.get(lab, "unsure")

    def lab_measured(self, lab: str) -> bool:
        return lab in self.measured

    def number(self, name: str) -> float | None:
        return self.numbers.get(name)

    def caxp_level(self) -> str:
        return self.caxp

    def rule(self, rule_id: str) -> bool:
        self.asked.append(rule_id)
        return rule_id in self.fired


def holds(node: Any, facts: FakeFacts, rule_ids: list[str] | None = None) -> bool:
    result = compile_condition(node, rule_ids)(facts)
    assert isinstance(result, bool)
    return result


def test_answer_forms_on_one_and_many_questions():
    f = FakeFacts({"pain": "severe", "locations": ("fingers_hands", "elbows_knees")})
    assert holds({"answer": "pain", "is": "severe"}, f)
    assert not holds({"answer": "pain", "is": "mild"}, f)
    assert holds({"answer": "pain", "in": ["mild", "severe"]}, f)
    assert holds({"answer": "locations", "has": "elbows_knees"}, f)
    assert not holds({"answer": "locations", "is": "elbows_knees"}, f)  # not the only one
    assert holds({"answer": "locations", "in": ["heels", "elbows_knees"]}, f)
    assert holds({"answer": "pain", "known": True}, f)
    assert holds({"answer": "kidney", "known": False}, f)  # unanswered: unsure
    assert not holds({"answer": "events", "known": True}, f)


def test_labs_facts_caxp_and_rules():
    f = FakeFacts(
        labs={"calcium": "high"},
        measured={"calcium"},
        numbers={"calcium_mgdl": 14.0},
        caxp="raised",
        fired={"r1"},
    )
    assert holds({"lab": "calcium", "status": "high"}, f)
    assert holds({"lab": "phosphate", "in": ["unsure", "low"]}, f)
    assert holds({"lab": "calcium", "measured": True}, f)
    assert holds({"lab": "pth", "measured": False}, f)
    assert holds({"fact": "calcium_mgdl", "at_least": 14}, f)
    assert not holds({"fact": "calcium_mgdl", "below": 14}, f)
    assert holds({"fact": "calcium_mgdl", "at_least": 13, "below": 15}, f)
    assert not holds({"fact": "phosphate_mgdl", "below": 100}, f)  # unknown is false
    assert holds({"caxp": ["raised", "high"]}, f)
    assert holds({"rule": "r1"}, f, ["r1", "r2"])
    assert not holds({"rule": "r2"}, f, ["r1", "r2"])


def test_all_any_not_stop_at_the_first_answer_that_decides():
    f = FakeFacts(fired={"a"})
    ids = ["a", "b", "c"]
    assert holds({"any": [{"rule": "a"}, {"rule": "b"}]}, f, ids)
    assert f.asked == ["a"]
    f.asked.clear()
    assert not holds({"all": [{"rule": "b"}, {"rule": "a"}]}, f, ids)
    assert f.asked == ["b"]
    assert holds({"not": {"all": [{"rule": "a"}, {"not": {"rule": "c"}}, {"rule": "b"}]}}, f, ids)
    # two facts in one condition keep their own numbers
    g = FakeFacts(numbers={"calcium_mgdl": 7.0, "phosphate_mgdl": 6.0})
    both = {
        "all": [
            {"fact": "calcium_mgdl", "below": 7.6},
            {"fact": "phosphate_mgdl", "at_least": 5.5},
        ]
    }
    assert holds(both, g)


def test_values_from_yaml_are_never_code():
    """A rule id that looks like Python is passed as text, not run."""
    sneaky = "x') or __import__('os').system('echo hacked') or ('"
    f = FakeFacts()
    assert not holds({"rule": sneaky}, f, [sneaky])
    assert f.asked == [sneaky]
    with pytest.raises(ConditionError, match="is not a code of 'pain'"):
        compile_condition({"answer": "pain", "is": "severe' or True or '"})
    with pytest.raises(ConditionError, match="is not a number"):
        compile_condition({"fact": "calcium_mgdl", "at_least": "1 or True"})


def test_a_bad_condition_says_what_is_allowed():
    with pytest.raises(ConditionError, match="unknown condition; use answer, lab"):
        compile_condition({"answr": "pain"})
    with pytest.raises(ConditionError, match="'rule' conditions are allowed only"):
        compile_condition({"rule": "r1"})
    with pytest.raises(ConditionError, match="'any' takes a non-empty list"):
        compile_condition({"any": []})
