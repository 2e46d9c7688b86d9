"""Lab values: parsing, refusing, confirming, classifying and correcting.

Numbers and examples come from ../shared/reference/clinical.md section 4.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from chatbot.engine import contract
from chatbot.engine.medicine.labs import (
    BASE_UNITS,
    LabError,
    LabReport,
    LabTable,
    LabTableError,
    LabValue,
    extreme_message,
    interpret,
    lab_from_answer,
    load_lab_table,
    parse_lab_text,
)
from chatbot.engine.resources import content_dir

LABS_YAML = content_dir() / "labs.yaml"


@pytest.fixture(scope="module")
def table() -> LabTable:
    return load_lab_table(LABS_YAML)


def measure(table: LabTable, lab: str, text: str) -> LabValue:
    value = parse_lab_text(lab, text, table)
    assert isinstance(value, LabValue), value
    return value


def assert_clean(message: str) -> None:
    """A message for a person: no Python noise, one or two short sentences."""
    for noise in ("Traceback", "<", ">", "repr", "Error", "None", "'", "\n", "{", "nan", "inf"):
        assert noise not in message, (noise, message)
    assert message[:1].isupper() or message[:1] == '"', message
    assert message.rstrip().endswith((".", "?")), message
    assert len(message) < 220, message


# --------------------------------------------------------------------------- the table


def test_table_matches_contract(table: LabTable) -> None:
    assert set(table.labs) == set(contract.LAB_UNITS)
    for lab, spec in table.labs.items():
        assert spec.unit_names == contract.LAB_UNITS[lab]
        assert spec.base_unit == BASE_UNITS[lab]
        assert set(spec.ranges) == {"infant", "child", "adult"}


@pytest.mark.parametrize(
    "lab, group, low, high",
    [
        ("calcium", "infant", 9.0, 11.0),
        ("calcium", "child", 8.8, 10.8),
        ("calcium", "adult", 8.5, 10.5),
        ("phosphate", "infant", 3.5, 6.6),
        ("phosphate", "child", 3.0, 6.0),
        ("phosphate", "adult", 2.5, 4.5),
        ("albumin", "infant", 2.6, 5.4),  # newborn low to child high: age not known (8.3)
        ("albumin", "child", 3.8, 5.4),
        ("albumin", "adult", 3.5, 5.0),
        ("pth", "infant", 7, 68),
        ("pth", "child", 7, 68),
        ("pth", "adult", 15, 65),
    ],
)
def test_reference_ranges(table: LabTable, lab: str, group: str, low: float, high: float) -> None:
    limits = table.labs[lab].ranges[group]
    assert (limits.low, limits.high) == (low, high)


def test_thresholds(table: LabTable) -> None:
    assert (
        table.correction_factor,
        table.correction_reference,
        table.correction_unreliable_below,
    ) == (0.8, 4.0, 2.0)
    assert (table.caxp_raised, table.caxp_high) == (55, 70)
    assert [(g.name, g.low, g.below) for g in table.grades] == [
        ("mild", 10.5, 12.0),
        ("moderate", 12.0, 14.0),
        ("severe", 14.0, None),
    ]


def test_the_declared_shape_follows_the_contract() -> None:
    """labs.yaml's shape names each lab and age group of the contract."""
    from dataclasses import fields

    from chatbot.engine.medicine import labs

    assert [f.name for f in fields(labs._Labs)] == list(contract.LAB_UNITS)
    assert [f.name for f in fields(labs._AgeRanges) if f.name != "place"] == list(
        contract.QUESTIONS["age_group"][1]
    )
    assert [f.name for f in fields(labs._CaxpByAge)] == list(contract.QUESTIONS["age_group"][1])


def test_every_cited_source_has_its_line(table: LabTable) -> None:
    assert {key for _where, key in table.cited} == table.source_keys
    assert all(re.fullmatch(r"content/labs\.yaml, line \d+", where) for where, _ in table.cited)


def test_every_number_has_sources(table: LabTable) -> None:
    assert {
        "StatPearlsHyperCa",
        "ConvCa",
        "DiaSys",
        "DavisLab",
        "AlbRange",
        "Extremes",
        "PTHconv",
        "KDOQIpeds",
        "MedscapeCC",
        "CKS",
    } <= table.source_keys


