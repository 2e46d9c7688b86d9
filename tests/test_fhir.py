"""FHIR R4 export: the Questionnaire, QuestionnaireResponses and the way back.

Every shared vignette is turned into a QuestionnaireResponse, validated with
the fhir.resources R4B models (R4B is R4 for these two resources), checked
item by item, and read back: replaying what comes back gives the same type,
subtype, triage and ranking. The Questionnaire's enableWhen is checked both
by hand (the cases the brief names) and by evaluating it the way a FHIR form
filler would, against the questions the engine really asked.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import VIGNETTES

from chatbot import __version__
from chatbot.engine import contract
from chatbot.engine.dialog.answers import Age, Text, to_plain
from chatbot.engine.medicine.labs import LabValue
from chatbot.engine.reports import fhir

AUTHORED = "2024-05-01T10:30:00+02:00"
UCUM = "http://unitsofmeasure.org"
EXPECTED_UCUM = {
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
# The exact age's units in UCUM (a = annum, the year).
AGE_UCUM = {"days": "d", "weeks": "wk", "months": "mo", "years": "a"}
# Answers recorded with another question's answer, never asked on their own.
RECORDED_WITH = {"age": "age_group"}


# --------------------------------------------------------------------------- helpers


def vignette_answers(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]


def session_answers(engine, raw: dict) -> tuple[dict, list[str]]:
    """Normalised answers and the questions asked, as a session holds them."""
    session = engine.new_session()
    try:
        session.replay(raw)
        return dict(session.answers), list(session.history)
    finally:
        session.close()


def leaves(items: list[dict]) -> list[dict]:
    out = []
    for item in items:
        if "item" in item:
            out.extend(leaves(item["item"]))
        else:
            out.append(item)
    return out


def q_items(questionnaire: dict) -> list[dict]:
    return leaves(questionnaire["item"])


def by_link(questionnaire: dict) -> dict[str, dict]:
    return {item["linkId"]: item for item in q_items(questionnaire)}


def summary(assessment) -> tuple:
    return (assessment.type, assessment.subtype, assessment.triage, assessment.ranking)


def fhir_models():
    pytest.importorskip("fhir.resources")
    from fhir.resources.R4B.questionnaire import Questionnaire
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    return Questionnaire, QuestionnaireResponse


def validate(model, resource: dict) -> Any:
    """Validate with the model; the round trip through it must keep every field."""
    parsed = model.model_validate(resource)
    dumped = json.loads(parsed.model_dump_json(exclude_none=True))
    assert dumped == json.loads(json.dumps(resource)), "the model dropped or changed fields"
    return parsed


@pytest.fixture(scope="module")
def questionnaire(engine) -> dict:
    return fhir.questionnaire(engine.dialog)


def response_for(engine, raw: dict, **kwargs) -> tuple[dict, dict, list[str]]:
    answers, asked = session_answers(engine, raw)
    qr = fhir.questionnaire_response(answers, engine.dialog, authored=AUTHORED, **kwargs)
    return qr, answers, asked


# --------------------------------------------------------------------------- a FHIR form filler


def _matches(answer: dict, when: dict) -> bool:
    coding = answer.get("valueCoding")
    want = when["answerCoding"]
    return bool(coding) and coding["system"] == want["system"] and coding["code"] == want["code"]


def enabled_items(questionnaire: dict, qr: dict) -> set[str]:
    """The linkIds a form filler would enable for the answers in ``qr`` (R4 semantics).

    Items are visited in order; the answers of a disabled item count as not given.
    """
    given = {item["linkId"]: item["answer"] for item in leaves(qr["item"])}
    valued: dict[str, list[dict]] = {}
    enabled: set[str] = set()
    for item in q_items(questionnaire):
        results = []
        for when in item.get("enableWhen", []):
            answers = valued.get(when["question"], [])
            if when["operator"] == "exists":
                results.append(bool(answers) == when["answerBoolean"])
            elif when["operator"] == "=":
                results.append(any(_matches(a, when) for a in answers))
            elif when["operator"] == "!=":
                results.append(not any(_matches(a, when) for a in answers))
            else:
                raise AssertionError(f"unexpected operator {when['operator']!r}")
        behaviour = item.get("enableBehavior", "all")
        on = not results or (all(results) if behaviour == "all" else any(results))
        if on:
            enabled.add(item["linkId"])
            if item["linkId"] in given:
                valued[item["linkId"]] = given[item["linkId"]]
    return enabled


def question_of(link: str) -> str:
    lab = link.removesuffix(fhir.STATUS_SUFFIX)
    return lab if lab in contract.LAB_UNITS else link


def asked_as(link: str) -> str:
    """The dialog question an item belongs to (the exact age: the age question)."""
    qid = question_of(link)
    return RECORDED_WITH.get(qid, qid)


def in_response(answers: dict) -> dict:
    """The answers a QuestionnaireResponse holds: all but "nothing to add" in words."""
    return {
        qid: v
        for qid, v in answers.items()
        if not (contract.QUESTIONS[qid][0] == contract.TEXT and v == contract.UNSURE)
    }


def approximate(item: dict) -> bool:
    return any(
        e["url"] == fhir.EXT_ENABLE_WHEN_APPROXIMATE and e.get("valueBoolean")
        for e in item.get("extension", [])
    )


def check_enable_when(questionnaire: dict, qr: dict, asked: list[str]) -> None:
    """Every asked question is enabled; an exact item is enabled only when asked."""
    on = enabled_items(questionnaire, qr)
    for item in q_items(questionnaire):
        qid = asked_as(item["linkId"])
        if qid in asked:
            assert item["linkId"] in on, f"{item['linkId']} was asked but FHIR disables it"
        elif not approximate(item):
            assert item["linkId"] not in on, f"{item['linkId']} was not asked but FHIR enables it"


# --------------------------------------------------------------------------- the vignettes


def test_there_are_vignettes():
    assert len(VIGNETTES) >= 10


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_vignette_response(engine, questionnaire, path: Path):
    raw = vignette_answers(path)
    qr, answers, asked = response_for(
        engine, raw, respondent="A. Person", subject_display="The patient"
    )
    assert qr["resourceType"] == "QuestionnaireResponse"
    assert qr["questionnaire"] == fhir.QUESTIONNAIRE_URL
    assert qr["status"] == "completed"
    assert qr["authored"] == AUTHORED
    assert qr["source"] == {"display": "A. Person"}
    assert qr["subject"] == {"display": "The patient"}

    # groups are the dialog's sections, in order, holding only their own questions
    sections = [s.id for s in engine.dialog.sections]
    groups = [g["linkId"] for g in qr["item"]]
    assert groups == [s for s in sections if s in groups]
    for group in qr["item"]:
        for item in group["item"]:
            assert engine.dialog.questions[asked_as(item["linkId"])].section == group["linkId"]

    items = leaves(qr["item"])
    links = [item["linkId"] for item in items]
    # exactly the answered questions, once each, in dialog order (the exact age right
    # after the age question)
    shown = in_response(answers)
    order = [
        x
        for q in engine.dialog.questions
        for x in [q] + [o for o, w in RECORDED_WITH.items() if w == q]
    ]
    assert [question_of(link) for link in links] == [q for q in order if q in shown]
    assert len(links) == len(set(links))
    for item in items:
        link, qid = item["linkId"], question_of(item["linkId"])
        value = answers[qid]
        kind = contract.QUESTIONS[qid][0]
        assert qid in contract.QUESTIONS
        if kind == contract.MEASURE:
            assert link == qid and isinstance(value, Age)
            (answer,) = item["answer"]
            assert answer["valueQuantity"] == {
                "value": value.value,
                "unit": value.unit,
                "system": UCUM,
                "code": AGE_UCUM[value.unit],
            }
        elif kind == contract.TEXT:
            assert link == qid and isinstance(value, Text)
            assert item["answer"] == [{"valueString": value.text}]
        elif kind == contract.LAB and isinstance(value, LabValue):
            assert link == qid
            (answer,) = item["answer"]
            quantity = answer["valueQuantity"]
            assert quantity == {
                "value": value.value,
                "unit": value.unit,
                "system": UCUM,
                "code": EXPECTED_UCUM[value.unit],
            }
        elif kind == contract.LAB:
            assert link == f"{qid}_status"
            (answer,) = item["answer"]
            assert answer["valueCoding"]["code"] == value
            assert answer["valueCoding"]["system"] == f"{fhir.SYSTEM}:{qid}"
        else:
            assert link == qid
            codes = [a["valueCoding"]["code"] for a in item["answer"]]
            assert codes == (list(value) if kind == contract.MANY else [value])
            for answer in item["answer"]:
                coding = answer["valueCoding"]
                assert set(coding) == {"system", "code", "display"}
                assert coding["system"] == f"{fhir.SYSTEM}:{qid}"
                assert coding["code"] in contract.codes_for(qid)
                assert coding["display"] == engine.dialog.questions[qid].label_of(coding["code"])

    # back to an answers file: the same answers, and the same assessment
    back = fhir.answers_from_response(copy.deepcopy(qr))
    assert back == {qid: to_plain(v) for qid, v in in_response(answers).items()}
    assert summary(engine.replay(back)) == summary(engine.replay(raw))

    # through JSON too (numbers and strings only)
    back_json = fhir.answers_from_response(json.loads(json.dumps(qr)))
    assert summary(engine.replay(back_json)) == summary(engine.replay(raw))

    check_enable_when(questionnaire, qr, asked)


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_vignette_response_validates(engine, path: Path):
    _, QuestionnaireResponse = fhir_models()
    qr, _, _ = response_for(
        engine, vignette_answers(path), respondent="A. Person", subject_display="The patient"
    )
    parsed = validate(QuestionnaireResponse, qr)
    assert parsed.status == "completed"


def test_vignettes_cover_labs_and_many_answers(engine):
    """The vignette checks above are only worth something if they meet every kind of item."""
    seen = set()
    for path in VIGNETTES:
        qr, _, _ = response_for(engine, vignette_answers(path))
        for item in leaves(qr["item"]):
            for answer in item["answer"]:
                seen.add(next(iter(answer)))
            if len(item["answer"]) > 1:
                seen.add("many")
    assert {"valueCoding", "valueQuantity", "many"} <= seen


# --------------------------------------------------------------------------- random answers

LAB_ENTRIES = {
    "calcium": [
        {"value": 9.4, "unit": "mg/dL"},
        {"value": 12.6, "unit": "mg/dL"},
        {"value": 2.9, "unit": "mmol/L"},
        {"value": 4.6, "unit": "mEq/L"},
        "high",
        "normal",
        "low",
        "unsure",
    ],
    "phosphate": [
        {"value": 3.6, "unit": "mg/dL"},
        {"value": 2.1, "unit": "mmol/L"},
        "high",
        "normal",
        "low",
        "unsure",
    ],
    "albumin": [{"value": 4.0, "unit": "g/dL"}, {"value": 28, "unit": "g/L"}, "unsure"],
    "pth": [
        {"value": 40, "unit": "pg/mL"},
        {"value": 300, "unit": "ng/L"},
        {"value": 4.1, "unit": "pmol/L"},
        "high",
        "normal",
        "low",
        "unsure",
    ],
    "ionized_calcium": [
        {"value": 1.2, "unit": "mmol/L"},
        {"value": 0.9, "unit": "mmol/L"},
        {"value": 5.9, "unit": "mg/dL"},
        "high",
        "normal",
        "low",
        "unsure",
    ],
    "vitamin_d_level": [
        {"value": 32, "unit": "ng/mL"},
        {"value": 450, "unit": "nmol/L"},
        "high",
        "normal",
        "low",
        "unsure",
    ],
}
# Exact ages with the age group each means, and notes in the person's own words.
AGE_ENTRIES = [
    ({"value": 62, "unit": "years"}, "adult"),
    ({"value": 3, "unit": "weeks"}, "infant"),
    ({"value": 30, "unit": "months"}, "child"),
    ({"value": 17.5, "unit": "years"}, "child"),
]
NOTES_ENTRIES = [
    'Seen by a skin doctor in 2023; the "cream" helped a bit.',
    "  Leading spaces, <b>tags</b> and | pipes stay as typed  ",
    "Ünïcode ✓ 日本",
    "x" * 200,
    "unsure",
]


@st.composite
def answer_files(draw) -> dict:
    raw: dict[str, Any] = {}
    for qid, (kind, codes) in contract.QUESTIONS.items():
        if draw(st.booleans()) and draw(st.booleans()):
            continue  # not answered
        if kind == contract.LAB:
            raw[qid] = draw(st.sampled_from(LAB_ENTRIES[qid]))
        elif kind == contract.MEASURE:
            age, group = draw(st.sampled_from(AGE_ENTRIES))
            raw[qid] = age
            if "age_group" in raw:  # an exact age and its group must agree
                raw["age_group"] = group
        elif kind == contract.TEXT:
            raw[qid] = draw(st.sampled_from(NOTES_ENTRIES))
        elif kind == contract.ONE:
            raw[qid] = draw(st.sampled_from(codes + (contract.UNSURE,)))
        else:
            real = [c for c in codes if c != contract.NONE]
            picked = draw(st.lists(st.sampled_from(real), min_size=0, max_size=3, unique=True))
            alone = [c for c in (contract.NONE, contract.UNSURE) if c in codes + (contract.UNSURE,)]
            raw[qid] = picked or [draw(st.sampled_from(alone))]
    if draw(st.booleans()):  # reach the deeper branches more often
        raw["has_deposits"] = "yes"
        raw["warning_signs"] = ["none"]
    return raw


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=answer_files())
def test_random_answers_round_trip_and_enable_when(engine, questionnaire, raw):
    qr, answers, asked = response_for(engine, raw)
    back = fhir.answers_from_response(qr)
    assert back == {qid: to_plain(v) for qid, v in in_response(answers).items()}
    assert summary(engine.replay(back)) == summary(engine.replay(raw))
    check_enable_when(questionnaire, qr, asked)


def test_enable_when_widening_is_real(engine, questionnaire):
    """A normal measured calcium: the dialog skips the symptoms question, FHIR may show it."""
    raw = {"has_deposits": "yes", "calcium": {"value": 9.4, "unit": "mg/dL"}}
    qr, _, asked = response_for(engine, raw)
    assert "hypercalcemia_symptoms" not in asked
    assert "hypercalcemia_symptoms" in enabled_items(questionnaire, qr)
    assert approximate(by_link(questionnaire)["hypercalcemia_symptoms"])
    # a high measured calcium: asked by the dialog, enabled by FHIR
    qr, _, asked = response_for(
        engine, {"has_deposits": "yes", "calcium": {"value": 12.6, "unit": "mg/dL"}}
    )
    assert "hypercalcemia_symptoms" in asked
    assert "hypercalcemia_symptoms" in enabled_items(questionnaire, qr)


def test_no_deposits_disables_the_rest(engine, questionnaire):
    qr, _, asked = response_for(engine, {"respondent": "self", "has_deposits": "no"})
    on = enabled_items(questionnaire, qr)
    # the exact age is an item of its own, shown with the age question
    assert on == {"respondent", "warning_signs", "age_group", "age", "has_deposits"}
    assert asked == ["respondent", "warning_signs", "age_group", "has_deposits"]


# --------------------------------------------------------------------------- the questionnaire


def test_questionnaire_validates(questionnaire):
    Questionnaire, _ = fhir_models()
    parsed = validate(Questionnaire, questionnaire)
    assert parsed.url == fhir.QUESTIONNAIRE_URL


def test_questionnaire_header(questionnaire):
    assert questionnaire["resourceType"] == "Questionnaire"
    assert questionnaire["status"] == "active"
    assert questionnaire["url"] == fhir.QUESTIONNAIRE_URL
    assert questionnaire["version"] == __version__
    assert questionnaire["name"].isidentifier()
    assert questionnaire["title"]


def test_questionnaire_groups_are_sections(engine, questionnaire):
    assert [(g["linkId"], g["text"], g["type"]) for g in questionnaire["item"]] == [
        (s.id, s.title, "group") for s in engine.dialog.sections
    ]
    for group in questionnaire["item"]:
        assert group["item"], f"group {group['linkId']} is empty"
        for item in group["item"]:
            assert engine.dialog.questions[asked_as(item["linkId"])].section == group["linkId"]


def test_every_contract_question_is_an_item(questionnaire):
    links = [item["linkId"] for item in q_items(questionnaire)]
    assert len(links) == len(set(links)), "linkIds must be unique (que-2)"
    for qid in contract.QUESTIONS:
        assert qid in links
    for lab in contract.LAB_UNITS:
        assert f"{lab}_status" in links
        assert links.index(f"{lab}_status") == links.index(lab) + 1
    assert set(links) == set(contract.QUESTIONS) | {f"{lab}_status" for lab in contract.LAB_UNITS}


def test_item_types_and_options(engine, questionnaire):
    items = by_link(questionnaire)
    for qid, (kind, codes) in contract.QUESTIONS.items():
        question = engine.dialog.questions[asked_as(qid)]
        item = items[qid]
        if kind == contract.MEASURE:  # the exact age: a quantity beside the age question
            assert item["type"] == "quantity"
            assert item["text"].startswith(question.text_self)
            units = [e["valueCoding"] for e in item["extension"] if e["url"] == fhir.UNIT_OPTION]
            assert units == [
                {"system": UCUM, "code": AGE_UCUM[u], "display": u}
                for u in contract.MEASURE_UNITS[qid]
            ]
            assert item.get("enableWhen") == items[question.id].get("enableWhen")
            continue
        assert item["text"] == question.text_self
        if kind == contract.TEXT:  # the person's own words
            assert item["type"] == "text"
            assert item["maxLength"] == contract.TEXT_MAX_CHARS[qid]
            assert "answerOption" not in item
            continue
        if kind == contract.LAB:
            assert item["type"] == "quantity"
            assert "answerOption" not in item
            units = [e["valueCoding"] for e in item["extension"] if e["url"] == fhir.UNIT_OPTION]
            assert units == [
                {"system": UCUM, "code": EXPECTED_UCUM[u], "display": u}
                for u in contract.LAB_UNITS[qid]
            ]
            status = items[f"{qid}_status"]
            assert status["type"] == "choice"
            assert status.get("enableWhen") == item.get("enableWhen")
            assert [o["valueCoding"]["code"] for o in status["answerOption"]] == list(codes) + [
                "unsure"
            ]
            continue
        assert item["type"] == "choice"
        assert item.get("repeats", False) is (kind == contract.MANY)
        options = [o["valueCoding"] for o in item["answerOption"]]
        assert [o["code"] for o in options] == list(codes) + ["unsure"]
        assert {o["system"] for o in options} == {f"{fhir.SYSTEM}:{qid}"}
        assert options[-1]["display"] == question.unsure_label
        assert [o["display"] for o in options[:-1]] == [question.label_of(c) for c in codes]


def test_enable_when_is_well_formed(questionnaire):
    items = q_items(questionnaire)
    seen: dict[str, dict] = {}
    for item in items:
        whens = item.get("enableWhen", [])
        if len(whens) > 1:
            assert item.get("enableBehavior") in ("all", "any"), "que-12"
        else:
            assert "enableBehavior" not in item
        for when in whens:
            target = seen.get(when["question"])
            assert target is not None, f"{item['linkId']}: {when['question']} is not earlier"
            if when["operator"] == "exists":
                assert isinstance(when["answerBoolean"], bool)
            else:
                assert when["operator"] in ("=", "!=")
                codes = {
                    (o["valueCoding"]["system"], o["valueCoding"]["code"])
                    for o in target["answerOption"]
                }
                coding = when["answerCoding"]
                assert (coding["system"], coding["code"]) in codes
        seen[item["linkId"]] = item


def _whens(item: dict) -> set[tuple]:
    out = set()
    for when in item.get("enableWhen", []):
        answer = when.get("answerCoding", {}).get("code", when.get("answerBoolean"))
        out.add((when["question"], when["operator"], answer))
    return out


def test_enable_when_named_cases(questionnaire):
    items = by_link(questionnaire)
    infection = items["infection_signs"]
    # contract version 2: also after dark dead skin or a purple net pattern, and always
    # on dialysis or with a transplant
    assert _whens(infection) == {
        ("skin_changes", "=", "ulcer"),
        ("skin_changes", "=", "chalky_discharge"),
        ("skin_changes", "=", "redness_or_warmth"),
        ("skin_changes", "=", "dark_dead_skin"),
        ("skin_changes", "=", "purple_net_pattern"),
        ("kidney", "=", "dialysis"),
        ("kidney", "=", "transplant"),
    }
    assert infection["enableBehavior"] == "any"
    assert not approximate(infection)

    # a high (low) calcium may come from the total calcium or, since contract version 2,
    # from an ionised calcium, which decides when known: FHIR can only rule out an ionised
    # status that says otherwise, and flags the item as approximate
    hyper = items["hypercalcemia_symptoms"]
    assert _whens(hyper) == {
        ("has_deposits", "!=", "no"),
        ("ionized_calcium_status", "!=", "normal"),
        ("ionized_calcium_status", "!=", "low"),
    }
    assert hyper["enableBehavior"] == "all" and approximate(hyper)
    hypo = items["hypocalcemia_symptoms"]
    assert _whens(hypo) == {
        ("has_deposits", "!=", "no"),
        ("ionized_calcium_status", "!=", "normal"),
        ("ionized_calcium_status", "!=", "high"),
    }
    assert hypo["enableBehavior"] == "all" and approximate(hypo)
    # pregnancy: never for a man; the age limits are beyond FHIR (approximate)
    pregnant = items["pregnant"]
    assert ("sex", "!=", "male") in _whens(pregnant) and approximate(pregnant)
    # the exact age goes with the age question; the notes with every finished dialog
    assert _whens(items["age"]) == _whens(items["age_group"]) == set()
    assert _whens(items["notes"]) == {("has_deposits", "!=", "no")}

    raynaud = items["raynaud"]
    assert _whens(raynaud) == {
        ("locations", "=", "fingers_hands"),
        ("conditions", "=", "systemic_sclerosis"),
    }
    assert raynaud["enableBehavior"] == "any"

    assert "enableWhen" not in items["respondent"]
    assert "enableWhen" not in items["has_deposits"]
    assert _whens(items["known_diagnosis"]) == {("has_deposits", "!=", "no")}
    assert _whens(items["stiffness"]) == {("has_deposits", "!=", "no")}
    assert _whens(items["albumin"]) == {("calcium", "exists", True)}
    assert _whens(items["phosphate"]) == {("has_deposits", "!=", "no")}


def test_option_condition_kept_in_an_extension(questionnaire):
    events = by_link(questionnaire)["events"]
    heel = next(o for o in events["answerOption"] if o["valueCoding"]["code"] == "heel_sticks")
    (ext,) = heel["extension"]
    assert ext["url"] == fhir.EXT_OPTION_CONDITION
    assert json.loads(ext["valueString"]) == {"not": {"answer": "age_group", "is": "adult"}}
    others = [o for o in events["answerOption"] if o is not heel]
    assert all("extension" not in o for o in others)


# --------------------------------------------------------------------------- options and errors


def test_caregiver_wording_and_in_progress(engine):
    raw = {"respondent": "caregiver", "has_deposits": "yes"}
    answers, _ = session_answers(engine, raw)
    qr = fhir.questionnaire_response(
        answers, engine.dialog, authored="2024-05-01T08:00:00Z", status="in-progress"
    )
    assert qr["status"] == "in-progress"
    assert "source" not in qr and "subject" not in qr
    items = {i["linkId"]: i for i in leaves(qr["item"])}
    assert items["age_group"]["text"] == engine.dialog.questions["age_group"].text_caregiver
    assert qr["item"][0]["text"] == engine.dialog.section("about_you").title_caregiver
    _, QuestionnaireResponse = fhir_models()
    validate(QuestionnaireResponse, qr)


@pytest.mark.parametrize(
    "authored", ["2024-05-01", "2024-05-01T10:30:00", "2024-05-01T10:30+02:00", "yesterday"]
)
def test_authored_needs_a_time_zone(engine, authored):
    with pytest.raises(ValueError, match="authored"):
        fhir.questionnaire_response({}, engine.dialog, authored=authored)


def test_bad_status_and_unknown_question(engine):
    with pytest.raises(ValueError, match="status"):
        fhir.questionnaire_response({}, engine.dialog, authored=AUTHORED, status="final")
    with pytest.raises(ValueError, match="colour"):
        fhir.questionnaire_response({"colour": "red"}, engine.dialog, authored=AUTHORED)
    with pytest.raises(ValueError, match="pain"):
        fhir.questionnaire_response({"pain": "agony"}, engine.dialog, authored=AUTHORED)


@pytest.fixture()
def sample_qr(engine) -> dict:
    qr, _, _ = response_for(engine, vignette_answers(VIGNETTES[0]))
    return qr


def _leaf(qr: dict, link: str) -> dict:
    return next(i for i in leaves(qr["item"]) if i["linkId"] == link)


def test_not_ours_is_refused(sample_qr):
    with pytest.raises(ValueError, match="resourceType"):
        fhir.answers_from_response({**sample_qr, "resourceType": "Questionnaire"})
    with pytest.raises(ValueError, match="questionnaire"):
        fhir.answers_from_response({**sample_qr, "questionnaire": "http://example.org/q"})
    with pytest.raises(ValueError, match="JSON object"):
        fhir.answers_from_response([sample_qr])  # type: ignore[arg-type]


def test_bad_items_are_refused(sample_qr):
    qr = copy.deepcopy(sample_qr)
    _leaf(qr, "pain")["linkId"] = "agony"
    with pytest.raises(ValueError, match="agony"):
        fhir.answers_from_response(qr)

    qr = copy.deepcopy(sample_qr)
    _leaf(qr, "pain")["answer"][0]["valueCoding"]["code"] = "dreadful"
    with pytest.raises(ValueError, match="dreadful"):
        fhir.answers_from_response(qr)

    qr = copy.deepcopy(sample_qr)
    _leaf(qr, "pain")["answer"][0]["valueCoding"]["system"] = "http://snomed.info/sct"
    with pytest.raises(ValueError, match="system"):
        fhir.answers_from_response(qr)

    qr = copy.deepcopy(sample_qr)
    pain = _leaf(qr, "pain")
    pain["answer"] = pain["answer"] * 2
    with pytest.raises(ValueError, match="one answer"):
        fhir.answers_from_response(qr)

    qr = copy.deepcopy(sample_qr)
    _leaf(qr, "calcium")["answer"][0]["valueQuantity"]["code"] = "kg"
    with pytest.raises(ValueError, match="unit"):
        fhir.answers_from_response(qr)


def test_lab_number_and_status_together_are_refused(sample_qr):
    qr = copy.deepcopy(sample_qr)
    labs = next(g for g in qr["item"] if g["linkId"] == "labs")
    labs["item"].append(
        {
            "linkId": "calcium_status",
            "answer": [{"valueCoding": {"system": f"{fhir.SYSTEM}:calcium", "code": "high"}}],
        }
    )
    with pytest.raises(ValueError, match="not both"):
        fhir.answers_from_response(qr)


def test_quantity_unit_without_code(sample_qr):
    qr = copy.deepcopy(sample_qr)
    quantity = _leaf(qr, "calcium")["answer"][0]["valueQuantity"]
    del quantity["code"], quantity["system"]
    quantity["unit"] = "MG/DL"
    assert fhir.answers_from_response(qr)["calcium"] == {
        "value": quantity["value"],
        "unit": "mg/dL",
    }


def test_mmol_and_meq_units_round_trip(engine):
    raw = {
        "has_deposits": "yes",
        "calcium": {"value": 5.9, "unit": "mEq/l"},
        "albumin": {"value": 31, "unit": "g/L"},
        "pth": {"value": 9.2, "unit": "pmol/L"},
    }
    qr, _, _ = response_for(engine, raw)
    quantities = {
        i["linkId"]: i["answer"][0]["valueQuantity"]
        for i in leaves(qr["item"])
        if "valueQuantity" in i["answer"][0]
    }
    assert quantities["calcium"]["code"] == "meq/L" and quantities["calcium"]["unit"] == "mEq/L"
    assert quantities["albumin"]["code"] == "g/L"
    assert quantities["pth"]["code"] == "pmol/L"
    assert summary(engine.replay(fhir.answers_from_response(qr))) == summary(engine.replay(raw))
