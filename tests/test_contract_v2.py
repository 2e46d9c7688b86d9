"""Contract version 2 (issue 12) in the plumbing: answers, dialog branching, saved
sessions and FHIR.

* a version 1 answers file means exactly what it meant (the new questions count as
  "unsure"), and a session saved by the version 1 program still opens and replays;
* the exact ``age``: its limits, the age group it gives, and an error naming both when
  ``age`` and ``age_group`` disagree;
* ``notes``: kept exactly as typed, at most 2,000 characters, through a saved session,
  ``assess --json`` and FHIR;
* who is asked what: ``pregnant``, ``hypocalcemia_symptoms``, ``infection_signs``.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import TESTS, VIGNETTES, call_cli

from chatbot.engine import contract
from chatbot.engine.dialog.answers import Age, AnswerError, Text, to_plain, validate_all
from chatbot.engine.reports import fhir
from chatbot.export import build
from chatbot.storage import Recorder, Store

V2 = set(contract.VERSION_2_QUESTIONS)
V2_CODES = {
    "locations": {"breast", "skin_folds"},
    "kidney": {"acute_injury"},
    "conditions": {
        "hypoparathyroidism",
        "mixed_connective_tissue",
        "panniculitis_or_pancreatitis",
        "pseudoxanthoma_elasticum",
        "ehlers_danlos",
        "familial_hypercholesterolaemia",
        "obesity",
        "liver_disease",
        "other",
    },
    "events": {"implanted_device", "cosmetic_filler"},
    "medications": {
        "other_phosphate_binders",
        "active_vitamin_d",
        "thiazide",
        "lithium",
        "teriparatide",
    },
    "intake": {"ordinary_supplements"},
}
AUTHORED = "2026-12-03T10:00:00+01:00"


def answers_of(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data.get("answers", data)


def is_version_1(raw: dict[str, Any]) -> bool:
    if V2 & set(raw):
        return False
    for qid, codes in V2_CODES.items():
        value = raw.get(qid)
        given = set(value) if isinstance(value, list) else {value}
        if given & codes:
            return False
    return True


V1_FILES = [
    p for p in VIGNETTES + sorted((TESTS / "cases").glob("*.yaml")) if is_version_1(answers_of(p))
]


def session_with(engine, raw: dict[str, Any], complete: bool = True):
    session = engine.new_session()
    session.replay(raw, complete=complete)
    return session


def asked(engine, raw: dict[str, Any]) -> list[str]:
    session = session_with(engine, raw)
    try:
        return list(session.history)
    finally:
        session.close()


def result(a) -> tuple:
    return (a.type, a.subtype, a.triage, a.ranking, a.red_flags)


# =========================================================================== version 1


def test_there_are_version_1_files():
    assert len(V1_FILES) >= 20


@pytest.mark.parametrize("path", V1_FILES, ids=lambda p: p.stem)
def test_a_version_1_file_means_what_it_meant(engine, path: Path):
    """Every answer of a version 1 file keeps its value; the new questions count as
    "unsure", exactly as if the file had said so."""
    raw = answers_of(path)
    normal = validate_all(raw, engine.labs)
    assert {qid: to_plain(v) for qid, v in normal.items()} == {
        qid: to_plain(validate_all({qid: v}, engine.labs)[qid]) for qid, v in raw.items()
    }
    assert set(normal) == set(raw)
    explicit = dict(raw)
    for qid in V2:
        explicit[qid] = (
            [contract.UNSURE] if contract.QUESTIONS[qid][0] == contract.MANY else contract.UNSURE
        )
    assert result(engine.replay(raw)) == result(engine.replay(explicit))
    session = session_with(engine, raw)
    try:
        for qid in V2 & set(session.history):
            assert session.answers[qid] == contract.UNSURE, qid
        assert session.age is None and session.age_years is None
    finally:
        session.close()


V1_SQL = TESTS / "data" / "sessions_v1.sql"


@pytest.fixture
def v1_store(tmp_path: Path):
    """The database the version 1 program wrote (restored from its text dump)."""
    path = tmp_path / "sessions.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V1_SQL.read_text(encoding="utf-8"))
    db.close()
    path.chmod(0o600)
    store = Store(path)
    yield store
    store.close()


def test_a_saved_version_1_session_opens_and_replays(engine, v1_store):
    rows = {row.id: row for row in v1_store.list()}
    assert set(rows) == {1, 2}
    # the finished one: the summary is built again and says what it said then
    record = v1_store.get(1)
    then = record.assessment
    summary = build(engine, record.answers_dict(), record.row.created)
    now = summary.assessment
    assert (now.type, now.subtype, now.triage) == (then["type"], then["subtype"], then["triage"])
    assert now.ignored == ()
    # the unfinished one continues where the person stopped: the questions version 2
    # added before that point count as "unsure", the saved answers are all replayed
    record = v1_store.get(2)
    saved = record.answers_dict()
    session = session_with(engine, saved, complete=False)
    try:
        assert session.current is not None and session.current.id == "conditions"
        assert all(to_plain(session.answers[qid]) == value for qid, value in saved.items())
        assert session.filled and set(session.filled) <= V2
        assert {"sex", "course"} <= set(session.filled)
        assert all(session.answers[qid] == contract.UNSURE for qid in session.filled)
        assert session.respondent == "caregiver"
        # going on saves the new answers after the old ones, none lost
        recorder = Recorder(v1_store)
        recorder.resume(2, record.answers)
        session.answer_current(["lupus"])
        recorder.sync(session)
        again = dict(v1_store.get(2).answers)
        recorder.close()
        assert again["conditions"] == ["lupus"]
        assert {qid: again[qid] for qid in saved} == saved
        assert all(again[qid] == contract.UNSURE for qid in session.filled)
    finally:
        session.close()


def test_a_version_2_session_stops_at_its_first_new_question(engine):
    """Only a session saved before version 2 skips the new questions."""
    saved = {
        "respondent": "self",
        "warning_signs": ["none"],
        "age_group": "adult",
        "has_deposits": "yes",
        "sex": "male",
        "known_diagnosis": "no",
    }
    session = session_with(engine, saved, complete=False)
    try:
        assert session.current.id == "locations" and session.filled == []
    finally:
        session.close()
    del saved["sex"]
    saved["course"] = "stable"  # a version 2 answer: nothing is filled in
    session = session_with(engine, saved, complete=False)
    try:
        assert session.current.id == "sex" and session.filled == []
    finally:
        session.close()


# =========================================================================== age


@pytest.mark.parametrize(
    "age, group",
    [
        ({"value": 1, "unit": "days"}, "infant"),
        ({"value": 3, "unit": "weeks"}, "infant"),
        ({"value": 52, "unit": "weeks"}, "infant"),
        ({"value": 53, "unit": "weeks"}, "child"),
        ({"value": 11, "unit": "months"}, "infant"),
        ({"value": 12, "unit": "months"}, "child"),
        ({"value": 364, "unit": "days"}, "infant"),
        ({"value": 1, "unit": "years"}, "child"),
        ({"value": 0.5, "unit": "years"}, "infant"),
        ({"value": 17.9, "unit": "years"}, "child"),
        ({"value": 215, "unit": "months"}, "child"),
        ({"value": 216, "unit": "months"}, "adult"),
        ({"value": 18, "unit": "years"}, "adult"),
        ({"value": 120, "unit": "Years"}, "adult"),
    ],
)
def test_an_exact_age_gives_its_group(engine, age, group):
    raw = {"respondent": "self", "age": age, "has_deposits": "yes"}
    session = session_with(engine, raw)
    try:
        assert session.answers["age_group"] == group
        assert isinstance(session.answers["age"], Age)
        assert session.answers["age"].unit == age["unit"].lower()
        days = {"days": 1, "weeks": 7, "months": 365.25 / 12, "years": 365.25}
        assert session.age_years == pytest.approx(age["value"] * days[age["unit"].lower()] / 365.25)
        assert session.age_days == pytest.approx(age["value"] * days[age["unit"].lower()])
    finally:
        session.close()
    # the same with the group given too (it agrees), and in the session directly
    both = engine.replay({**raw, "age_group": group})
    assert both.ignored == ()
    session = engine.new_session()
    try:
        while session.current.id != "age_group":
            session.answer_current(
                contract.UNSURE if session.current.kind == contract.ONE else [contract.UNSURE]
            )
        session.answer_age(age["value"], age["unit"])
        assert session.answers["age_group"] == group
        assert session.history[-1] == "age_group" and "age" not in session.history
        assert session.back()  # one step back undoes the age and its group
        assert "age" not in session.answers and "age_group" not in session.answers
        assert session.current.id == "age_group"
    finally:
        session.close()


@pytest.mark.parametrize(
    "age, group",
    [
        ({"value": 3, "unit": "weeks"}, "adult"),
        ({"value": 62, "unit": "years"}, "child"),
        ({"value": 18, "unit": "years"}, "child"),
        ({"value": 12, "unit": "months"}, "infant"),
    ],
)
def test_age_and_age_group_that_disagree_are_an_error_naming_both(engine, age, group):
    with pytest.raises(AnswerError) as caught:
        validate_all({"age": age, "age_group": group}, engine.labs)
    message = caught.value.message
    shown = Age(age["value"], age["unit"]).describe()
    assert "age_group" in message and f"age {shown}" in message and repr(group) in message
    # in a session: refused, and nothing is recorded
    session = engine.new_session()
    try:
        while session.current.id != "age_group":
            session.answer_current(
                contract.UNSURE if session.current.kind == contract.ONE else [contract.UNSURE]
            )
        before = (dict(session.answers), list(session.history))
        with pytest.raises(AnswerError):
            session.answer_current(group, also={"age": age})
        assert (dict(session.answers), list(session.history)) == before
        assert session.current.id == "age_group"
    finally:
        session.close()


def test_agreeing_age_and_group_and_unsure_group_are_fine(engine):
    normal = validate_all(
        {"age": {"value": 62, "unit": "years"}, "age_group": "unsure"}, engine.labs
    )
    assert normal["age_group"] == contract.UNSURE  # unsure does not disagree
    session = session_with(
        engine,
        {"age": {"value": 62, "unit": "years"}, "age_group": "unsure", "has_deposits": "yes"},
    )
    try:
        assert session.answers["age_group"] == "adult"  # the exact age decides
    finally:
        session.close()


@pytest.mark.parametrize(
    "age, words",
    [
        ({"value": 121, "unit": "years"}, "more than 120 years"),
        ({"value": 1500, "unit": "months"}, "more than 120 years"),
        ({"value": 44000, "unit": "days"}, "more than 120 years"),
        ({"value": 0, "unit": "years"}, "more than zero"),
        ({"value": -3, "unit": "weeks"}, "more than zero"),
        ({"value": 62}, "no unit was given"),
        ({"value": 62, "unit": "decades"}, "'decades' is not a unit of age"),
        ({"value": "62", "unit": "years"}, "not a number"),
        ({"value": True, "unit": "years"}, "not a number"),
        ({"value": float("nan"), "unit": "years"}, "not a number"),
        ({"value": 62, "unit": "years", "when": "now"}, "unknown key 'when'"),
        (62, "give a number with its unit"),
        ("62 years", "give a number with its unit"),
    ],
)
def test_impossible_ages_are_refused_with_a_clear_message(engine, age, words):
    with pytest.raises(AnswerError) as caught:
        validate_all({"age": age}, engine.labs)
    message = caught.value.message
    assert message.startswith("age: ") and words in message
    assert (
        "days, weeks, months" in message
        or "120 years" in message
        or "{value: 62, unit: years}" in message
    )


def test_the_cli_refuses_a_bad_age_without_a_traceback(tmp_path: Path):
    bad = tmp_path / "old.yaml"
    bad.write_text("age: {value: 130, unit: years}\nhas_deposits: 'yes'\n")
    done = call_cli("assess", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert "130 years is more than 120 years" in done.stderr and "old.yaml" in done.stderr
    both = tmp_path / "both.yaml"
    both.write_text("age: {value: 3, unit: weeks}\nage_group: adult\n")
    done = call_cli("assess", str(both))
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert "age_group 'adult' and age 3 weeks disagree" in done.stderr


# =========================================================================== notes

NOTES = [
    'Diagnosed with "Morbus X" in 2019 | <b>not</b> in the list',
    "  two leading spaces,\nthree lines,\n\tand a tab  ",
    "Ünïcode ✓ 日本語 — and an emoji 🙂",
    "x" * 2000,
]


@pytest.mark.parametrize("words", NOTES, ids=["quotes", "lines", "unicode", "longest"])
def test_notes_are_kept_exactly_through_a_saved_session(engine, tmp_path: Path, words):
    raw = {"respondent": "self", "has_deposits": "yes", "conditions": ["other"], "notes": words}
    session = session_with(engine, raw)
    try:
        assert session.answers["notes"] == Text(words)
        assert session.history[-1] == "notes"
        with Store(tmp_path / "s.sqlite3") as store:
            recorder = Recorder(store)
            recorder.sync(session)
            sid = recorder.session_id
            recorder.close()
        with Store(tmp_path / "s.sqlite3") as store:
            saved = store.get(sid).answers_dict()
        assert saved["notes"] == words
        again = session_with(engine, saved, complete=False)
        try:
            assert again.answers["notes"] == Text(words) and again.finished
        finally:
            again.close()
    finally:
        session.close()


def test_notes_through_assess_json(tmp_path: Path):
    words = NOTES[0] + "\n" + NOTES[2]
    path = tmp_path / "notes.json"
    path.write_text(json.dumps({"has_deposits": "yes", "notes": words}), encoding="utf-8")
    done = call_cli("assess", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["answers"]["notes"] == words


def test_notes_too_long_or_not_text_are_refused(engine):
    with pytest.raises(AnswerError) as caught:
        validate_all({"notes": "y" * 2001}, engine.labs)
    assert "2,001 characters" in caught.value.message and "2,000" in caught.value.message
    with pytest.raises(AnswerError) as caught:
        validate_all({"notes": 42}, engine.labs)
    assert "not text" in caught.value.message
    # empty or blank notes: nothing to add
    assert validate_all({"notes": "   \n"}, engine.labs)["notes"] == contract.UNSURE


def test_the_nothing_to_add_label_typed_at_the_notes_is_unsure(engine):
    question = engine.dialog.questions["notes"]
    for typed in (question.unsure_label, f"  {question.unsure_label.upper()} "):
        session = session_with(engine, {"has_deposits": "yes"}, complete=False)
        try:
            while session.current.id != "notes":
                session.answer_current(
                    contract.UNSURE if session.current.kind != contract.MANY else [contract.UNSURE]
                )
            session.answer_current(typed)
            assert session.answers["notes"] == contract.UNSURE
        finally:
            session.close()
    assert validate_all({"notes": "Nothing to add, except the rash"}, engine.labs)["notes"] == Text(
        "Nothing to add, except the rash"
    )


def test_the_notes_question_asks_for_the_other_condition(engine):
    question = engine.dialog.questions["notes"]
    plain = session_with(engine, {"has_deposits": "yes", "conditions": ["lupus"]})
    other = session_with(engine, {"has_deposits": "yes", "conditions": ["other"]})
    try:
        assert plain.text(question) == question.text_self
        assert other.text(question) != question.text_self
        assert "condition" in other.text(question)
        assert question.section == engine.dialog.sections[-1].id
        assert [t.dest for t in question.transitions] == ["end_assess"]
    finally:
        plain.close()
        other.close()


# =========================================================================== who is asked what

WOMAN = {"respondent": "self", "has_deposits": "yes", "sex": "female"}


@pytest.mark.parametrize(
    "extra, wanted",
    [
        ({"age": {"value": 30, "unit": "years"}}, True),
        ({"age": {"value": 12, "unit": "years"}}, True),
        ({"age": {"value": 55.5, "unit": "years"}}, True),
        ({"age_group": "adult"}, True),  # age not known exactly
        ({"age_group": "child"}, True),
        ({}, True),  # nothing known about age
        ({"age": {"value": 70, "unit": "years"}}, False),  # a woman of 70
        ({"age": {"value": 8, "unit": "years"}}, False),  # a girl of 8
        ({"age": {"value": 11, "unit": "years"}}, False),
        ({"age": {"value": 56, "unit": "years"}}, False),
        ({"age_group": "infant"}, False),
        ({"sex": "male", "age": {"value": 30, "unit": "years"}}, False),  # a man
        ({"sex": "male"}, False),
        ({"sex": "other", "age_group": "adult"}, True),
        ({"sex": "unsure", "age": {"value": 40, "unit": "years"}}, True),
    ],
)
def test_pregnancy_is_asked_only_when_it_can_matter(engine, extra, wanted):
    assert ("pregnant" in asked(engine, {**WOMAN, **extra})) is wanted


def test_a_pregnancy_answer_for_a_man_is_ignored(engine):
    a = engine.replay({**WOMAN, "sex": "male", "pregnant": "yes"})
    assert [i.id for i in a.ignored] == ["pregnant"]


@pytest.mark.parametrize(
    "labs, wanted",
    [
        ({"calcium": "low"}, True),
        ({"calcium": {"value": 7.0, "unit": "mg/dL"}}, True),
        ({"ionized_calcium": "low"}, True),
        ({"ionized_calcium": {"value": 0.9, "unit": "mmol/L"}}, True),
        ({"calcium": "normal"}, False),
        ({"calcium": "high"}, False),
        ({"calcium": {"value": 9.4, "unit": "mg/dL"}}, False),
        ({}, False),
        ({"ionized_calcium": "normal"}, False),
    ],
)
def test_hypocalcaemia_symptoms_only_when_calcium_is_low(engine, labs, wanted):
    raw = {"respondent": "self", "has_deposits": "yes", **labs}
    assert ("hypocalcemia_symptoms" in asked(engine, raw)) is wanted


@pytest.mark.parametrize(
    "extra, wanted",
    [
        ({"kidney": "dialysis"}, True),  # dialysis, no ulcer
        ({"kidney": "transplant", "skin_changes": ["none"]}, True),
        ({"kidney": "ckd"}, False),
        ({"kidney": "normal", "skin_changes": ["none"]}, False),
        ({"kidney": "normal", "skin_changes": ["ulcer"]}, True),
        ({"skin_changes": ["dark_dead_skin"]}, True),
        ({"skin_changes": ["purple_net_pattern"]}, True),
        ({"skin_changes": ["blisters"]}, False),
    ],
)
def test_infection_signs_on_dialysis_or_transplant_or_skin_signs(engine, extra, wanted):
    raw = {"respondent": "self", "has_deposits": "yes", **extra}
    assert ("infection_signs" in asked(engine, raw)) is wanted


def test_everybody_with_deposits_gets_the_new_questions(engine):
    history = asked(engine, {"has_deposits": "yes"})
    for qid in ("sex", "course", "family_history", "ionized_calcium", "vitamin_d_level", "notes"):
        assert qid in history, qid
    assert history[-1] == "notes"
    assert asked(engine, {"has_deposits": "no"})[-1] == "has_deposits"


# =========================================================================== FHIR

FULL = {
    "respondent": "caregiver",
    "warning_signs": ["none"],
    "age": {"value": 3, "unit": "weeks"},
    "sex": "female",
    "has_deposits": "yes",
    "known_diagnosis": "no",
    "locations": ["heels"],
    "course": "new_fast",
    "extent": "single",
    "size": "small",
    "pain": "mild",
    "skin_changes": ["none"],
    "stiffness": "no",
    "kidney": "transplant",
    "infection_signs": "no",
    "conditions": ["other"],
    "family_history": "no",
    "events": ["heel_sticks"],
    "medications": ["active_vitamin_d"],
    "intake": ["ordinary_supplements"],
    "calcium": {"value": 1.9, "unit": "mmol/L"},
    "albumin": {"value": 30, "unit": "g/L"},
    "ionized_calcium": {"value": 1.0, "unit": "mmol/L"},
    "hypocalcemia_symptoms": "no",
    "phosphate": "normal",
    "pth": "high",
    "vitamin_d_level": {"value": 45, "unit": "nmol/L"},
    "notes": 'Named by the doctor: "Morbus X".\nSecond line <b>as typed</b>.',
}


def test_fhir_carries_the_new_items_and_comes_back(engine):
    session = session_with(engine, FULL)
    try:
        answers = dict(session.answers)
        asked_now = list(session.history)
    finally:
        session.close()
    assert set(FULL) <= set(answers) and "age_group" in answers
    qr = fhir.questionnaire_response(answers, engine.dialog, authored=AUTHORED, status="completed")
    items = {}
    stack = list(qr["item"])
    while stack:
        item = stack.pop()
        if "item" in item:
            stack.extend(item["item"])
        else:
            items[item["linkId"]] = item
    (age,) = items["age"]["answer"]
    assert age == {
        "valueQuantity": {
            "value": 3,
            "unit": "weeks",
            "system": "http://unitsofmeasure.org",
            "code": "wk",
        }
    }
    assert items["notes"]["answer"] == [{"valueString": FULL["notes"]}]
    vitamin = items["vitamin_d_level"]["answer"][0]["valueQuantity"]
    assert (vitamin["value"], vitamin["code"]) == (45, "nmol/L")
    for qid in ("sex", "course", "family_history", "hypocalcemia_symptoms"):
        (answer,) = items[qid]["answer"]
        assert answer["valueCoding"]["code"] == FULL[qid]
        assert answer["valueCoding"]["system"] == f"{fhir.SYSTEM}:{qid}"
    codes = {a["valueCoding"]["code"] for a in items["medications"]["answer"]}
    assert codes == {"active_vitamin_d"}
    # back: the same answers file, the same assessment, also through JSON text
    back = fhir.answers_from_response(json.loads(json.dumps(qr)))
    assert back == {qid: to_plain(v) for qid, v in answers.items()}
    assert result(engine.replay(back)) == result(engine.replay(FULL))
    # fhir.resources accepts both resources
    pytest.importorskip("fhir.resources")
    from fhir.resources.R4B.questionnaire import Questionnaire
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    QuestionnaireResponse.model_validate(copy.deepcopy(qr))
    questionnaire = fhir.questionnaire(engine.dialog)
    Questionnaire.model_validate(questionnaire)
    links = {item["linkId"]: item for group in questionnaire["item"] for item in group["item"]}
    assert links["age"]["type"] == "quantity" and links["notes"]["type"] == "text"
    assert links["notes"]["maxLength"] == 2000
    assert "pregnant" not in asked_now  # an infant: never asked


def test_fhir_refuses_a_bad_age_or_notes_item(engine):
    session = session_with(
        engine, {"has_deposits": "yes", "age": {"value": 62, "unit": "years"}, "notes": "words"}
    )
    try:
        qr = fhir.questionnaire_response(dict(session.answers), engine.dialog, authored=AUTHORED)
    finally:
        session.close()
    text = json.dumps(qr)
    bad_unit = json.loads(text.replace('"code": "a"', '"code": "dec"'))
    with pytest.raises(ValueError, match="item 'age': unit 'dec'"):
        fhir.answers_from_response(bad_unit)
    bad_notes = json.loads(text.replace('"valueString": "words"', '"valueInteger": 3'))
    with pytest.raises(ValueError, match="item 'notes' takes one valueString answer"):
        fhir.answers_from_response(bad_notes)