GOOD_FILE = LABS_YAML.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "old, new, fragment",
    [
        (
            "mmol/L: {factor: 4.008, decimals: 1, sources: [ConvCa]}",
            "mmol/L: {factor: 4.008, decimals: 1}",
            "missing 'sources' (a list of source keys)",
        ),
        (
            "mmol/L: {factor: 4.008, decimals: 1, sources: [ConvCa]}",
            "mmol/L: {factor: 4.008, decimals: 1, sources: []}",
            "'sources' is empty (a list of source keys)",
        ),
        ("refuse: {low: 2.0, high: 30.0,", "refuse: {lwo: 2.0, high: 30.0,", "did you mean 'low'"),
        ("mEq/L: {factor: 2.004", "mEq/l: {factor: 2.004", "must be exactly mg/dL, mmol/L, mEq/L"),
        (
            "adult: {low: 8.5, high: 10.5,",
            "adult: {low: 10.5, high: 8.5,",
            "low must be below high",
        ),
        ("factor: {value: 0.8,", "factor: {value: yes,", "must be a number"),
        ("base_unit: g/dL", "base_unit: g/L", "base_unit must be g/dL"),
        (
            "  - {grade: moderate, from: 12.0,",
            "  - {grade: moderate, from: 12.5,",
            "must equal the previous grade",
        ),
        ("unknown_age_group: adult", "unknown_age_group: [adult", "content/labs.yaml, line"),
    ],
)
def test_broken_file_names_file_and_line(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    assert old in GOOD_FILE
    folder = tmp_path / "content"
    folder.mkdir()
    path = folder / "labs.yaml"
    path.write_text(GOOD_FILE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LabTableError) as info:
        load_lab_table(path)
    message = str(info.value)
    assert message.startswith("content/labs.yaml, line "), message
    assert fragment in message
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- good input


@pytest.mark.parametrize(
    "lab, text, value, unit, base",
    [
        ("calcium", "11.8 mg/dl", 11.8, "mg/dL", 11.8),
        ("calcium", " 11.8  MG/DL ", 11.8, "mg/dL", 11.8),
        ("calcium", "11.8mg/dl", 11.8, "mg/dL", 11.8),
        ("calcium", "2,9 mmol/L", 2.9, "mmol/L", 11.6232),
        ("calcium", "2.9 mmol / l", 2.9, "mmol/L", 11.6232),
        ("calcium", "5.9 mEq/L", 5.9, "mEq/L", 11.8236),
        ("calcium", "2,375 mmol/L", 2.375, "mmol/L", 9.519),  # 2375 is impossible: decimal comma
        ("calcium", "15 mg/dL", 15, "mg/dL", 15),  # extreme but possible
        ("phosphate", "1.1 mmol/L", 1.1, "mmol/L", 3.4067),
        ("phosphate", "4.8 mg/dL", 4.8, "mg/dL", 4.8),
        ("albumin", "35 g/L", 35, "g/L", 3.5),
        ("albumin", "3,5 g/dl", 3.5, "g/dL", 3.5),
        ("pth", "10 pmol/L", 10, "pmol/L", 94.3),
        ("pth", "142 pg/ml", 142, "pg/mL", 142),
        ("pth", "38 NG/L", 38, "ng/L", 38),
        ("pth", "2362 pg/mL", 2362, "pg/mL", 2362),
    ],
)
def test_parse_measurement(
    table: LabTable, lab: str, text: str, value: float, unit: str, base: float
) -> None:
    got = measure(table, lab, text)
    assert got.lab == lab
    assert got.value == pytest.approx(value)
    assert got.unit == unit
    assert got.base_value == pytest.approx(base, abs=1e-6)
    assert got.base_unit == BASE_UNITS[lab]


@pytest.mark.parametrize(
    "lab, text, code",
    [
        ("calcium", "high", "high"),
        ("calcium", "Normal", "normal"),
        ("phosphate", "LOW", "low"),
        ("pth", " high ", "high"),
        ("calcium", "not sure", "unsure"),
        ("calcium", "unsure", "unsure"),
        ("calcium", "dont know", "unsure"),
        ("calcium", "don't know", "unsure"),
        ("calcium", "Don\u2019t know.", "unsure"),
        ("phosphate", "I'm not sure", "unsure"),
        ("pth", "?", "unsure"),
        ("albumin", "not sure", "unsure"),
    ],
)
def test_parse_status(table: LabTable, lab: str, text: str, code: str) -> None:
    assert parse_lab_text(lab, text, table) == code


@pytest.mark.parametrize(
    "value, unit, shown",
    [
        (2.9, "mmol/L", "2.9 mmol/L"),
        (12.0, "mg/dL", "12 mg/dL"),
        (142, "pg/mL", "142 pg/mL"),
        (0.85, "mmol/L", "0.85 mmol/L"),
    ],
)
def test_entered(value: float, unit: str, shown: str) -> None:
    assert LabValue("calcium", value, unit, value, "mg/dL").entered() == shown


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "lab, text, kind, fragments",
    [
        ("calcium", "abc", "syntax", ['"abc" is not a number', "mg/dL, mmol/L or mEq/L"]),
        ("calcium", "", "syntax", ["Please type calcium as a number", "not sure"]),
        ("calcium", "   ", "syntax", ["Please type calcium as a number"]),
        ("calcium", "1.2.3 mg/dL", "syntax", ['"1.2.3" is not a number']),
        ("pth", "1,060 pg/mL", "syntax", ["1060 or as 1.06", "decimal point"]),
        ("albumin", "high", "syntax", ["Albumin needs a number", "g/dL or g/L"]),
        ("calcium", "12", "no_unit", ["Please add the unit", "mg/dL, mmol/L or mEq/L"]),
        ("pth", "45", "no_unit", ["Please add the unit", "pg/mL, ng/L or pmol/L"]),
        ("calcium", "12 mg", "unit", ['not in "mg"', "mg/dL, mmol/L or mEq/L"]),
        ("calcium", "12 g/dL", "unit", ["cannot be given in g/dL", "mg/dL, mmol/L or mEq/L"]),
        (
            "phosphate",
            "1.2 mEq/L",
            "unit",
            ["Phosphate cannot be given in mEq/L", "mg/dL or mmol/L"],
        ),
        ("calcium", "-3 mg/dL", "impossible", ["cannot be zero or less", "between 2 and 30 mg/dL"]),
        ("calcium", "0 mg/dL", "impossible", ["cannot be zero or less"]),
        ("pth", "0 pg/mL", "impossible", ["more than 0 and at most 10000 pg/mL"]),
        ("calcium", "1e400 mg/dL", "impossible", ["not a value a blood test can give"]),
        ("calcium", "nan mg/dL", "impossible", ["not a value a blood test can give"]),
        ("calcium", "inf mg/dL", "impossible", ["not a value a blood test can give"]),
        (
            "calcium",
            "80 mg/dL",
            "impossible",
            ["Calcium 80 mg/dL is not possible", "between 2 and 30 mg/dL"],
        ),
        ("calcium", "1.5 mg/dL", "impossible", ["between 2 and 30 mg/dL"]),
        (
            "calcium",
            "9.4 mmol/L",
            "impossible",
            ["between 0.5 and 7.5 mmol/L", "Did you mean mg/dL?"],
        ),
        ("albumin", "35 g/dL", "impossible", ["between 0.5 and 7 g/dL", "did you mean g/L?"]),
        ("albumin", "3.5 g/L", "impossible", ["between 5 and 70 g/L", "did you mean g/dL?"]),
        ("phosphate", "60 mg/dL", "impossible", ["between 0.1 and 50 mg/dL"]),
        ("pth", "20000 ng/L", "impossible", ["at most 10000 ng/L"]),
        ("pth", "2000 pmol/L", "impossible", ["at most 1060 pmol/L"]),
    ],
)
def test_parse_refused(
    table: LabTable, lab: str, text: str, kind: str, fragments: list[str]
) -> None:
    with pytest.raises(LabError) as info:
        parse_lab_text(lab, text, table)
    error = info.value
    assert error.kind == kind
    for fragment in fragments:
        assert fragment.lower() in error.message.lower(), (fragment, error.message)
    assert str(error) == error.message
    assert_clean(error.message)


