"""Saved sessions in the terminal UI (F5 on the welcome): the list, a session's summary,
saving it to a file, deleting one after a yes; problems said in words, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from drive import answer_until, open_result, screen_text, until, vignette

from chatbot.engine.dialog.answers import to_plain
from chatbot.engine.reports.markdown import to_dict
from chatbot.storage import Recorder, Store
from chatbot.tui.screens.confirm import ConfirmScreen
from chatbot.tui.screens.history import HistoryScreen, SessionTable, SummaryScreen
from chatbot.tui.screens.welcome import WelcomeScreen

PUB01 = vignette("pub-01")["answers"]


def save_session(
    engine, store: Store, monkeypatch, name: str, stamp: str, *, upto: int | None = None
) -> int:
    """Save a vignette's answers as the app would, at a fixed time (stable pictures);
    ``upto`` answers only: an unfinished session."""
    session = engine.new_session()
    with monkeypatch.context() as patch:
        patch.setattr("chatbot.storage.now", lambda: stamp)
        session.replay(vignette(name)["answers"])
        pairs = [(qid, to_plain(session.answers[qid])) for qid in session.history]
        session_id = store.create()
        store.save_answers(session_id, 0, pairs[:upto], session.respondent)
        if upto is None:
            store.finish(session_id, to_dict(session.assess(), engine.content))
    session.close()
    return session_id


@pytest.fixture
def db(engine, tmp_path, monkeypatch) -> Path:
    """Three saved sessions: finished (you), finished (a caregiver), not finished."""
    path = tmp_path / "s.db"
    with Store(path) as store:
        save_session(engine, store, monkeypatch, "pub-01", "2026-11-20T09:30:00+01:00")
        save_session(engine, store, monkeypatch, "pub-09", "2026-11-21T14:05:00+01:00")
        save_session(engine, store, monkeypatch, "pub-05", "2026-11-22T07:45:00+01:00", upto=5)
    return path


@pytest.fixture
def summaries(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "summaries"
    monkeypatch.setenv("CALCINOSIS_SUMMARY_DIR", str(folder))
    return folder


def rows(app) -> list[list[str]]:
    table = app.screen.query_one(SessionTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_history(pilot) -> None:
    await pilot.pause()
    assert isinstance(pilot.app.screen, WelcomeScreen)
    await pilot.press("f5")
    await until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
    await pilot.pause()


def status(app) -> str:
    return app.screen.query_one("#status").content.plain


# ----------------------------------------------------------------------------- the list


async def test_the_list_shows_date_who_status_type_and_how_soon(make, db):
    app = make(recorder=Recorder(Store(db)), resume="no")
    async with app.run_test(size=(80, 24)) as pilot:
        keys = dict(app.screen.query_one("KeysFooter").shown)
        assert keys.get("F5") == "History"
        await open_history(pilot)
        assert rows(app) == [  # newest first
            ["2026-11-22 07:45", "you", "not finished", "-", "-"],
            ["2026-11-21 14:05", "someone else", "finished", "calciphylaxis", "▲ emergency"],
            ["2026-11-20 09:30", "you", "finished", "dystrophic", "◐ soon"],
        ]
        keys = dict(app.screen.query_one("KeysFooter").shown)
        assert keys == {
            "Enter": "Open",
            "v": "Save summary",
            "d": "Delete",
            "Esc": "Back",
            "F1": "Help",
            "^q": "Quit",
        }
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))


async def test_a_session_answered_in_the_app_is_listed_after_starting_over(make, tmp_path):
    app = make(recorder=Recorder(Store(tmp_path / "s.db")))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_result(pilot, PUB01)
        await pilot.press("s")  # start over: asked first, and said to be kept
        await pilot.pause()
        assert "is saved" in app.screen.message
        await pilot.click("#yes")  # back to the welcome
        await open_history(pilot)
        [row] = rows(app)
        assert row[1:] == ["you", "finished", "dystrophic", "◐ soon"]


async def test_empty_history_says_so_calmly(make, tmp_path):
    app = make(recorder=Recorder(Store(tmp_path / "s.db")))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        assert "No saved sessions yet." in screen_text(app)
        assert not app.screen.query_one(SessionTable).display
        keys = dict(app.screen.query_one("KeysFooter").shown)
        assert "Save summary" not in keys.values() and "Delete" not in keys.values()
        await pilot.press("d", "v", "enter")  # nothing to act on: nothing happens
        assert isinstance(app.screen, WelcomeScreen)  # Enter pressed "Back", the focused button


async def test_text_from_the_file_is_shown_literally(make, tmp_path):
    with Store(tmp_path / "s.db") as store:
        session_id = store.create()
        store.save_answers(session_id, 0, [("respondent", "self")], "self")
        store.finish(session_id, {"type": "[red]odd", "triage": "[b]odd[/b]"})
    app = make(recorder=Recorder(Store(tmp_path / "s.db")))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        assert rows(app)[0][3:] == ["[red]odd", "[b]odd[/b]"]


# ----------------------------------------------------------------------------- open, save


async def test_enter_opens_the_summary_for_the_doctor(make, db, engine):
    app = make(recorder=Recorder(Store(db)), resume="no")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        await pilot.press("down", "down", "enter")  # the oldest: pub-01
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        text = screen_text(app)
        assert "summary for the doctor" in text
        fingers = engine.dialog.questions["locations"].label_of("fingers_hands")
        assert fingers in text  # an answer, in words
        assert "not finished" not in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("up", "up", "enter")  # the unfinished one says so
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        assert "This session is not finished." in screen_text(app)


async def test_v_saves_the_summary_and_says_where(make, db, summaries):
    app = make(recorder=Recorder(Store(db)), resume="no")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        await pilot.press("v")
        await until(pilot, lambda: any(summaries.glob("*.html")))
        [path] = summaries.glob("*.html")
        assert path.name == "calcinosis-summary-2026-11-22.html"
        assert "<!DOCTYPE html>" in path.read_text(encoding="utf-8")
        assert status(app) == f"Summary for the doctor saved to {path}"
        assert any(str(path) in n.message for n in app._notifications)
        # and from the summary itself: a second file, never over the first
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("v")
        second = summaries / "calcinosis-summary-2026-11-22-2.html"
        await until(pilot, second.exists)
        assert status(app) == f"Summary for the doctor saved to {second}"


async def test_an_unwritable_summary_folder_gives_a_message(make, db, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CALCINOSIS_SUMMARY_DIR", str(blocker / "summaries"))
    app = make(recorder=Recorder(Store(db)), resume="no")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        await pilot.press("v")
        await pilot.pause()
        shown = status(app)
        assert shown.startswith("The summary was not saved.") and str(blocker) in shown
        assert "Traceback" not in screen_text(app) and "Errno" not in shown
        assert app.screen.query_one("#status").has_class("problem")
        assert isinstance(app.screen, HistoryScreen) and app.is_running


# ----------------------------------------------------------------------------- delete


async def test_delete_asks_first_no_keeps_yes_removes(make, db):
    app = make(recorder=Recorder(Store(db)), resume="no")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        await pilot.press("down", "d")  # the caregiver's session
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.danger
        assert "2026-11-21 14:05" in app.screen.message
        assert "someone else" in app.screen.message
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert len(rows(app)) == 3
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        assert [r[0] for r in rows(app)] == ["2026-11-22 07:45", "2026-11-20 09:30"]
        assert status(app) == "The session from 2026-11-21 14:05 is deleted."
    with Store(db) as store:
        assert [r.respondent for r in store.list()] == ["self", "self"]


async def test_the_session_being_answered_cannot_be_deleted(make, tmp_path):
    path = tmp_path / "s.db"
    app = make(recorder=Recorder(Store(path)))
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_until(pilot, PUB01, "extent")
        await app.push_screen(HistoryScreen())
        await pilot.pause()
        assert rows(app)[0][2] == "open now"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)  # no question asked
        assert "cannot be deleted while it is open" in status(app)
    with Store(path) as store:
        assert len(store.list()) == 1


# ----------------------------------------------------------------------------- no store


async def test_an_app_that_does_not_save_says_so(make):
    app = make()  # --no-save
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        assert "not saving answers" in screen_text(app)
        assert not app.screen.query_one(SessionTable).display


async def test_an_unreadable_saved_answers_file_is_named_not_a_traceback(make, tmp_path):
    broken = tmp_path / "sessions.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    recorder = Recorder.open(broken)
    assert recorder.store is None
    app = make(recorder=recorder)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        text = screen_text(app)
        assert "Saved sessions cannot be read." in text and "damaged" in text
        assert "Traceback" not in text


# ----------------------------------------------------------------------------- picture


class TestHistorySnapshot:
    def test_history_list(self, snap_compare, make, db):
        async def run_before(pilot):
            await open_history(pilot)
            await pilot.press("down")

        app = make(recorder=Recorder(Store(db)), resume="no")
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
