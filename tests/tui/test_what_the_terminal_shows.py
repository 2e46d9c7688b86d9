"""What the terminal shows after each answer is what a full redraw would show.

Textual sends only what changed, and the chat keeps it small: the focus moves between
the list and the text box without a redraw of the whole screen, the body map draws
only the lines that changed, the transcript and the list draw their own lines. These
tests apply every update to a grid of cells, as a terminal would, and compare it with
the screen drawn whole, after every step of a chat.
"""

from __future__ import annotations

import asyncio

from drive import answer_current, type_text, vignette
from terminal import Mirror, full_redraw, watch

from chatbot.tui.screens.chat import ChatScreen

PUB01 = vignette("pub-01")["answers"]
SIZE = (100, 40)
EARLIER = ("respondent", "warning_signs", "age_group", "has_deposits", "sex", "pregnant")


async def settled(pilot) -> None:
    """Until the app has nothing left to draw."""
    for _ in range(40):
        await pilot.pause()
        screen = pilot.app.screen
        if not (
            screen._dirty_widgets
            or screen._layout_required
            or screen._repaint_required
            or screen._scroll_required
        ):
            await asyncio.sleep(1 / 30)  # a last frame, if one was due
            return
        await asyncio.sleep(1 / 60)


async def same_as_full_redraw(pilot, mirror: Mirror, step: str) -> None:
    await settled(pilot)
    differences = mirror.differences(full_redraw(pilot.app))
    assert not differences, f"after {step}:\n" + "\n".join(differences[:6])


async def test_every_answer_of_a_chat_is_drawn_as_a_full_redraw_would_draw_it(make):
    """Choices by key, ticks, the body map shown and hidden, lab values typed (the focus
    goes to the text box and back), "why", going back and "not sure"."""
    app = make()
    width, height = SIZE
    mirror = Mirror(width, height)
    watch(app, mirror)
    async with app.run_test(size=SIZE) as pilot:
        await same_as_full_redraw(pilot, mirror, "the welcome")
        await pilot.press("1")
        await same_as_full_redraw(pilot, mirror, "the welcome's answer")
        await answer_current(pilot, PUB01.get("warning_signs"))
        await same_as_full_redraw(pilot, mirror, "answering warning_signs")
        # the questions up to the body map's, as a saved session is continued
        app.pop_screen()
        app.session.restart()
        app.session.replay({q: PUB01.get(q, "unsure") for q in EARLIER}, complete=False)
        app.begin_chat()
        await same_as_full_redraw(pilot, mirror, "a continued session")
        seen: set[str] = set()
        for _ in range(60):
            if not (isinstance(app.screen, ChatScreen) and app.session.current is not None):
                break
            question = app.session.current
            seen.add(question.id)
            if question.id == "calcium":  # the focus is in the text box: why, then back
                await pilot.press("f2")
                await same_as_full_redraw(pilot, mirror, "why at calcium")
                await type_text(pilot, "9.4 mg/dL")
                await pilot.press("enter")
                await same_as_full_redraw(pilot, mirror, "a typed calcium")
                await pilot.press("f4")
                await same_as_full_redraw(pilot, mirror, "back to calcium")
                await pilot.press("f3")
                await same_as_full_redraw(pilot, mirror, "not sure of calcium")
                continue
            await answer_current(pilot, PUB01.get(question.id))
            await same_as_full_redraw(pilot, mirror, f"answering {question.id}")
            if "calcium" in seen:  # and one more lab question after it
                break
            if question.id == "locations":  # the body map goes; back brings it again
                await pilot.press("f4")
                await same_as_full_redraw(pilot, mirror, "back to locations")
                await pilot.press("enter")  # the ticks taken back are ticked again
                await same_as_full_redraw(pilot, mirror, "locations again")
                assert app.session.current.id != "locations"
        assert {"known_diagnosis", "locations", "calcium"} <= seen
        assert "age_group" not in seen  # (replayed)


async def test_the_mirror_notices_an_update_that_never_reached_the_terminal(make):
    """The check above can fail: when one update is lost, the terminal and a full redraw
    differ."""
    app = make()
    width, height = SIZE
    mirror = Mirror(width, height)
    watch(app, mirror)
    async with app.run_test(size=SIZE) as pilot:
        await same_as_full_redraw(pilot, mirror, "the welcome")
        await pilot.press("1")
        await settled(pilot)
        kept = app._display
        app._display = lambda screen, renderable: None  # the next update is lost
        await pilot.press("1")
        await settled(pilot)
        app._display = kept
        assert mirror.differences(full_redraw(app))
