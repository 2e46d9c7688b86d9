"""Saved sessions: the store, damaged and unusable files, and SIGKILL at any answer."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from chatbot.engine.dialog.answers import to_plain
from chatbot.engine.loading import default_engine
from chatbot.storage import SCHEMA_VERSION, Recorder, Store, StoreError

VIGNETTES = Path(__file__).parent / "vignettes"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALCINOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def walk(name: str) -> list[tuple[str, object]]:
    """The (question id, answer) pairs a vignette gives, in the order the dialog asks."""
    engine = default_engine()
    answers = yaml.safe_load((VIGNETTES / name).read_text())["answers"]
    session = engine.new_session()
    try:
        session.replay(answers)
        return [(qid, to_plain(session.answers[qid])) for qid in session.history]
    finally:
        session.close()


def as_line(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, dict):
        return f"{value['value']} {value['unit']}"
    return str(value)


def test_new_store_is_private_and_versioned(data_dir: Path) -> None:
    with Store() as store:
        assert store.path == data_dir / "sessions.sqlite3"
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
        assert store.schema_version == SCHEMA_VERSION
        assert store.list() == []


def test_recorder_saves_each_answer_and_back(data_dir: Path) -> None:
    engine = default_engine()
    session = engine.new_session()
    recorder = Recorder.open()
    try:
        for value in ("caregiver", ["none"], "child", "yes"):
            session.answer_current(value)
            recorder.sync(session)
        record = recorder.store.get(recorder.session_id)
        assert [q for q, _ in record.answers] == [
            "respondent",
            "warning_signs",
            "age_group",
            "has_deposits",
        ]
        assert record.row.respondent == "caregiver"
        session.back()
        recorder.sync(session)
        session.answer_current("no")
        recorder.sync(session)
        record = recorder.store.get(recorder.session_id)
        assert record.answers[-1] == ("has_deposits", "no")
        assert len(record.answers) == 4
        recorder.finish({"type": "none", "subtype": None, "triage": "routine"})
        row = recorder.store.list()[0]
        assert (row.status, row.type, row.triage) == ("finished", "none", "routine")
        assert recorder.store.latest_unfinished() is None
    finally:
        session.close()
        recorder.close()


def test_delete_and_delete_all(data_dir: Path) -> None:
    with Store() as store:
        ids = [store.create() for _ in range(3)]
        for i in ids:
            store.save_answers(i, 0, [("respondent", "self")], "self")
        assert store.delete(ids[0]) is True
        assert store.delete(ids[0]) is False
        assert store.get(ids[0]) is None
        assert [r.id for r in store.list()] == sorted(ids[1:], reverse=True)
        assert store.delete_all() == 2
        assert store.list() == []


def test_corrupt_database_gives_a_clear_message(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "sessions.sqlite3").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="damaged"):
        Store()
    recorder = Recorder.open()
    assert not recorder.saving and "not being saved" in recorder.warning


def test_newer_schema_is_refused(data_dir: Path) -> None:
    with Store() as store:
        path = store.path
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="newer version"):
        Store()


def test_old_schema_is_migrated(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    sqlite3.connect(data_dir / "sessions.sqlite3").close()  # an empty version-0 file
    with Store() as store:
        assert store.schema_version == SCHEMA_VERSION
        store.create()
        assert len(store.list()) == 1


def test_unwritable_location_gives_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("CALCINOSIS_DATA_DIR", str(blocker / "data"))
    with pytest.raises(StoreError, match="cannot be"):
        Store()


def test_locked_database_does_not_stop_the_chat(data_dir: Path) -> None:
    with Store() as store:
        path = store.path
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        engine = default_engine()
        session = engine.new_session()
        recorder = Recorder.open()
        try:
            session.answer_current("self")
            recorder.sync(session)  # the write fails: the chat goes on, with a warning
            assert not recorder.saving
            assert "in use" in recorder.warning and "not being saved" in recorder.warning
            session.answer_current(["none"])
            recorder.sync(session)
            assert session.state == "age_group"
        finally:
            session.close()
            recorder.close()
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def _plain(data_dir: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, CALCINOSIS_DATA_DIR=str(data_dir), NO_COLOR="1")
    return subprocess.Popen(
        [sys.executable, "-m", "chatbot.cli", "--plain", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _saved(data_dir: Path) -> list[tuple[str, object]]:
    path = data_dir / "sessions.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT qid, value FROM answers ORDER BY session_id DESC, seq").fetchall()
    except sqlite3.Error:
        return []
    finally:
        db.close()
    return [(q, json.loads(v)) for q, v in rows]


@pytest.mark.parametrize("vignette", ["pub-01.yaml", "pub-23.yaml"])
def test_sigkill_after_every_answer_loses_nothing(tmp_path: Path, vignette: str) -> None:
    pairs = walk(vignette)
    data_dir = tmp_path / "data"
    for done in range(len(pairs)):
        proc = _plain(data_dir, "--resume")
        qid, value = pairs[done]
        proc.stdin.write(as_line(value) + "\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 20
        while len(_saved(data_dir)) < done + 1 and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        saved = _saved(data_dir)
        assert saved == pairs[: done + 1], f"after answer {done + 1} ({qid})"
    # the last answer finished the dialog; the stored result equals an uninterrupted run
    env = dict(os.environ, CALCINOSIS_DATA_DIR=str(data_dir))
    shown = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "show", "1", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    record = json.loads(shown.stdout)
    answers = yaml.safe_load((VIGNETTES / vignette).read_text())["answers"]
    expected = default_engine().replay(answers)
    rebuilt = default_engine().replay(record["answers"])
    assert (rebuilt.type, rebuilt.subtype, rebuilt.triage) == (
        expected.type,
        expected.subtype,
        expected.triage,
    )
    assert [c.type for c in rebuilt.ranking] == [c.type for c in expected.ranking]


def test_version_1_file_moves_forward_keeping_its_sessions(data_dir: Path) -> None:
    from chatbot.storage import MIGRATIONS

    data_dir.mkdir(parents=True)
    db = sqlite3.connect(data_dir / "sessions.sqlite3", isolation_level=None)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO sessions(id, created, updated, respondent) VALUES (7, 'a', 'b', 'self')"
    )
    db.execute("INSERT INTO answers VALUES (7, 0, 'respondent', '\"self\"', 'b')")
    db.execute("INSERT INTO answers VALUES (7, 1, 'warning_signs', '[\"none\"]', 'b')")
    db.close()
    with Store() as store:
        assert store.schema_version == SCHEMA_VERSION >= 2
        row = store.list()[0]
        assert (row.id, row.answered) == (7, 2)
        assert store.get(7).answers == [("respondent", "self"), ("warning_signs", ["none"])]
        assert store.latest_unfinished().id == 7


def test_a_recorder_that_fails_keeps_trying_and_saves_what_it_missed(data_dir: Path) -> None:
    """Issue 14: one failed write no longer stops saving for good."""
    engine = default_engine()
    session = engine.new_session()
    recorder = Recorder.open()
    real = recorder.store.save_answers
    failing = [True]

    def flaky(*args, **kwargs):
        if failing[0]:
            raise StoreError("The saved-answers file cannot be written (disk full).")
        return real(*args, **kwargs)

    try:
        recorder.store.save_answers = flaky
        for qid, value in walk("pub-01.yaml")[:3]:
            assert session.current.id == qid
            session.answer_current(value)
            recorder.sync(session)
        assert not recorder.saving and recorder.saved_count == 0
        assert "none of your answers is saved" in recorder.warning
        assert recorder.report(3) == "None of your 3 answers was saved."
        failing[0] = False
        qid, value = walk("pub-01.yaml")[3]
        session.answer_current(value)
        recorder.sync(session)
        assert recorder.saving and recorder.warning.startswith("Saving works again: all 4")
        assert recorder.report(4) == f"All 4 answers are saved (session {recorder.session_id})."
        with Store() as store:
            assert [q for q, _ in store.get(recorder.session_id).answers] == [
                q for q, _ in walk("pub-01.yaml")[:4]
            ]
    finally:
        session.close()
        recorder.close()


def test_read_only_opening_creates_nothing(data_dir: Path) -> None:
    from chatbot.storage import NoSavedSessions

    with pytest.raises(NoSavedSessions, match="No saved sessions in"):
        Store(readonly=True)
    assert not data_dir.exists()
    with Store() as store:
        store.create()
    with Store(readonly=True) as store:
        assert len(store.list()) == 1


def test_one_window_per_session(data_dir: Path) -> None:
    from chatbot.storage import SessionOpenElsewhere

    with Store() as store:
        sid = store.create()
    first = Recorder.open()
    second = Recorder.open()
    try:
        first.resume(sid, [])
        with pytest.raises(SessionOpenElsewhere, match="open in another window"):
            second.resume(sid, [])
        assert second.session_id is None  # left as it was
        assert second.store.open_elsewhere(sid)
        with pytest.raises(SessionOpenElsewhere):
            second.store.delete(sid)
        first.resume(None, [])  # a new session: the old one is free again
        second.resume(sid, [])
        assert first.store.open_elsewhere(sid)
    finally:
        first.close()
        second.close()
