"""docs/answers.md, the data dictionary, is generated (``calcinosis docs``) and kept up to
date: this test fails when the committed file differs from what the code makes."""

from __future__ import annotations

from pathlib import Path

from support import REPO, run_cli

from chatbot.engine import contract
from chatbot.engine.reports.dictionary import OUTPUT_FIELDS, PATH, data_dictionary
from chatbot.engine.reports.markdown import to_dict


def generated(engine) -> str:
    return data_dictionary(engine.dialog, engine.content, engine.labs)


def test_the_committed_dictionary_is_up_to_date(engine):
    committed = (REPO / PATH).read_text(encoding="utf-8")
    assert committed == generated(engine), (
        "docs/answers.md is out of date: run 'make docs' (calcinosis docs -o docs/answers.md)"
    )


def test_every_id_code_unit_and_level_is_in_it(engine):
    text = generated(engine)
    for qid, (_kind, codes) in contract.QUESTIONS.items():
        assert f"| `{qid}` |" in text, qid
        for code in codes:
            assert f"`{code}`" in text, (qid, code)
    for units in contract.LAB_UNITS.values():
        for unit in units:
            assert f"`{unit}`" in text, unit
    for code in contract.TYPES + contract.SUBTYPES + contract.TRIAGE_LEVELS:
        assert f"| `{code}` |" in text, code


def test_every_output_field_is_described(engine):
    a = engine.replay(
        {
            "respondent": "self",
            "age_group": "adult",
            "has_deposits": "yes",
            "calcium": {"value": 11.8, "unit": "mg/dL"},
        }
    )
    fields = set(to_dict(a, engine.content))
    assert fields <= set(OUTPUT_FIELDS), sorted(fields - set(OUTPUT_FIELDS))
    text = generated(engine)
    for name in fields:
        assert f"| `{name}` |" in text


def test_the_command_writes_and_checks(tmp_path: Path):
    out = tmp_path / "answers.md"
    done = run_cli("docs", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("# Answers: the data dictionary")
    assert run_cli("docs", "--check", str(out)).returncode == 0
    out.write_text("old\n", encoding="utf-8")
    stale = run_cli("docs", "--check", str(out))
    assert stale.returncode == 1 and "out of date" in stale.stderr
    assert "Traceback" not in stale.stderr


def test_readme_and_extending_link_it_and_nothing_outside():
    for name in ("README.md", "EXTENDING.md"):
        text = (REPO / name).read_text(encoding="utf-8")
        assert "docs/answers.md" in text, name
        assert "../shared" not in text and "](../" not in text, name
