"""Typed answers in the terminal chat, end to end (issue 13): a text box on the first
question, a number typed at the age question is an age, and a reply to a question asked
back is read with it ("the first one")."""

from __future__ import annotations

from drive import answer_until, type_text, until, vignette

from chatbot.tui.screens.chat import ChatScreen
from chatbot.tui.widgets.messages import Transcript

PUB01 = vignette("pub-01")["answers"]


async def test_the_first_question_takes_typed_words(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query("#typed")  # the welcome has a text box too
        await type_text(pilot, "for my mum")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert app.session.answers["respondent"] == "caregiver"


async def test_a_number_typed_at_the_age_question_is_an_age(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "age_group")
        await type_text(pilot, "62")  # from the list: the digits go to the text box
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["age_group"] == "adult"  # not option 2, "1 to 17"
        assert app.session.age is not None and app.session.age.value == 62
        said = app.screen.query_one(Transcript).answers()[-1]
        assert said.said == "62"


async def test_the_first_one_after_an_ask_back_is_the_first_option_offered_there(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "locations")
        await type_text(pilot, "my joints")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.current.id == "locations"  # asked back, nothing recorded
        await type_text(pilot, "the first one")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["locations"] == ("elbows_knees",)