@pytest.mark.parametrize(
    "lab, text",
    [
        ("calcium", "nan"),
        ("calcium", "1e400"),
        ("pth", "inf"),
        ("phosphate", "-nan"),
        ("albumin", "1e999"),
    ],
)
def test_a_non_finite_number_without_unit_is_not_a_blood_value(
    table: LabTable, lab: str, text: str
) -> None:
    """Adding a unit would not make it possible, so the unit is not asked for."""
    with pytest.raises(LabError) as info:
        parse_lab_text(lab, text, table)
    assert info.value.kind == "impossible"
    assert "not a value a blood test can give" in info.value.message
    assert "add the unit" not in info.value.message
    assert_clean(info.value.message)


@pytest.mark.parametrize(
    "lab, text, code",
    [
        ("calcium", "It was high", "high"),  # the option label the app itself shows
        ("calcium", "it was high", "high"),
        ("calcium", "very high", "high"),
        ("calcium", "hihg", "high"),
        ("phosphate", "It was normal", "normal"),
        ("phosphate", "elevated", "high"),
        ("pth", "dunno", "unsure"),
        ("pth", "suppressed", "low"),
        ("albumin", "dunno", "unsure"),
    ],
)
def test_typed_status_words_with_the_engine_table(lab: str, text: str, code: str) -> None:
    """The engine's table reads words through dialogs/synonyms.yaml, for every front end."""
    from chatbot.engine.loading import default_engine

    assert parse_lab_text(lab, text, default_engine().labs) == code


