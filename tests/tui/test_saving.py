"""The terminal chat's saving (issue 14): a session open in another window is not
continued here, saving that fails is said at once and its recovery too, and the
summary goes to the browser as a download when the chat is served."""

from __future__ import annotations

from drive import until

from chatbot.storage import Recorder, Store, StoreError


async def test_a_session_open_in_another_window_is_not_offered(make, tmp_path) -> None:
    path = tmp_path / "sessions.sqlite3"
    with Store(path) as store:
        sid = store.create()
        store.save_answers(sid, 0, [("respondent", "self")], "self")
    other_window = Store(path)
    lock = other_window.lock_session(sid)
    try:
        app = make(recorder=Recorder(Store(path)), resume="ask")
        async with app.run_test(size=(100, 40)) as pilot:
            await until(
                pilot, lambda: any("another window" in n.message for n in app._notifications)
            )
            assert app.screen.__class__.__name__ == "WelcomeScreen"  # nothing offered
            assert app.recorder.session_id is None  # a new session from the first answer
        lock.release()
        app = make(recorder=Recorder(Store(path)), resume="ask")
        async with app.run_test(size=(100, 40)) as pilot:  # free again: offered
            await until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
    finally:
        lock.release()
        other_window.close()


async def test_saving_that_works_again_is_said_and_the_header_clears(make, tmp_path) -> None:
    recorder = Recorder(Store(tmp_path / "sessions.sqlite3"))
    real = recorder.store.save_answers
    failing = [True]

    def flaky(*args, **kwargs):
        if failing[0]:
            raise StoreError("The saved-answers file cannot be written (disk full).")
        return real(*args, **kwargs)

    recorder.store.save_answers = flaky
    app = make(recorder=recorder, resume="no")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.session.answer_current("self")
        app.saved()
        await until(pilot, lambda: "NOT BEING SAVED" in app.sub_title)
        assert any(
            "disk full" in n.message and "none of your answers is saved" in n.message
            for n in app._notifications
        )
        failing[0] = False
        app.session.answer_current(app.session.options()[-1].code)
        app.saved()
        await until(pilot, lambda: "NOT BEING SAVED" not in app.sub_title)
        assert any(
            n.message.startswith("Saving works again: all 2 answers") for n in app._notifications
        )
    with Store(tmp_path / "sessions.sqlite3") as store:
        assert store.list()[0].answered == 2


async def test_a_served_chat_sends_the_summary_to_the_browser(make, monkeypatch, tmp_path) -> None:
    from chatbot.export import Summary
    from chatbot.storage import now

    monkeypatch.setenv("CALCINOSIS_SERVED", "1")
    monkeypatch.setenv("CALCINOSIS_SUMMARY_DIR", str(tmp_path / "summaries"))
    app = make()
    delivered = []
    monkeypatch.setattr(app, "deliver_text", lambda file, **kw: delivered.append((file.read(), kw)))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        session = app.session
        summary = Summary(session.assess(), {}, [], now(), None, False)
        message, notice, path = app.save_summary(summary)
        assert "browser" in notice
    assert path is None and "downloaded by your web browser" in message
    ((text, kw),) = delivered
    assert text.startswith("<!DOCTYPE html>") and kw["open_method"] == "download"
    assert kw["save_filename"].startswith("calcinosis-summary-")
    assert not (tmp_path / "summaries").exists()  # nothing written on the server
