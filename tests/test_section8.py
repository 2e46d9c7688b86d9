"""Clinical.md section 8 in detail, beyond the type and triage range of each case:
which rule decided, which flags are said at once, which cautions are given, and
what the JSON carries (``cautions``, ``age``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import run_cli

from chatbot.engine.loading import default_engine
from chatbot.engine.medicine.assessment import Assessment, news_now

CASES = Path(__file__).resolve().parent / "cases"
VIGNETTES = Path(__file__).resolve().parent / "vignettes"


def answers(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    return data


def assess(name: str, **changes: Any) -> Assessment:
    folder = VIGNETTES if name.startswith("pub-") else CASES
    given = {**answers(folder / f"{name}.yaml"), **changes}
    return default_engine().replay(given)


def rules(a: Assessment) -> set[str]:
    return {r.rule for r in a.triage_reasons}


def cautions(a: Assessment) -> list[str]:
    return [c.id for c in a.cautions]


@pytest.mark.parametrize(
    "name, rule",
    [
        ("v2-01", "E4_severe_hypocalcemia"),  # 6.2 mg/dL on dialysis
        ("v2-02", "E4_severe_hypocalcemia"),  # 1.80 mmol/L
        ("v2-03", "E4_severe_hypocalcemia"),  # ionised 0.75 mmol/L, total normal
        ("v2-04", "E4_symptomatic_hypocalcemia"),  # a child of 6 with tingling
        ("v2-16", "E5_infection_high_risk"),  # dialysis
        ("v2-17", "E5_infection_high_risk"),  # transplant, warning sign
        ("pub-27", "E5_infection_high_risk"),  # steroid tablets
    ],
)
def test_emergencies_of_section_8_are_said_at_once(name: str, rule: str) -> None:
    a = assess(name)
    assert a.triage == "emergency" and rule in rules(a)
    assert news_now(a, set()), name  # the flag interrupts the questions


def test_infection_without_a_higher_sepsis_risk_stays_urgent() -> None:
    a = assess("v2-18")
    assert a.triage == "urgent" and "U2_infection" in rules(a)
    assert "E5_infection_high_risk" not in rules(a)
    # the same person on steroid tablets: an emergency (NG51)
    a = assess("v2-18", medications=["corticosteroids"])
    assert a.triage == "emergency" and "U2_infection" not in rules(a)


def test_lowered_e2() -> None:
    thirst = assess("v2-23")  # 10.8 mg/dL with thirst, warning signs none
    assert thirst.triage == "urgent" and "E2_symptomatic_hypercalcemia" not in rules(thirst)
    assert not any(f.interrupt for f in thirst.red_flags)
    assert assess("v2-24").triage == "emergency"  # 12.5 mg/dL with symptoms
    assert assess("v2-25").triage == "emergency"  # confusion as a warning sign
    assert assess("v2-26").triage == "urgent"  # 2.80 mmol/L with tiredness


def test_a_babys_low_calcium() -> None:
    newborn = assess("v2-05")  # 7.8 mg/dL at 5 days: low for a newborn
    assert newborn.labs.status("calcium") == "low"
    assert "U8_infant_hypocalcemia" in rules(newborn) and newborn.triage == "urgent"
    jittery = assess("v2-05", hypocalcemia_symptoms="yes")
    assert jittery.triage == "emergency"
    older = assess("v2-05", age={"value": 5, "unit": "years"}, age_group="child")
    assert "U8_infant_hypocalcemia" not in rules(older)


def test_pregnancy_makes_a_mild_high_calcium_urgent() -> None:
    a = assess("v2-19")
    assert "U7_pregnancy_hypercalcemia" in rules(a) and a.triage == "urgent"
    assert assess("v2-19", pregnant="no").triage == "soon"


def test_ionised_calcium_wins() -> None:
    normal = assess("v2-08")  # total 10.9 mg/dL, ionised normal
    assert normal.labs.status("calcium") == "normal" and normal.type == "dystrophic"
    high = assess("v2-09")  # total normal, ionised high
    assert high.labs.status("calcium") == "high" and high.type == "metastatic"


def test_cautions_by_age_and_place() -> None:
    assert "growing_lump" in cautions(assess("v2-20"))  # adult, 2 weeks
    young = assess("v2-21")  # 15 years, 2 days
    assert "growing_lump_young" in cautions(young)
    assert "2 days" in next(c.text for c in young.cautions if c.id == "growing_lump_young")
    assert cautions(assess("v2-22")) == ["breast_lump"]
    # a lump exactly where calcium leaked is explained: no sarcoma caution
    assert "growing_lump_young" not in cautions(assess("v2-05"))
    # a diagnosed, unchanged lump needs none of them
    assert not cautions(assess("v2-14"))


def test_no_more_vitamin_d_or_calcium() -> None:
    """A high calcium with vitamin D or calcium taken (clinical.md 8.6), through the
    command line: high-dose vitamin D, calcitriol, calcium carbonate antacids."""
    for path in (
        VIGNETTES / "pub-32.yaml",
        CASES / "v2-26.yaml",
        CASES / "v2-40.yaml",
        CASES / "v2-45.yaml",
    ):
        assert "no more vitamin D" in run_json(path)["advice"], path.stem
    calm = run_json(CASES / "v2-13.yaml")  # normal calcium: not said
    assert "no more vitamin D" not in calm["advice"]


def run_json(path: Path) -> dict[str, Any]:
    proc = run_cli("assess", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_json_has_cautions_and_age() -> None:
    data = run_json(VIGNETTES / "pub-28.yaml")
    assert data["age"] == {"value": 54, "unit": "years"}
    ids = [c["id"] for c in data["cautions"]]
    assert ids == ["breast_lump"]
    assert all(c["text"] and c["sources"] for c in data["cautions"])
    assert run_json(CASES / "own-01.yaml")["age"] is None  # only an age group


def test_subtypes_follow_sex() -> None:
    assert assess("v2-42").subtype == "vulvar_calcinosis"
    assert assess("v2-43").subtype == "scrotal_calcinosis"
    assert assess("v2-42", sex="male").subtype == "scrotal_calcinosis"


def test_a_broken_caution_is_named_with_file_and_line(tmp_path: Path) -> None:
    import shutil

    from chatbot.engine.medicine.rules import RulesError, load_rules

    rules_dir = Path(__file__).resolve().parent.parent / "content" / "rules"
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir, copy)
    path = copy / "cautions.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("    when: {rule: breast_lump}\n") == 1
    path.write_text(
        text.replace(
            "    when: {rule: breast_lump}\n", "    when: {rule: breast_lumpy}\n    colour: red\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as caught:
        load_rules(copy)
    problems = caught.value.problems
    assert any(
        p.startswith("content/rules/cautions.yaml, line ") and "breast_lumpy" in p for p in problems
    ), problems
    assert any("unknown key 'colour'" in p and ", line " in p for p in problems), problems


def test_low_calcium_advice_speaks_of_low_calcium() -> None:
    """An emergency for a very low calcium (clinical.md 8.2) warns of spasms and an uneven
    heartbeat, never of 'a high blood calcium'; a high calcium keeps its own warning."""
    for path in (CASES / "v2-01.yaml", CASES / "v2-02.yaml"):
        advice = run_json(path)["advice"]
        assert "very low calcium" in advice and "high blood calcium" not in advice, path.stem
    high = run_json(VIGNETTES / "pub-32.yaml")
    assert high["triage"] != "emergency" or "very low calcium" not in high["advice"]