def test_typed_words_that_are_no_status_are_still_refused() -> None:
    from chatbot.engine.loading import default_engine

    labs = default_engine().labs
    for lab, text, fragment in [
        ("calcium", "banana", "is not a number"),
        ("calcium", "not high", "is not a number"),
        ("calcium", "high or low", "more than one answer"),
        ("albumin", "very high", "is not a number"),
        ("albumin", "high", "Albumin needs a number"),
    ]:
        with pytest.raises(LabError) as info:
            parse_lab_text(lab, text, labs)
        assert info.value.kind == "syntax"
        assert fragment in info.value.message, (text, info.value.message)


def test_answers_files_never_guess_status_words() -> None:
    """An answers file holds codes: "very high" stays an error even with the engine table."""
    from chatbot.engine.loading import default_engine

    labs = default_engine().labs
    for raw in ("very high", "It was high", "hihg", "dunno"):
        with pytest.raises(LabError):
            lab_from_answer("calcium", raw, labs)
    assert lab_from_answer("calcium", "high", labs) == "high"


def test_no_hint_when_no_unit_fits(table: LabTable) -> None:
    with pytest.raises(LabError) as info:
        parse_lab_text("calcium", "80 mg/dL", table)
    assert "mean" not in info.value.message


# --------------------------------------------------------------------------- answers files


@pytest.mark.parametrize(
    "lab, raw, base",
    [
        ("calcium", {"value": 11.8, "unit": "mg/dL"}, 11.8),
        ("calcium", {"value": 11, "unit": "MG/DL"}, 11.0),
        ("calcium", {"value": "2,35", "unit": "mmol/L"}, 9.4188),
        ("calcium", "11.8 mg/dL", 11.8),
        ("phosphate", {"value": 1.1, "unit": "mmol/l"}, 3.4067),
        ("pth", {"value": 142, "unit": "pg/mL"}, 142),
    ],
)
def test_answer_measurement(table: LabTable, lab: str, raw: object, base: float) -> None:
    got = lab_from_answer(lab, raw, table)
    assert isinstance(got, LabValue)
    assert got.base_value == pytest.approx(base, abs=1e-6)


@pytest.mark.parametrize(
    "lab, raw, code",
    [
        ("phosphate", "high", "high"),
        ("calcium", "normal", "normal"),
        ("pth", "low", "low"),
        ("albumin", "unsure", "unsure"),
        ("calcium", None, "unsure"),
    ],
)
def test_answer_status(table: LabTable, lab: str, raw: object, code: str) -> None:
    assert lab_from_answer(lab, raw, table) == code


