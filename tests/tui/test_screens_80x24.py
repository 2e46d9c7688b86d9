"""Every screen whole at 80x24 (issue 15): help, change an answer, a word explained, the
saved sessions and the result fit or scroll, and say how; the arrow keys work on every
question; "(changed)" only after a change; "Start new" sets the old session aside.

Pictures (pytest-textual-snapshot) of each screen at 80x24; update them with
``pytest tests/tui/test_screens_80x24.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

import html
import re

from drive import answer_until, open_result, screen_text, type_text, until, vignette
from test_history import db, open_history, save_session  # noqa: F401 (fixture)

from chatbot.storage import Recorder, Store
from chatbot.tui.screens.change import ChangeScreen
from chatbot.tui.screens.chat import ChatScreen
from chatbot.tui.screens.confirm import ConfirmScreen
from chatbot.tui.screens.glossary import GlossaryScreen
from chatbot.tui.screens.help import HelpScreen
from chatbot.tui.widgets.answer import AnswerList

PUB01 = vignette("pub-01")["answers"]
SIZE = (80, 24)


def drawn(app) -> str:
    """The characters on the screen, row by row (from the SVG screenshot)."""
    rows: dict[float, list[str]] = {}
    for y, text in re.findall(r'<text[^>]*y="([\d.]+)"[^>]*>(.*?)</text>', app.export_screenshot()):
        rows.setdefault(float(y), []).append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return "\n".join("".join(rows[y]).replace("\xa0", " ") for y in sorted(rows))


def shown_in(widget, dialog) -> bool:
    """``widget`` lies wholly inside ``dialog``'s visible area (not cut off by it)."""
    return dialog.region.contains_region(widget.region) and widget.region.height > 0


def inside(widget, size=SIZE) -> bool:
    region = widget.region
    return region.x >= 0 and region.y >= 0 and region.right <= size[0] and region.bottom <= size[1]


# ----------------------------------------------------------------------------- fit or scroll


async def test_help_fits_and_scrolls_to_its_last_line(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await answer_until(pilot, PUB01, "locations")
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        dialog = app.screen.query_one("#help")
        body = app.screen.query_one("#help-body")
        assert inside(dialog) and shown_in(app.screen.query_one("#close"), dialog)
        assert body.max_scroll_y > 0  # longer than the screen: it scrolls
        assert "Scroll with" in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        assert "save a summary for the doctor" in screen_text(app)  # the last table row


async def test_change_an_answer_lists_every_answer_and_reaches_the_last(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_result(pilot, PUB01)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ChangeScreen))
        await pilot.pause()
        answers = app.screen.query_one("#answers")
        assert inside(app.screen.query_one("#change")) and inside(answers)
        assert shown_in(app.screen.query_one("#cancel"), app.screen.query_one("#change"))
        assert answers.option_count == len(app.session.history)
        await pilot.press("end")
        await pilot.pause()
        assert answers.highlighted == answers.option_count - 1
        qid = app.session.history[-1]
        last = app.engine.dialog.questions[qid].text("self")
        assert last[:40] in drawn(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert app.session.current.id == qid


async def test_result_at_80x24_opens_with_what_to_do_and_scrolls(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_result(pilot, vignette("pub-09")["answers"])  # emergency
        text = screen_text(app)
        assert "EMERGENCY" in text and "emergency department" in text
        assert "What to say when you call" in text  # on the first screen, no scrolling
        assert "Scroll with" in text
        more = app.screen.query_one("#more")
        assert more.collapsed
        body = app.screen.query_one("#result-body")
        assert body.max_scroll_y > 0
        await pilot.press("m")
        await pilot.pause()
        assert not more.collapsed
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y


async def test_a_word_explained_fits(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_result(pilot, vignette("pub-09")["answers"])
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, GlossaryScreen))
        await pilot.pause()
        dialog = app.screen.query_one("#glossary")
        assert inside(dialog) and shown_in(app.screen.query_one("#close"), dialog)
        assert app.screen.term.definition[:30] in screen_text(app).replace("\n", " ")


# ----------------------------------------------------------------------------- keys


async def test_arrow_keys_work_on_a_lab_question(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await answer_until(pilot, PUB01, "calcium")
        assert app.screen.focused.id == "typed"  # the text box has the focus
        choices = app.screen.query_one(AnswerList)
        await pilot.press("down")
        await pilot.pause()
        assert app.screen.focused is choices
        await pilot.press("down")
        await pilot.pause()
        code = choices.highlighted_code
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.answers["calcium"] == code


async def test_arrow_keys_work_after_words_are_asked_back(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await answer_until(pilot, PUB01, "locations")
        await type_text(pilot, "joints")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.current.id == "locations"  # asked back, not guessed
        assert app.screen.focused.id == "typed"
        await pilot.press("down")
        await pilot.pause()
        assert isinstance(app.screen.focused, AnswerList)
        await pilot.press("f3")  # the keys shown at the bottom work there too
        await pilot.pause()
        assert app.session.answers["locations"] in ("unsure", ("unsure",), ["unsure"])


# ----------------------------------------------------------------------------- start new


async def test_start_new_sets_the_unfinished_session_aside(make, engine, tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    with Store(path) as store:
        old = save_session(
            engine, store, monkeypatch, "pub-05", "2026-11-22T07:45:00+01:00", upto=5
        )
        assert store.latest_unfinished().id == old
    app = make(recorder=Recorder(Store(path)), resume="ask")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # Start new
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
    with Store(path) as store:
        assert store.latest_unfinished() is None  # not offered at the next start
        row = next(r for r in store.list() if r.id == old)
        assert row.status == "set_aside"  # still in the history
    app = make(recorder=Recorder(Store(path)), resume="ask")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)


# ----------------------------------------------------------------------------- pictures


class TestAt80x24:
    def test_help(self, snap_compare, make):
        async def run_before(pilot):
            await answer_until(pilot, PUB01, "locations")
            await pilot.press("f1")
            await pilot.pause()

        assert snap_compare(make(), terminal_size=SIZE, run_before=run_before)

    def test_change_an_answer(self, snap_compare, make):
        async def run_before(pilot):
            await open_result(pilot, PUB01)
            await pilot.press("c")
            await pilot.pause()
            await pilot.press("end")
            await pilot.pause()

        assert snap_compare(make(), terminal_size=SIZE, run_before=run_before)

    def test_glossary(self, snap_compare, make, engine):
        # over the first screen, so that the picture changes only with the entry itself
        # (reached from the result in test_a_word_explained_fits)
        async def run_before(pilot):
            await pilot.pause()
            content = engine.content
            pilot.app.push_screen(GlossaryScreen(content.glossary["calcinosis"], content))
            await pilot.pause()

        assert snap_compare(make(), terminal_size=SIZE, run_before=run_before)

    def test_history(self, snap_compare, make, db):  # noqa: F811 (the fixture)
        async def run_before(pilot):
            await open_history(pilot)

        app = make(recorder=Recorder(Store(db)), resume="no")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_emergency_result(self, snap_compare, make):
        async def run_before(pilot):
            await open_result(pilot, vignette("pub-09")["answers"])

        assert snap_compare(make(), terminal_size=SIZE, run_before=run_before)

    def test_result_more_detail_open(self, snap_compare, make):
        async def run_before(pilot):
            await open_result(pilot, PUB01)
            await pilot.press("m")
            await pilot.pause()

        assert snap_compare(make(), terminal_size=SIZE, run_before=run_before)
