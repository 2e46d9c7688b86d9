"""The chat by keys and clicks: back, typed words, lab values, literal text, the body map,
the warning screen, help, quit, changing an answer, starting over, resizing, themes."""

from __future__ import annotations

import pytest
from drive import (
    answer_current,
    answer_until,
    chat_through,
    open_result,
    paste,
    pick,
    screen_text,
    type_fast,
    type_text,
    until,
    vignette,
)

from chatbot.tui.screens.chat import ChatScreen
from chatbot.tui.screens.confirm import ConfirmScreen
from chatbot.tui.screens.result import ResultScreen
from chatbot.tui.screens.welcome import WelcomeScreen
from chatbot.tui.widgets.answer import AnswerArea, AnswerList
from chatbot.tui.widgets.bodymap import BodyMap, cells_of
from chatbot.tui.widgets.messages import BotMessage, Transcript, UserMessage

PUB01 = vignette("pub-01")["answers"]


def transcript(app) -> Transcript:
    return app.screen.query_one(Transcript)


def last(app, kind=None):
    messages = transcript(app).messages
    if kind is None:
        return messages[-1]
    return [m for m in messages if isinstance(m, kind)][-1]


# ----------------------------------------------------------------------------- welcome


async def test_welcome_says_what_this_is_and_asks_the_first_question(make, engine):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        text = screen_text(app)
        notices = engine.content.notices
        assert "not a diagnosis" in text and notices["emergency"] in text
        assert "Are you answering for yourself, or for someone else?" in text
        keys = dict(app.screen.query_one("KeysFooter").shown)
        assert keys.get("F1") == "Help" and "Quit" in keys.values()