@pytest.mark.parametrize(
    "lab, raw, kind, fragment",
    [
        ("calcium", {"value": True, "unit": "mg/dL"}, "syntax", "not a number"),
        ("calcium", {"value": "abc", "unit": "mg/dL"}, "syntax", '"abc" is not a number'),
        ("calcium", {"value": 11.8}, "no_unit", "Please add the unit"),
        ("calcium", {"unit": "mg/dL"}, "syntax", "has no value"),
        ("calcium", {"value": 11.8, "unit": "mg/dL", "flag": "H"}, "syntax", "not flag"),
        ("calcium", {"value": 11.8, "unit": "mg"}, "unit", "mg/dL, mmol/L or mEq/L"),
        ("calcium", {"value": 11.8, "unit": 4}, "unit", "mg/dL, mmol/L or mEq/L"),
        ("calcium", {"value": -1, "unit": "mg/dL"}, "impossible", "zero or less"),
        ("calcium", {"value": 10**400, "unit": "mg/dL"}, "impossible", "not a value"),
        ("calcium", {"value": math.nan, "unit": "mg/dL"}, "impossible", "not a value"),
        ("phosphate", {"value": 1.2, "unit": "mEq/L"}, "unit", "cannot be given in mEq/L"),
        ("albumin", "low", "syntax", "Albumin needs a number"),
        ("calcium", "very high", "syntax", "is not a number"),
        ("calcium", 11.8, "syntax", "Please type calcium"),
        ("calcium", True, "syntax", "Please type calcium"),
        ("calcium", [11.8, "mg/dL"], "syntax", "Please type calcium"),
    ],
)
def test_answer_refused(table: LabTable, lab: str, raw: object, kind: str, fragment: str) -> None:
    with pytest.raises(LabError) as info:
        lab_from_answer(lab, raw, table)
    assert info.value.kind == kind
    assert fragment in info.value.message
    assert_clean(info.value.message)


# --------------------------------------------------------------------------- confirming


@pytest.mark.parametrize(
    "lab, text, fragments",
    [
        ("calcium", "15 mg/dL", ["Calcium 15 mg/dL is very high", "check"]),
        ("calcium", "2.4 mg/dL", ["Calcium 2.4 mg/dL is very low", "Was it perhaps 2.4 mmol/L?"]),
        ("calcium", "9.4 mEq/L", ["very high", "Was it perhaps 9.4 mg/dL?"]),
        ("phosphate", "12 mg/dL", ["Phosphate 12 mg/dL is very high"]),
        ("albumin", "1.5 g/dL", ["Albumin 1.5 g/dL is very low"]),
        ("pth", "2362 pg/mL", ["PTH 2362 pg/mL is very high"]),
    ],
)
def test_extreme_asks_to_confirm(
    table: LabTable, lab: str, text: str, fragments: list[str]
) -> None:
    message = extreme_message(measure(table, lab, text), table)
    assert message is not None
    for fragment in fragments:
        assert fragment in message
    assert_clean(message)


def test_extreme_without_a_fitting_unit_has_no_hint(table: LabTable) -> None:
    message = extreme_message(measure(table, "calcium", "15 mg/dL"), table)
    assert message is not None and "perhaps" not in message


@pytest.mark.parametrize(
    "lab, text",
    [
        ("calcium", "14 mg/dL"),
        ("calcium", "7 mg/dL"),
        ("calcium", "9.5 mg/dL"),
        ("calcium", "2.35 mmol/L"),
        ("phosphate", "10 mg/dL"),
        ("albumin", "35 g/L"),
        ("pth", "1000 pg/mL"),
        ("pth", "3 pg/mL"),
    ],
)
def test_not_extreme(table: LabTable, lab: str, text: str) -> None:
    assert extreme_message(measure(table, lab, text), table) is None


# --------------------------------------------------------------------------- interpreting


@pytest.mark.parametrize(
    "lab, text, age, status",
    [
        ("phosphate", "4.8 mg/dL", "child", "normal"),
        ("phosphate", "4.8 mg/dL", "adult", "high"),
        ("phosphate", "6.6 mg/dL", "infant", "normal"),
        ("phosphate", "6.7 mg/dL", "infant", "high"),
        ("phosphate", "2.4 mg/dL", "adult", "low"),
        ("calcium", "10.8 mg/dL", "infant", "normal"),
        ("calcium", "10.8 mg/dL", "child", "normal"),
        ("calcium", "10.8 mg/dL", "adult", "high"),
        ("calcium", "10.5 mg/dL", "adult", "normal"),  # boundary is normal
        ("calcium", "8.5 mg/dL", "adult", "normal"),
        ("calcium", "8.4 mg/dL", "adult", "low"),
        ("calcium", "2.62 mmol/L", "adult", "normal"),  # 10.50096 mg/dL: conversion noise
        ("calcium", "2.63 mmol/L", "adult", "high"),
        ("calcium", "10.8 mg/dL", None, "high"),  # age unknown: adult ranges
        ("calcium", "10.8 mg/dL", "unsure", "high"),
        ("albumin", "3.0 g/dL", "infant", "normal"),
        ("albumin", "30 g/L", "adult", "low"),
        ("pth", "66 pg/mL", "adult", "high"),
        ("pth", "66 pg/mL", "child", "normal"),
        ("pth", "10 pmol/L", "adult", "high"),
    ],
)
def test_classification_by_age(
    table: LabTable, lab: str, text: str, age: str | None, status: str
) -> None:
    report = interpret({lab: measure(table, lab, text)}, age, table)
    assert report.status(lab) == status


