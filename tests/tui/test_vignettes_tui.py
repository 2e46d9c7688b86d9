"""Vignettes chatted through end to end by pressing keys and clicking, as a person would.

Each test answers every question the dialog asks from the vignette's answers
(missing answers: "I'm not sure") and checks that the result screen shows the
expected type and triage level in words.
"""

from __future__ import annotations

import pytest
from drive import chat_through, screen_text, vignette

from chatbot.engine.reports.markdown import type_title
from chatbot.tui.screens.result import ResultScreen
from chatbot.tui.widgets.triage import TriageBanner

CASES = [
    # vignette, expected type, expected triage, how the person answers
    ("pub-01", "dystrophic", "soon", "keys"),  # scleroderma fingertips
    ("pub-05", "metastatic", "soon", "keys"),  # hyperparathyroidism, lab values typed
    ("pub-09", "calciphylaxis", "emergency", "keys"),  # caregiver; dialysis; infection
    ("pub-11", "iatrogenic", "soon", "clicks"),  # calcium gluconate leaked into the skin
    ("pub-19", "none", "routine", "clicks"),  # no deposits
    ("pub-08", "calciphylaxis", "emergency", "keys"),  # warfarin, dialysis, painful dark skin
]


@pytest.mark.parametrize("name, kind, triage, how", CASES, ids=[c[0] for c in CASES])
async def test_vignette_end_to_end(make, engine, name, kind, triage, how):
    data = vignette(name)
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await chat_through(pilot, data["answers"], click=how == "clicks")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
        # the session (the state) and the screen (what the person sees) agree
        assessment = app.screen.assessment
        assert (assessment.type, assessment.triage) == (kind, triage)
        text = screen_text(app)
        banner = app.screen.query_one("#triage", TriageBanner).content.plain
        level = engine.content.levels[triage]
        assert triage.upper() in banner and level.title in banner  # in words, not colour
        if kind == "none":
            assert "no deposits" in text
        else:
            assert type_title(engine.content, kind) in app.screen.query_one("#type").content.plain
        expected_subtype = data["expect"].get("subtype")
        if expected_subtype:
            assert type_title(engine.content, expected_subtype).lower() in text.lower()


async def test_caregiver_wording_follows_the_choice(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await chat_through(pilot, vignette("pub-09")["answers"])
        await pilot.pause()
        text = screen_text(app)
        # the result opens with what to do (issue 15); its headings speak of "them"
        assert "Warning signs in your answers about them" in text
        assert "Most likely type of their deposits" in text