async def test_the_welcome_text_is_all_in_view_at_80x24(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        body = app.screen.query_one("#welcome-body")
        assert body.max_scroll_y == 0  # nothing cut off, nothing to scroll to
        shown = "".join(s.text for y in range(body.size.height) for s in body.render_line(y))
        assert "work at any time." in shown  # the last sentence, to its end


async def test_the_welcome_text_box_stands_in_until_drawn_then_takes_typing(make):
    """The first frame shows a line that looks like the text box (Textual's Input comes
    once the screen is drawn); typing then goes to the real box and answers."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        area = app.screen.query_one(AnswerArea)
        assert area.text_box_later or area.text_box  # (the swap may already be done)
        await pilot.pause()
        assert not app.screen.query("#typed-later")
        box = app.screen.query_one("#typed")
        assert area.text_box and "in your own words" in box.placeholder
        await pilot.press(*"for my mum")  # letters typed while the list has focus
        await pilot.pause()
        assert box.value == "for my mum"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.session.answers["respondent"] == "caregiver"


async def test_the_app_loads_its_engine_after_the_first_screen(engine, tmp_path, monkeypatch):
    from chatbot.tui.app import make_app
    from chatbot.tui.welcome_data import cached_welcome, from_engine

    monkeypatch.setenv("CALCINOSIS_CACHE_DIR", str(tmp_path))
    app = make_app(defer_engine=True, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        await until(pilot, lambda: app.ready)
        await pilot.press("1")  # an answer given as soon as it is ready
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert app.session.answers["respondent"] == "self"
    # the welcome texts were saved for the next start, from the checked engine data
    cached = cached_welcome(engine.root)
    assert cached is not None and cached.notices == from_engine(engine).notices
    assert cached.question.text() == engine.dialog.questions["respondent"].text(None)


async def test_the_chat_s_and_the_result_s_styles_are_read_while_the_welcome_is_shown(make):
    """Reading a screen's style file reparses every style: done once, in the welcome's
    idle time, for the chat and the result, not when the first or the last answer is
    given (the result appeared 50-80 ms later)."""
    from chatbot.tui.screens.result import ResultScreen

    app = make()
    paths = [str(p) for p in (*ChatScreen().css_path, *ResultScreen(None).css_path)]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: all(app.stylesheet.has_source(p, "") for p in paths))
        assert isinstance(app.screen, WelcomeScreen)  # not a single answer given
        read = []
        original = app.stylesheet.read
        app.stylesheet.read = lambda path: read.append(path) or original(path)
        await open_result(pilot, PUB01)
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert read == []  # no style file was read on the way


# ----------------------------------------------------------------------------- back


async def test_back_undoes_the_last_answer_and_the_transcript_shows_the_change(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "has_deposits")
        assert app.session.answers["age_group"] == "adult"
        await pilot.press("f4")
        await pilot.pause()
        assert app.session.current.id == "age_group"
        assert "age_group" not in app.session.answers
        # issue 15: "(changed)" only once the answer was really changed
        assert "(changed)" not in transcript(app).plain()
        assert "18 or older" not in [m.said for m in transcript(app).answers()]
        await pilot.press("up", "enter")  # at the age question a digit starts an age
        await pilot.pause()
        assert app.session.answers["age_group"] == "child"
        assert transcript(app).answers()[-1].said == "1 to 17 years"
        changed = [m for m in transcript(app).messages if isinstance(m, UserMessage) and m.changed]
        assert [m.said for m in changed] == ["18 or older"]
        assert "(changed)" in transcript(app).plain()


async def test_back_and_the_same_answer_again_is_not_a_change(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "has_deposits")
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("enter")  # the earlier answer is chosen again
        await pilot.pause()
        assert app.session.answers["age_group"] == "adult"
        assert app.session.current.id == "has_deposits"
        assert "(changed)" not in transcript(app).plain()
        assert [m.said for m in transcript(app).answers()].count("18 or older") == 1


async def test_back_shows_the_earlier_answer_chosen_so_one_tick_can_change(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "has_deposits")
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.query_one(AnswerList).highlighted_code == "adult"  # one-of
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["age_group"] == "adult"
        await answer_until(pilot, PUB01, "course")  # the question after locations
        await pilot.press("f4")
        await pilot.pause()
        choices = app.screen.query_one(AnswerList)
        assert app.session.current.id == "locations"
        assert choices.ticked == ["fingers_hands"]  # many-of: ticked again
        assert choices.highlighted_code == "fingers_hands"
        assert app.screen.query_one(BodyMap).chosen == {"fingers_hands"}
        await pilot.press("4", "enter")  # one more tick; the first stays
        await pilot.pause()
        assert set(app.session.answers["locations"]) == {"fingers_hands", "elbows_knees"}


async def test_back_puts_a_typed_lab_value_back_in_the_box(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "calcium")
        await answer_current(pilot, PUB01["calcium"])
        assert app.session.current.id != "calcium"
        await pilot.press("f4")
        await pilot.pause()
        assert app.session.current.id == "calcium"
        box = app.screen.query_one("#typed")
        assert box.value == "9.4 mg/dL" and box.has_focus
        await pilot.press("backspace", "L")  # corrected in place
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["calcium"].entered() == "9.4 mg/dL"
        await pilot.press("f4")  # a status chosen from the list: highlighted there
        await pilot.pause()
        await answer_current(pilot, "high")
        await pilot.press("f4")
        await pilot.pause()
        choices = app.screen.query_one(AnswerList)
        assert choices.highlighted_code == "high" and choices.has_focus
        assert app.screen.query_one("#typed").value == ""


async def test_back_on_the_first_chat_question_returns_to_the_first_question(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert app.session.current.id == "respondent" and not app.session.history
        await pilot.press("1")
        await pilot.pause()
        assert app.session.respondent == "self"


# ----------------------------------------------------------------------------- typed words


@pytest.mark.parametrize(
    "words, code",
    [
        ("fingrs", "fingers_hands"),
        ("my fingers", "fingers_hands"),
        ("hands", "fingers_hands"),
        ("dunno", "unsure"),
    ],
)
async def test_typed_words_and_typos_map_to_codes(make, words, code):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "locations")
        await type_text(pilot, words)  # typing while the list has focus goes to the text box
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["locations"] == (code,)
        answer = transcript(app).answers()[-1]
        assert answer.said == words and answer.meaning


async def test_fast_typing_in_the_list_goes_into_the_text_box_in_order(make):
    """The first letter moves the typing to the box; the digits and spaces that follow at
    once go there too (they are not option shortcuts), in the order they were typed."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_until(pilot, PUB01, "has_deposits")
        assert app.screen.query_one(AnswerList).has_focus
        await type_fast(pilot, "ya 2 of them")
        box = app.screen.query_one("#typed")
        assert box.value == "ya 2 of them" and box.has_focus
        assert (
            app.session.current.id == "has_deposits" and "has_deposits" not in app.session.answers
        )  # "2" did not choose "No"


async def test_digits_pressed_fast_answer_only_the_question_they_were_for(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "stiffness")
        app.screen.query_one(AnswerList).focus()
        await type_fast(pilot, "22")  # "No", and a second 2 while the answer is being taken
        await pilot.pause()
        assert app.session.answers["stiffness"] == "no"
        assert app.session.current.id == "kidney" and "kidney" not in app.session.answers
        assert "not an allowed answer" not in app.screen.query_one(AnswerArea).problem_text


async def test_fast_typing_at_the_warning_signs_ticks_nothing(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await until(pilot, lambda: app.session.current.id == "warning_signs")
        choices = app.screen.query_one(AnswerList)
        assert choices.has_focus
        await type_fast(pilot, "fever and 2 more")
        assert app.screen.query_one("#typed").value == "fever and 2 more"
        assert choices.ticked == [] and app.session.current.id == "warning_signs"


async def test_a_bracketed_paste_into_the_list_goes_into_the_text_box(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await until(pilot, lambda: app.session.current.id == "warning_signs")
        choices = app.screen.query_one(AnswerList)
        assert choices.has_focus
        await paste(pilot, "fever and 2 more")
        await type_fast(pilot, " today")  # typed straight after the paste, in order
        box = app.screen.query_one("#typed")
        assert box.value == "fever and 2 more today" and box.has_focus
        assert choices.ticked == []


async def test_an_ambiguous_typed_answer_is_asked_back_never_guessed(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "locations")
        await type_text(pilot, "joints")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.current.id == "locations" and "locations" not in app.session.answers
        ask = last(app, BotMessage)
        assert ask.kind == "ask"
        assert "Elbows or knees" in ask.text and "Around the hips or shoulders" in ask.text
        choices = app.screen.query_one(AnswerList)
        assert choices.highlighted_code in ("elbows_knees", "around_large_joints")
        await type_text(pilot, "knees")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["locations"] == ("elbows_knees",)


async def test_typed_markup_and_escape_codes_are_shown_literally(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "pain")
        await type_text(pilot, "[red]x[/red] [link=https://example.com]y[/link]")
        await pilot.press("enter")
        await pilot.pause()
        said = last(app, UserMessage).said
        assert said == "[red]x[/red] [link=https://example.com]y[/link]"
        drawn = "".join(s.text for strip in transcript(app)._lines for s in strip)
        assert "[red]x[/red]" in drawn and "[link=https://example.com]y[/link]" in drawn
        box = app.screen.query_one("#typed")
        assert box.has_focus and box.value == ""  # asked back: type again
        box.value = "\x1b[31mred\x1b[0m \x07bell"
        await pilot.press("enter")
        await pilot.pause()
        assert last(app, UserMessage).said == "red bell"
        assert "\x1b" not in "".join(s.text for strip in transcript(app)._lines for s in strip)


# ----------------------------------------------------------------------------- lab values


async def test_a_bad_lab_value_shows_the_engines_message_and_keeps_the_text(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "calcium")
        before = list(app.session.history)
        await type_text(pilot, "11.8 mg/dk")
        await pilot.press("enter")
        await pilot.pause()
        area = app.screen.query_one(AnswerArea)
        assert "mg/dk" in area.problem_text and "mg/dL" in area.problem_text
        assert app.screen.query_one("#problem").content == area.problem_text
        assert app.screen.query_one("#typed").value == "11.8 mg/dk"  # the typed text stays
        assert app.session.history == before and app.session.current.id == "calcium"
        await pilot.press("backspace", "backspace", "L")
        await type_text(pilot, "")
        box = app.screen.query_one("#typed")
        box.value = "11.8 mg/dL"
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["calcium"].entered() == "11.8 mg/dL"
        assert area.problem_text == ""


async def test_an_extreme_lab_value_asks_for_confirmation(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "calcium")
        await type_text(pilot, "16 mg/dL")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "16 mg/dL" in app.screen.message and "very high" in app.screen.message
        await pilot.press("n")
        await pilot.pause()
        assert app.session.current.id == "calcium"
        assert "Not kept" in app.screen.query_one(AnswerArea).problem_text
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session.answers["calcium"].entered() == "16 mg/dL"


async def test_a_lab_status_is_chosen_by_number(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "calcium")
        app.screen.query_one(AnswerList).focus()
        await pilot.press("1")
        await pilot.pause()
        assert app.session.answers["calcium"] == "high"


# ----------------------------------------------------------------------------- the body map


async def test_the_body_map_chooses_a_region_by_click_and_by_key(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "locations")
        body = app.screen.query_one(BodyMap)
        assert body.display
        x, y = cells_of("face")[0]
        pad = (body.content_region.width - len("      ss      ")) // 2
        gutter = body.content_region.x - body.region.x
        await pilot.click(
            body, offset=(gutter + pad + x, y + body.content_region.y - body.region.y)
        )
        await pilot.pause()
        assert "face" in body.chosen
        assert app.screen.query_one(AnswerList).ticked == ["face"]  # kept in step with the list
        body.focus()
        await pilot.press("down", "space")  # the region after the face, by key
        await pilot.pause()
        assert len(body.chosen) == 2
        await pilot.press("2")  # the number key of "Face" (option 2) unticks it again
        await pilot.pause()
        assert "face" not in body.chosen
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.session.answers["locations"]) == 1
        assert app.session.current.id == "course"  # contract version 2: asked after locations
        assert not app.screen.query_one(BodyMap).display


async def test_ticking_in_the_list_lights_up_the_map(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "locations")
        await pick(pilot, 0, many=True)  # fingers/hands (key 1)
        await pick(pilot, 9, many=True)  # heels: option 10 since version 2, by the arrows
        assert app.screen.query_one(BodyMap).chosen == {"fingers_hands", "heels"}
        await pilot.press("0")  # "I'm not sure" stands alone
        await pilot.pause()
        assert app.screen.query_one(BodyMap).chosen == {"unsure"}
        assert app.screen.query_one(AnswerList).ticked == ["unsure"]


# ----------------------------------------------------------------------------- always at hand


async def test_why_do_you_ask_shows_the_reason_inline(make, engine):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "kidney")
        await pilot.press("f2")
        await pilot.pause()
        why = last(app)
        assert isinstance(why, BotMessage) and why.kind == "why"
        assert engine.dialog.questions["kidney"].why in why.text


async def test_not_sure_key_answers_unsure(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "size")
        await pilot.press("f3")
        await pilot.pause()
        assert app.session.answers["size"] == "unsure"


async def test_not_sure_about_the_warning_signs_says_what_to_watch_for(make, engine):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")  # for someone else: the note says "they"
        await until(
            pilot, lambda: app.session is not None and app.session.current.id == "warning_signs"
        )
        await pilot.press("f3")
        await pilot.pause()
        note = engine.dialog.questions["warning_signs"].unsure_note("caregiver")
        assert "their skin" in note and "emergency help" in note
        assert note in transcript(app).plain()
        assert app.session.current.id == "age_group"  # and the questions go on
        await pilot.press("f3")  # "not sure" elsewhere adds no note
        await pilot.pause()
        assert transcript(app).plain().count("That's all right") == 1


async def test_every_new_question_is_in_view_at_80x24(make):
    """The transcript follows the chat even when the answer area keeps its size."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(6):
            if app.session is None or app.session.current is None:
                break
            await pilot.press("f3")
            await pilot.pause()
            t = transcript(app)
            assert t.scroll_offset.y + t.size.height >= t.virtual_size.height, (
                app.session.current.id
            )
        assert transcript(app).virtual_size.height > transcript(app).size.height


async def test_help_lists_every_key(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        text = screen_text(app)
        for key in ("F1", "F2", "F3", "F4", "Ctrl+Q", "Space", "Enter", "Tab"):
            assert key in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)


async def test_quit_confirms_only_when_answers_would_be_lost(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app._exit
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")  # nothing answered yet: nothing to lose
        await pilot.pause()
        assert app._exit


async def test_progress_shows_section_and_how_far(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "locations")
        line = app.screen.query_one("#progress").plain
        # contract version 2: a fifth part and two more questions before the deposits
        assert "Part 2 of 5: The deposits" in line and "question 8 of about" in line


# ----------------------------------------------------------------------------- warning signs


async def test_a_warning_sign_shows_what_to_do_now_before_going_on(make, engine):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # for someone else
        await pilot.pause()
        await pilot.press("2", "enter")  # new confusion, fainting or vomiting
        await pilot.pause()
        assert app.screen.__class__.__name__ == "WarningScreen"
        text = screen_text(app)
        level = engine.content.levels["emergency"]
        assert "EMERGENCY" in text and level.title in text
        assert engine.content.red_flags["warning_confusion_or_vomiting"].title in text
        # the words to say, filled in where the answers tell (a caregiver: the name is blank)
        said = "confusion, fainting or repeated vomiting"
        assert f"I am calling about [name], aged [age]. The problem is {said}." in text
        assert "{" not in text  # no slot left unfilled
        assert "for them" in text  # the caregiver's wording
        await pilot.press("enter")  # a stray Enter does not close it unread
        await pilot.pause()
        assert app.screen.__class__.__name__ == "WarningScreen"
        await pilot.press("tab", "enter")  # "I understand; go on"
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.session.current.id == "age_group"
        # the chat keeps a line saying a warning was shown, and what it was
        assert (
            "A warning was shown about them: Confusion, fainting or repeated vomiting. "
            "Get emergency help now." in app.screen.query_one(Transcript).plain()
        )


async def test_a_calcium_that_makes_an_emergency_is_said_before_the_next_question(make, engine):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_until(pilot, PUB01, "calcium")
        await type_text(pilot, "15 mg/dL")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")  # yes, 15 mg/dL is right
        await pilot.pause()
        assert app.screen.__class__.__name__ == "WarningScreen"
        text = screen_text(app)
        assert "EMERGENCY" in text
        assert engine.content.red_flags["severe_hypercalcemia"].title in text
        await pilot.press("tab", "enter")  # go on
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.session.current.id == "albumin"
        # the same flag is not said twice; a new one (symptoms) would be
        await answer_current(pilot, None)
        assert isinstance(app.screen, ChatScreen)
        assert app.session.current.id == "ionized_calcium"  # version 2: without an albumin
        await answer_current(pilot, None)
        assert isinstance(app.screen, ChatScreen)
        assert app.session.current.id == "hypercalcemia_symptoms"


async def test_the_warning_screen_scrolls_by_keyboard_at_80x24(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("1", "enter")  # very painful dark skin
        await pilot.pause()
        assert app.screen.__class__.__name__ == "WarningScreen"
        body = app.screen.query_one("#warning-body")
        assert body.max_scroll_y > 0  # more than fits at 80x24
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y


# ----------------------------------------------------------------------------- the result


async def test_change_an_answer_from_the_result_recomputes_it(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_result(pilot, PUB01)
        assert app.screen.assessment.triage == "soon"
        await pilot.press("c")
        await pilot.pause()
        position = app.session.history.index("pain")
        await pilot.press(*["down"] * position, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen) and app.session.current.id == "pain"
        await pilot.press("3")  # a lot
        await pilot.pause()
        await until(pilot, lambda: isinstance(app.screen, ResultScreen))
        assert app.session.answers["pain"] == "severe"
        assert app.session.answers["kidney"] == "normal"  # later answers were kept
        assert app.screen.assessment.answers["pain"] == "severe"
        assert "(kept)" in app.screen_stack[-2].query_one(Transcript).plain()


async def test_save_summary_on_the_result_says_where_it_saved(make, tmp_path, monkeypatch):
    monkeypatch.setenv("CALCINOSIS_SUMMARY_DIR", str(tmp_path / "summaries"))
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_result(pilot, PUB01)
        assert isinstance(app.screen, ResultScreen)
        await pilot.press("v")
        await pilot.pause()
        saved = list((tmp_path / "summaries").glob("calcinosis-summary-*.html"))
        assert len(saved) == 1
        note = str(app.screen.query_one("#saved-note").render())
        assert str(saved[0]) in note.replace("\n", "")
        page = saved[0].read_text(encoding="utf-8")
        assert "Fingers or hands" in page and "not a diagnosis" in page.lower()
        await pilot.click("#save")  # the button does the same; a second file, not overwritten
        await pilot.pause()
        assert len(list((tmp_path / "summaries").glob("*.html"))) == 2


async def test_saved_notices_do_not_pile_up_or_cover_the_change_dialog(make, tmp_path, monkeypatch):
    monkeypatch.setenv("CALCINOSIS_SUMMARY_DIR", str(tmp_path / "summaries"))
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_result(pilot, PUB01)
        await pilot.press("v", "v", "v")
        await pilot.pause()
        assert len(list((tmp_path / "summaries").glob("*.html"))) == 3
        notices = list(app._notifications)
        assert len(notices) == 1 and "-3.html" in notices[0].message  # the newest only
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ChangeScreen"
        assert not list(app._notifications)


async def test_save_summary_into_an_unusable_folder_says_what_went_wrong(
    make, tmp_path, monkeypatch
):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CALCINOSIS_SUMMARY_DIR", str(blocker / "summaries"))
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_result(pilot, PUB01)
        await pilot.press("v")
        await pilot.pause()
        note = app.screen.query_one("#saved-note")
        assert note.has_class("problem") and note.display
        assert "could not be saved" in str(note.render())
        assert isinstance(app.screen, ResultScreen)  # the result stays


async def test_start_over_forgets_every_answer(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_result(pilot, vignette("pub-19")["answers"])
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # it clears the result: asked first
        await pilot.click("#yes")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen) and not app.session.history
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert transcript(app).answers()[0].said == "For myself"


async def test_stray_typing_on_the_result_does_not_start_over(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_result(pilot, PUB01)
        result = app.screen
        history = list(app.session.history)
        await type_text(pilot, "not measured, say yes")  # "s" asks; "y" does not answer
        assert isinstance(app.screen, ConfirmScreen)
        assert "Start over?" in app.screen.message and "not saved" in app.screen.message
        assert app.screen.focused.id == "no"
        await pilot.press("enter")  # a stray Enter keeps the result too
        await pilot.pause()
        assert app.screen is result and app.session.history == history
        await pilot.click("#restart")  # the button asks too
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is result


async def test_glossary_words_open_their_explanation(make, engine):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_result(pilot, PUB01)
        await pilot.press("g", "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "GlossaryScreen"
        term = app.screen.term
        assert term.definition in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)


async def test_lab_values_are_drawn_on_a_range_bar(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_result(pilot, vignette("pub-05")["answers"])
        await pilot.press("m")  # the lab values are under "More detail" (issue 15)
        await pilot.pause()
        bar = app.screen.query_one("#lab-calcium")
        line = "".join(s.text for s in bar.render_line(0))
        assert line.startswith("low ") and line.rstrip().endswith(" high") and "●" in line
        assert "HIGH" in screen_text(app)


async def test_a_lab_given_only_as_a_status_has_no_made_up_marker(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_result(pilot, vignette("pub-04")["answers"])  # phosphate: normal
        await pilot.press("m")  # the lab values are under "More detail" (issue 15)
        await pilot.pause()
        bar = app.screen.query_one("#lab-phosphate")
        await until(pilot, lambda: bar.size.height == 3)
        lines = ["".join(s.text for s in bar.render_line(y)) for y in range(bar.size.height)]
        assert "●" not in lines[0] and "█" in lines[0]  # the range, and no value on it
        assert "Reported as normal" in lines[2] and "nothing is marked" in lines[2]


# ----------------------------------------------------------------------------- fit and finish


async def test_survives_resizing_and_keeps_the_question_in_view(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_until(pilot, PUB01, "locations")
        for width, height in ((120, 40), (80, 24), (200, 60), (80, 24)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            t = transcript(app)
            assert t.scroll_y == t.max_scroll_y  # the newest message stays in view
        await chat_through(pilot, PUB01)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)


async def test_themes_cycle_by_key_and_are_said_in_words(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-dark"
        seen = []
        for key in ("f6", "ctrl+t", "f6"):
            await pilot.press(key)
            await pilot.pause()
            seen.append(app.theme)
        assert seen == ["textual-light", "high-contrast", "textual-dark"]
        said = [n.message for n in app._notifications]
        assert any("high contrast" in m for m in said)
        await pilot.press("1")  # still answering in any theme
        await pilot.pause()
        assert app.session.history == ["respondent"]


@pytest.mark.parametrize(
    ("name", "theme"), [("high-contrast", "high-contrast"), ("light", "textual-light")]
)
async def test_theme_chosen_at_start(make, name, theme):
    app = make(theme=name)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == theme
        if name == "high-contrast":
            assert app.current_theme.background == "#000000"
            assert app.current_theme.foreground == "#FFFFFF"


async def test_no_color_keeps_the_triage_in_words(make, monkeypatch):
    """NO_COLOR: Textual draws without colour; the triage level is still written out."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        assert app.no_color
        await open_result(pilot, vignette("pub-06")["answers"])  # metastatic, urgent
        assert isinstance(app.screen, ResultScreen)
        banner = str(app.screen.query_one("#triage").render())
        assert "URGENT" in banner and "●" in banner


async def test_no_traceback_reaches_the_screen(make, capfd):
    app = make()
    with pytest.raises(RuntimeError):  # run_test hands the error to the test...
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app._handle_exception(RuntimeError("boom"))
            await pilot.pause()
    shown = capfd.readouterr().err  # ...the person sees only a sentence
    assert "something went wrong" in shown
    assert "Traceback" not in shown and "boom" not in shown


# ----------------------------------------------------------------------------- saved answers


async def test_answers_are_saved_and_an_unfinished_session_can_be_continued(make, tmp_path):
    from chatbot.storage import Recorder, Store

    path = tmp_path / "sessions.sqlite3"
    recorder = Recorder(Store(path))
    app = make(recorder=recorder)
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "course")  # locations answered last
        await pilot.press("ctrl+q")  # answers are kept: no question asked
        await pilot.pause()
        assert app._exit
    recorder.close()  # as the command does when the app has ended (its session lock goes)
    with Store(path) as store:
        row = store.latest_unfinished()
        assert row is not None and row.answered == 8  # version 2 asks two more before
    app = make(recorder=Recorder(Store(path)), resume="ask")
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "8 answers" in app.screen.message
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert app.session.current.id == "course"
        assert transcript(app).answers()[-1].said == "Fingers or hands"
        await chat_through(pilot, PUB01)
        assert isinstance(app.screen, ResultScreen)
    with Store(path) as store:
        assert store.latest_unfinished() is None
        assert store.list()[0].status == "finished" and store.list()[0].type == "dystrophic"


