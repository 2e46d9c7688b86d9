"""Typed answers in the terminal chat, end to end (issue 13): a text box on the first
question, a number typed at the age question is an age, and a reply to a question asked
back is read with it ("the first one")."""

from __future__ import annotations

import threading

from drive import answer_current, answer_until, type_fast, type_text, until, vignette

from chatbot.tui.screens.chat import ChatScreen
from chatbot.tui.widgets.answer import AnswerList
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


async def test_a_question_s_reading_table_is_built_while_words_are_typed(make):
    """The first letter typed into the text box starts building the reader's table for the
    question in the background, so the words are read at once when sent; a question
    answered by a key starts nothing."""
    app = make()
    reader = app.matcher
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "sex")
        for _ in range(3):
            await until(pilot, lambda: "read ahead" not in {t.name for t in threading.enumerate()})
            with reader._lock:
                reader._tables.clear()  # (the tests share one engine, and its reader)
            await answer_current(pilot, PUB01.get(app.session.current.id))  # by a key
            await pilot.pause()
            assert not reader._tables  # nothing built for a question not typed at
            question = app.session.current
            options = app.session.options(question)
            app.screen.query_one("#typed").focus()
            builds = []
            table = reader.table
            reader.table = lambda q, o, t=table, b=builds: b.append(q.id) or t(q, o)
            try:
                await type_fast(pilot, "xyz")  # letters typed while it is being built
                await until(pilot, lambda q=question, o=options: reader.has_table(q, o))
            finally:
                del reader.table
            assert builds == [question.id]  # built once, not once a letter
            assert len(reader._tables) == 1  # only the question typed at
            await pilot.press("backspace", "backspace", "backspace")
            app.screen.query_one(AnswerList).focus()  # the next answer by a key again
