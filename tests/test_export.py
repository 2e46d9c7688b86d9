"""The summary for the doctor: every answer in plain words, one printable page."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from chatbot.engine.dialog.answers import Text
from chatbot.engine.loading import default_engine
from chatbot.engine.medicine.labs import LabValue
from chatbot.export import build, summary_html, summary_markdown

VIGNETTES = sorted((Path(__file__).parent / "vignettes").glob("*.yaml"))


def answer_words(engine, qid, value) -> list[str]:
    question = engine.dialog.questions[qid]
    if isinstance(value, Text):  # the person's own words, as typed
        return [value.text]
    if isinstance(value, LabValue):
        return [value.entered()]
    if isinstance(value, tuple):
        return [question.label_of(code) for code in value]
    return [question.label_of(value)]


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_summary_holds_every_answer(path: Path) -> None:
    engine = default_engine()
    answers = yaml.safe_load(path.read_text())["answers"]
    summary = build(engine, answers, "2026-11-22T10:00:00+01:00")
    md = summary_markdown(engine, summary)
    page = summary_html(engine, summary)
    assert "**Date:** 2026-11-22 10:00" in md  # as people read it
    assert "not a diagnosis" in md and "not a diagnosis" in page
    assert "Questions to ask the doctor" in md
    for qid in summary.history:
        question_text = engine.dialog.questions[qid].text(summary.respondent)
        assert question_text in md, qid
        assert html.escape(question_text, quote=False) in page, qid
        for words in answer_words(engine, qid, summary.answers[qid]):
            plain = words.replace("|", "\\|")
            assert plain in md.replace("\\.", ".").replace("\\-", "-"), (qid, words)
            assert html.escape(words, quote=False) in page, (qid, words)


def test_html_is_one_self_contained_page() -> None:
    engine = default_engine()
    answers = yaml.safe_load(VIGNETTES[0].read_text())["answers"]
    page = summary_html(engine, build(engine, answers, "2026-11-22"))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    lowered = page.lower()
    assert "<script" not in lowered
    assert "<link" not in lowered and " src=" not in lowered
    assert "@media print" in page
    assert "<table>" in page  # lab values and answers as tables


def test_caregiver_summary_uses_their_wording() -> None:
    engine = default_engine()
    answers = yaml.safe_load((Path(__file__).parent / "vignettes/pub-02.yaml").read_text())
    summary = build(engine, answers["answers"], "2026-11-22")
    md = summary_markdown(engine, summary)
    assert "a caregiver" in md
    assert "Where are their deposits?" in md


def test_export_command_writes_each_format(tmp_path: Path) -> None:
    env = dict(os.environ, CALCINOSIS_DATA_DIR=str(tmp_path / "data"))
    lines = "self\nnone\nadult\nno\n"
    run = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "--plain"],
        input=lines,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "Saved as session 1" in run.stdout
    history = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "history", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    rows = json.loads(history.stdout)
    assert [(r["id"], r["status"], r["type"], r["triage"]) for r in rows] == [
        (1, "finished", "none", "routine")
    ]
    for fmt, marker in (("md", "# Calcinosis check"), ("html", "<!DOCTYPE html>")):
        out = tmp_path / f"summary.{fmt}"
        done = subprocess.run(
            [sys.executable, "-m", "chatbot.cli", "export", "1", "--format", fmt, "-o", str(out)],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert out.read_text().startswith(marker)
        assert "Saved to" in done.stderr
        assert out.stat().st_mode & 0o777 == 0o600  # health details: owner only
    missing = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "export", "9"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert missing.returncode == 2 and "no session 9" in missing.stderr
    assert "Traceback" not in missing.stderr
    gone = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "delete", "1"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )  # not a terminal: nothing is asked
    assert gone.returncode == 0 and "Deleted session 1" in gone.stdout
    assert (
        json.loads(
            subprocess.run(
                [sys.executable, "-m", "chatbot.cli", "history", "--json"],
                capture_output=True,
                text=True,
                env=env,
            ).stdout
        )
        == []
    )


def test_fhir_export_round_trips_through_assess(tmp_path: Path) -> None:
    env = dict(os.environ, CALCINOSIS_DATA_DIR=str(tmp_path / "data"))
    vignette = Path(__file__).parent / "vignettes" / "pub-23.yaml"
    answers = yaml.safe_load(vignette.read_text())["answers"]
    engine = default_engine()
    session = engine.new_session()
    session.replay(answers)
    lines = []
    for qid in session.history:
        value = answers.get(qid, "unsure")
        if isinstance(value, list):
            value = ", ".join(value)
        elif isinstance(value, dict):
            value = f"{value['value']} {value['unit']}"
        lines.append(str(value))
    session.close()
    run = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "--plain"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0 and "Saved as session 1" in run.stdout, run.stdout[-500:]
    fhir = tmp_path / "qr.json"
    subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "export", "1", "--format", "fhir", "-o", str(fhir)],
        check=True,
        env=env,
        capture_output=True,
    )
    resource = json.loads(fhir.read_text())
    assert resource["resourceType"] == "QuestionnaireResponse"
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    QuestionnaireResponse.model_validate(resource)
    from_fhir = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "assess", "--json", str(fhir)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    original = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "assess", "--json", str(vignette)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    a, b = json.loads(from_fhir.stdout), json.loads(original.stdout)
    for key in ("type", "subtype", "triage", "ranking", "red_flags", "labs"):
        assert a[key] == b[key], key
    questionnaire = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "export-questionnaire"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    from fhir.resources.R4B.questionnaire import Questionnaire

    Questionnaire.model_validate(json.loads(questionnaire.stdout))


def test_save_summary_never_overwrites_and_names_the_day(tmp_path: Path) -> None:
    from chatbot.export import save_summary

    engine = default_engine()
    answers = yaml.safe_load(VIGNETTES[0].read_text(encoding="utf-8"))["answers"]
    summary = build(engine, answers, "2026-11-22T07:45:00+01:00")
    first = save_summary(engine, summary, "html", tmp_path / "new folder")
    second = save_summary(engine, summary, "md", tmp_path / "new folder")
    third = save_summary(engine, summary, "html", tmp_path / "new folder")
    assert first.name == "calcinosis-summary-2026-11-22.html"
    assert second.name == "calcinosis-summary-2026-11-22.md"
    assert third.name == "calcinosis-summary-2026-11-22-2.html"
    assert first.read_text(encoding="utf-8") == third.read_text(encoding="utf-8")
    assert "not a diagnosis" in second.read_text(encoding="utf-8").lower()


def test_save_summary_where_no_folder_can_be_made_says_so(tmp_path: Path) -> None:
    from chatbot.export import save_summary

    engine = default_engine()
    answers = yaml.safe_load(VIGNETTES[0].read_text(encoding="utf-8"))["answers"]
    blocker = tmp_path / "a file"
    blocker.write_text("in the way")
    with pytest.raises(OSError, match=r"The folder .*a file/summaries cannot be created"):
        save_summary(engine, build(engine, answers, "2026-11-22"), "html", blocker / "summaries")
    assert blocker.read_text() == "in the way"


def test_saved_summaries_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    from chatbot.export import save_summary

    engine = default_engine()
    answers = yaml.safe_load(VIGNETTES[0].read_text(encoding="utf-8"))["answers"]
    summary = build(engine, answers, "2026-11-22T07:45:00+01:00")
    old_umask = os.umask(0o022)  # the usual umask, which made files -rw-r--r--
    try:
        paths = [save_summary(engine, summary, fmt, tmp_path) for fmt in ("html", "md", "fhir")]
    finally:
        os.umask(old_umask)
    for path in paths:
        assert path.stat().st_mode & 0o777 == 0o600, (path, oct(path.stat().st_mode))


def test_export_to_an_existing_file_needs_force_and_becomes_private(tmp_path: Path) -> None:
    """Issue 14 changes this: an existing file is refused without --force (it used to be
    overwritten, keeping its mode); with --force it is replaced whole and made mode 0600."""
    env = dict(os.environ, CALCINOSIS_DATA_DIR=str(tmp_path / "data"))
    run = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "--plain"],
        input="self\nnone\nadult\nno\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "Saved as session 1" in run.stdout, run.stdout[-400:]
    for mode in (0o600, 0o644):
        out = tmp_path / f"existing-{mode:o}.md"
        out.write_text("old")
        out.chmod(mode)
        refused = subprocess.run(
            [sys.executable, "-m", "chatbot.cli", "export", "1", "-o", str(out)],
            capture_output=True,
            text=True,
            env=env,
        )
        assert refused.returncode == 2 and "already exists" in refused.stderr
        assert "--force" in refused.stderr and out.read_text() == "old"
        subprocess.run(
            [sys.executable, "-m", "chatbot.cli", "export", "1", "-o", str(out), "--force"],
            check=True,
            capture_output=True,
            env=env,
        )
        assert out.read_text().startswith("# Calcinosis check")
        assert out.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


CAREGIVER_METASTATIC = {
    "respondent": "caregiver",
    "age_group": "adult",
    "has_deposits": "yes",
    "known_diagnosis": "no",
    "locations": ["elbows_knees"],
    "kidney": "normal",
    "conditions": ["none"],
    "medications": ["none"],
    "intake": ["high_dose_vitamin_d"],
    "calcium": {"value": 12.5, "unit": "mg/dL"},
    "phosphate": "high",
}


def _doctor_section(md: str) -> list[str]:
    part = md.split("## Questions to ask the doctor", 1)[1].split("\n#", 1)[0]
    return [line[2:] for line in part.splitlines() if line.startswith("- ")]


def test_questions_for_the_doctor_use_the_caregivers_words() -> None:
    from chatbot.engine.reports.markdown import to_markdown

    engine = default_engine()
    summary = build(engine, CAREGIVER_METASTATIC, "2026-11-22")
    assert summary.assessment.type == "metastatic"
    for md in (summary_markdown(engine, summary), to_markdown(summary.assessment, engine.content)):
        questions = _doctor_section(md)
        assert questions
        assert not [q for q in questions if " my " in f" {q} " or " I " in f" {q} "], questions
        assert "Should any of their vitamin D, calcium tablets or antacids be changed?" in questions
    own = build(engine, {**CAREGIVER_METASTATIC, "respondent": "self"}, "2026-11-22")
    assert "Should any of my vitamin D, calcium tablets or antacids be changed?" in _doctor_section(
        summary_markdown(engine, own)
    )


@pytest.mark.parametrize(
    "changes, offered",
    [
        ({}, False),  # healthy kidneys
        ({"kidney": "unsure"}, False),
        ({"kidney": "ckd"}, True),
        ({"kidney": "dialysis"}, True),
        ({"kidney": "transplant"}, True),
        ({"medications": ["calcium_phosphate_binders"]}, True),
    ],
)
def test_binders_or_dialysis_question_only_with_kidney_disease_or_binders(changes, offered):
    engine = default_engine()
    answers = {**CAREGIVER_METASTATIC, "respondent": "self", **changes}
    summary = build(engine, answers, "2026-11-22")
    assert summary.assessment.type == "metastatic"
    asked = "Could my phosphate binders or dialysis be adjusted?" in _doctor_section(
        summary_markdown(engine, summary)
    )
    assert asked == offered


def test_every_question_for_the_doctor_has_both_wordings() -> None:
    content = default_engine().content
    for text in [*content.types.values(), *content.subtypes.values()]:
        for question in text.doctor_questions:
            assert question.text("self") and question.text("caregiver"), text.code
            assert question.text(None) == question.text("self")