def test_unanswered_and_status(table: LabTable) -> None:
    report = interpret({"phosphate": "high", "pth": "unsure", "kidney": "dialysis"}, "adult", table)
    assert set(report.results) == {
        "calcium",
        "phosphate",
        "albumin",
        "pth",
        "ionized_calcium",
        "vitamin_d_level",
    }
    assert report.status("calcium") == "unsure"
    assert report.results["calcium"].source == "unanswered"
    assert report.results["phosphate"].source == "status"
    assert report.status("phosphate") == "high"
    assert report.results["pth"].source == "status"
    assert report.caxp is None and report.calcium_grade is None
    assert report.results["phosphate"].describe() == "phosphate was reported as high"
    assert report.results["calcium"].describe() == "calcium is not known"
    assert report.notes == ()


def test_interpret_accepts_answer_forms(table: LabTable) -> None:
    report = interpret(
        {"calcium": {"value": 11.6, "unit": "mg/dL"}, "phosphate": None}, "adult", table
    )
    assert report.status("calcium") == "high"
    assert report.status("phosphate") == "unsure"


def test_interpret_refuses_a_bad_status(table: LabTable) -> None:
    with pytest.raises(LabError):
        interpret({"albumin": "high"}, "adult", table)


def test_interpret_refuses_an_unknown_age_group(table: LabTable) -> None:
    with pytest.raises(ValueError):
        interpret({}, "teenager", table)


@pytest.mark.parametrize(
    "calcium, albumin, measured, corrected, status, grade",
    [
        ("10.1 mg/dL", "2.4 g/dL", 10.1, 11.38, "high", "mild"),  # clinical.md 4.3
        ("2.85 mmol/L", "24 g/L", 11.42, 12.7, "high", "moderate"),  # 3.17 mmol/L
        ("9.0 mg/dL", "4.0 g/dL", 9.0, 9.0, "normal", None),
        ("10.9 mg/dL", "5.0 g/dL", 10.9, 10.1, "normal", None),  # high albumin lowers it
        ("8.0 mg/dL", "2.0 g/dL", 8.0, 9.6, "normal", None),  # low turns normal
    ],
)
def test_albumin_correction(
    table: LabTable,
    calcium: str,
    albumin: str,
    measured: float,
    corrected: float,
    status: str,
    grade: str | None,
) -> None:
    report = interpret(
        {
            "calcium": measure(table, "calcium", calcium),
            "albumin": measure(table, "albumin", albumin),
        },
        "adult",
        table,
    )
    result = report.results["calcium"]
    assert result.corrected is True
    assert result.measured == pytest.approx(measured, abs=0.005)
    assert result.value == pytest.approx(corrected, abs=0.005)
    assert result.status == status
    assert report.calcium_grade == grade


def test_correction_describe(table: LabTable) -> None:
    report = interpret(
        {
            "calcium": measure(table, "calcium", "10.1 mg/dL"),
            "albumin": measure(table, "albumin", "2.4 g/dL"),
        },
        "adult",
        table,
    )
    assert report.results["calcium"].describe() == (
        "calcium 10.1 mg/dL, corrected for albumin to 11.38 mg/dL, is above the normal range "
        "of 8.5-10.5 mg/dL"
    )


