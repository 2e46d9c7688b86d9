"""Reading answers without a terminal: chosen options, typed words, lab values, literal text."""

from __future__ import annotations

import pytest

from chatbot.tui import interpret
from chatbot.tui.interpret import ANSWER, ASK, CONFIRM, PROBLEM
from chatbot.tui.text import literal


@pytest.fixture
def at(engine):
    """A session standing at a question, with the answers a vignette would give before it."""

    def go(qid: str):
        s = engine.new_session()
        given = {
            "respondent": "self",
            "warning_signs": ["none"],
            "age_group": "adult",
            "has_deposits": "yes",
            "known_diagnosis": "no",
            "locations": ["fingers_hands"],
            "extent": "one_area",
            "size": "small",
            "pain": "mild",
            "skin_changes": ["none"],
            "stiffness": "no",
            "kidney": "normal",
            "conditions": ["none"],
            "raynaud": "no",
            "events": ["none"],
            "medications": ["none"],
            "intake": ["none"],
        }
        while s.current is not None and s.current.id != qid:
            s.answer_current(given.get(s.current.id))
        assert s.current is not None and s.current.id == qid
        return s

    return go


@pytest.fixture(scope="module")
def matcher():
    return interpret.load_matcher()


def typed(s, text, engine, matcher):
    return interpret.typed(s.current, s.options(), text, labs=engine.labs, matcher=matcher)


@pytest.mark.parametrize("text", ["my fingers", "fingrs", "hands", "Fingers or hands", "1"])
def test_words_and_small_typos_map_to_codes(at, engine, matcher, text):
    reply = typed(at("locations"), text, engine, matcher)
    assert reply.kind == ANSWER and reply.value == ["fingers_hands"]
    assert reply.said == text and reply.meaning == "Fingers or hands"


@pytest.mark.parametrize("text", ["dunno", "not sure", "0", "I'm not sure"])
def test_unsure_words(at, engine, matcher, text):
    reply = typed(at("pain"), text, engine, matcher)
    assert reply.kind == ANSWER and reply.value == "unsure"


def test_ambiguous_words_ask_back_with_the_matching_options(at, engine, matcher):
    reply = typed(at("locations"), "joints", engine, matcher)
    assert reply.kind == ASK and reply.value is None
    assert set(reply.candidates) == {"elbows_knees", "around_large_joints"}
    assert "Elbows or knees" in reply.message and "Around the hips or shoulders" in reply.message


def test_unknown_words_are_never_guessed(at, engine, matcher):
    reply = typed(at("kidney"), "purple elephant", engine, matcher)
    assert reply.kind == ASK and reply.value is None


def test_a_number_at_the_age_question_is_an_age(at, engine, matcher):
    # issue 13: a typed number at the age question is an age, never an option number
    adult = typed(at("age_group"), "52", engine, matcher)
    assert adult.value == "adult" and adult.also == {"age": {"value": 52, "unit": "years"}}
    one = typed(at("age_group"), "1", engine, matcher)
    assert one.value == "child" and one.also["age"]["value"] == 1
    baby = typed(at("age_group"), "3 weeks old", engine, matcher)
    assert baby.value == "infant" and baby.also == {"age": {"value": 3, "unit": "weeks"}}
    assert typed(at("age_group"), "0", engine, matcher).value == "unsure"  # 0 on screen


def test_several_answers_for_a_many_question(at, engine, matcher):
    reply = typed(at("locations"), "hands and face", engine, matcher)
    assert reply.value == ["fingers_hands", "face"]


def test_numbers_out_of_range_say_what_is_allowed(at, engine, matcher):
    reply = typed(at("pain"), "7", engine, matcher)
    assert reply.kind == ASK and "1 to 3" in reply.message


def test_without_the_matcher_numbers_and_exact_labels_still_work(at, engine):
    assert typed(at("pain"), "2", engine, None).value == "mild"
    assert typed(at("pain"), "a lot", engine, None).value == "severe"
    assert typed(at("pain"), "lots", engine, None).kind == ASK


def test_lab_value_with_unit_status_and_errors(at, engine, matcher):
    s = at("calcium")
    value = typed(s, "9.6 mg/dL", engine, matcher)
    assert value.kind == ANSWER and value.value.entered() == "9.6 mg/dL"
    assert typed(s, "high", engine, matcher).value == "high"
    bad = typed(s, "11.8 mg/dk", engine, matcher)
    assert bad.kind == PROBLEM and "dk" in bad.message and "mg/dL" in bad.message
    assert typed(s, "11.8", engine, matcher).kind == PROBLEM  # no unit: never assumed


def test_a_lone_option_number_at_a_lab_question_chooses_that_option(at, engine, matcher):
    s = at("phosphate")
    assert typed(s, "2", engine, matcher).value == "normal"  # "2 It was normal", on screen
    assert typed(s, "0", engine, matcher).value == "unsure"
    no_unit = typed(s, "5", engine, matcher)  # not an option: a value, whose unit is asked
    assert no_unit.kind == PROBLEM and "unit" in no_unit.message


def test_an_extreme_lab_value_asks_for_confirmation(at, engine, matcher):
    reply = typed(at("calcium"), "16 mg/dL", engine, matcher)
    assert reply.kind == CONFIRM and "16 mg/dL" in reply.message and reply.value is not None


def test_chosen_none_and_unsure_stand_alone(engine):
    question = engine.dialog.questions["skin_changes"]
    assert interpret.chosen(question, ["ulcer", "none"]).value == ["ulcer"]
    assert interpret.chosen(question, []).kind == PROBLEM
    assert interpret.chosen(question, ["unsure"]).said == question.unsure_label


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("[red]x[/red]", "[red]x[/red]"),
        ("[link=https://example.com]click[/link]", "[link=https://example.com]click[/link]"),
        ("a\x1b[31mred\x1b[0m b", "ared b"),
        ("bell\x07 and\x1b]0;title\x07 osc", "bell and osc"),
        ("line\nbreak\ttab", "line break tab"),
    ],
)
def test_typed_text_is_made_literal(raw, shown):
    assert literal(raw) == shown