async def test_a_damaged_database_is_said_and_the_chat_still_runs(make, tmp_path):
    from chatbot.storage import Recorder

    path = tmp_path / "sessions.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    app = make(recorder=Recorder.open(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "NOT BEING SAVED" in app.sub_title
        said = " ".join(n.message for n in app._notifications)
        assert "damaged" in said and "not being saved" in said
        await answer_until(pilot, PUB01, "extent")  # the chat goes on
        assert app.session.current.id == "extent"
    assert path.read_bytes() == b"this is not a database" * 100  # left as it was


async def test_saving_that_fails_half_way_is_said_at_once(make, tmp_path):
    from chatbot.storage import Recorder, Store, StoreError

    recorder = Recorder(Store(tmp_path / "sessions.sqlite3"))
    app = make(recorder=recorder)
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_until(pilot, PUB01, "age_group")
        assert "NOT BEING SAVED" not in app.sub_title

        def full_disk(*args, **kwargs):
            raise StoreError("The saved-answers file cannot be written (disk full).")

        recorder.store.save_answers = full_disk
        await answer_until(pilot, PUB01, "has_deposits")
        await pilot.pause()
        assert "NOT BEING SAVED" in app.sub_title
        assert any("disk full" in n.message for n in app._notifications)
        await answer_until(pilot, PUB01, "extent")
        assert app.session.current.id == "extent"


async def test_the_chat_s_first_frame_already_shows_the_first_question(make):
    """The transcript wraps its messages in the chat's first frame (not one frame later,
    when it hears of its size): the question is there as soon as the chat is."""
    app = make()
    frames: list[str] = []
    original = app._display

    def display(screen, renderable):
        original(screen, renderable)
        drawn = renderable is not None and hasattr(renderable, "render_segments")
        if drawn and isinstance(app.screen, ChatScreen):
            frames.append(renderable.render_segments(app.console))

    app._display = display
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await until(pilot, lambda: bool(frames))
        words = " ".join(app.session.text(app.session.current).split()[:3])
        assert words in frames[0]
