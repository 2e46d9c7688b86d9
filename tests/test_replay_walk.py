"""A replay walks the dialog without firing the transitions trigger (issue 11, speed):
it must reach the same questions, in the same order, as the trigger does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from chatbot.engine import contract

TESTS = Path(__file__).resolve().parent
CASES = sorted((TESTS / "vignettes").glob("*.yaml")) + sorted((TESTS / "cases").glob("*.yaml"))[::5]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_replay_asks_what_the_machine_asks(engine, path):
    answers = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    walked = engine.new_session()
    walked.replay(answers)
    stepped = engine.new_session()  # the same answers, each moved on by the trigger
    for qid in walked.history:
        assert stepped.state == qid
        also = {other: walked.answers[other] for other in walked.implied.get(qid, ())}
        stepped.answer_current(walked.answers[qid], checked=True, also=also)
    assert stepped.state == walked.state and walked.finished
    assert stepped.answers == walked.answers
    # (answers the file gives to questions not asked are listed by the replay only)
    assert engine.assess(stepped) == replace(engine.assess(walked), ignored=())
    walked.close()
    stepped.close()


def test_a_replay_stops_where_no_answer_was_given(engine):
    session = engine.new_session()
    session.replay({"respondent": "self"}, complete=False)
    assert session.history == ["respondent"] and session.state == "warning_signs"
    assert session.answers["respondent"] == "self"
    assert contract.UNSURE not in session.answers.values()
    session.close()
