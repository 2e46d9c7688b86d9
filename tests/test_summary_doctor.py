"""The summary for the doctor (issue 15): a first page a GP reads in one minute, then
every question and answer, then the sources, numbered, by title, publisher and link."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from chatbot.engine.reports.summary import QA_HEADING
from chatbot.export import Summary, build, summary_html, summary_markdown

TESTS = Path(__file__).resolve().parent
VIGNETTES = sorted((TESTS / "vignettes").glob("*.yaml"))
FIRST_PAGE = [
    "**Answered by:**",
    "**Age:**",
    "**Sex:**",
    "## Result",
    "**Triage:**",
    "**Warning signs:**",
    "## Lab values",
    "## Medicines and conditions",
    "## In the person's own words",
    QA_HEADING,
    "## Sources",
]

CALCIUM_ALBUMIN = {
    "respondent": "caregiver",
    "age_group": "adult",
    "has_deposits": "yes",
    "known_diagnosis": "no",
    "locations": ["elbows_knees"],
    "kidney": "ckd",
    "conditions": ["none"],
    "medications": ["calcium_phosphate_binders"],
    "intake": ["none"],
    "calcium": {"value": 10.2, "unit": "mg/dL"},
    "albumin": {"value": 2.6, "unit": "g/dL"},
    "phosphate": {"value": 6.8, "unit": "mg/dL"},
}


def _with(summary: Summary, **answers) -> Summary:
    """The same summary with answers of contract version 2 (age, sex, notes) added."""
    a = summary.assessment
    return replace(summary, assessment=replace(a, answers={**a.answers, **answers}))


@pytest.fixture(scope="module")
def kidney_summary(engine):
    return build(engine, CALCIUM_ALBUMIN, "2026-11-22T10:00:00+01:00")


def test_first_page_in_order_then_answers_then_sources(engine, kidney_summary):
    md = summary_markdown(engine, kidney_summary)
    at = [md.index(mark) for mark in FIRST_PAGE]
    assert at == sorted(at), [
        m for m, _ in sorted(zip(FIRST_PAGE, at, strict=True), key=lambda x: x[1])
    ]
    assert "a caregiver" in md.split("## Result")[0]


def test_labs_with_units_range_corrected_calcium_and_caxp(engine, kidney_summary):
    md = summary_markdown(engine, kidney_summary)
    labs = md.split("## Lab values")[1].split("## Medicines")[0]
    assert "reference range used" in labs
    assert re.search(r"\| calcium \| 10\\\.2 mg/dL \| 10\.2 mg/dL \| 8\.5-10\.5 mg/dL \|", labs)
    corrected = kidney_summary.assessment.labs.results["calcium"].value
    assert corrected is not None and corrected > 10.2
    assert f"**Corrected calcium** (for albumin): {corrected:.4g} mg/dL" in labs
    assert "**Calcium × phosphate product:**" in labs
    meds = md.split("## Medicines and conditions")[1].split("##")[0]
    assert "**Kidneys:** " in meds and "**Medicines:** " in meds
    binders = engine.dialog.questions["medications"].label_of("calcium_phosphate_binders")
    assert binders in meds


def test_exact_age_sex_and_own_words_quoted_as_typed(engine, kidney_summary):
    typed = "She says <script>alert(1)</script> **it hurts** [here](x) since 2019 | really"
    summary = _with(kidney_summary, age={"value": 62, "unit": "years"}, sex="female", notes=typed)
    md = summary_markdown(engine, summary)
    head = md.split("## Result")[0]
    assert "**Age:** 62 years" in head and "18 or older" not in head
    sex_label = (
        engine.dialog.questions["sex"].label_of("female")
        if "sex" in engine.dialog.questions
        else "not said"
    )
    assert f"**Sex:** {sex_label}" in head
    own = md.split("## In the person's own words")[1].split("##")[0]
    assert own.strip().startswith(">")
    page = summary_html(engine, summary)
    assert "<script" not in page.lower()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert typed in text  # literally, nothing turned into markup
    baby = summary_markdown(engine, _with(kidney_summary, age={"value": 3, "unit": "weeks"}))
    assert "**Age:** 3 weeks" in baby


def test_nothing_said_is_said_as_such(engine, kidney_summary):
    md = summary_markdown(engine, kidney_summary)
    assert "**Sex:** not said" in md
    assert "Nothing was written." in md


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_first_page_fits_and_names_no_file(engine, path):
    answers = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    summary = build(engine, answers, "2026-11-22T10:00:00+01:00")
    md = summary_markdown(engine, summary)
    first = md.split(QA_HEADING)[0]
    # one A4 page at 9.5 pt: about 60 printed lines, long lines wrapping at ~110 characters
    printed = sum(1 + len(line) // 110 for line in first.splitlines())
    assert printed <= 60, (path.stem, printed)
    page = summary_html(engine, summary)
    assert '<h2 class="next-page">' in page and "break-before: page" in page
    for text in (md, page):
        assert ".txt" not in text and "seed file" not in text.lower()
        assert not re.search(r"\[[A-Z][A-Za-z]+\d{4}\b|\bS[0-4]\b", text)  # no source codes
    sources = md.split("## Sources")[1]
    assert re.search(r"^1\. \S", sources, re.M)
    assert "https://" in sources


def test_fhir_carries_the_same_answers(engine):
    from chatbot.export import summary_fhir

    answers = {
        **CALCIUM_ALBUMIN,
        "age": {"value": 62, "unit": "years"},
        "sex": "female",
        "notes": "It <b>hurts</b> at night",
    }
    summary = build(engine, answers, "2026-11-22T10:00:00+01:00")
    md = summary_markdown(engine, summary)
    found: dict[str, list] = {}

    def walk(items):
        for item in items:
            if "answer" in item:
                found[item["linkId"].removesuffix("_status")] = item["answer"]
            walk(item.get("item", []))

    walk(summary_fhir(engine, summary)["item"])
    for qid in summary.history:  # every question and answer of the summary
        assert qid in found, qid
        assert engine.dialog.questions[qid].text(summary.respondent) in md or qid == "notes"
    assert found["age"][0]["valueQuantity"]["value"] == 62
    assert found["sex"][0]["valueCoding"]["code"] == "female"
    assert found["notes"][0]["valueString"] == "It <b>hurts</b> at night"
    assert "**Age:** 62 years" in md


def test_long_own_words_keep_the_first_page_whole(engine, kidney_summary):
    words = ("My hands hurt most in the cold and I cannot hold a cup. " * 40).strip()
    assert len(words) > 2000 - 100
    summary = _with(kidney_summary, notes=words[:2000])
    md = summary_markdown(engine, summary)
    first = md.split(QA_HEADING)[0]
    printed = sum(1 + len(line) // 110 for line in first.splitlines())
    assert printed <= 60, printed
    assert "The rest is under" in first
    rest = md.split("## The person's own words in full")[1].split("## ")[0]
    quoted = " ".join(line[2:] for line in rest.splitlines() if line.startswith("> "))
    assert re.sub(r"\\(.)", r"\1", quoted) == words[:2000].strip()  # in full, as typed
