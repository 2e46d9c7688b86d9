"""Reference ranges by exact age and the ionised calcium (clinical.md 8.2 and 8.3).

The values are those of content/labs.yaml: DiaSys rows for calcium and
phosphate (newborn first 10 days, 11 days-2 years, 3-12 and 13-17 years),
the newborn albumin for the first month only, the newborn ionised calcium
for the first 4 weeks, and an ionised value that decides high, normal or low.
"""

from __future__ import annotations

import pytest

from chatbot.engine.loading import default_engine
from chatbot.engine.medicine.labs import (
    LabReport,
    LabTable,
    age_group_of,
    age_in_days,
    exact_age_days,
    interpret,
    lab_from_answer,
)


@pytest.fixture(scope="module")
def table() -> LabTable:
    return default_engine().labs


def report(
    table: LabTable, age: tuple[float, str] | None, group: str | None = None, **labs: str
) -> LabReport:
    raw = {}
    for lab, text in labs.items():
        value, unit = text.split(" ", 1)
        raw[lab] = lab_from_answer(lab, {"value": float(value), "unit": unit}, table)
    days = age_in_days(*age) if age else None
    return interpret(raw, group, table, days)


@pytest.mark.parametrize(
    "age, low, high",
    [
        ((3, "days"), 8.0, 10.4),  # newborn, first 10 days (NeoHypoCa low end; DiaSys)
        ((4, "months"), 9.0, 11.0),  # 11 days-2 years
        ((6, "years"), 8.8, 10.8),  # 3-12 years
        ((15, "years"), 8.4, 10.2),  # 13-17 years: not the 3-12 row
        ((62, "years"), 8.5, 10.5),  # adult
    ],
)
def test_calcium_range_by_exact_age(
    table: LabTable, age: tuple[float, str], low: float, high: float
) -> None:
    result = report(table, age, calcium="9.5 mg/dL").results["calcium"]
    assert (result.low, result.high) == (low, high)


def test_fifteen_is_not_twelve(table: LabTable) -> None:
    """10.5 mg/dL is normal for 3-12 years and high for 13-17 (clinical.md 8.3)."""
    assert report(table, (15, "years"), calcium="10.5 mg/dL").status("calcium") == "high"
    assert report(table, (12, "years"), calcium="10.5 mg/dL").status("calcium") == "normal"
    # with only the age group, the group's [choice] row stays (child 8.8-10.8)
    assert report(table, None, "child", calcium="10.5 mg/dL").status("calcium") == "normal"


def test_phosphate_of_a_teenager_in_mmol(table: LabTable) -> None:
    """1.60 mmol/L (4.96 mg/dL) is normal at 15 (2.7-5.1) and high for an adult."""
    assert report(table, (15, "years"), phosphate="1.60 mmol/L").status("phosphate") == "normal"
    assert report(table, (30, "years"), phosphate="1.60 mmol/L").status("phosphate") == "high"


def test_newborn_albumin_for_the_first_month_only(table: LabTable) -> None:
    assert report(table, (2, "weeks"), albumin="3.0 g/dL").status("albumin") == "normal"
    assert report(table, (3, "months"), albumin="3.0 g/dL").status("albumin") == "low"


def test_newborn_correction_aims_at_the_newborn_albumin(table: LabTable) -> None:
    """A normal newborn albumin (3.1 g/dL) shifts nothing; the adult reference of 4.0 would
    add 0.72 mg/dL."""
    newborn = report(table, (5, "days"), calcium="9.0 mg/dL", albumin="3.1 g/dL")
    assert newborn.results["calcium"].value == pytest.approx(9.0)
    older = report(table, (6, "years"), calcium="9.0 mg/dL", albumin="3.1 g/dL")
    assert older.results["calcium"].value == pytest.approx(9.72)
    assert any("ionised calcium" in note for note in older.notes)  # better for a child


def test_ionised_calcium_decides(table: LabTable) -> None:
    # total looks high, ionised is normal: calcium is normal and its number does not count
    rep = report(table, (40, "years"), calcium="10.9 mg/dL", ionized_calcium="1.25 mmol/L")
    assert rep.results["calcium"].status == "high"
    assert rep.status("calcium") == "normal"
    assert rep.number("calcium_mgdl") is None and rep.calcium_grade is None
    assert any("ionised calcium" in note for note in rep.notes)
    # total normal, ionised high (in mg/dL): calcium is high
    rep = report(table, (61, "years"), calcium="10.3 mg/dL", ionized_calcium="5.9 mg/dL")
    assert rep.status("calcium") == "high"
    # only an ionised value: graded only from 2.0 mmol/L (severe)
    assert report(table, (50, "years"), ionized_calcium="1.6 mmol/L").calcium_grade is None
    assert report(table, (50, "years"), ionized_calcium="2.1 mmol/L").calcium_grade == "severe"


def test_newborn_ionised_range(table: LabTable) -> None:
    assert report(table, (2, "weeks"), ionized_calcium="1.38 mmol/L").status("calcium") == "normal"
    assert report(table, (2, "years"), ionized_calcium="1.38 mmol/L").status("calcium") == "high"


def test_exact_age_and_group() -> None:
    assert exact_age_days({"value": 3, "unit": "weeks"}) == 21
    assert exact_age_days({"value": 0, "unit": "days"}) is None
    assert exact_age_days("adult") is None
    assert age_group_of(age_in_days(11, "months")) == "infant"
    assert age_group_of(age_in_days(17, "years")) == "child"
    assert age_group_of(age_in_days(18, "years")) == "adult"
