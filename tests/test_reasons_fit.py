"""Reasons fit the answers: a reason, pathway note or caution that speaks of
skin signs (purple, net-like, black or dead skin, sores, blisters) appears
only when such a sign was reported (issue on v2b-39: "Kidney disease together
with these skin signs" was given with skin_changes 'none')."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatbot.engine.loading import default_engine

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.yaml")) + sorted((HERE / "vignettes").glob("*.yaml"))
SKIN_SIGNS = {"purple_net_pattern", "dark_dead_skin", "ulcer", "blisters"}
SKIN_WORDS = re.compile(
    r"these skin signs|purple|net-like|black|dead skin|dying skin|open sore|blister", re.IGNORECASE
)


def _codes(value: Any) -> set[str]:
    if value is None:
        return set()
    return {str(v) for v in value} if isinstance(value, list) else {str(value)}


def _without_skin_signs(answers: dict[str, Any]) -> bool:
    return not _codes(
        answers.get("skin_changes")
    ) & SKIN_SIGNS and "dark_painful_skin" not in _codes(answers.get("warning_signs"))


QUIET = [
    p
    for p in CASES
    if _without_skin_signs(yaml.safe_load(p.read_text(encoding="utf-8"))["answers"])
]


def test_cases_without_skin_signs_exist() -> None:
    # v2b-39 and v2-46..48 have none; the check below must have material
    names = {p.stem for p in QUIET}
    assert {"v2b-39", "v2-46", "v2-47", "v2-48"} <= names


@pytest.mark.parametrize("path", QUIET, ids=[p.stem for p in QUIET])
def test_no_skin_sign_reasons_without_skin_signs(path: Path) -> None:
    answers = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    a = default_engine().replay(answers)
    texts = [r for c in a.ranking for r in c.reasons] + [a.pathway_note]
    texts += [c.text for c in a.cautions]
    said = [t for t in texts if SKIN_WORDS.search(t)]
    assert not said, (path.stem, said)


def test_pain_alone_on_dialysis_names_no_skin_signs() -> None:
    # the reason for early calciphylaxis says the skin has not changed yet
    answers = yaml.safe_load((HERE / "cases" / "v2-47.yaml").read_text(encoding="utf-8"))["answers"]
    a = default_engine().replay(answers)
    assert a.type == "calciphylaxis" and a.pathway_step == "calciphylaxis_early"
    assert any("before the skin changes" in r for r in a.ranking[0].reasons)
