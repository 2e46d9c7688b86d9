"""One story per result (issue 12; clinical.md 8.5 and 8.6).

Every shared vignette and every case of our own is walked, and each result
must tell one story:

* the headline triage level is the only level the advice speaks for: the
  most urgent reason and every red flag are at or below it, and the advice
  opens with that level's own words and no other level's;
* the leading type agrees with what drives the triage: kidney failure or
  underactive parathyroid glands never give "idiopathic"; very painful
  purple or black skin (calciphylaxis signs) never gives "idiopathic", and
  suspected calciphylaxis leads, or the result is "unclear" with
  calciphylaxis named first;
* infection in a person on dialysis, with a transplant or on steroid
  medicines is an emergency, as the advice says (clinical.md 8.4, E5);
* an emergency starts with the action within its first 40 words (8.6);
* a high calcium with vitamin D or calcium taken says to take no more (8.6);
* every caution has an id, one plain sentence and a source that exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatbot.engine import contract
from chatbot.engine.loading import default_engine
from chatbot.engine.medicine.assessment import Assessment
from chatbot.engine.reports.markdown import advice_markdown, to_dict, to_markdown

TESTS = Path(__file__).resolve().parent
FILES = sorted((TESTS / "vignettes").glob("*.yaml")) + sorted((TESTS / "cases").glob("*.yaml"))
KIDNEY_FAILURE = {"ckd", "dialysis", "transplant", "acute_injury"}
CALCIPHYLAXIS_SUSPECTED = {"U1_calciphylaxis", "E3_calciphylaxis_infection"}
# How soon a lower level would say it: never in a more urgent result (clinical.md 8.6).
LOWER_WORDS = {
    "urgent": re.compile(r"\btoday\b|same-day", re.I),
    "soon": re.compile(r"days to weeks|within (the next )?(a )?few days", re.I),
    "routine": re.compile(r"next regular visit|next check-up", re.I),
}


def _answers(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answers: dict[str, Any] = data["answers"]
    return answers


def _used(a: Assessment, qid: str) -> Any:
    """An answer the assessment used (an ignored one counts as not given)."""
    return a.answers.get(qid)


def _has(a: Assessment, qid: str, code: str) -> bool:
    value = _used(a, qid)
    return code in value if isinstance(value, list) else value == code


def test_there_is_something_to_walk() -> None:
    assert len(FILES) >= 36 + 150


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_one_story(path: Path) -> None:
    engine = default_engine()
    a = engine.replay(_answers(path))
    name = path.stem
    rank = contract.triage_rank(a.triage)

    # the headline level is the most urgent reason, and nothing says more
    if a.triage_reasons:
        assert a.triage_reasons[0].level == a.triage, name
    for reason in a.triage_reasons:
        assert contract.triage_rank(reason.level) <= rank, (name, reason)
    for flag in a.red_flags:
        assert contract.triage_rank(flag.level) <= rank, (name, flag)

    # the advice speaks for the headline level: no line of a lower level (what to
    # do if things get worse may name a higher one)
    advice = advice_markdown(a, engine.content)
    own = engine.content.levels[a.triage]
    assert own.title in advice.split("\n", 1)[0], name
    now = " ".join(advice.split("**If things get worse:**")[0].split())
    for level, text in engine.content.levels.items():
        if contract.triage_rank(level) < rank:
            assert text.title not in advice, (name, level)
            assert " ".join(text.when.split()) not in now, (name, level)
            for fact in text.do_now:
                if fact.when is None:
                    assert " ".join(fact.text.split()) not in now, (name, level, fact.text)
    report = to_markdown(a, engine.content)
    for level, words in LOWER_WORDS.items():
        if contract.triage_rank(level) < rank:
            lines = [line for line in report.splitlines() if words.search(line)]
            assert not lines, (name, level, lines[:2])
    if a.triage == "emergency":
        first_words = " ".join(advice.replace("*", "").split()[:40]).lower()
        assert "emergency" in first_words, name

    # the leading type agrees with what drives the triage
    kidney = _used(a, "kidney")
    if kidney in KIDNEY_FAILURE or _has(a, "conditions", "hypoparathyroidism"):
        assert a.type != "idiopathic", (name, kidney)
    if "calciphylaxis_signs" in a.fired:
        assert a.type != "idiopathic", name
    if CALCIPHYLAXIS_SUSPECTED & {r.rule for r in a.triage_reasons}:
        assert a.type in ("calciphylaxis", "unclear"), (name, a.type)
    if a.type == "unclear" and "calciphylaxis_signs" in a.fired:
        assert a.ranking[0].type == "calciphylaxis", (name, a.ranking[0])

    # infection with a higher sepsis risk is an emergency, as the advice says
    infection = _used(a, "infection_signs") == "yes" or _has(
        a, "warning_signs", "fever_spreading_redness"
    )
    if infection and (
        kidney in ("dialysis", "transplant") or _has(a, "medications", "corticosteroids")
    ):
        assert a.triage == "emergency", name

    # a high calcium with vitamin D or calcium taken: take no more
    takes = any(
        _has(a, "intake", code)
        for code in (
            "high_dose_vitamin_d",
            "calcium_supplements_or_antacids",
            "ordinary_supplements",
        )
    ) or _has(a, "medications", "active_vitamin_d")
    if a.labs.status("calcium") == "high" and takes:
        assert "no more vitamin D" in advice, name

    # cautions: an id, one sentence, a source that exists; the same in the JSON
    for caution in a.cautions:
        assert caution.id and caution.text.strip() and caution.sources, (name, caution)
        assert all(key in engine.content.sources for key in caution.sources), caution
        lowered = caution.text.lower()
        for phrase in (
            "not a cancer",
            "not cancer",
            "harmless",
            "benign",
            "nothing to worry about",
        ):
            assert phrase not in lowered, (name, caution.id)
    data = to_dict(a, engine.content)
    assert [c["id"] for c in data["cautions"]] == [c.id for c in a.cautions]
    assert data["age"] == a.answers.get("age")