@pytest.mark.parametrize(
    "lab, text, age, sentence",
    [
        (
            "calcium",
            "11.8 mg/dL",
            "adult",
            "calcium 11.8 mg/dL is above the normal range of 8.5-10.5 mg/dL",
        ),
        (
            "calcium",
            "2.9 mmol/L",
            "adult",
            "calcium 2.9 mmol/L (11.62 mg/dL) is above the normal range of 8.5-10.5 mg/dL",
        ),
        (
            "phosphate",
            "4.8 mg/dL",
            "child",
            "phosphate 4.8 mg/dL is within the normal range of 3-6 mg/dL",
        ),
        (
            "albumin",
            "30 g/L",
            "adult",
            "albumin 30 g/L (3 g/dL) is below the normal range of 3.5-5 g/dL",
        ),
        ("pth", "142 pg/mL", "adult", "PTH 142 pg/mL is above the normal range of 15-65 pg/mL"),
    ],
)
def test_describe(table: LabTable, lab: str, text: str, age: str, sentence: str) -> None:
    report = interpret({lab: measure(table, lab, text)}, age, table)
    assert report.results[lab].describe() == sentence


def test_no_correction_without_measured_albumin(table: LabTable) -> None:
    report = interpret(
        {"calcium": measure(table, "calcium", "10.1 mg/dL"), "albumin": "unsure"}, "adult", table
    )
    result = report.results["calcium"]
    assert result.corrected is False
    assert result.value == result.measured == 10.1
    assert result.status == "normal"


@pytest.mark.parametrize("albumin, noted", [("1.8 g/dL", True), ("2.0 g/dL", False)])
def test_unreliable_correction_note(table: LabTable, albumin: str, noted: bool) -> None:
    report = interpret(
        {
            "calcium": measure(table, "calcium", "9 mg/dL"),
            "albumin": measure(table, "albumin", albumin),
        },
        "adult",
        table,
    )
    assert any("less reliable" in note for note in report.notes) is noted


@pytest.mark.parametrize("age, noted", [(None, True), ("unsure", True), ("adult", False)])
def test_unknown_age_note(table: LabTable, age: str | None, noted: bool) -> None:
    report = interpret({"calcium": measure(table, "calcium", "9 mg/dL")}, age, table)
    assert any("age group is not known" in note for note in report.notes) is noted


@pytest.mark.parametrize(
    "calcium, phosphate, product, level",
    [
        ("10.6 mg/dL", "6.9 mg/dL", 73.1, "high"),
        ("10 mg/dL", "7 mg/dL", 70.0, "high"),
        ("10 mg/dL", "5.5 mg/dL", 55.0, "raised"),
        ("10 mg/dL", "5.4 mg/dL", 54.0, "normal"),
        ("9.4 mg/dL", "3.6 mg/dL", 33.8, "normal"),
    ],
)
def test_calcium_phosphate_product(
    table: LabTable, calcium: str, phosphate: str, product: float, level: str
) -> None:
    report = interpret(
        {
            "calcium": measure(table, "calcium", calcium),
            "phosphate": measure(table, "phosphate", phosphate),
        },
        "adult",
        table,
    )
    assert report.caxp == pytest.approx(product)
    assert report.to_dict()["caxp"] == {
        "value": pytest.approx(product),
        "unit": "mg2/dL2",
        "level": level,
    }


@pytest.mark.parametrize(
    "group, calcium, phosphate, level",
    [
        ("infant", "10.9 mg/dL", "6.5 mg/dL", "raised"),  # 70.9: both normal for a baby, not high
        ("adult", "10.9 mg/dL", "6.5 mg/dL", "high"),
        ("child", "10.5 mg/dL", "5.9 mg/dL", "raised"),  # 62.0: teenagers are kept under 55
        ("infant", "10.5 mg/dL", "5.9 mg/dL", "normal"),  # 62.0: under the 65 kept in babies
        ("infant", "11.8 mg/dL", "7.0 mg/dL", "high"),  # 82.6
    ],
)
def test_product_level_follows_the_age_group(
    table: LabTable, group: str, calcium: str, phosphate: str, level: str
) -> None:
    report = interpret(
        {
            "calcium": measure(table, "calcium", calcium),
            "phosphate": measure(table, "phosphate", phosphate),
        },
        group,
        table,
    )
    assert report.caxp_level == level


def test_product_uses_corrected_calcium(table: LabTable) -> None:
    report = interpret(
        {
            "calcium": measure(table, "calcium", "10.1 mg/dL"),
            "albumin": measure(table, "albumin", "2.4 g/dL"),
            "phosphate": measure(table, "phosphate", "6 mg/dL"),
        },
        "adult",
        table,
    )
    assert report.caxp == pytest.approx(68.3)  # 11.38 x 6
    assert report.to_dict()["caxp"]["level"] == "raised"


