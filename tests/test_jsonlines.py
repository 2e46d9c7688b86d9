"""``assess --json`` with several files writes each assessment as one line; the fast
writer (parts serialised once and reused) writes exactly what ``json.dumps`` of
``to_dict`` writes, for every shipped case and vignette, first and when repeated."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from chatbot.engine.reports.jsonlines import JsonLines
from chatbot.engine.reports.markdown import to_dict

TESTS = Path(__file__).parent
FILES = sorted((TESTS / "cases").glob("*.yaml")) + sorted((TESTS / "vignettes").glob("*.yaml"))


def _answers(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]


def test_each_line_is_json_dumps_of_to_dict(engine) -> None:
    lines = JsonLines(engine.content)
    extra = [  # exact ages, numbers of several kinds, a status for a lab, unknown ids
        {"age": {"value": 3, "unit": "weeks"}, "has_deposits": "yes"},
        {"age_group": "adult", "calcium": {"value": 12, "unit": "mg/dL"}, "phosphate": "high"},
        {"age_group": "child", "calcium": {"value": 2.9, "unit": "mmol/L"}},
    ]
    assessments = [engine.replay(_answers(p)) for p in FILES] + [engine.replay(a) for a in extra]
    assert len(assessments) > 250
    for _round in range(2):  # the second time from what was remembered
        for a in assessments:
            assert lines.line(a) == _dumps(to_dict(a, engine.content))
    assert lines._explanations and lines._sources and lines._labs  # the reuse happened


def test_a_number_is_written_as_given(engine) -> None:
    """Lab results are reused only when no number was entered: 12 and 12.0 stay apart."""
    lines = JsonLines(engine.content)
    for value in (12, 12.0, 12, 9, 9.0, 9.40):
        a = engine.replay({"age_group": "adult", "calcium": {"value": value, "unit": "mg/dL"}})
        assert lines.line(a) == _dumps(to_dict(a, engine.content))


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
