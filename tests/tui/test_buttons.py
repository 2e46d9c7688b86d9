"""Every button on every screen, clicked with the mouse, does what it says.

Each test first checks that the screen shows exactly the buttons listed here, so a new
button without a click test fails; then it clicks each one and checks its effect (the
keyboard shortcuts are tested in test_chat.py and test_history.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from drive import answer_until, open_result, type_text, until, vignette
from textual.widgets import Button

from chatbot.engine.dialog.answers import to_plain
from chatbot.engine.reports.markdown import to_dict
from chatbot.storage import Recorder, Store
from chatbot.tui.screens.change import ChangeScreen
from chatbot.tui.screens.chat import ChatScreen
from chatbot.tui.screens.confirm import ConfirmScreen
from chatbot.tui.screens.glossary import GlossaryScreen
from chatbot.tui.screens.help import HelpScreen
from chatbot.tui.screens.history import HistoryScreen, SummaryScreen
from chatbot.tui.screens.result import ResultScreen
from chatbot.tui.screens.warning import WarningScreen
from chatbot.tui.screens.welcome import WelcomeScreen

PUB01 = vignette("pub-01")["answers"]


def buttons(app) -> set[str]:
    """The ids of the buttons on the current screen (glossary words as one "term-*")."""
    ids = {b.id or "" for b in app.screen.query(Button)}
    return {"term-*" if i.startswith("term-") else i for i in ids}


async def click(pilot, selector: str) -> None:
    button = pilot.app.screen.query_one(selector, Button)
    button.scroll_visible(animate=False)
    await pilot.pause()
    assert await pilot.click(button), f"{selector} was not clicked"
    await pilot.pause()


async def click_title(pilot, selector: str) -> None:
    """Click the title of the Collapsible ``selector`` (it opens or closes)."""
    title = pilot.app.screen.query_one(selector).query_one("CollapsibleTitle")
    title.scroll_visible(animate=False)
    await pilot.pause()
    assert await pilot.click(title), f"{selector}'s title was not clicked"
    await pilot.pause()


@pytest.fixture
def summaries(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "summaries"
    monkeypatch.setenv("CALCINOSIS_SUMMARY_DIR", str(folder))
    return folder


# ----------------------------------------------------------------------------- result


async def test_the_result_buttons(make, summaries):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_result(pilot, PUB01)
        # the glossary words are under "More detail", made when it is first opened
        assert buttons(app) == {"change", "restart", "save", "quit"}

        await click(pilot, "#save")
        saved = list(summaries.glob("calcinosis-summary-*.html"))
        assert len(saved) == 1
        assert str(saved[0]) in str(app.screen.query_one("#saved-note").render()).replace("\n", "")

        await click(pilot, "#change")
        assert isinstance(app.screen, ChangeScreen)
        assert buttons(app) == {"cancel"}
        await click(pilot, "#cancel")
        assert isinstance(app.screen, ResultScreen)

        await click_title(pilot, "#more")  # "More detail" opens, with the glossary words
        assert not app.screen.query_one("#more").collapsed
        assert buttons(app) == {"change", "restart", "save", "quit", "term-*"}
        await click(pilot, ".term")
        assert isinstance(app.screen, GlossaryScreen)
        assert buttons(app) == {"close"}
        await click(pilot, "#close")
        assert isinstance(app.screen, ResultScreen)

        await click(pilot, "#restart")
        assert isinstance(app.screen, ConfirmScreen)
        assert buttons(app) == {"yes", "no"}
        await click(pilot, "#no")
        assert isinstance(app.screen, ResultScreen) and app.session.history

        await click(pilot, "#quit")  # answers not saved: asks first
        assert isinstance(app.screen, ConfirmScreen)
        await click(pilot, "#no")
        assert isinstance(app.screen, ResultScreen) and app.is_running

        await click(pilot, "#restart")
        await click(pilot, "#yes")
        assert isinstance(app.screen, WelcomeScreen) and not app.session.history


async def test_quit_on_the_result_quits(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_result(pilot, PUB01)
        await click(pilot, "#quit")
        await click(pilot, "#yes")
        assert app._exit
    assert app.return_code == 0


# ----------------------------------------------------------------------------- warning


async def test_the_warning_buttons(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # for someone else
        await pilot.pause()
        await pilot.press("2", "enter")  # new confusion, fainting or vomiting
        await until(pilot, lambda: isinstance(app.screen, WarningScreen))
        assert buttons(app) == {"go-on", "quit"}
        await click(pilot, "#quit")  # answers not saved: asks first
        assert isinstance(app.screen, ConfirmScreen)
        await click(pilot, "#no")
        assert isinstance(app.screen, WarningScreen)
        await click(pilot, "#go-on")
        assert isinstance(app.screen, ChatScreen)
        assert app.session.current.id == "age_group"


async def test_quit_on_the_warning_quits(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("2", "enter")
        await until(pilot, lambda: isinstance(app.screen, WarningScreen))
        await click(pilot, "#quit")
        await click(pilot, "#yes")
        assert app._exit
    assert app.return_code == 0


# ----------------------------------------------------------------------------- chat, help


async def test_the_chat_send_button_and_help_close(make):
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        typed = bool(app.screen.query("#typed"))  # the welcome may take typed words too
        assert buttons(app) == ({"send"} if typed else set())
        await answer_until(pilot, PUB01, "age_group")
        assert isinstance(app.screen, ChatScreen)
        assert buttons(app) == {"send"}
        app.screen.query_one("#typed").focus()
        await type_text(pilot, "adult")
        await click(pilot, "#send")
        assert app.session.answers["age_group"] == "adult"

        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert buttons(app) == {"close"}
        await click(pilot, "#close")
        assert isinstance(app.screen, ChatScreen)


# ----------------------------------------------------------------------------- history


@pytest.fixture
def db(engine, tmp_path) -> Path:
    """Two finished saved sessions."""
    path = tmp_path / "s.db"
    with Store(path) as store:
        for name in ("pub-01", "pub-09"):
            session = engine.new_session()
            session.replay(vignette(name)["answers"])
            pairs = [(qid, to_plain(session.answers[qid])) for qid in session.history]
            session_id = store.create()
            store.save_answers(session_id, 0, pairs, session.respondent)
            store.finish(session_id, to_dict(session.assess(), engine.content))
            session.close()
    return path


async def test_the_history_and_summary_buttons(make, db, summaries):
    app = make(recorder=Recorder(Store(db)), resume="no")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        assert buttons(app) == {"open", "save", "delete", "back"}

        await click(pilot, "#save")
        assert len(list(summaries.glob("*.html"))) == 1
        assert "saved to" in app.screen.query_one("#status").content.plain

        await click(pilot, "#open")
        assert isinstance(app.screen, SummaryScreen)
        assert buttons(app) == {"save", "back"}
        await click(pilot, "#save")
        assert len(list(summaries.glob("*.html"))) == 2
        await click(pilot, "#back")
        assert isinstance(app.screen, HistoryScreen)

        await click(pilot, "#delete")
        assert isinstance(app.screen, ConfirmScreen)
        await click(pilot, "#yes")
        assert isinstance(app.screen, HistoryScreen)
        with Store(db) as store:
            assert len(store.list()) == 1

        await click(pilot, "#back")
        assert isinstance(app.screen, WelcomeScreen)