def test_no_product_from_statuses(table: LabTable) -> None:
    report = interpret(
        {"calcium": "high", "phosphate": measure(table, "phosphate", "6 mg/dL")}, "adult", table
    )
    assert report.caxp is None and report.to_dict()["caxp"] is None


@pytest.mark.parametrize(
    "text, age, grade",
    [
        ("10.6 mg/dL", "adult", "mild"),
        ("11.99 mg/dL", "adult", "mild"),
        ("12.0 mg/dL", "adult", "moderate"),
        ("13.1 mg/dL", "adult", "moderate"),
        ("14.0 mg/dL", "adult", "severe"),
        ("14.4 mg/dL", "adult", "severe"),
        ("10.5 mg/dL", "adult", None),  # upper normal: not high
        ("10.9 mg/dL", "infant", None),  # normal for an infant
        ("11.2 mg/dL", "infant", "mild"),
        ("7.0 mg/dL", "adult", None),
    ],
)
def test_hypercalcemia_grade(table: LabTable, text: str, age: str, grade: str | None) -> None:
    report = interpret({"calcium": measure(table, "calcium", text)}, age, table)
    assert report.calcium_grade == grade


def test_no_grade_from_a_status(table: LabTable) -> None:
    assert interpret({"calcium": "high"}, "adult", table).calcium_grade is None


def test_extreme_flag(table: LabTable) -> None:
    report = interpret(
        {
            "calcium": measure(table, "calcium", "15 mg/dL"),
            "phosphate": measure(table, "phosphate", "4 mg/dL"),
        },
        "adult",
        table,
    )
    assert report.results["calcium"].extreme is True
    assert report.results["phosphate"].extreme is False


def test_to_dict_is_json_ready(table: LabTable) -> None:
    report = interpret(
        {
            "calcium": measure(table, "calcium", "2,9 mmol/L"),
            "albumin": measure(table, "albumin", "40 g/L"),
            "phosphate": "high",
        },
        "adult",
        table,
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) == {
        "calcium",
        "phosphate",
        "albumin",
        "pth",
        "ionized_calcium",
        "vitamin_d_level",
        "caxp",
        "calcium_grade",
        "notes",
    }
    calcium = data["calcium"]
    assert calcium["entered"] == "2.9 mmol/L"
    assert calcium["unit"] == "mg/dL"
    assert calcium["value"] == pytest.approx(11.62)
    assert calcium["measured"] == pytest.approx(11.62)
    assert calcium["range"] == [8.5, 10.5]
    assert calcium["status"] == "high"
    assert calcium["corrected"] is True
    assert calcium["source"] == "measurement"
    assert data["phosphate"]["source"] == "status"
    assert data["phosphate"]["value"] is None
    assert data["pth"]["source"] == "unanswered"
    assert data["calcium_grade"] == "mild"
    assert data["caxp"] is None
    assert data["notes"] == []


def test_report_is_frozen(table: LabTable) -> None:
    report = interpret({}, "adult", table)
    assert isinstance(report, LabReport)
    with pytest.raises(AttributeError):
        report.caxp = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        report.results["calcium"] = report.results["pth"]  # type: ignore[index]


def test_likely_unit_mix_up_is_noted(table: LabTable) -> None:
    report = interpret({"calcium": measure(table, "calcium", "2.4 mg/dL")}, "adult", table)
    assert any("2.4 mmol/L" in note for note in report.notes)
    plain = interpret({"calcium": measure(table, "calcium", "15 mg/dL")}, "adult", table)
    assert not plain.notes  # very high, but no other unit would make it ordinary


def test_a_babys_product_above_the_adult_limit_is_explained(table: LabTable) -> None:
    values = {
        "calcium": measure(table, "calcium", "10.9 mg/dL"),
        "phosphate": measure(table, "phosphate", "6.5 mg/dL"),
    }
    baby = interpret(values, "infant", table)
    assert baby.caxp_level == "raised"
    assert any("would be high in an adult" in note for note in baby.notes)
    assert not any("would be high" in note for note in interpret(values, "adult", table).notes)
